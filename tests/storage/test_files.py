"""Local files: atomic download_to_filename, streaming with bounded memory, progress."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import threading
import tracemalloc
from pathlib import Path

import pytest

from storage import Client, errors
from tests.faultproxy import FaultProxy, gcs_error


def _listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_download_to_filename_writes_the_file(client: Client, tmp_path: Path) -> None:
    client.upload_from_bytes("obj", b"payload")
    dest = tmp_path / "out.bin"
    assert client.download_to_filename("obj", str(dest)) is None
    assert dest.read_bytes() == b"payload"
    assert _listing(tmp_path) == ["out.bin"]  # no stray temporary file


def test_download_to_filename_replaces_an_existing_file(client: Client, tmp_path: Path) -> None:
    client.upload_from_bytes("obj", b"new")
    dest = tmp_path / "out.bin"
    dest.write_bytes(b"old content that is longer")
    dest.chmod(0o640)
    client.download_to_filename("obj", str(dest))
    assert dest.read_bytes() == b"new"
    assert stat.S_IMODE(dest.stat().st_mode) == 0o640  # the old file's permissions carry over
    assert _listing(tmp_path) == ["out.bin"]


def test_new_file_gets_the_umask_mode(client: Client, tmp_path: Path) -> None:
    client.upload_from_bytes("obj", b"x")
    # The umask is process-wide (the Client reads it once, at import): use a process of its own.
    code = (
        "import os, sys; os.umask(0o027)\n"
        "from storage import Client\n"
        "Client(sys.argv[1], endpoint=sys.argv[2]).download_to_filename('obj', sys.argv[3])\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, client.bucket_name, str(client.endpoint), str(tmp_path / "f")],
        check=True,
        timeout=60,
    )
    assert stat.S_IMODE((tmp_path / "f").stat().st_mode) == 0o640


def test_missing_object_leaves_existing_destination_byte_identical(
    client: Client, tmp_path: Path
) -> None:
    dest = tmp_path / "keep.bin"
    original = os.urandom(4096)
    dest.write_bytes(original)
    before = dest.stat()
    with pytest.raises(errors.ObjectNotFoundError):
        client.download_to_filename("missing", str(dest))
    assert dest.read_bytes() == original
    assert dest.stat().st_mtime_ns == before.st_mtime_ns
    assert dest.stat().st_ino == before.st_ino
    assert _listing(tmp_path) == ["keep.bin"]


def test_missing_object_creates_nothing(client: Client, tmp_path: Path) -> None:
    with pytest.raises(errors.ObjectNotFoundError):
        client.download_to_filename("missing", str(tmp_path / "new.bin"))
    assert _listing(tmp_path) == []


def test_missing_parent_directory_is_a_clear_error(client: Client, tmp_path: Path) -> None:
    client.upload_from_bytes("obj", b"x")
    with pytest.raises(FileNotFoundError) as info:
        client.download_to_filename("obj", str(tmp_path / "no" / "such" / "f"))
    assert str(tmp_path / "no" / "such") in str(info.value)
    assert _listing(tmp_path) == []


def test_destination_is_a_directory(client: Client, tmp_path: Path) -> None:
    client.upload_from_bytes("obj", b"x")
    (tmp_path / "d").mkdir()
    with pytest.raises(IsADirectoryError):
        client.download_to_filename("obj", str(tmp_path / "d"))
    assert _listing(tmp_path / "d") == []


def test_connection_dropped_mid_download_leaves_destination_intact(
    proxy: FaultProxy, pclient: Client, tmp_path: Path
) -> None:
    pclient.upload_from_bytes("big", os.urandom(256 * 1024))
    dest = tmp_path / "keep.bin"
    dest.write_bytes(b"precious")
    proxy.truncate(method="GET", path=r"alt=media")
    with pytest.raises(errors.ObjectStorageError):
        pclient.download_to_filename("big", str(dest))
    assert dest.read_bytes() == b"precious"
    assert _listing(tmp_path) == ["keep.bin"]


def test_server_error_mid_download_leaves_nothing(
    proxy: FaultProxy, pclient: Client, tmp_path: Path
) -> None:
    pclient.upload_from_bytes("obj", b"data")
    proxy.respond(503, gcs_error.backend_error(503), path=r"alt=media")
    with pytest.raises(errors.ServerError):
        pclient.download_to_filename("obj", str(tmp_path / "f"))
    assert _listing(tmp_path) == []


def test_a_truncated_response_once_is_retried_and_the_file_is_right(
    proxy: FaultProxy, pclient: Client, tmp_path: Path
) -> None:
    data = os.urandom(300 * 1024)
    pclient.upload_from_bytes("obj", data)
    proxy.truncate(method="GET", path=r"alt=media", times=1)
    pclient.download_to_filename("obj", str(tmp_path / "f"))
    assert (tmp_path / "f").read_bytes() == data
    assert proxy.count(method="GET", path=r"alt=media") >= 2


def test_progress_callbacks(client: Client, tmp_path: Path) -> None:
    size = 9 * 1024 * 1024 + 17  # above the single-request limit: a chunked upload
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom(size))
    up: list[int] = []
    client.upload_from_filename("p.bin", str(src), progress=up.append)
    assert up
    assert up == sorted(up)
    assert up[-1] == size
    down: list[int] = []
    client.download_to_filename("p.bin", str(tmp_path / "back.bin"), progress=down.append)
    assert down == sorted(down)
    assert down[-1] == size
    assert (tmp_path / "back.bin").read_bytes() == src.read_bytes()


def test_file_object_streaming(client: Client) -> None:
    data = os.urandom(100_000)
    client.upload_from_file("f", io.BytesIO(data), content_type="application/x-test")
    assert client.stat("f").content_type == "application/x-test"
    sink = io.BytesIO()
    seen: list[int] = []
    client.download_to_file("f", sink, progress=seen.append)
    assert sink.getvalue() == data
    assert seen[-1] == len(data)
    client.upload_from_file("g", io.BytesIO(data), size=len(data))
    assert client.stat("g").content_type == "application/octet-stream"
    assert client.download_as_bytes("g") == data


def test_download_to_file_missing(client: Client) -> None:
    sink = io.BytesIO()
    with pytest.raises(errors.ObjectNotFoundError):
        client.download_to_file("nope", sink)


def _peak(fn: object) -> int:
    assert callable(fn)
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_large_transfers_use_bounded_memory(client: Client, tmp_path: Path) -> None:
    size = 64 * 1024 * 1024
    src = tmp_path / "big.bin"
    with src.open("wb") as fh:
        block = os.urandom(1024 * 1024)
        for _ in range(size // len(block)):
            fh.write(block)
    up = _peak(lambda: client.upload_from_filename("big.bin", str(src)))
    # Resumable chunks of 16 MiB: about two of them in memory at once, never the whole file.
    assert up < size * 3 // 4, f"upload peak {up} bytes for a {size}-byte file"
    dest = tmp_path / "back.bin"
    down = _peak(lambda: client.download_to_filename("big.bin", str(dest)))
    assert down < size // 8, f"download peak {down} bytes for a {size}-byte file"
    assert dest.stat().st_size == size
    with src.open("rb") as a, dest.open("rb") as b:
        while chunk := a.read(1 << 20):
            assert chunk == b.read(1 << 20)


def test_concurrent_downloads_to_files(client: Client, tmp_path: Path) -> None:
    for i in range(8):
        client.upload_from_bytes(f"c{i}", bytes([i]) * 1000)
    failures: list[BaseException] = []

    def get(i: int) -> None:
        try:
            client.download_to_filename(f"c{i}", str(tmp_path / f"c{i}"))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=get, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    for i in range(8):
        assert (tmp_path / f"c{i}").read_bytes() == bytes([i]) * 1000
    assert _listing(tmp_path) == sorted(f"c{i}" for i in range(8))


def test_corrupted_download_is_a_server_error_and_writes_nothing(
    proxy: FaultProxy, pclient: Client, tmp_path: Path
) -> None:
    pclient.upload_from_bytes("obj", os.urandom(64 * 1024))
    dest = tmp_path / "keep.bin"
    dest.write_bytes(b"precious")
    proxy.corrupt(method="GET", path=r"alt=media")
    with pytest.raises(errors.ServerError) as info:
        pclient.download_to_filename("obj", str(dest))
    assert "checksum" in str(info.value)
    assert dest.read_bytes() == b"precious"
    assert _listing(tmp_path) == ["keep.bin"]
    with pytest.raises(errors.ServerError):
        pclient.download_as_bytes("obj")


def test_upload_progress_stays_exact_when_a_chunk_is_retried(
    proxy: FaultProxy, pclient: Client, tmp_path: Path
) -> None:
    size = 17 * 1024 * 1024  # three chunks
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom(size))
    # The second chunk fails once; with a precondition the upload is retried and resumes.
    rule = proxy.respond(503, gcs_error.backend_error(503), method="PUT", skip=1, times=1)
    seen: list[int] = []
    pclient.upload_from_filename("p.bin", str(src), if_generation_match=0, progress=seen.append)
    assert rule.hits == 1
    assert seen == sorted(seen)
    assert seen[-1] == size
    assert pclient.stat("p.bin").size == size
