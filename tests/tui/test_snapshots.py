"""Snapshots of the browser (pytest-textual-snapshot), deterministic: a fixed bucket name and
data, frozen ``updated``/``generation`` metadata, a fixed terminal size, the default theme, no
blinking cursor, and every worker finished before the picture is taken.

Update them deliberately with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and look
at every changed SVG.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.servers import GcsServer
from tests.tui.conftest import SEED, SIZE, SNAPSHOT_BUCKET, FrozenClient, raw_upload, settle
from tui.app import BrowserApp

UPLOAD_DIR = Path(__file__).parent / "fixtures" / "upload"

Snap = Callable[..., bool]
MakeClient = Callable[[dict[str, bytes]], FrozenClient]


def app_for(client: FrozenClient, **kwargs: Any) -> BrowserApp:
    return BrowserApp(client, local_dir=UPLOAD_DIR, **kwargs)


def keys(*presses: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """A run_before that waits for the first listing, then presses keys one at a time,
    letting every worker finish after each."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in presses:
            await pilot.press(key)
            await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run


def goto(name: str, then: Iterable[str] = ()) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Go to ``name`` through the "go to" prompt, then press ``then``."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("colon")
        await settle(pilot)
        pilot.app.screen.query_one(Input).value = name
        await pilot.press("enter")
        await settle(pilot)
        await keys(*then)(pilot)

    return run


def test_first_screen(snap_compare: Snap, snapshot_client: MakeClient) -> None:
    app = app_for(snapshot_client(SEED))
    assert snap_compare(app, terminal_size=SIZE, run_before=keys())


def test_expanded_prefix(snap_compare: Snap, snapshot_client: MakeClient) -> None:
    app = app_for(snapshot_client(SEED))
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("j", "j", "l", "l", "l"))


def test_text_preview_highlighted(snap_compare: Snap, snapshot_client: MakeClient) -> None:
    app = app_for(snapshot_client(SEED))
    assert snap_compare(app, terminal_size=SIZE, run_before=goto("src/main.py"))


def test_json_preview_pretty(snap_compare: Snap, snapshot_client: MakeClient) -> None:
    app = app_for(snapshot_client(SEED))
    assert snap_compare(app, terminal_size=SIZE, run_before=goto("config.json"))


def test_binary_hex_preview(snap_compare: Snap, snapshot_client: MakeClient) -> None:
    app = app_for(snapshot_client(SEED))
    assert snap_compare(app, terminal_size=SIZE, run_before=goto("data/blob.bin"))


def test_large_object_banner(snap_compare: Snap, snapshot_client: MakeClient) -> None:
    lines = b"".join(
        b"2026-01-02T03:04:%02dZ INFO request %06d served in 12 ms\n" % (i % 60, i)
        for i in range(14000)
    )
    app = app_for(snapshot_client({**SEED, "logs/big.log": lines}))
    assert snap_compare(app, terminal_size=SIZE, run_before=goto("logs/big.log"))


def test_search_results(snap_compare: Snap, snapshot_client: MakeClient) -> None:
    async def search(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        pilot.app.screen.query_one(Input).value = "**/*.log"
        await pilot.press("enter")
        await keys("j", "space")(pilot)

    app = app_for(snapshot_client(SEED))
    assert snap_compare(app, terminal_size=SIZE, run_before=search)


def test_upload_dialog(snap_compare: Snap, snapshot_client: MakeClient) -> None:
    app = app_for(snapshot_client(SEED))
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("j", "u", "tab", "down", "down"))


def test_copy_dialog(snap_compare: Snap, snapshot_client: MakeClient) -> None:
    app = app_for(snapshot_client(SEED))
    assert snap_compare(app, terminal_size=SIZE, run_before=goto("config.json", ["c"]))


def test_delete_dialog(snap_compare: Snap, snapshot_client: MakeClient) -> None:
    app = app_for(snapshot_client(SEED))
    assert snap_compare(app, terminal_size=SIZE, run_before=goto("readme.md", ["d"]))


def test_recursive_delete_dialog(snap_compare: Snap, snapshot_client: MakeClient) -> None:
    app = app_for(snapshot_client(SEED))
    assert snap_compare(app, terminal_size=SIZE, run_before=goto("logs/", ["d"]))


def test_help_screen(snap_compare: Snap, snapshot_client: MakeClient) -> None:
    app = app_for(snapshot_client(SEED))
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("question_mark"))


def test_error_notification(snap_compare: Snap, gcs_server: GcsServer) -> None:
    client = FrozenClient(
        "no-such-bucket", endpoint=gcs_server.url, backend="emulator", timeout=5, retry_deadline=1
    )
    assert snap_compare(app_for(client), terminal_size=SIZE, run_before=keys())


def test_hostile_names(
    snap_compare: Snap, snapshot_client: MakeClient, gcs_server: GcsServer
) -> None:
    client = snapshot_client(
        {
            "[bold]x": b"plain [red]not markup[/red] and an escape: \x1b[31mred\x1b[0m\x07 done\n",
            "logs[/]x": b"a name with a closing tag\n",
            "données/été.txt": "accents and 日本語\n".encode(),
            "日本語.txt": b"unicode name\n",
        }
    )
    raw_upload(gcs_server, SNAPSHOT_BUCKET, "\x1b[31mred", b"named with an escape sequence\n")
    raw_upload(gcs_server, SNAPSHOT_BUCKET, "bidi\u202etxt.exe", b"right-to-left override\n")
    app = app_for(client)
    assert snap_compare(app, terminal_size=SIZE, run_before=goto("[bold]x"))


def test_read_only(snap_compare: Snap, snapshot_client: MakeClient) -> None:
    app = app_for(snapshot_client(SEED), read_only=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=goto("readme.md"))
