"""The embedded local server: shared, persistent, loopback-only, stopped when unneeded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import Client, local_server
from storage.backends import default_backend_for_tools
from storage.errors import DefaultBucketError
from storage.names import InvalidObjectNameError
from tests.servers import listening_addresses

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "satchel-data"
    monkeypatch.setenv("SATCHEL_DATA_DIR", str(directory))
    monkeypatch.setenv("SATCHEL_IDLE_TIMEOUT", "60")
    yield directory
    local_server.stop(directory)


def _run(code: str, data_dir: Path) -> str:
    env = {**os.environ, "SATCHEL_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_library_client_never_picks_the_local_server_silently() -> None:
    with pytest.raises(DefaultBucketError) as info:
        Client().list()
    assert "SATCHEL_BACKEND=local" in str(info.value)
    assert default_backend_for_tools() == "local"
    assert default_backend_for_tools(bucket_id="b") is None


def test_local_backend_creates_its_default_bucket_and_persists(data_dir: Path) -> None:
    client = Client(backend="local")
    client.upload_from_text("notes/a.txt", "kept")
    info = client.describe()
    assert info["backend"] == "local"
    assert info["bucket"] == "satchel"
    assert info["data_dir"] == str(data_dir.resolve())
    first = local_server.status(data_dir)
    assert first is not None

    assert local_server.stop(data_dir) is True
    assert local_server.status(data_dir) is None
    # Restarted on next use, on the same data: nothing lost.
    assert Client(backend="local").download_as_text("notes/a.txt") == "kept"
    second = local_server.status(data_dir)
    assert second is not None
    assert second.pid != first.pid


def test_second_user_attaches_to_the_running_server(data_dir: Path) -> None:
    first = local_server.ensure_running(data_dir)
    code = (
        "from storage import local_server; s = local_server.ensure_running(); print(s.pid, s.port)"
    )
    assert _run(code, data_dir) == f"{first.pid} {first.port}"
    assert local_server.ensure_running(data_dir) == first


def test_two_processes_see_each_others_writes(data_dir: Path) -> None:
    writer = "from storage import Client; Client(backend='local').upload_from_text('shared.txt', 'from A')"
    reader = (
        "from storage import Client; print(Client(backend='local').download_as_text('shared.txt'))"
    )
    _run(writer, data_dir)
    assert _run(reader, data_dir) == "from A"
    Client(backend="local").upload_from_text("shared.txt", "from B")
    assert _run(reader, data_dir) == "from B"


def test_concurrent_starts_make_one_server(data_dir: Path) -> None:
    code = "from storage import local_server; print(local_server.ensure_running().pid)"
    env = {**os.environ, "SATCHEL_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    pids = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert len(pids) == 1, pids


def test_listens_on_loopback_only(data_dir: Path) -> None:
    server = local_server.ensure_running(data_dir)
    addresses = listening_addresses(server.port)
    assert addresses, "the server's listening socket was not found"
    assert addresses == {"0100007F"}, addresses  # 127.0.0.1, nothing else


def test_stops_when_nobody_needs_it(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SATCHEL_IDLE_TIMEOUT", "1")
    # A separate process uses it and exits; its lease goes with it.
    _run("from storage import Client; Client(backend='local').exists('x')", data_dir)
    state = json.loads((data_dir / "server.json").read_text())
    deadline = time.monotonic() + 20
    while local_server.status(data_dir) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert local_server.status(data_dir) is None
    with pytest.raises(ProcessLookupError):
        os.kill(state["pid"], 0)


def test_pinned_server_stays_until_stopped(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SATCHEL_IDLE_TIMEOUT", "0.5")
    server = local_server.ensure_running(data_dir, pin=True)
    time.sleep(2)
    assert local_server.status(data_dir) == server
    assert local_server.stop(data_dir) is True
    assert local_server.status(data_dir) is None
    assert local_server.stop(data_dir) is False


def test_local_refuses_names_its_filesystem_cannot_hold(data_dir: Path) -> None:
    client = Client(backend="local")
    for name in ("../escape.txt", "a/../../x", "/abs", "a//b", "dir/"):
        with pytest.raises(InvalidObjectNameError):
            client.upload_from_text(name, "x")
    assert not any(p.name == "escape.txt" for p in data_dir.parent.rglob("escape.txt"))


def test_unusable_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(local_server.LocalServerError) as info:
        local_server.ensure_running(blocker / "data")
    assert "not usable" in str(info.value)
    assert str(blocker) in str(info.value)


def test_a_replit_style_script_chooses_the_local_backend_by_environment(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SATCHEL_BACKEND", "local")
    client = Client()  # exactly as a script written for Replit's SDK
    client.upload_from_text("file.json", '{"ok": true}')
    assert client.download_as_text("file.json") == '{"ok": true}'
    assert [o.name for o in client.list()] == ["file.json"]
    assert client.describe()["backend"] == "local"
