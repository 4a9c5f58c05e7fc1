"""Fixtures for the browser: seeded buckets on the real fake-gcs-server, and helpers to drive
the app with Pilot until its thread workers are done."""

from __future__ import annotations

import asyncio
import json
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets import Input
from textual.worker import WorkerCancelled, WorkerFailed

from storage import Client, Object, Page
from tests.servers import GcsServer
from tui.app import BrowserApp

SIZE = (120, 36)
SNAPSHOT_BUCKET = "snapshot-bucket"
FIXED_TIME = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)

#: The standard small bucket most tests browse.
SEED: dict[str, bytes] = {
    "readme.md": b"# Satchel demo\n\nA bucket to browse.\n",
    "config.json": b'{"name": "demo", "replicas": 3, "tags": ["a", "b"], "nested": {"ok": true}}',
    "data/report.csv": b"id,value\n1,10\n2,20\n3,30\n",
    "data/blob.bin": bytes(range(256)) * 2,
    "data/empty.txt": b"",
    "logs/2024/app.log": b"INFO start\nWARN slow\nERROR boom\n",
    "logs/2024/worker.log": b"INFO worker ready\n",
    "logs/2025/app.log": b"INFO new year\n",
    "src/main.py": b'def main() -> None:\n    print("hello")\n\n\nif __name__ == "__main__":\n    main()\n',
}


def seed(client: Client, objects: dict[str, bytes]) -> None:
    for name, data in objects.items():
        content_type = "application/json" if name.endswith(".json") else None
        if name.endswith((".md", ".csv", ".log", ".py", ".txt")):
            content_type = "text/plain; charset=utf-8"
        client.upload_from_bytes(name, data, content_type=content_type)


def raw_upload(server: GcsServer, bucket: str, name: str, data: bytes) -> None:
    """Store an object the Client would refuse to name (control characters): a hostile
    bucket written by some other tool."""
    query = urllib.parse.urlencode({"uploadType": "media", "name": name})
    request = urllib.request.Request(
        f"{server.url}/upload/storage/v1/b/{bucket}/o?{query}",
        data=data,
        headers={"Content-Type": "text/plain"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()


def raw_delete(server: GcsServer, bucket: str, name: str) -> None:
    """Delete any object, even one whose name the Client refuses to handle."""
    quoted = urllib.parse.quote(name, safe="")
    request = urllib.request.Request(
        f"{server.url}/storage/v1/b/{bucket}/o/{quoted}", method="DELETE"
    )
    urllib.request.urlopen(request, timeout=10).close()


class FrozenClient(Client):
    """A real Client on the real server whose listings report fixed ``updated`` and
    ``generation`` values, so snapshots do not change with the clock. Only metadata shown in
    the panel is fixed; every byte still comes from the server."""

    @staticmethod
    def _freeze(obj: Object) -> Object:
        return obj.replace(updated=FIXED_TIME, generation=1700000000000001)

    def list_page(self, **kwargs: Any) -> Page:
        page = super().list_page(**kwargs)
        return Page([self._freeze(o) for o in page.objects], page.prefixes, page.next_page_token)

    def stat(self, name: str) -> Object:
        return self._freeze(super().stat(name))


@pytest.fixture
def seeded(client: Client) -> Client:
    seed(client, SEED)
    return client


@pytest.fixture
def snapshot_client(gcs_server: GcsServer) -> Callable[[dict[str, bytes]], FrozenClient]:
    """A fixed-name bucket, emptied and filled with the given objects, for snapshots."""

    def make(objects: dict[str, bytes]) -> FrozenClient:
        request = urllib.request.Request(
            f"{gcs_server.url}/storage/v1/b?project=test",
            data=json.dumps({"name": SNAPSHOT_BUCKET}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except urllib.error.HTTPError as exc:
            if exc.code != 409:
                raise
        client = FrozenClient(
            SNAPSHOT_BUCKET,
            endpoint=gcs_server.url,
            backend="emulator",
            timeout=5,
            retry_deadline=5,
        )
        for obj in client.iter_objects():
            raw_delete(gcs_server, SNAPSHOT_BUCKET, obj.name)
        seed(client, objects)
        return client

    return make


async def settle(pilot: Pilot[Any], timeout: float = 30) -> None:
    """Wait until every worker is done (a flow waiting on an open dialog excepted), and the
    screen has caught up."""
    app = pilot.app
    for _ in range(100):
        await pilot.pause()
        modal = isinstance(app.screen, ModalScreen)
        pending = [
            w
            for w in app.workers
            if not w.is_finished
            and w.group != "_loader"  # DirectoryTree's loader lives as long as the tree
            and not (modal and w.group == "flow")
        ]
        if not pending:
            break
        try:
            await asyncio.wait_for(app.workers.wait_for_complete(pending), timeout)
        except TimeoutError:
            raise AssertionError(f"workers still running after {timeout} s: {pending}") from None
        except (WorkerCancelled, WorkerFailed):
            pass  # the app reports failures itself; the tests check what it shows
    await pilot.pause()


async def type_into(pilot: Pilot[Any], text: str, *, replace: bool = True) -> None:
    """Put ``text`` into the focused Input of the open dialog."""
    field = pilot.app.screen.query_one(Input)
    if replace:
        field.value = ""
    field.cursor_blink = False
    field.insert_text_at_cursor(text)
    await pilot.pause()


def make_app(client: Client, tmp_path: Path, **kwargs: Any) -> BrowserApp:
    return BrowserApp(client, local_dir=tmp_path, **kwargs)
