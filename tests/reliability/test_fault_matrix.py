"""The fault matrix: every one of Replit's ten Client methods × every fault, through a proxy
in front of the real server.

For every cell: the documented error type (or success after a transient fault, where a retry is
safe), within the configured deadline; no partial local file and an existing destination intact;
no partially written object (the old version or the complete new one); and the same Client works
once the fault is gone.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from storage import Client, errors
from tests.faultproxy import FaultProxy, gcs_error
from tests.servers import GcsServer

TIMEOUT = 2.0
DEADLINE = 3.0
#: A cell must end within the retry deadline plus one request timeout, and some slack for a
#: loaded 2-core machine.
LIMIT = DEADLINE + 2 * TIMEOUT + 6.0

OLD = b"old version\n" * 100
NEW = b"new version\n" * 120

# Requests about objects (media, JSON metadata, uploads, rewrites), not the bucket itself.
OBJECT_PATHS = r"/o(/|\?|$)"


@dataclass(frozen=True)
class Method:
    name: str
    write: bool
    call: Callable[[Client, Path], Any]
    reads_object: bool = True  # a 404 for "the object" is meaningful for it


METHODS = [
    Method("copy", True, lambda c, d: c.copy("src.txt", "target.txt")),
    Method("delete", True, lambda c, d: c.delete("target.txt")),
    Method("download_as_bytes", False, lambda c, d: c.download_as_bytes("target.txt")),
    Method("download_as_text", False, lambda c, d: c.download_as_text("target.txt")),
    Method(
        "download_to_filename",
        False,
        lambda c, d: c.download_to_filename("target.txt", str(d / "dest.txt")),
    ),
    Method("exists", False, lambda c, d: c.exists("target.txt")),
    Method("list", False, lambda c, d: c.list(prefix="target"), reads_object=False),
    Method(
        "upload_from_filename",
        True,
        lambda c, d: c.upload_from_filename("target.txt", str(d / "new.txt")),
        reads_object=False,
    ),
    Method(
        "upload_from_bytes",
        True,
        lambda c, d: c.upload_from_bytes("target.txt", NEW),
        reads_object=False,
    ),
    Method(
        "upload_from_text",
        True,
        lambda c, d: c.upload_from_text("target.txt", NEW.decode()),
        reads_object=False,
    ),
]

OK = None  # the call succeeds


@dataclass(frozen=True)
class Fault:
    name: str
    apply: Callable[[FaultProxy, str], Any]
    #: The outcome for a read, and for a write (an error type, or OK).
    read: type[Exception] | tuple[type[Exception], ...] | None
    write: type[Exception] | tuple[type[Exception], ...] | None


FAULTS = [
    Fault(
        "401",
        lambda p, b: p.respond(401, gcs_error.unauthorized()),
        errors.UnauthorizedError,
        errors.UnauthorizedError,
    ),
    Fault(
        "403",
        lambda p, b: p.respond(403, gcs_error.forbidden()),
        errors.ForbiddenError,
        errors.ForbiddenError,
    ),
    Fault(
        "404-bucket",
        lambda p, b: p.respond(404, gcs_error.bucket_not_found()),
        errors.BucketNotFoundError,
        errors.BucketNotFoundError,
    ),
    Fault(
        "404-object",
        lambda p, b: p.respond(404, gcs_error.object_not_found(b, "target.txt"), path=OBJECT_PATHS),
        errors.ObjectNotFoundError,
        errors.ObjectNotFoundError,
    ),
    Fault(
        "429-once",
        lambda p, b: p.respond(429, gcs_error.rate_limited(), times=1),
        OK,
        errors.TooManyRequestsError,
    ),
    Fault(
        "429-always",
        lambda p, b: p.respond(429, gcs_error.rate_limited()),
        errors.TooManyRequestsError,
        errors.TooManyRequestsError,
    ),
    Fault(
        "500-once",
        lambda p, b: p.respond(500, gcs_error.backend_error(500), times=1),
        OK,
        errors.ServerError,
    ),
    Fault(
        "500-always",
        lambda p, b: p.respond(500, gcs_error.backend_error(500)),
        errors.ServerError,
        errors.ServerError,
    ),
    Fault(
        "503-once",
        lambda p, b: p.respond(503, gcs_error.backend_error(503), times=1),
        OK,
        errors.ServerError,
    ),
    Fault(
        "503-always",
        lambda p, b: p.respond(503, gcs_error.backend_error(503)),
        errors.ServerError,
        errors.ServerError,
    ),
    Fault("reset-once", lambda p, b: p.reset(times=1), OK, errors.ConnectionFailedError),
    Fault(
        "reset-always",
        lambda p, b: p.reset(),
        errors.ConnectionFailedError,
        errors.ConnectionFailedError,
    ),
    Fault("truncated-once", lambda p, b: p.truncate(times=1), OK, None),  # writes: see below
    Fault(
        "hang",
        lambda p, b: p.hang(),
        (errors.RequestTimeoutError, errors.ConnectionFailedError),
        errors.RequestTimeoutError,
    ),
]

CELLS = [
    pytest.param(m, f, id=f"{m.name}-{f.name}")
    for m in METHODS
    for f in FAULTS
    if not (f.name == "404-object" and not m.reads_object)
]


def expected(method: Method, fault: Fault) -> Any:
    if fault.name == "404-object" and method.name == "exists":
        return OK  # a missing object simply does not exist
    return fault.write if method.write else fault.read


def test_matrix_size() -> None:
    """For the README: how many cells the matrix covers."""
    assert len(CELLS) == len(METHODS) * len(FAULTS) - 4


@pytest.mark.parametrize(("method", "fault"), CELLS)
def test_fault_cell(
    method: Method, fault: Fault, proxy: FaultProxy, bucket: str, client: Client, tmp_path: Path
) -> None:
    # The world before: an old version of the target, a source for copy, a local destination
    # file that holds something precious, and a local file with the new content.
    client.upload_from_bytes("target.txt", OLD)
    client.upload_from_bytes("src.txt", NEW)
    dest = tmp_path / "dest.txt"
    dest.write_bytes(b"precious local data")
    (tmp_path / "new.txt").write_bytes(NEW)

    faulty = Client(bucket, endpoint=proxy.url, timeout=TIMEOUT, retry_deadline=DEADLINE)
    fault.apply(proxy, bucket)
    outcome = expected(method, fault)
    start = time.monotonic()
    try:
        method.call(faulty, tmp_path)
    except Exception as exc:  # the assertions below say what was acceptable
        raised: Exception | None = exc
    else:
        raised = None
    elapsed = time.monotonic() - start
    proxy.clear()

    assert elapsed < LIMIT, f"took {elapsed:.1f} s"
    if fault.name == "truncated-once" and method.write:
        # The write reached the server; only its answer was cut. Either outcome is honest,
        # as long as an error is ours.
        assert raised is None or isinstance(raised, errors.ObjectStorageError), repr(raised)
    elif outcome is OK:
        assert raised is None, f"expected success, got {raised!r}"
    else:
        assert isinstance(raised, outcome), f"expected {outcome}, got {raised!r}"
    if raised is not None:
        # Never a raw library error, and the cause is kept.
        assert isinstance(raised, errors.ObjectStorageError)
        # (a missing bucket found by our own check after a plain "not found" has no cause)
        assert raised.__cause__ is not None or fault.name.startswith("404")

    # Nothing local was damaged: the destination is intact or complete, no stray temp file.
    local = sorted(p.name for p in tmp_path.iterdir())
    assert local == ["dest.txt", "new.txt"], local
    if method.name == "download_to_filename" and raised is None:
        assert dest.read_bytes() == OLD
    else:
        assert dest.read_bytes() == b"precious local data"

    # Nothing half-written in the bucket: the old version or the complete new one (or, for a
    # delete that went through, nothing).
    if client.exists("target.txt"):
        assert hashlib.md5(client.download_as_bytes("target.txt")).digest() in {  # noqa: S324
            hashlib.md5(OLD).digest(),  # noqa: S324
            hashlib.md5(NEW).digest(),  # noqa: S324
        }
    else:
        assert method.name == "delete"

    # And the faulty Client works once the fault has cleared.
    faulty.upload_from_bytes("after.txt", b"works")
    assert faulty.download_as_bytes("after.txt") == b"works"


# ------------------------------------------------------------------ the server dies mid-transfer
BIG = 24 * 1024 * 1024


def _restartable(server: GcsServer) -> None:
    server.stop(kill=True)
    server.start()


def test_server_killed_mid_upload(fresh_server: GcsServer, tmp_path: Path) -> None:
    fresh_server.create_bucket("kill-up")
    client = Client("kill-up", endpoint=fresh_server.url, timeout=TIMEOUT, retry_deadline=DEADLINE)
    client.upload_from_bytes("big.bin", OLD)
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(BIG))
    killed = threading.Event()

    def progress(done: int) -> None:
        if done > 9 * 1024 * 1024 and not killed.is_set():  # after the first 8 MiB chunk
            killed.set()
            fresh_server.stop(kill=True)

    start = time.monotonic()
    with pytest.raises(errors.ObjectStorageError) as info:
        client.upload_from_filename("big.bin", str(source), progress=progress)
    assert time.monotonic() - start < LIMIT
    assert killed.is_set()
    assert isinstance(info.value, (errors.ConnectionFailedError, errors.RequestTimeoutError))

    fresh_server.start()  # same port, same data
    # The interrupted resumable upload left the old version, whole.
    assert client.download_as_bytes("big.bin") == OLD
    client.upload_from_filename("big.bin", str(source))
    assert client.stat("big.bin").size == BIG


def test_server_killed_mid_download(fresh_server: GcsServer, tmp_path: Path) -> None:
    fresh_server.create_bucket("kill-down")
    client = Client(
        "kill-down", endpoint=fresh_server.url, timeout=TIMEOUT, retry_deadline=DEADLINE
    )
    data = os.urandom(BIG)
    client.upload_from_bytes("big.bin", data)
    work = tmp_path / "work"  # fresh_server keeps its data in tmp_path / "gcs"
    work.mkdir()
    dest = work / "dest.bin"
    dest.write_bytes(b"precious")
    killed = threading.Event()

    def progress(done: int) -> None:
        if done > 1024 * 1024 and not killed.is_set():
            killed.set()
            fresh_server.stop(kill=True)

    start = time.monotonic()
    with pytest.raises(errors.ObjectStorageError):
        client.download_to_filename("big.bin", str(dest), progress=progress)
    assert time.monotonic() - start < LIMIT
    assert dest.read_bytes() == b"precious"
    assert sorted(p.name for p in work.iterdir()) == ["dest.bin"]

    fresh_server.start()
    client.download_to_filename("big.bin", str(dest))
    assert dest.read_bytes() == data
