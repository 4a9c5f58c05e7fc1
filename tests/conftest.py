"""Shared fixtures: a real fake-gcs-server on 127.0.0.1 for the whole session, a fresh bucket
per test, and a ``storage.Client`` on it. Nothing here mocks google-cloud-storage."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import Client
from tests.faultproxy import FaultProxy
from tests.servers import GcsServer, running_server

_counter = itertools.count()


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Tests never read the developer's own configuration or talk to a real cloud."""
    for key in list(os.environ):
        if key.startswith(("SATCHEL_", "GOOGLE_", "REPLIT_")) or key == "STORAGE_EMULATOR_HOST":
            monkeypatch.delenv(key, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("SATCHEL_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("SATCHEL_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("SATCHEL_REPLIT_SIDECAR", "http://127.0.0.1:9")  # discard port: nobody
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))


@pytest.fixture(scope="session")
def gcs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GcsServer]:
    """fake-gcs-server (filesystem backend, like the embedded default) on a free port."""
    with running_server(tmp_path_factory.mktemp("gcs")) as server:
        yield server


@pytest.fixture
def bucket(gcs_server: GcsServer) -> str:
    """A new, empty bucket for this test."""
    name = f"test-{os.getpid()}-{next(_counter)}"
    gcs_server.create_bucket(name)
    return name


@pytest.fixture
def client(gcs_server: GcsServer, bucket: str) -> Client:
    """A Client on this test's bucket, with short deadlines so failures surface quickly."""
    return Client(bucket, endpoint=gcs_server.url, timeout=5, retry_deadline=5)


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[GcsServer]:
    """A server of the test's own, for tests that stop or kill it."""
    with running_server(tmp_path / "gcs") as server:
        yield server


@pytest.fixture
def proxy(gcs_server: GcsServer) -> Iterator[FaultProxy]:
    """A fault-injecting proxy in front of the session server (see tests/faultproxy.py)."""
    with FaultProxy(gcs_server.url) as p:
        yield p
