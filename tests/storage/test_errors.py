"""Error mapping, retries and preconditions, through the fault proxy and a stopped server."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from storage import Client, errors
from tests.faultproxy import FaultProxy, gcs_error
from tests.servers import GcsServer

Op = Callable[[Client, Path], object]


def _src(tmp: Path) -> str:
    path = tmp / "src.txt"
    path.write_text("source")
    return str(path)


#: Replit's ten methods, each on the object "obj" (or the bucket, for list).
TEN: dict[str, Op] = {
    "copy": lambda c, t: c.copy("obj", "other"),
    "delete": lambda c, t: c.delete("obj"),
    "download_as_bytes": lambda c, t: c.download_as_bytes("obj"),
    "download_as_text": lambda c, t: c.download_as_text("obj"),
    "download_to_filename": lambda c, t: c.download_to_filename("obj", str(t / "dest")),
    "exists": lambda c, t: c.exists("obj"),
    "list": lambda c, t: c.list(),
    "upload_from_filename": lambda c, t: c.upload_from_filename("obj", _src(t)),
    "upload_from_bytes": lambda c, t: c.upload_from_bytes("obj", b"x"),
    "upload_from_text": lambda c, t: c.upload_from_text("obj", "x"),
}
EXTRAS: dict[str, Op] = {
    "stat": lambda c, t: c.stat("obj"),
    "read_range": lambda c, t: c.read_range("obj", 0, 2),
    "list_page": lambda c, t: c.list_page(),
    "iter_objects": lambda c, t: list(c.iter_objects()),
}
READS = ["download_as_bytes", "download_as_text", "download_to_filename", "exists", "list"]
WRITES = ["copy", "delete", "upload_from_filename", "upload_from_bytes", "upload_from_text"]
ALL = {**TEN, **EXTRAS}

OBJECT_PATH = r"/o/obj(\?|$)"
BUCKET_GET = r"^/storage/v1/b/[^/?]+(\?|$)"


@pytest.fixture
def seeded(pclient: Client) -> Client:
    pclient.upload_from_bytes("obj", b"content")
    return pclient


def _check_where(err: errors.ObjectStorageError, client: Client, op: str) -> None:
    assert err.bucket == client.bucket_name
    if op in ("list", "list_page", "iter_objects"):
        assert err.object_name is None
    else:
        assert err.object_name == "obj"
    assert err.__cause__ is not None
    assert client.bucket_name in str(err)


# ---------------------------------------------------------------------- 401 / 403
@pytest.mark.parametrize("op", sorted(ALL))
@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, gcs_error.unauthorized(), errors.UnauthorizedError),
        (403, gcs_error.forbidden(), errors.ForbiddenError),
    ],
    ids=["401", "403"],
)
def test_auth_errors_map_for_every_method(
    proxy: FaultProxy,
    seeded: Client,
    tmp_path: Path,
    op: str,
    status: int,
    body: dict[str, object],
    error: type[errors.ObjectStorageError],
) -> None:
    rule = proxy.respond(status, body)
    with pytest.raises(error) as info:
        ALL[op](seeded, tmp_path)
    assert info.value.status_code == status
    _check_where(info.value, seeded, op)
    assert not (tmp_path / "dest").exists()
    # Not retried: a refusal does not get better by asking again.
    assert rule.hits == 1


# ---------------------------------------------------------------------- 404: bucket vs object
@pytest.mark.parametrize("op", sorted(ALL))
def test_missing_bucket_is_bucket_not_found_for_every_method(
    proxy: FaultProxy, seeded: Client, tmp_path: Path, op: str
) -> None:
    proxy.respond(404, gcs_error.bucket_not_found())
    with pytest.raises(errors.BucketNotFoundError) as info:
        ALL[op](seeded, tmp_path)
    assert info.value.status_code == 404
    assert info.value.bucket == seeded.bucket_name
    assert f"No such bucket: {seeded.bucket_name}" in str(info.value)
    assert not (tmp_path / "dest").exists()


def test_delete_ignore_not_found_still_reports_a_missing_bucket(
    proxy: FaultProxy, seeded: Client
) -> None:
    proxy.respond(404, gcs_error.bucket_not_found())
    with pytest.raises(errors.BucketNotFoundError):
        seeded.delete("obj", ignore_not_found=True)


@pytest.mark.parametrize(
    "op", ["download_as_bytes", "download_as_text", "download_to_filename", "stat", "read_range"]
)
def test_missing_object_is_object_not_found(
    proxy: FaultProxy, seeded: Client, tmp_path: Path, op: str
) -> None:
    proxy.respond(404, gcs_error.object_not_found(seeded.bucket_name, "obj"), path=OBJECT_PATH)
    with pytest.raises(errors.ObjectNotFoundError) as info:
        ALL[op](seeded, tmp_path)
    assert info.value.status_code == 404
    _check_where(info.value, seeded, op)
    assert str(info.value).startswith(f"No such object: obj in bucket {seeded.bucket_name}")


def test_plain_text_404_of_a_media_download(proxy: FaultProxy, seeded: Client) -> None:
    body = f"No such object: {seeded.bucket_name}/obj"
    proxy.respond(404, body, content_type="text/html; charset=UTF-8", path=r"alt=media")
    with pytest.raises(errors.ObjectNotFoundError) as info:
        seeded.download_as_bytes("obj")
    assert info.value.status_code == 404


def test_bucket_vs_object_is_not_decided_by_the_message(
    proxy: FaultProxy, seeded: Client, tmp_path: Path
) -> None:
    # The object request says "bucket does not exist", but the bucket is there: object missing.
    proxy.respond(404, gcs_error.bucket_not_found(), path=OBJECT_PATH)
    with pytest.raises(errors.ObjectNotFoundError):
        seeded.download_as_bytes("obj")
    assert seeded.exists("obj") is False
    proxy.clear()
    # The object request says "No such object", but the bucket is gone: bucket missing.
    proxy.respond(404, gcs_error.object_not_found(seeded.bucket_name, "obj"), path=OBJECT_PATH)
    proxy.respond(404, "Not Found", content_type="text/plain", path=BUCKET_GET)
    with pytest.raises(errors.BucketNotFoundError):
        seeded.download_as_bytes("obj")
    with pytest.raises(errors.BucketNotFoundError):
        seeded.exists("obj")


def test_a_really_missing_bucket(gcs_server: GcsServer, tmp_path: Path) -> None:
    c = Client("no-such-bucket-anywhere", endpoint=gcs_server.url, timeout=5, retry_deadline=2)
    for name, op in TEN.items():
        with pytest.raises(errors.BucketNotFoundError) as info:
            op(c, tmp_path)
        assert info.value.bucket == "no-such-bucket-anywhere", name
        assert info.value.status_code == 404, name
    with pytest.raises(errors.BucketNotFoundError):
        c.delete("obj", ignore_not_found=True)
    for with_precondition in (
        lambda: c.upload_from_bytes("obj", b"x", if_generation_match=5),
        lambda: c.upload_from_bytes("obj", b"x", if_generation_match=0),
        lambda: c.copy("obj", "other", if_generation_match=5),
        lambda: c.delete("obj", if_generation_match=5),
        lambda: c.delete("obj", ignore_not_found=True, if_generation_match=5),
    ):
        with pytest.raises(errors.BucketNotFoundError):
            with_precondition()
    assert not (tmp_path / "dest").exists()


# ---------------------------------------------------------------------- 429 / 5xx: retries
@pytest.mark.parametrize("op", [*READS, "stat", "read_range"])
@pytest.mark.parametrize(
    ("status", "body"),
    [
        (429, gcs_error.rate_limited()),
        (500, gcs_error.backend_error(500)),
        (503, gcs_error.backend_error(503)),
    ],
    ids=["429", "500", "503"],
)
def test_reads_retry_a_transient_failure(
    proxy: FaultProxy,
    seeded: Client,
    tmp_path: Path,
    op: str,
    status: int,
    body: dict[str, object],
) -> None:
    rule = proxy.respond(status, body, method="GET", times=1)
    ALL[op](seeded, tmp_path)
    assert rule.hits == 1
    assert proxy.count(method="GET") >= 2


@pytest.mark.parametrize("op", [*READS, "stat"])
@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (429, gcs_error.rate_limited(), errors.TooManyRequestsError),
        (503, gcs_error.backend_error(503), errors.ServerError),
    ],
    ids=["429", "503"],
)
def test_reads_give_up_at_the_deadline(
    proxy: FaultProxy,
    seeded: Client,
    tmp_path: Path,
    op: str,
    status: int,
    body: dict[str, object],
    error: type[errors.ObjectStorageError],
) -> None:
    rule = proxy.respond(status, body, method="GET")
    with pytest.raises(error) as info:
        ALL[op](seeded, tmp_path)
    assert info.value.status_code == status
    assert rule.hits >= 2  # retried with backoff before giving up
    assert "gave up after" in str(info.value)
    _check_where(info.value, seeded, op)


@pytest.mark.parametrize("op", WRITES)
@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (429, gcs_error.rate_limited(), errors.TooManyRequestsError),
        (500, gcs_error.backend_error(500), errors.ServerError),
        (503, gcs_error.backend_error(503), errors.ServerError),
    ],
    ids=["429", "500", "503"],
)
def test_writes_without_a_precondition_are_not_retried(
    proxy: FaultProxy,
    seeded: Client,
    tmp_path: Path,
    op: str,
    status: int,
    body: dict[str, object],
    error: type[errors.ObjectStorageError],
) -> None:
    rule = proxy.respond(status, body, method="POST|PUT|DELETE")
    with pytest.raises(error) as info:
        TEN[op](seeded, tmp_path)
    assert info.value.status_code == status
    assert rule.hits == 1  # a repeat could apply the write twice: not retried
    assert seeded.download_as_bytes("obj") == b"content"


@pytest.mark.parametrize(
    "op",
    [
        lambda c, t: c.upload_from_bytes(
            "obj", b"new", if_generation_match=c.stat("obj").generation
        ),
        lambda c, t: c.upload_from_text("obj", "new", if_generation_match=c.stat("obj").generation),
        lambda c, t: c.upload_from_filename(
            "obj", _src(t), if_generation_match=c.stat("obj").generation
        ),
        lambda c, t: c.upload_from_bytes("fresh", b"new", if_generation_match=0),
        lambda c, t: c.copy("obj", "fresh", if_generation_match=0),
        lambda c, t: c.delete("obj", if_generation_match=c.stat("obj").generation),
    ],
    ids=["bytes", "text", "filename", "bytes-new", "copy", "delete"],
)
def test_writes_with_a_precondition_are_retried(
    proxy: FaultProxy, seeded: Client, tmp_path: Path, op: Op
) -> None:
    rule = proxy.respond(503, gcs_error.backend_error(503), method="POST|PUT|DELETE", times=1)
    op(seeded, tmp_path)
    assert rule.hits == 1
    assert proxy.count(method="POST|PUT|DELETE") >= 2


# ---------------------------------------------------------------------- dropped connections
@pytest.mark.parametrize("op", [*READS, "stat"])
def test_reads_survive_one_reset(
    proxy: FaultProxy, seeded: Client, tmp_path: Path, op: str
) -> None:
    rule = proxy.reset(method="GET", times=1)
    ALL[op](seeded, tmp_path)
    assert rule.hits == 1


@pytest.mark.parametrize("op", sorted(TEN))
def test_a_connection_that_keeps_resetting_is_connection_failed(
    proxy: FaultProxy, seeded: Client, tmp_path: Path, op: str
) -> None:
    rule = proxy.reset()
    with pytest.raises(errors.ConnectionFailedError) as info:
        TEN[op](seeded, tmp_path)
    assert info.value.status_code is None
    _check_where(info.value, seeded, op)
    assert proxy.url in str(info.value)  # where: the endpoint it could not reach
    if op in WRITES:
        assert rule.hits == 1


def test_a_hanging_server_is_a_timeout(proxy: FaultProxy, bucket: str, tmp_path: Path) -> None:
    c = Client(bucket, endpoint=proxy.url, timeout=0.5, retry_deadline=1)
    proxy.hang()
    with pytest.raises(errors.RequestTimeoutError) as info:
        c.download_as_bytes("obj")
    assert info.value.object_name == "obj"
    assert "timeout" in str(info.value)
    with pytest.raises(errors.RequestTimeoutError):
        c.upload_from_bytes("obj", b"x")


# ---------------------------------------------------------------------- preconditions
def test_upload_with_a_stale_generation_fails(client: Client, tmp_path: Path) -> None:
    client.upload_from_bytes("p", b"v1")
    g1 = client.stat("p").generation
    assert g1
    client.upload_from_bytes("p", b"v2", if_generation_match=g1)
    for upload in (
        lambda: client.upload_from_bytes("p", b"v3", if_generation_match=g1),
        lambda: client.upload_from_text("p", "v3", if_generation_match=g1),
        lambda: client.upload_from_bytes("p", b"v3", if_generation_match=0),
        lambda: client.upload_from_filename("p", _src(tmp_path), if_generation_match=g1),
    ):
        with pytest.raises(errors.PreconditionFailedError) as info:
            upload()
        assert info.value.status_code == 412
        assert info.value.object_name == "p"
    assert client.download_as_bytes("p") == b"v2"
    client.upload_from_bytes("new", b"n", if_generation_match=0)
    assert client.download_as_bytes("new") == b"n"


def test_large_resumable_upload_honours_the_precondition(client: Client, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(9 * 1024 * 1024))  # above the single-request limit: resumable
    client.upload_from_bytes("p", b"v1")
    g1 = client.stat("p").generation
    assert g1
    client.upload_from_bytes("p", b"v2")
    with pytest.raises(errors.PreconditionFailedError):
        client.upload_from_filename("p", str(big), if_generation_match=g1)
    with pytest.raises(errors.PreconditionFailedError):
        client.upload_from_filename("p", str(big), if_generation_match=0)
    assert client.download_as_bytes("p") == b"v2"
    client.upload_from_filename("p", str(big), if_generation_match=client.stat("p").generation)
    assert client.stat("p").size == big.stat().st_size


def test_copy_and_delete_honour_the_precondition(client: Client) -> None:
    client.upload_from_bytes("src", b"source")
    client.upload_from_bytes("dst", b"old")
    g = client.stat("dst").generation
    assert g
    with pytest.raises(errors.PreconditionFailedError):
        client.copy("src", "dst", if_generation_match=0)
    with pytest.raises(errors.PreconditionFailedError):
        client.copy("src", "dst", if_generation_match=g + 1)
    assert client.download_as_bytes("dst") == b"old"
    with pytest.raises(errors.PreconditionFailedError):
        client.delete("dst", if_generation_match=g + 1)
    assert client.exists("dst")
    client.copy("src", "dst", if_generation_match=g)
    assert client.download_as_bytes("dst") == b"source"
    client.delete("dst", if_generation_match=client.stat("dst").generation)
    assert not client.exists("dst")
    client.copy("src", "fresh", if_generation_match=0)
    assert client.download_as_bytes("fresh") == b"source"
    with pytest.raises(errors.ObjectNotFoundError):
        client.delete("gone", if_generation_match=5)
    client.delete("gone", ignore_not_found=True, if_generation_match=5)


# ---------------------------------------------------------------------- server stopped
def test_with_the_server_stopped_every_method_raises_a_library_error_within_35_s(
    fresh_server: GcsServer, tmp_path: Path
) -> None:
    fresh_server.create_bucket("stopped")
    client = Client("stopped", endpoint=fresh_server.url)  # the default timeout and deadline
    client.upload_from_bytes("obj", b"content")
    fresh_server.stop()
    outcome: dict[str, tuple[BaseException | None, float]] = {}

    def run(name: str, op: Op) -> None:
        work = tmp_path / name
        work.mkdir()
        started = time.monotonic()
        try:
            op(client, work)
        except BaseException as exc:
            outcome[name] = (exc, time.monotonic() - started)
        else:
            outcome[name] = (None, time.monotonic() - started)

    threads = [threading.Thread(target=run, args=item, daemon=True) for item in TEN.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcome) == sorted(TEN)
    for name, (exc, elapsed) in outcome.items():
        assert isinstance(exc, errors.ObjectStorageError), (name, repr(exc))
        assert isinstance(exc, (errors.ConnectionFailedError, errors.RequestTimeoutError)), name
        assert elapsed < 35, (name, elapsed)
        assert fresh_server.url in str(exc)
        assert not (tmp_path / name / "dest").exists()


def test_retry_deadline_zero_means_no_retry(proxy: FaultProxy, bucket: str) -> None:
    c = Client(bucket, endpoint=proxy.url, timeout=5, retry_deadline=0)
    rule = proxy.respond(503, gcs_error.backend_error(503), method="GET")
    with pytest.raises(errors.ServerError):
        c.download_as_bytes("obj")
    assert rule.hits == 1


@pytest.mark.parametrize(("timeout", "deadline"), [(0, 1), (-1, 1), (1, -1)])
def test_bad_settings_are_refused(timeout: float, deadline: float) -> None:
    with pytest.raises(ValueError):
        Client("b", timeout=timeout, retry_deadline=deadline)


def test_no_request_is_made_behind_the_callers_back(proxy: FaultProxy, pclient: Client) -> None:
    pclient.upload_from_bytes("obj", b"x")
    pclient.download_as_bytes("obj")
    pclient.list()
    time.sleep(0.5)  # give any background thread the time to show itself
    assert [r.path.split("?")[0] for r in proxy.requests] == [
        f"/upload/storage/v1/b/{pclient.bucket_name}/o",
        f"/download/storage/v1/b/{pclient.bucket_name}/o/obj",
        f"/storage/v1/b/{pclient.bucket_name}/o",
    ]


def test_server_words_in_errors_are_made_safe(proxy: FaultProxy, seeded: Client) -> None:
    evil = "\x1b[31mred\x1b[0m\nsecond line\r\x07" + "x" * 5000
    proxy.respond(403, gcs_error.body(403, evil, "forbidden"))
    with pytest.raises(errors.ForbiddenError) as info:
        seeded.download_as_bytes("obj")
    text = str(info.value)
    assert "\x1b" not in text
    assert "\n" not in text
    assert "\r" not in text
    assert "\x07" not in text
    assert len(text) < 1000
