"""The public surface: imports, signatures, Object semantics, import hygiene, and a script
written for Replit's SDK running with only its import changed."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import textwrap
import threading
import typing
from pathlib import Path

import pytest

import storage
from storage import Client, Object
from tests.faultproxy import FaultProxy, gcs_error
from tests.servers import GcsServer, env_without_storage

_EMPTY = inspect.Parameter.empty

#: Replit's documented signatures: (name, default) of each positional parameter, return type.
REFERENCE: dict[str, tuple[list[tuple[str, object]], object]] = {
    "copy": ([("object_name", _EMPTY), ("dest_object_name", _EMPTY)], type(None)),
    "delete": ([("object_name", _EMPTY), ("ignore_not_found", False)], type(None)),
    "download_as_bytes": ([("object_name", _EMPTY)], bytes),
    "download_as_text": ([("object_name", _EMPTY)], str),
    "download_to_filename": ([("object_name", _EMPTY), ("dest_filename", _EMPTY)], type(None)),
    "exists": ([("object_name", _EMPTY)], bool),
    "list": (
        [
            ("end_offset", None),
            ("match_glob", None),
            ("max_results", None),
            ("prefix", None),
            ("start_offset", None),
        ],
        list[Object],
    ),
    "upload_from_filename": (
        [("dest_object_name", _EMPTY), ("src_filename", _EMPTY)],
        type(None),
    ),
    "upload_from_bytes": ([("dest_object_name", _EMPTY), ("src_data", _EMPTY)], type(None)),
    "upload_from_text": ([("dest_object_name", _EMPTY), ("src_data", _EMPTY)], type(None)),
}


def test_documented_imports() -> None:
    from storage import Client as C  # noqa: F401
    from storage import Object as O  # noqa: F401
    from storage.errors import (  # noqa: F401
        BucketNotFoundError,
        DefaultBucketError,
        ForbiddenError,
        ObjectNotFoundError,
        TooManyRequestsError,
        UnauthorizedError,
    )

    for name in [
        "ObjectNotFoundError",
        "BucketNotFoundError",
        "DefaultBucketError",
        "ForbiddenError",
        "TooManyRequestsError",
        "UnauthorizedError",
        "PreconditionFailedError",
        "ServerError",
        "ConnectionFailedError",
        "RequestTimeoutError",
        "CredentialsError",
    ]:
        cls = getattr(storage.errors, name)
        assert getattr(storage, name) is cls
        assert issubclass(cls, storage.ObjectStorageError)


@pytest.mark.parametrize("method", sorted(REFERENCE))
def test_signature_matches_replits(method: str) -> None:
    expected, returns = REFERENCE[method]
    sig = inspect.signature(getattr(Client, method))
    params = list(sig.parameters.values())
    assert params[0].name == "self"
    positional = [p for p in params[1:] if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    assert [(p.name, p.default) for p in positional] == expected
    others = [p for p in params[1:] if p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD]
    # Anything we add is keyword-only and optional, so positional calls mean the same.
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in others)
    assert all(p.default is not _EMPTY for p in others)
    assert typing.get_type_hints(getattr(Client, method))["return"] == returns


def test_init_signature() -> None:
    sig = inspect.signature(Client)
    params = list(sig.parameters.values())
    assert (params[0].name, params[0].default) == ("bucket_id", None)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[1:])
    assert sig.parameters["timeout"].default == 10.0
    assert sig.parameters["retry_deadline"].default == 20.0


def test_upload_from_text_accepts_str_or_bytes_per_its_annotation() -> None:
    hint = typing.get_type_hints(Client.upload_from_text)["src_data"]
    assert set(typing.get_args(hint)) == {bytes, str}


def test_object_equality_and_hash_use_the_name_only(client: Client) -> None:
    client.upload_from_bytes("a", b"123")
    listed = client.list()[0]
    assert listed.size == 3
    assert Object(name="a") == listed
    assert hash(Object(name="a")) == hash(listed)
    assert Object(name="a", size=99, content_type="x/y") == listed
    assert Object(name="b") != listed
    assert listed in {Object(name="a")}
    with pytest.raises(AttributeError):
        listed.name = "z"  # type: ignore[misc]


def test_object_carries_metadata(client: Client) -> None:
    client.upload_from_text("m.txt", "hello")
    obj = client.stat("m.txt")
    assert obj.size == 5
    assert obj.content_type == "text/plain; charset=utf-8"
    assert obj.updated is not None
    assert obj.updated.tzinfo is not None
    assert obj.md5_hash
    assert obj.crc32c
    assert obj.generation
    assert obj.etag


def test_construction_does_no_io(proxy: FaultProxy, bucket: str) -> None:
    c = Client(bucket, endpoint=proxy.url)
    default = Client("", endpoint=proxy.url)
    assert repr(c) == f"Client({bucket!r}, endpoint={proxy.url!r})"
    assert repr(default) == f"Client(None, endpoint={proxy.url!r})"
    assert proxy.request_count == 0
    assert c.bucket_name == bucket  # resolving a named bucket needs no request either
    assert proxy.request_count == 0


def test_failed_resolution_is_retried_later(
    monkeypatch: pytest.MonkeyPatch, gcs_server: GcsServer, bucket: str
) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_server.url)
    c = Client()
    with pytest.raises(storage.DefaultBucketError) as info:
        c.list()  # an endpoint but no bucket: nothing to resolve to
    assert info.value.hint  # says how to configure one
    monkeypatch.setenv("SATCHEL_BUCKET", bucket)
    assert c.list() == []
    assert c.bucket_name == bucket


def test_empty_bucket_id_means_the_default(
    monkeypatch: pytest.MonkeyPatch, gcs_server: GcsServer, bucket: str
) -> None:
    monkeypatch.setenv("SATCHEL_BUCKET", bucket)
    c = Client("", endpoint=gcs_server.url)
    assert c.bucket_name == bucket


def test_lazy_resolution_is_thread_safe(gcs_server: GcsServer, bucket: str) -> None:
    c = Client(bucket, endpoint=gcs_server.url, timeout=5, retry_deadline=5)
    barrier = threading.Barrier(16)
    seen: list[object] = []
    failures: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            seen.append(c._connection())
            assert c.exists("nothing") is False
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    assert len(seen) == 16
    assert len({id(conn) for conn in seen}) == 1  # resolved once, shared by all


def test_import_storage_pulls_in_no_ui_library() -> None:
    code = (
        "import sys, storage, storage.client, storage.errors, storage.names, storage.object\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'click'))\n"
        "print(bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


REPLIT_SCRIPT = textwrap.dedent(
    """
    # Written for Replit's SDK; only the two imports below were changed.
    import os, tempfile
    from storage import Client                      # was: from replit.object_storage import Client
    from storage.errors import (                    # was: from replit.object_storage.errors import ...
        BucketNotFoundError, DefaultBucketError, ForbiddenError, ObjectNotFoundError,
        TooManyRequestsError, UnauthorizedError,
    )

    client = Client()
    client.upload_from_text("file.json", '{"hello": "world"}')
    client.upload_from_bytes("file.png", b"\\x89PNG\\r\\n")
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "notes.txt")
        with open(src, "w") as fh:
            fh.write("notes")
        client.upload_from_filename("notes.txt", src)
        print("list", sorted(o.name for o in client.list()))
        print("text", client.download_as_text("file.json"))
        print("bytes", client.download_as_bytes("file.png") == b"\\x89PNG\\r\\n")
        dest = os.path.join(tmp, "out.txt")
        client.download_to_filename("notes.txt", dest)
        print("file", open(dest).read())
    client.copy("file.json", "copy.json")
    print("copied", client.download_as_text("copy.json"))
    client.delete("file.json")
    print("exists", client.exists("file.json"), client.exists("copy.json"))
    client.delete("file.json", ignore_not_found=True)
    print("prefix", [o.name for o in client.list(prefix="copy")])

    try:
        client.download_as_bytes("file.json")
    except ObjectNotFoundError:
        print("caught ObjectNotFoundError")
    try:
        client.delete("file.json")
    except ObjectNotFoundError:
        print("caught ObjectNotFoundError on delete")
    try:
        Client("no-such-bucket-here").list()
    except BucketNotFoundError:
        print("caught BucketNotFoundError")
    try:
        client.download_as_text("forbidden.txt")
    except ForbiddenError:
        print("caught ForbiddenError")
    try:
        client.upload_from_text("busy.txt", "x")
    except TooManyRequestsError:
        print("caught TooManyRequestsError")
    try:
        client.download_as_bytes("secret.txt")
    except UnauthorizedError:
        print("caught UnauthorizedError")
    del os.environ["SATCHEL_BUCKET"]
    try:
        Client().list()
    except DefaultBucketError:
        print("caught DefaultBucketError")
    print("done")
    """
)


def test_a_replit_script_runs_with_only_the_import_changed(
    proxy: FaultProxy, bucket: str, tmp_path: Path
) -> None:
    proxy.respond(403, gcs_error.forbidden(), path=r"/o/forbidden\.txt")
    # The fourth upload is busy.txt (an upload's name travels in its body, not its URL).
    proxy.respond(429, gcs_error.rate_limited(), method="POST", path=r"^/upload/", skip=3, times=1)
    proxy.respond(401, gcs_error.unauthorized(), path=r"/o/secret\.txt")
    script = tmp_path / "replit_app.py"
    script.write_text(REPLIT_SCRIPT)
    env = env_without_storage()
    env.update(STORAGE_EMULATOR_HOST=proxy.url, SATCHEL_BUCKET=bucket)
    env["SATCHEL_REPLIT_SIDECAR"] = "http://127.0.0.1:9"
    env["SATCHEL_CONFIG"] = str(tmp_path / "config.toml")
    env["SATCHEL_DATA_DIR"] = str(tmp_path / "data")
    out = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(Path(__file__).parents[2]),
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[:8] == [
        "list ['file.json', 'file.png', 'notes.txt']",
        "text " + json.dumps({"hello": "world"}),
        "bytes True",
        "file notes",
        "copied " + json.dumps({"hello": "world"}),
        "exists False True",
        "prefix ['copy.json']",
        "caught ObjectNotFoundError",
    ]
    for error in [
        "ObjectNotFoundError on delete",
        "BucketNotFoundError",
        "ForbiddenError",
        "TooManyRequestsError",
        "UnauthorizedError",
        "DefaultBucketError",
    ]:
        assert f"caught {error}" in lines
    assert lines[-1] == "done"
