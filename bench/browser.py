"""Browser figures: first paint, opening a prefix, keystroke latency under a large upload."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import raw_client


async def _until(pilot: Any, predicate: Any, limit: float = 60.0) -> None:
    deadline = time.perf_counter() + limit
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the browser did not get there")
        await pilot.pause(0.002)


def _root_listed(app: Any) -> bool:
    children = app.query_one("Tree").root.children
    return bool(children) and not any(str(c.label) == "loading…" for c in children)


def paint_main(who: str, url: str, bucket: str, started: float) -> float:
    """In a fresh process: seconds from ``started`` (the parent's clock before spawning us)
    to a first screen that shows the bucket's root listing."""
    if who == "satchel":
        from storage import Client
        from tui.app import BrowserApp

        app: Any = BrowserApp(Client(bucket, endpoint=url), local_dir=Path.cwd())
    else:
        from textual.app import App, ComposeResult
        from textual.widgets import Tree

        class Bare(App[None]):
            """A bare Textual app painting a Tree of the root's first page: the baseline."""

            def compose(self) -> ComposeResult:
                yield Tree(f"gs://{bucket}/")

            def on_mount(self) -> None:
                self.run_worker(self.load, thread=True)

            def load(self) -> None:
                it = raw_client(url).bucket(bucket).list_blobs(delimiter="/", max_results=500)
                page = next(it.pages)
                names = sorted(page.prefixes) + [b.name for b in page]
                self.call_from_thread(self.show, names)

            def show(self, names: list[str]) -> None:
                tree = self.query_one(Tree)
                for name in names:
                    tree.root.add_leaf(name)
                tree.root.expand()

        app = Bare()

    result: dict[str, float] = {}

    async def run() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await _until(pilot, lambda: _root_listed(app))
            await pilot.pause()
            result["seconds"] = time.time() - started

    asyncio.run(run())
    return result["seconds"]


def first_paint(url: str, bucket: str, repeat: int) -> tuple[float, float]:
    import subprocess

    from bench.common import ROOT

    def once(who: str) -> float:
        started = time.time()
        done = subprocess.run(
            [sys.executable, "-m", "bench.browser", "paint", who, url, bucket, repr(started)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            check=True,
        )
        return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])

    ours: list[float] = []
    bare: list[float] = []
    for i in range(repeat):
        for who in ("satchel", "bare") if i % 2 == 0 else ("bare", "satchel"):
            (ours if who == "satchel" else bare).append(once(who))
    return statistics.median(ours), statistics.median(bare)


def open_prefix(url: str, bucket: str, prefix: str, repeat: int) -> tuple[float, float]:
    """Seconds until a prefix's first children show in the browser, and for the raw first-page
    listing call on the same prefix."""
    from storage import Client
    from tui.app import BrowserApp

    def raw_once() -> float:
        handle = raw_client(url).bucket(bucket)
        handle.exists()  # connection warm, as the browser's is
        start = time.perf_counter()
        it = handle.list_blobs(prefix=prefix, delimiter="/", max_results=500)
        page = next(it.pages)
        list(page)
        return time.perf_counter() - start

    def ours_once() -> float:
        app = BrowserApp(Client(bucket, endpoint=url), local_dir=Path.cwd())
        out: dict[str, float] = {}

        async def run() -> None:
            async with app.run_test(size=(120, 36)) as pilot:
                await _until(pilot, lambda: _root_listed(app))
                node = app._find_loaded(prefix)
                start = time.perf_counter()
                node.expand()
                await _until(
                    pilot,
                    lambda: (
                        bool(node.children)
                        and not any(str(c.label) == "loading…" for c in node.children)
                    ),
                )
                out["seconds"] = time.perf_counter() - start

        asyncio.run(run())
        return out["seconds"]

    ours: list[float] = []
    raw: list[float] = []
    for _ in range(repeat):
        ours.append(ours_once())
        raw.append(raw_once())
    return statistics.median(ours), statistics.median(raw)


def keystroke_latency(url: str, bucket: str, upload_path: str, presses: int) -> tuple[float, float]:
    """Median seconds from a key press to the repainted screen, during a large upload vs idle."""
    from storage import Client
    from tui.app import BrowserApp

    client = Client(bucket, endpoint=url, timeout=120, retry_deadline=60)
    app = BrowserApp(client, local_dir=Path.cwd())
    out: dict[str, float] = {}

    async def run() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await _until(pilot, lambda: _root_listed(app))

            async def measure() -> float:
                samples = []
                for i in range(presses):
                    start = time.perf_counter()
                    await pilot.press("j" if i % 2 == 0 else "k")
                    await pilot.pause()
                    samples.append(time.perf_counter() - start)
                return statistics.median(samples)

            out["idle"] = await measure()
            upload = threading.Thread(
                target=client.upload_from_filename, args=("bench/responsive.bin", upload_path)
            )
            upload.start()
            await asyncio.sleep(0.3)
            out["busy"] = await measure()
            out["still_uploading"] = float(upload.is_alive())
            while upload.is_alive():
                await asyncio.sleep(0.1)

    asyncio.run(run())
    if not out["still_uploading"]:
        print("warning: the upload ended before the measurement did", file=sys.stderr)
    return out["busy"], out["idle"]


if __name__ == "__main__":
    if sys.argv[1] == "paint":
        seconds = paint_main(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]))
        print(json.dumps({"seconds": seconds}))
        os._exit(0)
