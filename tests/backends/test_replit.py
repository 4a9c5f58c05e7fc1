"""The Replit backend, against a fake sidecar of the tests' own."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from storage import Client
from storage.errors import DefaultBucketError
from tests.backends.sidecar import ACCESS_TOKEN, SUBJECT_TOKEN, FakeSidecar, recording_gateway
from tests.servers import GcsServer


@pytest.fixture
def sidecar(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSidecar]:
    with FakeSidecar() as fake:
        monkeypatch.setenv("SATCHEL_REPLIT_SIDECAR", fake.url)
        yield fake


def test_default_bucket_comes_from_the_sidecar(sidecar: FakeSidecar, gcs_server: GcsServer) -> None:
    gcs_server.create_bucket(sidecar.bucket)
    client = Client(backend="replit", endpoint=gcs_server.url)
    assert client.bucket_name == "replit-bucket"
    assert client.describe()["backend"] == "replit"


def test_replit_is_chosen_when_the_sidecar_names_a_bucket(sidecar: FakeSidecar) -> None:
    # Nothing configured, no REPL_ID: the sidecar answering is enough.
    assert Client().bucket_name == "replit-bucket"


def test_on_replit_by_environment(sidecar: FakeSidecar, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPL_ID", "abc")
    assert Client("explicit-bucket").backend == "replit"


def test_credentials_are_exchanged_and_used_as_bearer(
    sidecar: FakeSidecar, gcs_server: GcsServer
) -> None:
    name = f"replit-{time.monotonic_ns()}"
    gcs_server.create_bucket(name)
    with recording_gateway(gcs_server.url) as (url, seen):
        client = Client(name, backend="replit", endpoint=url)
        client.upload_from_text("hello.txt", "hi")
        assert client.download_as_text("hello.txt") == "hi"
    assert seen, "no request reached the storage endpoint"
    assert all(header == f"Bearer {ACCESS_TOKEN}" for header in seen), seen
    exchange = sidecar.exchanges[0]
    assert exchange["audience"] == ["replit"]
    assert exchange["subject_token"] == [SUBJECT_TOKEN]
    assert exchange["grant_type"] == ["urn:ietf:params:oauth:grant-type:token-exchange"]
    described = repr(client.describe()) + repr(client)
    assert ACCESS_TOKEN not in described
    assert SUBJECT_TOKEN not in described


@pytest.mark.parametrize(
    "mode", ["500", "empty", "blank", "not-json", "not-object", "hang", "down"]
)
def test_every_sidecar_failure_is_a_default_bucket_error_within_5s(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeSidecar() as fake:
        fake.mode = mode
        url = "http://127.0.0.1:9" if mode == "down" else fake.url
        monkeypatch.setenv("SATCHEL_REPLIT_SIDECAR", url)
        client = Client(backend="replit")
        start = time.monotonic()
        with pytest.raises(DefaultBucketError) as info:
            client.exists("x")
        elapsed = time.monotonic() - start
    assert elapsed < 5, f"{mode}: took {elapsed:.1f} s"
    message = str(info.value)
    expected = {
        "500": "HTTP 500",
        "empty": "No default bucket",
        "blank": "No default bucket",
        "not-json": "not JSON",
        "not-object": "not a JSON object",
        "hang": "did not answer",
        "down": "not reachable",
    }[mode]
    assert expected in message
    assert ACCESS_TOKEN not in message
    assert SUBJECT_TOKEN not in message


def test_failure_is_not_cached(sidecar: FakeSidecar, gcs_server: GcsServer) -> None:
    gcs_server.create_bucket("replit-retry")
    sidecar.bucket = "replit-retry"
    sidecar.mode = "500"
    client = Client(backend="replit", endpoint=gcs_server.url)
    with pytest.raises(DefaultBucketError):
        client.exists("x")
    sidecar.mode = "ok"
    assert client.exists("x") is False
