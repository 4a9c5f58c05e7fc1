"""Load: one Client shared by 8 threads; the browser kept busy while transfers run."""

from __future__ import annotations

import hashlib
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.screen import ModalScreen

from storage import Client, errors
from tests.faultproxy import FaultProxy
from tests.tui.conftest import make_app, seed, settle, type_into
from tui.app import BrowserApp
from tui.widgets import TransferRow

THREADS = 8
OPERATIONS = 1000


def test_eight_threads_one_client_a_thousand_mixed_operations(
    client: Client, tmp_path: Path
) -> None:
    """0 errors, 0 corrupt objects: every read is checked against the md5 of what was written."""
    written: dict[str, str] = {}  # name -> md5 of its current content
    lock = threading.Lock()
    failures: list[BaseException] = []
    corrupt: list[str] = []
    counts = {"upload": 0, "download": 0, "exists": 0, "list": 0, "copy": 0, "delete": 0, "file": 0}

    def operation(index: int) -> None:
        rng = random.Random(index)
        thread = index % THREADS
        # Each thread owns its names, so the expected content is known without a global lock.
        name = f"t{thread}/obj-{rng.randrange(12)}"
        kind = rng.choice(list(counts))
        try:
            if kind == "upload":
                data = rng.randbytes(rng.randrange(1, 64 * 1024))
                client.upload_from_bytes(name, data)
                with lock:
                    written[name] = hashlib.md5(data).hexdigest()  # noqa: S324
            elif kind == "download":
                with lock:
                    expected = written.get(name)
                if expected is not None:
                    data = client.download_as_bytes(name)
                    if hashlib.md5(data).hexdigest() != expected:  # noqa: S324
                        corrupt.append(name)
            elif kind == "file":
                with lock:
                    expected = written.get(name)
                if expected is not None:
                    target = tmp_path / f"{index}.bin"
                    client.download_to_filename(name, str(target))
                    if hashlib.md5(target.read_bytes()).hexdigest() != expected:  # noqa: S324
                        corrupt.append(name)
            elif kind == "exists":
                with lock:
                    known = name in written
                assert client.exists(name) is known
            elif kind == "list":
                listed = {o.name for o in client.list(prefix=f"t{thread}/")}
                with lock:
                    mine = {n for n in written if n.startswith(f"t{thread}/")}
                assert listed == mine
            elif kind == "copy":
                with lock:
                    expected = written.get(name)
                if expected is not None:
                    copy = f"t{thread}/copy-{rng.randrange(4)}"
                    client.copy(name, copy)
                    with lock:
                        written[copy] = expected
            elif kind == "delete":
                client.delete(name, ignore_not_found=True)
                with lock:
                    written.pop(name, None)
            with lock:
                counts[kind] += 1
        except BaseException as exc:  # counted, and the test fails below
            failures.append(exc)

    # Operations on one thread's names must stay in order: run each thread's share serially.
    def worker(thread: int) -> None:
        for index in range(thread, OPERATIONS, THREADS):
            operation(index)

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))

    assert failures == []
    assert corrupt == []
    assert sum(counts.values()) == OPERATIONS
    for name, digest in written.items():
        assert hashlib.md5(client.download_as_bytes(name)).hexdigest() == digest  # noqa: S324


async def _until(pilot: Pilot[Any], predicate: Callable[[], bool], limit: int = 500) -> bool:
    """Poll without waiting for workers (transfers must keep running meanwhile)."""
    for _ in range(limit):
        if predicate():
            return True
        await pilot.pause(0.02)
    return predicate()


def _cursor_name(app: BrowserApp) -> str | None:
    node = app.bucket_tree.cursor_node
    return node.data.name if node is not None and node.data is not None else None


async def _goto(pilot: Pilot[Any], name: str) -> None:
    app = pilot.app
    assert isinstance(app, BrowserApp)
    await pilot.press("colon")
    assert await _until(pilot, lambda: isinstance(app.screen, ModalScreen))
    await type_into(pilot, name)
    await pilot.press("enter")
    assert await _until(pilot, lambda: _cursor_name(app) == name), _cursor_name(app)


async def test_browser_keeps_scrolling_while_four_transfers_run(
    client: Client, proxy: FaultProxy, bucket: str, tmp_path: Path
) -> None:
    seed(client, {f"many/{i:03d}.txt": b"line\n" * 50 for i in range(150)})
    seed(client, {f"batch{k}/{i:02d}.bin": b"x" * 2000 for k in range(4) for i in range(15)})
    slow = Client(bucket, endpoint=proxy.url, timeout=5, retry_deadline=5)
    proxy.delay(2.0, path=r"alt=media")  # every download takes a while: 30 s a batch
    app = make_app(slow, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        # Four recursive downloads, one per prefix, through the app's own transfer machinery.
        for k in range(4):
            await _goto(pilot, f"batch{k}/")
            await pilot.press("s")
            assert await _until(pilot, lambda: isinstance(app.screen, ModalScreen))
            await type_into(pilot, str(tmp_path / f"got{k}"))
            await pilot.press("enter")
            assert await _until(pilot, lambda: not isinstance(app.screen, ModalScreen))
        running = len(app.query(TransferRow))
        # Meanwhile: open the big prefix and scroll through it.
        await _goto(pilot, "many/")
        await pilot.press("l")
        assert await _until(pilot, lambda: len(app.bucket_tree.cursor_node.children) > 100)  # type: ignore[union-attr]
        moved = during_transfers = 0
        for _ in range(60):
            before = app.bucket_tree.cursor_line
            busy = bool(app.query(TransferRow))
            await pilot.press("j")
            await pilot.pause(0.01)
            if app.bucket_tree.cursor_line != before:
                moved += 1
                during_transfers += busy
        assert running == 4, f"{running} transfers were running, not 4"
        assert moved == 60, f"the cursor moved only {moved} of 60 times"
        assert during_transfers >= 30, f"only {during_transfers} moves happened during transfers"
        await settle(pilot)
        assert app.is_running
    for k in range(4):
        got = sorted(p.name for p in (tmp_path / f"got{k}").rglob("*.bin"))
        assert len(got) == 15, (k, got)
    assert not [n for n in app._notifications if n.severity == "error"], "a transfer failed"


def test_errors_under_load_are_ours(proxy: FaultProxy, bucket: str, client: Client) -> None:
    """A storm of 503s on one shared Client, from 8 threads: every failure is a library error."""
    client.upload_from_bytes("x", b"x")
    shared = Client(bucket, endpoint=proxy.url, timeout=2, retry_deadline=0.5)
    proxy.respond(503, {"error": {"code": 503, "message": "busy"}}, path=r"alt=media", times=40)
    results: list[object] = []

    def read(_: int) -> None:
        try:
            results.append(shared.download_as_bytes("x"))
        except errors.ObjectStorageError as exc:
            results.append(type(exc))

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(read, range(64)))
    assert len(results) == 64
    assert all(r == b"x" or r is errors.ServerError for r in results), set(map(repr, results))
