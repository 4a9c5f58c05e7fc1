"""Pilot tests of the browser against the real local server: every binding is checked by its
effect in the bucket (or on disk), not by what the screen claims."""

from __future__ import annotations

import os
import stat
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static

from storage import Client
from storage.errors import ObjectNotFoundError, TooManyRequestsError
from tests.faultproxy import FaultProxy, gcs_error
from tests.servers import GcsServer
from tests.tui.conftest import SEED, make_app, seed, settle, type_into
from tui.app import BrowserApp
from tui.screens import (
    ConfirmScreen,
    OverwriteScreen,
    PromptScreen,
    TypeToConfirmScreen,
    UploadScreen,
)
from tui.widgets import Entry, TransferRow


def cursor(app: BrowserApp) -> Entry:
    node = app.bucket_tree.cursor_node
    assert node is not None
    assert node.data is not None
    return node.data


def child_names(app: BrowserApp, name: str = "") -> list[str]:
    node = app._find_loaded(name) if name else app.bucket_tree.root
    assert node is not None
    return [c.data.name for c in node.children if c.data is not None]


async def goto(pilot: Pilot[Any], name: str) -> None:
    await pilot.press("colon")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PromptScreen)
    await type_into(pilot, name)
    await pilot.press("enter")
    await settle(pilot)
    assert cursor(pilot.app).name == name


async def test_root_lists_prefixes_first_and_nothing_deeper(seeded: Client, tmp_path: Path) -> None:
    app = make_app(seeded, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert child_names(app) == ["data/", "logs/", "src/", "config.json", "readme.md"]
        logs = app._find_loaded("logs/")
        assert logs is not None
        assert logs.data is not None
        assert logs.allow_expand
        assert not logs.data.loaded
        await pilot.press("j", "j", "l")  # onto logs/, expand
        await settle(pilot)
        assert child_names(app, "logs/") == ["logs/2024/", "logs/2025/"]
        assert not app._find_loaded("logs/2024/").data.loaded  # type: ignore[union-attr]


async def test_pages_load_on_demand(client: Client, tmp_path: Path) -> None:
    seed(client, {f"many/{i:03d}.txt": b"x" for i in range(12)})
    app = make_app(client, tmp_path, page_size=5)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("j", "l")
        await settle(pilot)
        names = child_names(app, "many/")
        assert names[:5] == [f"many/{i:03d}.txt" for i in range(5)]
        assert len(names) == 6
        assert names[-1].startswith("load more")
        # Moving onto "load more…" loads the next page; G keeps going to the end.
        for _ in range(4):
            await pilot.press("G")
            await settle(pilot)
        assert child_names(app, "many/") == [f"many/{i:03d}.txt" for i in range(12)]


async def test_upload_file_and_folder_store_the_bytes(seeded: Client, tmp_path: Path) -> None:
    local = tmp_path / "up"
    (local / "sub").mkdir(parents=True)
    (local / "one.txt").write_bytes(b"first file\n")
    (local / "sub" / "two.bin").write_bytes(bytes(range(100)))
    app = make_app(seeded, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("j")  # data/: uploads go into the highlighted prefix
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, UploadScreen)
        await type_into(pilot, "up/one.txt")
        await pilot.press("enter")
        await settle(pilot)
        assert seeded.download_as_bytes("data/one.txt") == b"first file\n"
        assert "data/one.txt" in child_names(app, "data/")  # the prefix was listed again

        await pilot.press("u")
        await settle(pilot)
        await type_into(pilot, str(local))  # an absolute path works too
        await pilot.press("enter")
        await settle(pilot)
        assert seeded.download_as_bytes("data/up/one.txt") == b"first file\n"
        assert seeded.download_as_bytes("data/up/sub/two.bin") == bytes(range(100))


async def test_upload_asks_before_overwriting(seeded: Client, tmp_path: Path) -> None:
    (tmp_path / "readme.md").write_bytes(b"replacement\n")
    app = make_app(seeded, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for answer, expected in (("enter", SEED["readme.md"]), ("tab,enter", b"replacement\n")):
            await pilot.press("u")
            await settle(pilot)
            await type_into(pilot, "readme.md")
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, OverwriteScreen)  # readme.md exists at the root
            await pilot.press(*answer.split(","))  # enter alone answers the default: No
            await settle(pilot)
            assert seeded.download_as_bytes("readme.md") == expected


async def test_upload_can_skip_what_exists(seeded: Client, tmp_path: Path) -> None:
    (tmp_path / "logs" / "2024").mkdir(parents=True)
    (tmp_path / "logs" / "2024" / "app.log").write_bytes(b"local copy\n")
    (tmp_path / "logs" / "2024" / "new.log").write_bytes(b"brand new\n")
    app = make_app(seeded, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        await type_into(pilot, "logs")  # into the bucket root: logs/2024/app.log exists
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OverwriteScreen)
        await pilot.press("tab", "enter")  # Cancel, [Skip existing], Overwrite
        await settle(pilot)
        assert seeded.download_as_bytes("logs/2024/new.log") == b"brand new\n"
        assert seeded.download_as_bytes("logs/2024/app.log") == SEED["logs/2024/app.log"]


async def test_copy_object_and_prefix(seeded: Client, tmp_path: Path) -> None:
    app = make_app(seeded, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await goto(pilot, "config.json")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        assert app.screen.query_one("Input").value == "config.json"  # type: ignore[attr-defined]
        await type_into(pilot, "backup/config.json")
        await pilot.press("enter")
        await settle(pilot)
        assert seeded.download_as_bytes("backup/config.json") == SEED["config.json"]
        assert seeded.download_as_bytes("config.json") == SEED["config.json"]

        await goto(pilot, "logs/")
        await pilot.press("c")
        await settle(pilot)
        await type_into(pilot, "archive/logs")
        await pilot.press("enter")
        await settle(pilot)
        copied = sorted(o.name for o in seeded.iter_objects(prefix="archive/"))
        assert copied == [
            "archive/logs/2024/app.log",
            "archive/logs/2024/worker.log",
            "archive/logs/2025/app.log",
        ]
        assert seeded.download_as_bytes("archive/logs/2024/app.log") == SEED["logs/2024/app.log"]

        # Copying onto an existing object asks first; the default answer changes nothing.
        seeded.upload_from_bytes("other.json", b"{}")
        await goto(pilot, "config.json")
        await pilot.press("c")
        await settle(pilot)
        await type_into(pilot, "other.json")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OverwriteScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert seeded.download_as_bytes("other.json") == b"{}"


async def test_delete_confirms_and_cancel_changes_nothing(seeded: Client, tmp_path: Path) -> None:
    app = make_app(seeded, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await goto(pilot, "readme.md")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # the focused default is No
        await settle(pilot)
        assert seeded.exists("readme.md")
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert seeded.exists("readme.md")
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert not seeded.exists("readme.md")
        assert "readme.md" not in child_names(app)


async def test_delete_prefix_requires_typing_its_name(seeded: Client, tmp_path: Path) -> None:
    app = make_app(seeded, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await goto(pilot, "logs/")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, TypeToConfirmScreen)
        assert "3 objects" in str(app.screen.question)
        await type_into(pilot, "logs")  # not the exact name
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TypeToConfirmScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert len(list(seeded.iter_objects(prefix="logs/"))) == 3

        await pilot.press("d")
        await settle(pilot)
        await type_into(pilot, "logs/")
        await pilot.press("enter")
        await settle(pilot)
        assert list(seeded.iter_objects(prefix="logs/")) == []
        assert seeded.exists("readme.md")
        assert "logs/" not in child_names(app)


async def test_move_renames_after_verified_copy(seeded: Client, tmp_path: Path) -> None:
    app = make_app(seeded, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await goto(pilot, "src/main.py")
        await pilot.press("m")
        await settle(pilot)
        await type_into(pilot, "src/app.py")
        await pilot.press("enter")
        await settle(pilot)
        assert seeded.download_as_bytes("src/app.py") == SEED["src/main.py"]
        with pytest.raises(ObjectNotFoundError):
            seeded.stat("src/main.py")
        assert child_names(app, "src/") == ["src/app.py"]


async def test_download_object_and_prefix(seeded: Client, tmp_path: Path) -> None:
    app = make_app(seeded, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await goto(pilot, "data/blob.bin")
        await pilot.press("s")
        await settle(pilot)
        assert app.screen.query_one("Input").value == str(tmp_path / "blob.bin")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert (tmp_path / "blob.bin").read_bytes() == SEED["data/blob.bin"]
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []

        await goto(pilot, "logs/")
        await pilot.press("s")
        await settle(pilot)
        await type_into(pilot, str(tmp_path / "got"))
        await pilot.press("enter")
        await settle(pilot)
        assert (tmp_path / "got/2024/app.log").read_bytes() == SEED["logs/2024/app.log"]
        assert (tmp_path / "got/2025/app.log").read_bytes() == SEED["logs/2025/app.log"]

        # An existing local file is replaced only after asking.
        (tmp_path / "blob.bin").write_bytes(b"mine")
        await goto(pilot, "data/blob.bin")
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OverwriteScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert (tmp_path / "blob.bin").read_bytes() == b"mine"


def _editor(tmp_path: Path, body: str) -> str:
    script = tmp_path / "editor.py"
    script.write_text(f"#!{sys.executable}\nimport sys, time, pathlib\n" + textwrap.dedent(body))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


async def test_edit_uploads_the_change(
    seeded: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "EDITOR",
        _editor(
            tmp_path,
            "p = pathlib.Path(sys.argv[1]); p.write_bytes(p.read_bytes() + b'edited\\n')\n",
        ),
    )
    app = make_app(seeded, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await goto(pilot, "logs/2025/app.log")
        await pilot.press("e")
        await settle(pilot)
        assert (
            seeded.download_as_bytes("logs/2025/app.log") == SEED["logs/2025/app.log"] + b"edited\n"
        )


async def test_edit_conflict_is_reported_not_overwritten(
    seeded: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, go = tmp_path / "started", tmp_path / "go"
    monkeypatch.setenv(
        "EDITOR",
        _editor(
            tmp_path,
            f"""
            pathlib.Path({str(started)!r}).touch()
            deadline = time.monotonic() + 20
            while not pathlib.Path({str(go)!r}).exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            pathlib.Path(sys.argv[1]).write_bytes(b"my edit\\n")
            """,
        ),
    )
    app = make_app(seeded, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await goto(pilot, "readme.md")
        await pilot.press("e")
        for _ in range(1000):
            if started.exists():
                break
            await pilot.pause(0.02)
        assert started.exists()
        seeded.upload_from_bytes("readme.md", b"someone else's change\n")  # meanwhile
        go.touch()
        await settle(pilot)
        assert seeded.download_as_bytes("readme.md") == b"someone else's change\n"
        messages = [n.message for n in app._notifications]
        assert any("changed while you were editing" in m for m in messages), messages
        kept = next(m for m in messages if "Your version is kept at" in m)
        assert Path(kept.rsplit("kept at ", 1)[1]).read_bytes() == b"my edit\n"


async def test_search_lists_matches_flat(seeded: Client, tmp_path: Path) -> None:
    app = make_app(seeded, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        await type_into(pilot, "**/*.log")
        await pilot.press("enter")
        await settle(pilot)
        assert child_names(app) == [
            "logs/2024/app.log",
            "logs/2024/worker.log",
            "logs/2025/app.log",
        ]
        # The results are objects like any other: delete one from the list.
        await pilot.press("j", "d")
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert not seeded.exists("logs/2024/app.log")
        assert child_names(app) == ["logs/2024/worker.log", "logs/2025/app.log"]
        await pilot.press("escape")  # back to browsing
        await settle(pilot)
        assert child_names(app)[0] == "data/"


async def test_marks_bulk_delete(seeded: Client, tmp_path: Path) -> None:
    app = make_app(seeded, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await goto(pilot, "config.json")
        await pilot.press("space", "space")  # marks config.json and readme.md
        assert set(app.bucket_tree.marked) == {"config.json", "readme.md"}
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert not seeded.exists("config.json")
        assert not seeded.exists("readme.md")
        assert seeded.exists("src/main.py")
        assert app.bucket_tree.marked == {}


async def test_copy_uri_and_refresh_keeps_cursor(seeded: Client, tmp_path: Path) -> None:
    app = make_app(seeded, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await goto(pilot, "logs/2024/worker.log")
        await pilot.press("y")
        assert app.clipboard == f"gs://{seeded.bucket_name}/logs/2024/worker.log"
        seeded.upload_from_bytes("logs/2024/aaa.log", b"new")
        await pilot.press("r")
        await settle(pilot)
        assert child_names(app, "logs/2024/") == [
            "logs/2024/aaa.log",
            "logs/2024/app.log",
            "logs/2024/worker.log",
        ]
        assert cursor(app).name == "logs/2024/worker.log"


async def test_read_only_disables_every_change(seeded: Client, tmp_path: Path) -> None:
    app = make_app(seeded, tmp_path, read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await goto(pilot, "readme.md")
        for key in ("u", "c", "m", "d", "delete", "e"):
            await pilot.press(key)
            await settle(pilot)
            assert not isinstance(app.screen, PromptScreen | ConfirmScreen | UploadScreen), key
        for action in ("upload", "copy", "move", "delete", "edit"):
            assert app.check_action(action, ()) is None
        # Even when called directly (as the command palette would), nothing changes.
        app.action_delete()
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert seeded.exists("readme.md")
        await pilot.press("s")  # reading is allowed
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)


async def test_keymap_remaps_bindings(seeded: Client, tmp_path: Path) -> None:
    app = make_app(seeded, tmp_path, keymap={"upload": "U", "delete": "ctrl+d"})
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert not isinstance(app.screen, UploadScreen)
        await pilot.press("U")
        await settle(pilot)
        assert isinstance(app.screen, UploadScreen)
        await pilot.press("escape")
        await goto(pilot, "readme.md")
        await pilot.press("d")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await settle(pilot)
        rows = {action: key for key, action, _ in app._help_rows()}
        assert rows["Upload"] == "U"
        assert rows["Delete"] == "^d"


async def test_command_palette_offers_every_action(seeded: Client, tmp_path: Path) -> None:
    for read_only in (False, True):
        app = make_app(seeded, tmp_path, read_only=read_only)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            titles = {c.title for c in app.get_system_commands(app.screen)}
            assert {"Go to prefix or key", "Download", "Search by glob", "Copy gs:// URI"} <= titles
            mutating = {"Upload", "Copy", "Move / rename", "Delete", "Edit in $EDITOR"}
            assert (mutating <= titles) is not read_only
            assert not (mutating & titles) or not read_only
            # Going somewhere through the palette, as a user would.
            await pilot.press("ctrl+p")
            await settle(pilot)
            await pilot.press(*"go to prefix")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, PromptScreen)
            await type_into(pilot, "logs/2025/app.log")
            await pilot.press("enter")
            await settle(pilot)
            assert cursor(app).name == "logs/2025/app.log"


async def test_server_down_shows_error_and_r_recovers(
    fresh_server: GcsServer, tmp_path: Path
) -> None:
    fresh_server.create_bucket("down-bucket")
    client = Client("down-bucket", endpoint=fresh_server.url, timeout=2, retry_deadline=1)
    seed(client, {"a/one.txt": b"1", "top.txt": b"t"})
    app = make_app(client, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        fresh_server.stop()
        await pilot.press("j", "l")  # expand a/: the listing fails
        await settle(pilot)
        assert any(n.startswith("⚠") for n in child_names(app, "a/"))
        assert any(n.severity == "error" for n in app._notifications)
        assert app.is_running
        fresh_server.start()
        await pilot.press("r")
        await settle(pilot)
        assert child_names(app, "a/") == ["a/one.txt"]


def test_hostile_names_never_reach_the_terminal_as_markup_or_escapes() -> None:
    from tui import render

    assert render.safe("[bold]x").plain == "[bold]x"
    assert render.safe("logs[/]x").plain == "logs[/]x"
    shown = render.safe("\x1b[31mred\x07")
    assert "\x1b" not in shown.plain
    assert "\x07" not in shown.plain
    assert shown.plain == "\\x1b[31mred\\x07"
    assert render.clean("a\u202eb\nc") == "a\\u202eb\\x0ac"
    hexed = render.hexdump(b"AB\x00\x1b" + bytes(range(16))).plain
    assert hexed.startswith("00000000  41 42 00 1b")
    assert "\x1b" not in hexed


def test_downloads_never_leave_the_folder(tmp_path: Path) -> None:
    from tui.ops import safe_local_path

    assert safe_local_path(tmp_path, "a/b.txt") == (tmp_path / "a/b.txt").resolve()
    for hostile in ("../x", "a/../../x", "/etc/passwd", "a//b", "a/./b", "..\\x"):
        with pytest.raises(ValueError, match="refusing"):
            safe_local_path(tmp_path, hostile)
    link = tmp_path / "link"
    os.symlink("/", link)
    with pytest.raises(ValueError, match="refusing"):
        safe_local_path(tmp_path, "link/etc/passwd")


def preview_text(app: BrowserApp) -> str:
    body = app.query_one("#preview-body", Static).content
    return body.plain if isinstance(body, Text) else str(body)


async def test_preview_reads_only_the_head_of_a_large_object(
    client: Client, tmp_path: Path
) -> None:
    lines = [f"line {i:06d}\n" for i in range(60000)]  # 720 KB: over the 512 KiB cap
    client.upload_from_text("big.txt", "".join(lines))
    client.upload_from_bytes("small.bin", b"\x00\x01binary\xff" * 10)
    app = make_app(client, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await goto(pilot, "big.txt")
        shown = preview_text(app)
        assert shown.startswith("line 000000\n")
        assert "line 059999" not in shown
        banner = app.query_one("#preview-banner", Static).content
        assert "showing the first 512 KiB of 703.1 KiB" in str(banner)
        await pilot.press("t")  # the tail
        await settle(pilot)
        assert preview_text(app).rstrip().endswith("line 059999")
        await goto(pilot, "small.bin")
        assert preview_text(app).startswith("00000000  00 01 62 69 6e 61 72 79")


async def test_repeated_errors_show_once(client: Client, tmp_path: Path) -> None:
    app = make_app(client, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        before = len(app._notifications)
        for _ in range(20):  # a 429 storm
            app.report_error(TooManyRequestsError("Too many requests [bold]x\x1b[31m"), "list")
        await pilot.pause()
        messages = [n.message for n in app._notifications][before:]
        assert messages == ["list: Too many requests [bold]x\\x1b[31m"]
        assert app.is_running


def test_a_cancelled_transfer_stops_between_objects(client: Client) -> None:
    from tui import ops

    seed(client, {f"x/{i}": b"x" for i in range(5)})
    progress = ops.Progress(total=5)
    progress.report = lambda done: progress.cancel.set() if done == 2 else None
    with pytest.raises(ops.Cancelled):
        ops.delete_names(client, [f"x/{i}" for i in range(5)], progress)
    assert [o.name for o in client.iter_objects(prefix="x/")] == ["x/2", "x/3", "x/4"]


async def test_cancel_stops_a_running_transfer(
    seeded: Client, proxy: FaultProxy, bucket: str, tmp_path: Path
) -> None:
    seed(seeded, {f"batch/{i:02d}.txt": b"x" * 100 for i in range(12)})
    slow = Client(bucket, endpoint=proxy.url, timeout=5, retry_deadline=5)
    proxy.delay(0.3, path=r"alt=media")  # every object download takes a while
    app = make_app(slow, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await goto(pilot, "batch/")
        await pilot.press("s")
        await settle(pilot)
        await type_into(pilot, str(tmp_path / "got"))
        await pilot.press("enter")
        for _ in range(200):  # until the transfer shows in the panel
            await pilot.pause(0.02)
            if app.query(TransferRow):
                break
        assert app.query(TransferRow)
        assert app.check_action("cancel_transfers", ()) is True
        await pilot.press("x")
        await settle(pilot)
        assert not app.query(TransferRow)
        assert any(n.message.startswith("Cancelled: download") for n in app._notifications)
        got = sorted(p.name for p in (tmp_path / "got").iterdir())
        assert len(got) < 12
        assert not [name for name in got if name.endswith(".partial")]


async def test_a_rate_limit_storm_shows_one_notification(
    seeded: Client, proxy: FaultProxy, bucket: str, tmp_path: Path
) -> None:
    limited = Client(bucket, endpoint=proxy.url, timeout=5, retry_deadline=0)
    app = make_app(limited, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        proxy.respond(429, gcs_error.rate_limited(), method="GET", path=r"/o\?")
        await pilot.press("j", "l")  # expand data/: refused
        for _ in range(5):  # and again, and again
            await settle(pilot)
            await pilot.press("r")
        await settle(pilot)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1, [n.message for n in errors]
        assert proxy.count(method="GET", path=r"/o\?") >= 6
        assert app.is_running
        proxy.clear()
        await pilot.press("r")
        await settle(pilot)
        assert child_names(app, "data/") == ["data/blob.bin", "data/empty.txt", "data/report.csv"]
