"""The benchmark harness keeps working: its smoke mode runs every figure on tiny sizes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_smoke_runs_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    table = out.read_text()
    for figure in ("| 1 |", "| 2 |", "| 3 |", "| 4 |", "| 5 |", "| 6 |", "| 7 |"):
        assert figure in table, figure
    for method in (
        "copy",
        "delete",
        "download_as_bytes",
        "download_as_text",
        "download_to_filename",
        "exists",
        "list",
        "upload_from_filename",
        "upload_from_bytes",
        "upload_from_text",
    ):
        assert f"`{method}` (1 KiB)" in table, method
