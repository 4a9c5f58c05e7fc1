"""Shared pieces of the benchmarks: a server, timing, RSS, the raw baseline client."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.servers import GcsServer, running_server  # noqa: E402 - after the path fix

__all__ = ["ROOT", "Figure", "GcsServer", "interleave", "machine", "raw_client", "server", "vm_hwm"]


@dataclass
class Figure:
    """One row of BENCHMARKS.md."""

    number: str
    what: str
    ours: float
    baseline: float
    baseline_name: str
    unit: str
    target: str = ""
    higher_is_better: bool = False
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        if self.baseline == 0:
            return float("nan")
        return self.ours / self.baseline

    def met(self) -> str:
        if not self.target:
            return "-"
        op, _, value = self.target.partition(" ")
        limit = float(value.rstrip("×"))
        ok = self.ratio <= limit if op == "≤" else self.ratio >= limit
        return "met" if ok else "**missed**"


def interleave(contenders: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Run the contenders alternately ``repeat`` times each; the median seconds of each."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for i in range(repeat):
        order = list(contenders.items())
        if i % 2:
            order.reverse()  # neither side always goes first
        for name, fn in order:
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


@contextlib.contextmanager
def server(backend: str = "filesystem") -> Iterator[GcsServer]:
    with (
        tempfile.TemporaryDirectory(prefix="satchel-bench-") as root,
        running_server(Path(root), backend=backend) as srv,
    ):
        yield srv


def raw_client(url: str) -> Any:
    """google-cloud-storage as a user would configure it for this server: the baseline."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage as gcs

    return gcs.Client(
        project="bench", credentials=AnonymousCredentials(), client_options={"api_endpoint": url}
    )


def seed(url: str, bucket: str, names: list[str], data: bytes = b"x") -> None:
    from storage import Client

    client = Client(bucket, endpoint=url, timeout=30, retry_deadline=30)
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda n: client.upload_from_bytes(n, data), names))


def vm_hwm() -> int:
    """Peak resident memory of this process so far, in bytes (Linux)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def run_json(argv: list[str], env: dict[str, str] | None = None, timeout: float = 900) -> Any:
    import json

    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout, env=env, check=False, cwd=ROOT
    )
    if done.returncode != 0:
        raise RuntimeError(f"{argv[:4]} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as fh:
        mem = int(fh.readline().split()[1]) // (1024 * 1024)
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem} GiB RAM, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
