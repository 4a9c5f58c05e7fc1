"""Hostile input: generated object names, odd contents and a hostile local filesystem."""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from storage import Client, errors, local_server
from tests.faultproxy import FaultProxy
from tui import render

#: Pieces that break naive code: markup, escapes, URL syntax, path tricks, unicode.
NASTY = [
    "[b]",
    "[/]",
    "[bold red]",
    "[/bold]",
    "\\[",
    "]",
    "[",
    "\x1b[31m",
    "\x1b]0;title\x07",
    "\x9b",
    "#",
    "?",
    "%",
    "%2F",
    "+",
    "&",
    "=",
    " ",
    "  ",
    "..",
    ".",
    "/",
    "//",
    "\\",
    "~",
    "*",
    "{a,b}",
    "\n",
    "\r",
    "\t",
    "\x00",
    "\u202e",
    "\u200b",
    "é",
    "日本",
    "🎒",
    "\ufeff",
    "a" * 300,
]

names = st.lists(
    st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=12)), min_size=1, max_size=6
).map("".join)

_counter = itertools.count()

HOSTILE = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def local_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """The embedded local server (filesystem names, as users get it), of this module's own."""
    data_dir = tmp_path_factory.mktemp("hostile-data")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SATCHEL_DATA_DIR", str(data_dir))
        mp.setenv("SATCHEL_IDLE_TIMEOUT", "30")
        mp.setenv("SATCHEL_REPLIT_SIDECAR", "http://127.0.0.1:9")
        client = Client(backend="local", timeout=5, retry_deadline=3)
        client.exists("warm-up")
        yield client
    local_server.stop(data_dir)


@HOSTILE
@given(name=names)
def test_a_name_round_trips_or_is_refused_before_any_request(
    local_client: Client, name: str
) -> None:
    _round_trip_or_refused(local_client, name)


@pytest.mark.slow
@settings(HOSTILE, max_examples=2000)
@given(name=names)
def test_many_more_names_nightly(local_client: Client, name: str) -> None:
    _round_trip_or_refused(local_client, name)


def _round_trip_or_refused(local_client: Client, name: str) -> None:
    full = f"h{next(_counter)}/{name}"  # its own prefix: `a` and `a/b` can't both exist here
    try:
        local_client.upload_from_bytes(full, b"payload")
    except ValueError:
        # Refused: and so is every other method, before any request.
        for call in (
            lambda: local_client.download_as_bytes(full),
            lambda: local_client.exists(full),
            lambda: local_client.delete(full),
            lambda: local_client.copy("h-src", full),
        ):
            with pytest.raises(ValueError):
                call()
        return
    assert [o.name for o in local_client.list(prefix=full)][:1] == [full]
    assert local_client.download_as_bytes(full) == b"payload"
    local_client.copy(full, full + ".copy")
    assert local_client.download_as_bytes(full + ".copy") == b"payload"
    local_client.delete(full + ".copy")
    local_client.delete(full)
    assert not local_client.exists(full)


def test_refused_names_make_no_request(proxy: FaultProxy, bucket: str) -> None:
    client = Client(bucket, endpoint=proxy.url, timeout=5, retry_deadline=1)
    for name in ["", "a\nb", "../x", "a/../b", "x" * 1025, "\x1b[31m", "a/./b", "\ud800"]:
        with pytest.raises(ValueError):
            client.upload_from_bytes(name, b"x")
        with pytest.raises(ValueError):
            client.download_to_filename(name, "/nonexistent/never-written")
    assert proxy.request_count == 0


@HOSTILE
@given(name=names)
def test_names_render_literally_in_the_browser(name: str) -> None:
    text = render.safe(name)
    plain = text.plain
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in plain), repr(plain)
    assert "\x1b" not in plain
    printable = all(c.isprintable() for c in name)
    if printable:
        assert plain == name  # markup is not parsed: `[b]` stays `[b]`
    console = Console(width=400, color_system=None, force_terminal=False)
    with console.capture() as capture:
        console.print(text, end="")
    assert "\x1b" not in capture.get()


# ------------------------------------------------------------------ odd contents, odd local files
def test_text_that_is_not_utf8(client: Client) -> None:
    client.upload_from_bytes("latin.txt", "café".encode("latin-1"), content_type="text/plain")
    with pytest.raises(UnicodeDecodeError):
        client.download_as_text("latin.txt")
    assert client.download_as_bytes("latin.txt") == b"caf\xe9"


def test_empty_objects_and_zero_byte_files(client: Client, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    client.upload_from_filename("e1", str(empty))
    client.upload_from_bytes("e2", b"")
    client.upload_from_text("e3", "")
    for name in ("e1", "e2", "e3"):
        assert client.download_as_bytes(name) == b""
        assert client.stat(name).size == 0
        out = tmp_path / f"{name}.out"
        client.download_to_filename(name, str(out))
        assert out.read_bytes() == b""


def test_missing_and_unreadable_local_files(client: Client, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        client.upload_from_filename("x", str(tmp_path / "nope"))
    with pytest.raises(IsADirectoryError):
        client.upload_from_filename("x", str(tmp_path))
    assert not client.exists("x")
    if os.geteuid() == 0:
        pytest.skip("root reads any file; the unreadable case needs an ordinary user")
    locked = tmp_path / "locked"
    locked.write_bytes(b"secret")
    locked.chmod(0)
    with pytest.raises(PermissionError):
        client.upload_from_filename("x", str(locked))
    assert not client.exists("x")


def test_destination_directory_that_does_not_exist(client: Client, tmp_path: Path) -> None:
    client.upload_from_bytes("o", b"data")
    with pytest.raises(FileNotFoundError) as info:
        client.download_to_filename("o", str(tmp_path / "no" / "such" / "dir" / "f"))
    assert "no/such/dir" in str(info.value)
    assert not (tmp_path / "no").exists()


@contextlib.contextmanager
def small_tmpfs(path: Path, size: str = "1m") -> Iterator[Path]:
    path.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_disk_full_leaves_no_partial_file_and_the_old_one_intact(
    client: Client, tmp_path: Path
) -> None:
    client.upload_from_bytes("big", os.urandom(3 * 1024 * 1024))
    with small_tmpfs(tmp_path / "full") as full:
        old = full / "keep.bin"
        old.write_bytes(b"old contents")
        with pytest.raises(OSError) as info:
            client.download_to_filename("big", str(old))
        assert "No space left" in str(info.value) or info.value.errno == 28
        assert old.read_bytes() == b"old contents"
        assert sorted(p.name for p in full.iterdir()) == ["keep.bin"]
        with pytest.raises(OSError):
            client.download_to_filename("big", str(full / "new.bin"))
        assert sorted(p.name for p in full.iterdir()) == ["keep.bin"]


def test_error_texts_from_the_server_are_made_safe(proxy: FaultProxy, bucket: str) -> None:
    client = Client(bucket, endpoint=proxy.url, timeout=5, retry_deadline=0)
    proxy.respond(
        403, {"error": {"code": 403, "message": "\x1b[2J\x1b]0;pwned\x07[bold]no[/bold]"}}
    )
    with pytest.raises(errors.ForbiddenError) as info:
        client.download_as_bytes("x")
    assert "\x1b" not in str(info.value)
    assert "\x07" not in str(info.value)


@HOSTILE
@given(name=names)
def test_generated_refusals_make_no_request(proxy: FaultProxy, bucket: str, name: str) -> None:
    """Through the proxy: a name the Client refuses makes no request; one it accepts is sent."""
    client = Client(bucket, endpoint=proxy.url, timeout=5, retry_deadline=1)
    full = f"r{next(_counter)}/{name}"
    before = proxy.request_count
    try:
        client.upload_from_bytes(full, b"payload")
    except ValueError:
        assert proxy.request_count == before, "a refused name still made a request"
        return
    except errors.ObjectStorageError:
        # Valid for GCS, but the test server keeps objects as files and can't hold every such
        # name (a segment over 255 bytes); the round trip itself is tested above, on the
        # embedded local server, whose validation knows its filesystem.
        pass
    assert proxy.request_count > before
