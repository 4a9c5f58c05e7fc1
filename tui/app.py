"""The Textual bucket browser: ``BrowserApp(client=...)``.

The app is handed a ``storage.Client`` and never builds one, so tests and snapshots run it on a
seeded test server. Every storage call runs in a thread worker whose result comes back as a
message (or, inside a multi-step flow, through ``await worker.wait()``); the event loop only
ever builds widgets. Every string from the bucket goes through :mod:`tui.render`.
"""

from __future__ import annotations

import itertools
import os
import shlex
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from rich.console import RenderableType
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Tree
from textual.widgets.tree import NodeID, TreeNode, UnknownNodeID
from textual.worker import Worker, WorkerCancelled, WorkerFailed, WorkerState, get_current_worker

from storage import Client, Object, Page
from storage.errors import ObjectStorageError, PreconditionFailedError

from . import ops, preview, render
from .screens import (
    ConfirmScreen,
    HelpScreen,
    OverwriteScreen,
    PromptScreen,
    TypeToConfirmScreen,
    UploadScreen,
)
from .widgets import (
    BucketTree,
    Entry,
    MetadataPanel,
    PreviewPane,
    StatusLine,
    TitleBar,
    TransferRow,
    entry_label,
)

__all__ = ["BrowserApp"]

T = TypeVar("T")

#: Children listed per request; a page of this size adds and paints well inside a frame.
PAGE_SIZE = 500
#: The preview waits this long after the highlight moves, so scrolling does not fetch.
PREVIEW_DEBOUNCE = 0.1
#: The same error within this many seconds is shown once.
ERROR_DEDUPE_SECONDS = 5.0
#: Objects larger than this are not opened in $EDITOR.
EDIT_MAX_BYTES = 16 * 1024 * 1024

MUTATING = frozenset({"upload", "copy", "move", "delete", "edit"})


# ---------------------------------------------------------------------------- messages
@dataclass
class Described(Message):
    backend: str
    bucket: str


@dataclass
class Listed(Message):
    node_id: int
    seq: int
    page: Page
    append: bool


@dataclass
class ListFailed(Message):
    node_id: int
    seq: int
    error: str


@dataclass
class PreviewReady(Message):
    key: tuple[str, int | None, bool]
    body: RenderableType
    banner: Text | None = None


@dataclass
class TransferProgress(Message):
    transfer_id: int
    done: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TransferProgress) and message.transfer_id == self.transfer_id


class _Abort(Exception):
    """A flow stops because a step failed; the failure was already reported."""


@dataclass
class _Transfer:
    label: str
    cancel: threading.Event


def describe_error(error: BaseException) -> str:
    """One safe line for a notification."""
    if isinstance(error, ObjectStorageError | ValueError | OSError | ops.VerificationError):
        text = str(error)
    else:
        text = f"{type(error).__name__}: {error}"
    return render.clean(text, limit=400)


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def glob_literal_prefix(pattern: str) -> str:
    """The part of a glob before its first wildcard: a listing prefix that loses nothing."""
    for index, ch in enumerate(pattern):
        if ch in "*?[{\\":
            return pattern[:index]
    return pattern


class BrowserApp(App[None]):
    """Browse a bucket: a lazy prefix tree, a preview, and the file-manager operations.

    Args:
        client: the bucket to browse (the app never builds a Client of its own).
        read_only: disable every action that changes the bucket.
        keymap: binding id -> keys (``{"delete": "x"}``), applied with ``App.set_keymap``.
        local_dir: where the upload picker starts and downloads go by default (the cwd).
        format_time: how the metadata panel shows ``updated`` (UTC by default).
        page_size: entries listed per request and per "load more".
    """

    CSS_PATH = "app.tcss"
    TITLE = "Satchel"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "u",
            "upload",
            "Upload",
            id="upload",
            tooltip="Upload a file or folder into the current prefix",
        ),
        Binding(
            "c",
            "copy",
            "Copy",
            id="copy",
            tooltip="Copy the object, the prefix (recursively) or the marked objects",
        ),
        Binding(
            "m",
            "move",
            "Move",
            id="move",
            tooltip="Move or rename; the source is deleted only after the copy is verified",
        ),
        Binding(
            "d,delete",
            "delete",
            "Delete",
            id="delete",
            tooltip="Delete the object, the prefix (recursively) or the marked objects",
        ),
        Binding(
            "s",
            "download",
            "Download",
            id="download",
            tooltip="Download to a local path (a prefix recursively)",
        ),
        Binding(
            "e",
            "edit",
            "Edit",
            id="edit",
            tooltip="Edit the object in $EDITOR; a change made meanwhile is not overwritten",
        ),
        Binding(
            "slash",
            "search",
            "Search",
            id="search",
            tooltip="Find objects across the bucket by glob, e.g. **/*.json",
        ),
        Binding(
            "y",
            "copy_uri",
            "Copy URI",
            show=False,
            id="copy_uri",
            tooltip="Copy the gs:// URI to the clipboard",
        ),
        Binding(
            "r",
            "refresh",
            "Refresh",
            id="refresh",
            tooltip="List the current prefix again, keeping the cursor",
        ),
        Binding(
            "t",
            "toggle_tail",
            "Tail",
            show=False,
            id="tail",
            tooltip="Show the end of a large object instead of its start",
        ),
        Binding(
            "x", "cancel_transfers", "Cancel", id="cancel", tooltip="Cancel the running transfers"
        ),
        Binding(
            "escape", "exit_search", "Back", id="exit_search", tooltip="Leave the search results"
        ),
        Binding(
            "colon",
            "goto",
            "Go to",
            show=False,
            id="goto",
            tooltip="Go to a prefix or an object by name",
        ),
        Binding(
            "tab",
            "switch_pane",
            "Pane",
            show=False,
            id="pane",
            tooltip="Move between the tree and the preview",
        ),
        Binding("question_mark", "help", "Help", id="help", tooltip="Show every key"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit"),
    ]

    def __init__(
        self,
        client: Client,
        *,
        read_only: bool = False,
        keymap: dict[str, str] | None = None,
        local_dir: Path | None = None,
        format_time: Callable[[datetime | None], str] = render.utc,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__()
        self.client = client
        self.read_only = read_only
        self._initial_keymap = dict(keymap or {})
        self.local_dir = (local_dir or Path.cwd()).expanduser()
        self.format_time = format_time
        self.page_size = page_size
        self.bucket = "…"
        self.backend: str | None = None
        self._recent_errors: dict[str, float] = {}
        self._transfers: dict[int, _Transfer] = {}
        self._transfer_ids = itertools.count(1)
        self._seqs = itertools.count(1)
        self._preview_key: tuple[str, int | None, bool] | None = None
        self._tail = False
        self._search: str | None = None
        self._quiet_workers: set[Worker[Any]] = set()
        self._mounted = False
        self._hex_per_line = 16

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield TitleBar(id="title")
        with Horizontal(id="main"):
            yield BucketTree(id="tree")
            with Vertical(id="right"):
                yield MetadataPanel(format_time=self.format_time, id="meta")
                yield PreviewPane(id="preview")
        yield VerticalScroll(id="transfers")
        yield StatusLine(id="status")
        yield Footer(compact=True)

    @property
    def bucket_tree(self) -> BucketTree:
        return self.query_one("#tree", BucketTree)

    def on_mount(self) -> None:
        self._mounted = True
        if self._initial_keymap:
            self.set_keymap(self._initial_keymap)
        self.query_one(TitleBar).show(None, None, self.read_only)
        self.query_one("#transfers").display = False
        tree = self.bucket_tree
        tree.root.set_label(Text("gs://…", "bold"))
        tree.focus()
        self._run_thread(self._describe, name="connect", group="describe")
        self._load(tree.root)
        tree.root.expand()
        self._update_status()

    # ------------------------------------------------------------------ workers and errors
    def _run_thread(
        self, fn: Callable[[], T], *, name: str, group: str, exclusive: bool = False
    ) -> Worker[T]:
        return self.run_worker(
            fn, name=name, group=group, thread=True, exclusive=exclusive, exit_on_error=False
        )

    async def _io(
        self, fn: Callable[[], T], name: str, *, expect: tuple[type[BaseException], ...] = ()
    ) -> T:
        """Run ``fn`` in a thread worker and wait for it, inside a flow. A failure is reported
        here (unless it is one of ``expect``, which the flow handles) and stops the flow."""
        worker = self._run_thread(fn, name=name, group="io")
        self._quiet_workers.add(worker)
        try:
            return await worker.wait()
        except WorkerFailed as failed:
            if isinstance(failed.error, expect):
                raise failed.error from None
            self.report_error(failed.error, name)
            raise _Abort from None
        except WorkerCancelled:
            raise _Abort from None
        finally:
            self._quiet_workers.discard(worker)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR and worker not in self._quiet_workers:
            error = worker.error
            if error is not None and not isinstance(error, _Abort):
                self.report_error(error, worker.name)

    def report_error(self, error: BaseException, context: str = "") -> None:
        """The one place failures become notifications: markup off, repeats folded."""
        if isinstance(error, ops.Cancelled):
            self.notify(render.clean(f"Cancelled: {context}"), markup=False, severity="warning")
            return
        detail = describe_error(error)
        message = f"{render.clean(context, limit=120)}: {detail}" if context else detail
        # A storm (429s, a dead server) repeats one error through many workers: show it once.
        now = time.monotonic()
        self._recent_errors = {
            k: t for k, t in self._recent_errors.items() if now - t < ERROR_DEDUPE_SECONDS
        }
        if detail in self._recent_errors:
            return
        self._recent_errors[detail] = now
        title = "Storage error" if isinstance(error, ObjectStorageError) else "Error"
        self.notify(message, title=title, severity="error", markup=False, timeout=10)

    # ------------------------------------------------------------------ connection
    def _describe(self) -> None:
        try:
            info = self.client.describe()
        except Exception:
            self.post_message(Described("not connected", "?"))
            raise  # reported like every worker failure
        self.post_message(
            Described(str(info.get("backend") or "?"), str(info.get("bucket") or "?"))
        )

    @on(Described)
    def _described(self, message: Described) -> None:
        self.backend = message.backend
        self.bucket = message.bucket
        self.query_one(TitleBar).show(message.backend, message.bucket, self.read_only)
        self._set_root_label()
        self._update_status()
        self._show_cursor()

    def _set_root_label(self) -> None:
        root = self.bucket_tree.root
        if self._search is not None:
            label = Text("search ", "bold")
            label.append_text(render.safe(self._search, "bold #9ece6a"))
            count = sum(1 for c in root.children if c.data is not None and c.data.kind == "object")
            label.append(f"  {count:,} match{'es' if count != 1 else ''}", "dim")
        else:
            label = render.safe(f"gs://{self.bucket}/", "bold")
        root.set_label(label)

    # ------------------------------------------------------------------ the lazy tree
    def _load(self, node: TreeNode[Entry], token: str | None = None) -> None:
        """List one page of ``node`` (its first page unless ``token``) in a thread."""
        entry = node.data
        assert entry is not None
        if token is None:
            entry.seq = next(self._seqs)  # unique app-wide: node ids are reused after a clear
            if not node.children:
                node.add_leaf(Text("loading…", "italic dim"), Entry("loading", "loading…"))
        seq, prefix, search = entry.seq, entry.name, self._search
        node_id = node.id

        def list_page() -> None:
            try:
                if search is not None:
                    page = self._search_page(search, token)
                else:
                    page = self.client.list_page(
                        prefix=prefix, page_size=self.page_size, page_token=token
                    )
            except Exception as exc:
                self.post_message(ListFailed(node_id, seq, describe_error(exc)))
                raise
            self.post_message(Listed(node_id, seq, page, append=token is not None))

        where = f"search {search}" if search is not None else f"list {prefix or 'the bucket root'}"
        self._run_thread(list_page, name=where, group="list")

    def _search_page(self, pattern: str, token: str | None) -> Page:
        """At least a page of matches (or the end): a filtered page may hold none."""
        found: list[Object] = []
        literal = glob_literal_prefix(pattern)
        while True:
            page = self.client.list_page(
                prefix=literal,
                delimiter=None,
                page_size=self.page_size,
                page_token=token,
                match_glob=pattern,
            )
            found.extend(page.objects)
            token = page.next_page_token
            if token is None or len(found) >= self.page_size or get_current_worker().is_cancelled:
                return Page(objects=found, prefixes=[], next_page_token=token)

    def _node(self, node_id: int) -> TreeNode[Entry] | None:
        tree = self.bucket_tree
        if node_id == tree.root.id:  # Tree.clear() makes a root it does not register by id
            return tree.root
        try:
            return self.bucket_tree.get_node_by_id(NodeID(node_id))
        except UnknownNodeID:
            return None

    @on(Listed)
    def _listed(self, message: Listed) -> None:
        node = self._node(message.node_id)
        if node is None or node.data is None or node.data.seq != message.seq:
            return  # refreshed or removed meanwhile
        entry = node.data
        tree = self.bucket_tree
        cursor_at: int | None = None
        if not message.append:
            expanded = entry.reexpand
            node.remove_children()
            entry.loaded = True
        else:
            expanded = entry.reexpand
            for child in list(node.children):
                if child.data is not None and child.data.kind in ("more", "loading", "error"):
                    if tree.cursor_node is child:
                        cursor_at = len(node.children) - 1  # the first of the new page
                    child.remove()
        insert_at = next(
            (
                i
                for i, c in enumerate(node.children)
                if c.data is not None and c.data.kind != "prefix"
            ),
            len(node.children),
        )
        for prefix in message.page.prefixes:
            if prefix == entry.name:
                continue
            child_entry = Entry("prefix", prefix)
            child = node.add(entry_label(child_entry), child_entry, before=insert_at)
            insert_at += 1
            if prefix in expanded:
                child_entry.reexpand = expanded
                child.expand()
        flat = self._search is not None
        for obj in message.page.objects:
            if obj.name == entry.name and not flat:
                continue  # a "folder marker" object named like its prefix
            child_entry = Entry("object", obj.name, obj=obj)
            node.add_leaf(entry_label(child_entry, obj.name in tree.marked, flat), child_entry)
        if message.page.next_page_token:
            loaded = sum(1 for c in node.children if c.data is not None and c.data.kind != "more")
            more = Entry(
                "more", f"load more…  ({loaded:,} loaded)", token=message.page.next_page_token
            )
            node.add_leaf(entry_label(more), more)
        elif not node.children:
            empty = Entry("loading", "(empty)" if not flat else "(no matches)")
            node.add_leaf(entry_label(empty), empty)
        if flat and node.is_root:
            self._set_root_label()
        if cursor_at is not None and cursor_at < len(node.children):
            _ = tree.last_line  # lay out the new lines so the node has its line number
            tree.move_cursor(node.children[cursor_at])
        target = entry.restore_cursor
        if target is not None:
            entry.restore_cursor = None
            self._reveal_from(node, target, announce=entry.announce)
        self._fix_stale_cursor()
        self._update_status()
        cursor = tree.cursor_node
        if cursor is node or (cursor is not None and cursor.parent is node):
            self._show_cursor()

    def _fix_stale_cursor(self) -> None:
        """After children were replaced, the cursor may still point at a removed node: put it
        on whatever is now on its line."""
        tree = self.bucket_tree
        cursor = tree.cursor_node
        if cursor is None or cursor.parent is None or cursor in cursor.parent.children:
            return
        last = tree.last_line  # also lays out the new lines
        tree.cursor_line = max(0, min(tree.cursor_line, last))
        self._show_cursor()

    @on(ListFailed)
    def _list_failed(self, message: ListFailed) -> None:
        node = self._node(message.node_id)
        if node is None or node.data is None or node.data.seq != message.seq:
            return
        for child in list(node.children):
            if child.data is not None and child.data.kind in ("loading", "more", "error"):
                child.remove()
        failed = Entry("error", f"⚠ {message.error} (r retries)")
        node.add_leaf(entry_label(failed), failed)

    @on(Tree.NodeExpanded, "#tree")
    def _expanded(self, event: Tree.NodeExpanded[Entry]) -> None:
        entry = event.node.data
        if (
            entry is not None
            and entry.is_container
            and not entry.loaded
            and not any(
                c.data is not None and c.data.kind == "loading" for c in event.node.children
            )
        ):
            self._load(event.node)

    @on(Tree.NodeHighlighted, "#tree")
    def _highlighted(self, event: Tree.NodeHighlighted[Entry]) -> None:
        entry = event.node.data
        if entry is not None and entry.kind == "more":
            self._load_more(event.node)
        self._tail = False
        self._show_cursor()
        self._update_status()
        self.refresh_bindings()

    @on(Tree.NodeSelected, "#tree")
    def _selected(self, event: Tree.NodeSelected[Entry]) -> None:
        entry = event.node.data
        if entry is None:
            return
        if entry.kind == "more":
            self._load_more(event.node)
        elif entry.kind == "error" and event.node.parent is not None:
            self._reload(event.node.parent)
        elif entry.kind == "object":
            self.query_one(PreviewPane).focus_content()

    def _load_more(self, node: TreeNode[Entry]) -> None:
        entry, parent = node.data, node.parent
        if entry is None or parent is None or entry.token is None:
            return
        token, entry.token = entry.token, None  # once
        entry.kind = "loading"
        entry.name = "loading more…"
        node.set_label(entry_label(entry))
        self._load(parent, token)

    @on(BucketTree.MarkToggled)
    def _mark_toggled(self, message: BucketTree.MarkToggled) -> None:
        entry = message.node.data
        if entry is None:
            return
        tree = self.bucket_tree
        if entry.name in tree.marked:
            del tree.marked[entry.name]
        else:
            tree.marked[entry.name] = entry
        tree.relabel(message.node)
        self._update_status()

    def _clear_marks(self) -> None:
        """Marks are spent by the bulk action that used them."""
        tree = self.bucket_tree
        names = list(tree.marked)
        tree.marked.clear()
        for name in names:
            node = self._find_loaded(name)
            if node is not None and node.data is not None and node.data.name == name:
                tree.relabel(node)
        self._update_status()

    def _expanded_names(self, node: TreeNode[Entry]) -> set[str]:
        names: set[str] = set()
        for child in node.children:
            if child.is_expanded and child.data is not None:
                names.add(child.data.name)
                names |= self._expanded_names(child)
        return names

    def _reload(self, node: TreeNode[Entry], cursor_name: str | None = None) -> None:
        """List ``node`` again from its first page; re-expand what was open, keep the cursor."""
        entry = node.data
        if entry is None:
            return
        entry.reexpand = self._expanded_names(node)
        entry.restore_cursor = cursor_name
        entry.announce = False
        node.expand()
        self._load(node)

    def _find_loaded(self, name: str) -> TreeNode[Entry] | None:
        """The node for a prefix or object name, if it is in the loaded part of the tree."""
        node = self.bucket_tree.root
        while True:
            if node.data is not None and node.data.name == name:
                return node
            for child in node.children:
                data = child.data
                if (
                    data is not None
                    and data.kind in ("prefix", "object")
                    and (
                        data.name == name or (data.kind == "prefix" and name.startswith(data.name))
                    )
                ):
                    node = child
                    break
            else:
                return None

    def _reveal_from(self, node: TreeNode[Entry], target: str, *, announce: bool) -> None:
        """Walk (listing as needed) from ``node`` down to ``target`` and put the cursor there."""
        tree = self.bucket_tree
        entry = node.data
        assert entry is not None
        if not entry.loaded:
            entry.restore_cursor, entry.announce = target, announce
            if node.is_expanded:
                self._load(node)
            else:
                node.expand()
            return
        node.expand()
        more: TreeNode[Entry] | None = None
        for child in node.children:
            data = child.data
            if data is None:
                continue
            if data.name in (target, target + "/") and data.kind in ("prefix", "object"):
                _ = tree.last_line  # lay out the new lines so the node has its line number
                tree.move_cursor(child)
                return
            if data.kind == "prefix" and target.startswith(data.name):
                self._reveal_from(child, target, announce=announce)
                return
            if data.kind == "more":
                more = child
        if more is not None and more.data is not None and more.data.token is not None:
            entry.restore_cursor, entry.announce = target, announce
            self._load_more(more)
            return
        if announce:
            self.notify(
                render.clean(f"Not found: gs://{self.bucket}/{target}"),
                markup=False,
                severity="warning",
            )

    # ------------------------------------------------------------------ cursor, status, preview
    def _cursor_entry(self) -> Entry | None:
        node = self.bucket_tree.cursor_node
        return node.data if node is not None else None

    def _current_prefix(self) -> str:
        """The prefix an upload goes into: the highlighted prefix, or the object's own."""
        node = self.bucket_tree.cursor_node
        if node is None or node.data is None:
            return ""
        entry = node.data
        if entry.kind == "prefix":
            return entry.name
        if entry.kind == "root":
            return ""
        if entry.kind == "object":
            return entry.name.rpartition("/")[0] + "/" if "/" in entry.name else ""
        parent = node.parent
        return parent.data.name if parent is not None and parent.data is not None else ""

    def _uri(self, name: str) -> str:
        return f"gs://{self.bucket}/{name}"

    def _update_status(self) -> None:
        tree = self.bucket_tree
        node = tree.cursor_node
        entry = node.data if node is not None else None
        container = node
        if node is not None and (entry is None or not entry.is_container or not entry.loaded):
            container = node.parent
        loaded = ""
        if container is not None and container.data is not None and container.data.loaded:
            kids = [c.data for c in container.children if c.data is not None]
            prefixes = sum(1 for k in kids if k.kind == "prefix")
            objects = sum(1 for k in kids if k.kind == "object")
            more = any(k.kind == "more" for k in kids)
            if self._search is not None:
                loaded = _count(objects, "match", "matches") + (" · more to load" if more else "")
            else:
                loaded = (
                    f"{_count(prefixes, 'prefix', 'prefixes')} · {_count(objects, 'object')}"
                    f"{' · more not loaded' if more else ' · all loaded'}"
                )
        path = (
            self._uri(entry.name)
            if entry is not None and entry.kind in ("object", "prefix", "root")
            else self._uri("")
        )
        self.query_one(StatusLine).show(
            path,
            loaded,
            len(tree.marked),
            len(self._transfers),
            "SEARCH" if self._search is not None else "",
        )

    def _show_cursor(self) -> None:
        """Metadata now; the preview after a short pause, in a thread."""
        node = self.bucket_tree.cursor_node
        entry = node.data if node is not None else None
        meta = self.query_one(MetadataPanel)
        pane = self.query_one(PreviewPane)
        if entry is None or node is None:
            return
        if entry.kind == "object" and entry.obj is not None:
            meta.show_object(self.bucket, entry.obj)
            key = (entry.name, entry.obj.generation, self._tail)
            if key != self._preview_key:
                self._preview_key = key
                pane.show(Text("loading…", "italic dim"))
                width = pane.scrollable_content_region.width
                self._hex_per_line = 16 if width >= render.hexdump_width(16) else 8
                obj, tail = entry.obj, self._tail
                self._run_thread(
                    lambda: self._fetch_preview(obj, tail, key),
                    name=f"preview {self._uri(obj.name)}",
                    group="preview",
                    exclusive=True,
                )
            return
        self._preview_key = None
        self.workers.cancel_group(self, "preview")
        if entry.kind in ("prefix", "root"):
            meta.show_prefix(self.bucket, entry.name)
            pane.show(self._prefix_summary(node))
        else:
            meta.clear()
            pane.show(Text(""))

    def _prefix_summary(self, node: TreeNode[Entry]) -> Text:
        entry = node.data
        assert entry is not None
        text = Text(end="")
        text.append_text(render.safe(self._uri(entry.name), "bold"))
        text.append("\n\n")
        if not entry.loaded:
            text.append("Not listed yet: press enter or l to list it.", "dim")
            return text
        kids = [c.data for c in node.children if c.data is not None]
        prefixes = sum(1 for k in kids if k.kind == "prefix")
        objects = [k.obj for k in kids if k.kind == "object" and k.obj is not None]
        size = sum(o.size or 0 for o in objects)
        if self._search is not None and entry.kind == "root":
            text.append(
                f"{_count(len(objects), 'match', 'matches')} ({render.human_size(size)}) loaded.\n"
            )
            if any(k.kind == "more" for k in kids):
                text.append("More may follow: move to “load more…” to search on.", "dim")
            return text
        text.append(
            f"{_count(prefixes, 'prefix', 'prefixes')} and {_count(len(objects), 'object')}"
            f" ({render.human_size(size)}) loaded.\n"
        )
        if any(k.kind == "more" for k in kids):
            text.append(
                "More entries are not loaded yet: move to “load more…” to list the next page.",
                "dim",
            )
        else:
            text.append("That is everything directly under it.", "dim")
        return text

    def _fetch_preview(self, obj: Object, tail: bool, key: tuple[str, int | None, bool]) -> None:
        """Runs in a thread: read what the pane can show and render it off the event loop."""
        time.sleep(PREVIEW_DEBOUNCE)
        worker = get_current_worker()
        if worker.is_cancelled:
            return
        try:
            body, banner = preview.render_preview(self.client, obj, tail, self._hex_per_line)
        except Exception as exc:
            if not worker.is_cancelled:
                failed = render.safe(f"Could not preview: {describe_error(exc)}", "red")
                self.post_message(PreviewReady(key, failed))
            if isinstance(exc, ValueError):
                return  # a name this Client refuses: the pane says so, no need to notify
            raise
        if not worker.is_cancelled:
            self.post_message(PreviewReady(key, body, banner))

    @on(PreviewReady)
    def _preview_ready(self, message: PreviewReady) -> None:
        if message.key == self._preview_key:
            self.query_one(PreviewPane).show(message.body, message.banner, at_end=message.key[2])

    # ------------------------------------------------------------------ bindings
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in MUTATING and self.read_only:
            return None
        if action == "exit_search":
            return self._search is not None
        if action == "cancel_transfers":
            return bool(self._transfers)
        if action == "toggle_tail":
            entry = self._cursor_entry() if self._mounted else None
            return bool(
                entry is not None
                and entry.obj is not None
                and (entry.obj.size or 0) > preview.PREVIEW_CAP
            )
        return True

    def _allowed(self, action: str) -> bool:
        if self.read_only and action in MUTATING:
            self.notify("Read-only mode: nothing can be changed.", severity="warning", markup=False)
            return False
        return True

    def _targets(self) -> list[Entry]:
        marked = list(self.bucket_tree.marked.values())
        if marked:
            return marked
        entry = self._cursor_entry()
        if entry is None or entry.kind not in ("object", "prefix"):
            return []
        return [entry]

    def action_switch_pane(self) -> None:
        if self.bucket_tree.has_focus:
            self.query_one(PreviewPane).focus_content()
        else:
            self.bucket_tree.focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self._help_rows()))

    def _help_rows(self) -> list[tuple[str, str, str]]:
        active = self.screen.active_bindings
        keys_by_id: dict[str, list[str]] = {}
        for active_binding in active.values():
            binding_id = active_binding.binding.id
            if binding_id is not None:
                keys_by_id.setdefault(binding_id, []).append(
                    self.get_key_display(active_binding.binding)
                )
        rows = []
        definitions: Iterable[BindingType] = [*BucketTree.BINDINGS, *self.BINDINGS]
        for binding in definitions:
            if not isinstance(binding, Binding) or binding.id is None:
                continue
            keys = keys_by_id.get(binding.id)
            if not keys:
                keys = [
                    self.get_key_display(binding.with_key(k.strip()))
                    for k in binding.key.split(",")
                ]
            rows.append((" ".join(dict.fromkeys(keys)), binding.description, binding.tooltip))
        rows.append(
            ("ctrl+p", "Commands", "The command palette: every action, and go to prefix or key")
        )
        return rows

    def action_copy_uri(self) -> None:
        targets = self._targets()
        if not targets:
            entry = self._cursor_entry()
            if entry is None or entry.kind != "root":
                return
            targets = [entry]
        uris = "\n".join(self._uri(t.name) for t in targets)
        self.copy_to_clipboard(uris)
        shown = uris if len(targets) == 1 else f"{len(targets)} URIs"
        self.notify(render.clean(f"Copied {shown}", limit=200), markup=False)

    def action_refresh(self) -> None:
        if self._search is not None:
            self._reload(self.bucket_tree.root, self._cursor_name())
            return
        node = self.bucket_tree.cursor_node
        if node is None:
            return
        entry = node.data
        target = node
        if entry is None or not (entry.is_container and node.is_expanded):
            target = node.parent or node
        self._reload(target, self._cursor_name())

    def _cursor_name(self) -> str | None:
        entry = self._cursor_entry()
        return entry.name if entry is not None and entry.kind in ("object", "prefix") else None

    def action_toggle_tail(self) -> None:
        self._tail = not self._tail
        self._show_cursor()

    async def action_quit(self) -> None:
        self.action_cancel_transfers()  # running transfers stop at their next chunk
        self.exit()

    def action_cancel_transfers(self) -> None:
        for transfer in self._transfers.values():
            transfer.cancel.set()

    def action_exit_search(self) -> None:
        if self._search is None:
            return
        self._search = None
        self.bucket_tree.flat = False
        self._reset_tree()

    def _reset_tree(self) -> None:
        tree = self.bucket_tree
        tree.clear()
        tree.root.data = Entry("root", "")
        self._set_root_label()
        self._load(tree.root)
        tree.root.expand()
        tree.move_cursor(tree.root)
        self._update_status()
        self.refresh_bindings()

    def refresh_prefixes(self, names: Iterable[str], focus: str | None = None) -> None:
        """List again each loaded prefix in ``names`` (after a change made there); then put
        the cursor on ``focus`` (a new object, say), listing what it takes to show it."""
        if self._search is not None:  # run the search again
            self._reload(self.bucket_tree.root, self._cursor_name())
            return
        done: set[int] = set()
        for name in names:
            node = self._find_loaded(name)
            while (
                node is not None
                and node.data is not None
                and node.data.name != name
                and node.parent is not None
            ):
                node = node.parent
            if node is None or node.data is None or node.data.name != name or not node.data.loaded:
                continue
            if node.id in done:
                continue
            done.add(node.id)
            target = focus if focus is not None and focus.startswith(name) else self._cursor_name()
            self._reload(node, target)
            if target == focus:
                focus = None
        if focus is not None:
            self._reveal_from(self.bucket_tree.root, focus, announce=False)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, ModalScreen):  # commands act on the browser, not on a dialog
            return
        yield SystemCommand(
            "Go to prefix or key", "Jump to a prefix or an object by name", self.action_goto
        )
        commands = [
            ("Upload", "upload", "Upload a file or folder into the current prefix"),
            ("Copy", "copy", "Copy the object, prefix or marked objects"),
            ("Move / rename", "move", "Move or rename (verified copy, then delete)"),
            ("Delete", "delete", "Delete the object, prefix or marked objects"),
            ("Download", "download", "Download to a local path"),
            ("Edit in $EDITOR", "edit", "Edit the object and upload it if unchanged meanwhile"),
            ("Search by glob", "search", "Find objects across the bucket, e.g. **/*.json"),
            ("Copy gs:// URI", "copy_uri", "Copy the URI to the clipboard"),
            ("Refresh", "refresh", "List the current prefix again"),
            ("Help: keys", "help", "Show every key"),
        ]
        for title, action, help_text in commands:
            if self.read_only and action in MUTATING:
                continue
            yield SystemCommand(title, help_text, getattr(self, f"action_{action}"))
        for transfer in list(self._transfers.values()):
            yield SystemCommand(
                render.clean(f"Cancel transfer: {transfer.label}", limit=80),
                "Stop this transfer",
                transfer.cancel.set,
            )

    # ------------------------------------------------------------------ transfers
    async def _transfer(
        self, label: str, total: int, unit: str, fn: Callable[[ops.Progress], int]
    ) -> int:
        transfer_id = next(self._transfer_ids)
        cancel = threading.Event()
        progress = ops.Progress(
            total=total,
            report=lambda done: self._post(TransferProgress(transfer_id, done)),
            cancel=cancel,
        )
        panel = self.query_one("#transfers", VerticalScroll)
        self._transfers[transfer_id] = _Transfer(label, cancel)
        await panel.mount(TransferRow(transfer_id, label, total, unit))
        panel.display = True
        self._update_status()
        self.refresh_bindings()
        try:
            return await self._io(lambda: fn(progress), label)
        finally:
            del self._transfers[transfer_id]
            for row in panel.query(TransferRow):
                if row.transfer_id == transfer_id:
                    await row.remove()
            panel.display = bool(self._transfers)
            self._update_status()
            self.refresh_bindings()

    def _post(self, message: Message) -> None:
        self.post_message(message)

    @on(TransferProgress)
    def _transfer_progress(self, message: TransferProgress) -> None:
        for row in self.query(TransferRow):
            if row.transfer_id == message.transfer_id:
                row.advance_to(message.done)

    # ------------------------------------------------------------------ flows
    def _names_text(self, names: list[str], limit: int = 6) -> Text:
        text = Text(end="")
        for name in names[:limit]:
            text.append("\n  ")
            text.append_text(render.safe(self._uri(name)))
        if len(names) > limit:
            text.append(f"\n  … and {len(names) - limit:,} more", "dim")
        return text

    async def _confirm_overwrite(self, existing: list[str], total: int) -> str:
        """``"overwrite"``, ``"skip"`` (the existing ones) or ``"cancel"``; no question (and
        ``"overwrite"``, harmlessly) when nothing exists already."""
        if not existing:
            return "overwrite"
        count = len(existing)
        question = Text(
            f"{_count(count, 'object')} already exist{'s' if count == 1 else ''}"
            " and would be overwritten:"
        )
        question.append_text(self._names_text(existing))
        screen = OverwriteScreen("Overwrite?", question, allow_skip=total > count)
        answer: str = await self.push_screen_wait(screen)
        return answer

    async def _ask(self, screen: ModalScreen[bool]) -> bool:
        answer: bool = await self.push_screen_wait(screen)
        return bool(answer)

    async def _prompt(
        self,
        title: str,
        detail: Text | None,
        value: str,
        action: str,
        placeholder: str = "",
        *,
        select_all: bool = False,
    ) -> str | None:
        result = await self.push_screen_wait(
            PromptScreen(
                title,
                detail,
                value=value,
                placeholder=placeholder,
                action=action,
                select_all=select_all,
            )
        )
        return result if isinstance(result, str) else None

    @work(group="flow", exit_on_error=False)
    async def action_upload(self) -> None:
        if not self._allowed("upload"):
            return
        dest = self._current_prefix()
        path = await self.push_screen_wait(
            UploadScreen(render.safe(self._uri(dest), "bold"), self.local_dir)
        )
        if path is None:
            return
        plan = await self._io(lambda: ops.plan_upload(self.client, path, dest), f"upload {path}")
        if not plan.items:
            self.notify("Nothing to upload: the folder is empty.", markup=False, severity="warning")
            return
        answer = await self._confirm_overwrite(plan.existing, len(plan.items))
        if answer == "cancel":
            return
        if answer == "skip":
            plan = plan.without_existing()
            if not plan.items:
                return
        count = await self._transfer(
            f"upload {path.name}",
            plan.total_bytes,
            "bytes",
            lambda p: ops.upload_items(self.client, plan, p),
        )
        self.notify(
            render.clean(
                f"Uploaded {count:,} file{'s' if count != 1 else ''} to {self._uri(dest)}"
            ),
            markup=False,
        )
        first = plan.items[0][1]
        self.refresh_prefixes([dest], focus=first if path.is_file() else f"{dest}{path.name}/")

    async def _pairs_for(self, verb: str, targets: list[Entry]) -> list[tuple[str, str]] | None:
        """Ask where to copy or move ``targets``; the (source, destination) pairs, or None."""
        if len(targets) == 1 and targets[0].kind == "object":
            source = targets[0].name
            detail = Text(f"{verb} ")
            detail.append_text(render.safe(self._uri(source), "bold"))
            detail.append(" to the object name:")
            dest = await self._prompt(verb, detail, source, verb)
            if dest is None:
                return None
            if dest == source:
                self.notify(
                    "The destination is the source; nothing to do.",
                    markup=False,
                    severity="warning",
                )
                return None
            return [(source, dest)]
        if len(targets) == 1:
            prefix = targets[0].name
            count, size = await self._io(
                lambda: ops.count_prefix(self.client, prefix), f"count {self._uri(prefix)}"
            )
            if count == 0:
                self.notify("The prefix holds no objects.", markup=False, severity="warning")
                return None
            detail = Text(
                f"{verb} {count:,} object{'s' if count != 1 else ''} ({render.human_size(size)}) under "
            )
            detail.append_text(render.safe(self._uri(prefix), "bold"))
            detail.append(" recursively, to the prefix:")
            dest = await self._prompt(verb, detail, prefix, verb)
            if dest is None:
                return None
            dest = dest if dest.endswith("/") else dest + "/"
            if dest == prefix:
                self.notify(
                    "The destination is the source; nothing to do.",
                    markup=False,
                    severity="warning",
                )
                return None
            names = await self._io(
                lambda: [o.name for o in ops.list_recursive(self.client, prefix)],
                f"list {self._uri(prefix)}",
            )
            return ops.rename_under(names, prefix, dest)
        names = [t.name for t in targets if t.kind == "object"]
        detail = Text(f"{verb} {len(names):,} marked objects into the prefix:")
        detail.append_text(self._names_text(names, 4))
        dest = await self._prompt(
            verb, detail, self._current_prefix(), verb, placeholder="prefix/ (empty: bucket root)"
        )
        if dest is None:
            return None
        dest = "" if dest in ("/", ".") else (dest if dest.endswith("/") else dest + "/")
        pairs = [(n, dest + n.rpartition("/")[2]) for n in names]
        return [(s, d) for s, d in pairs if s != d]

    @staticmethod
    def _parent_prefix(name: str) -> str:
        stripped = name[:-1] if name.endswith("/") else name
        return stripped.rpartition("/")[0] + "/" if "/" in stripped else ""

    @work(group="flow", exit_on_error=False)
    async def action_copy(self) -> None:
        await self._copy_or_move("copy")

    @work(group="flow", exit_on_error=False)
    async def action_move(self) -> None:
        await self._copy_or_move("move")

    async def _copy_or_move(self, action: str) -> None:
        if not self._allowed(action):
            return
        targets = self._targets()
        if not targets:
            return
        verb = "Copy" if action == "copy" else "Move"
        pairs = await self._pairs_for(verb, targets)
        if not pairs:
            return
        dests = [d for _, d in pairs]
        existing = await self._io(
            lambda: ops.existing_names(self.client, dests), "check the destination"
        )
        answer = await self._confirm_overwrite(existing, len(pairs))
        if answer == "cancel":
            return
        if answer == "skip":
            skip = set(existing)
            pairs = [(source, dest) for source, dest in pairs if dest not in skip]
            if not pairs:
                return
        run = ops.copy_pairs if action == "copy" else ops.move_pairs
        label = f"{action} {pairs[0][0]}" + (f" (+{len(pairs) - 1})" if len(pairs) > 1 else "")
        count = await self._transfer(
            label, len(pairs), "objects", lambda p: run(self.client, pairs, p)
        )
        past = "Copied" if action == "copy" else "Moved"
        self.notify(
            render.clean(f"{past} {count:,} object{'s' if count != 1 else ''}"), markup=False
        )
        self._clear_marks()
        changed = {self._parent_prefix(d) for _, d in pairs}
        if action == "move":
            changed |= {self._parent_prefix(s) for s, _ in pairs}
        self.refresh_prefixes(
            sorted(changed), focus=pairs[0][1] if action == "move" and len(pairs) == 1 else None
        )

    @work(group="flow", exit_on_error=False)
    async def action_delete(self) -> None:
        if not self._allowed("delete"):
            return
        targets = self._targets()
        if not targets:
            return
        if len(targets) == 1 and targets[0].kind == "object":
            names = [targets[0].name]
            question = Text("Delete ")
            question.append_text(render.safe(self._uri(names[0]), "bold"))
            question.append("?\nThis cannot be undone.")
            if not await self._ask(ConfirmScreen("Delete object", question, yes="Delete")):
                return
        elif len(targets) == 1:
            prefix = targets[0].name
            count, size = await self._io(
                lambda: ops.count_prefix(self.client, prefix), f"count {self._uri(prefix)}"
            )
            if count == 0:
                self.notify("The prefix holds no objects.", markup=False, severity="warning")
                return
            question = Text(
                f"Delete {count:,} object{'s' if count != 1 else ''} ({render.human_size(size)}) under "
            )
            question.append_text(render.safe(self._uri(prefix), "bold"))
            question.append("?\nThis cannot be undone. Type the prefix ")
            question.append_text(render.safe(prefix, "bold #e0af68"))
            question.append(" to confirm.")
            if not await self._ask(TypeToConfirmScreen("Delete prefix", question, prefix)):
                return
            names = await self._io(
                lambda: [o.name for o in ops.list_recursive(self.client, prefix)],
                f"list {self._uri(prefix)}",
            )
        else:
            names = [t.name for t in targets if t.kind == "object"]
            question = Text(f"Delete {len(names):,} marked objects? This cannot be undone.")
            question.append_text(self._names_text(names))
            if not await self._ask(ConfirmScreen("Delete objects", question, yes="Delete")):
                return
        label = f"delete {names[0]}" + (f" (+{len(names) - 1})" if len(names) > 1 else "")
        count = await self._transfer(
            label, len(names), "objects", lambda p: ops.delete_names(self.client, names, p)
        )
        self._clear_marks()
        self.notify(
            render.clean(f"Deleted {count:,} object{'s' if count != 1 else ''}"), markup=False
        )
        parents = {self._parent_prefix(n) for n in names}
        if len(targets) == 1 and targets[0].kind == "prefix":
            parents = {self._parent_prefix(targets[0].name)}
        self.refresh_prefixes(sorted(parents))

    @work(group="flow", exit_on_error=False)
    async def action_download(self) -> None:
        targets = self._targets()
        if not targets:
            return
        if len(targets) == 1 and targets[0].kind == "object":
            obj = targets[0].obj or Object(targets[0].name)
            default = self.local_dir / obj.name.rpartition("/")[2]
            detail = Text("Download ")
            detail.append_text(render.safe(self._uri(obj.name), "bold"))
            detail.append(" to the local file:")
            answer = await self._prompt("Download", detail, str(default), "Download")
            if answer is None:
                return
            path = Path(answer).expanduser()
            if not path.is_absolute():
                path = self.local_dir / path
            if path.is_dir():
                path = path / obj.name.rpartition("/")[2]
            plan = await self._io(
                lambda: ops.plan_download(self.client, [obj], path, lambda n: n, single_file=True),
                "download",
            )
        else:
            if len(targets) == 1:
                prefix = targets[0].name
                objects = await self._io(
                    lambda: ops.list_recursive(self.client, prefix), f"list {self._uri(prefix)}"
                )
                default = self.local_dir / (prefix.rstrip("/").rpartition("/")[2] or self.bucket)
                detail = Text(f"Download {len(objects):,} objects under ")
                detail.append_text(render.safe(self._uri(prefix), "bold"))
                detail.append(" into the local folder:")

                def relative(name: str, prefix: str = prefix) -> str:
                    return name[len(prefix) :]
            else:
                objects = [t.obj or Object(t.name) for t in targets if t.kind == "object"]
                default = self.local_dir
                detail = Text(f"Download {len(objects):,} marked objects into the local folder:")

                def relative(name: str, prefix: str = "") -> str:
                    return name.rpartition("/")[2]

            if not objects:
                self.notify("Nothing to download.", markup=False, severity="warning")
                return
            answer = await self._prompt("Download", detail, str(default), "Download")
            if answer is None:
                return
            root = Path(answer).expanduser()
            if not root.is_absolute():
                root = self.local_dir / root
            plan = await self._io(
                lambda: ops.plan_download(self.client, objects, root, relative, single_file=False),
                "download",
            )
        if plan.skipped:
            self.notify(
                render.clean(
                    f"Skipping {len(plan.skipped):,} object(s) whose names would write outside the folder: "
                    + ", ".join(plan.skipped[:3]),
                    limit=300,
                ),
                markup=False,
                severity="warning",
                timeout=10,
            )
        if plan.existing:
            question = Text(f"{_count(len(plan.existing), 'local file')} would be replaced:")
            for existing in plan.existing[:6]:
                question.append("\n  ")
                question.append_text(render.safe(str(existing)))
            if len(plan.existing) > 6:
                question.append(f"\n  … and {len(plan.existing) - 6:,} more", "dim")
            screen = OverwriteScreen(
                "Replace local files?", question, allow_skip=len(plan.items) > len(plan.existing)
            )
            answer = await self.push_screen_wait(screen)
            if answer == "cancel":
                return
            if answer == "skip":
                plan = plan.without_existing()
        if not plan.items:
            return
        label = f"download {plan.items[0][0]}" + (
            f" (+{len(plan.items) - 1})" if len(plan.items) > 1 else ""
        )
        count = await self._transfer(
            label, plan.total_bytes, "bytes", lambda p: ops.download_items(self.client, plan, p)
        )
        self._clear_marks()
        where = plan.items[0][1] if len(plan.items) == 1 else plan.items[0][1].parent
        self.notify(
            render.clean(f"Downloaded {count:,} object{'s' if count != 1 else ''} to {where}"),
            markup=False,
        )

    @work(group="flow", exit_on_error=False)
    async def action_edit(self) -> None:
        if not self._allowed("edit"):
            return
        entry = self._cursor_entry()
        if entry is None or entry.kind != "object":
            return
        name = entry.name
        current = await self._io(lambda: self.client.stat(name), f"edit {self._uri(name)}")
        if (current.size or 0) > EDIT_MAX_BYTES:
            self.notify(
                f"Too large to edit here ({render.human_size(current.size)}); download it with s.",
                markup=False,
                severity="warning",
            )
            return
        workdir = Path(tempfile.mkdtemp(prefix="satchel-edit-"))
        local = workdir / (name.rpartition("/")[2] or "object")
        await self._io(
            lambda: self.client.download_to_filename(name, str(local)), f"edit {self._uri(name)}"
        )
        before = local.read_bytes()
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        argv = [*shlex.split(editor), str(local)]

        def run_editor() -> int | OSError:
            # Errors are returned, not raised: raising inside App.suspend() would leave the
            # terminal suspended.
            try:
                return subprocess.run(argv, check=False).returncode
            except OSError as exc:
                return exc

        if self.is_headless:
            code = await self._io(run_editor, "editor")
        else:
            with self.suspend():
                code = run_editor()
        if isinstance(code, OSError):
            self.report_error(code, f"editor {editor} (set $EDITOR)")
            return
        if code != 0:
            self.notify(
                render.clean(
                    f"The editor exited with status {code}; nothing uploaded. Your copy: {local}"
                ),
                markup=False,
                severity="warning",
                timeout=10,
            )
            return
        if local.read_bytes() == before:
            self.notify("No changes; nothing uploaded.", markup=False)
            local.unlink(missing_ok=True)
            workdir.rmdir()
            return
        try:
            await self._io(
                lambda: self.client.upload_from_filename(
                    name,
                    str(local),
                    content_type=current.content_type,
                    if_generation_match=current.generation,
                ),
                f"upload {self._uri(name)}",
                expect=(PreconditionFailedError,),
            )
        except PreconditionFailedError:
            self.notify(
                render.clean(
                    f"{self._uri(name)} changed while you were editing it, so it was not overwritten. "
                    f"Your version is kept at {local}"
                ),
                title="Edit conflict",
                markup=False,
                severity="error",
                timeout=20,
            )
            return
        local.unlink(missing_ok=True)
        workdir.rmdir()
        self.notify(render.clean(f"Saved {self._uri(name)}"), markup=False)
        self.refresh_prefixes([self._parent_prefix(name)])

    @work(group="flow", exit_on_error=False)
    async def action_search(self) -> None:
        pattern = await self._prompt(
            "Search the bucket",
            Text("A glob over whole object names: * stays within a /, ** crosses them.", "dim"),
            self._search or "**",
            "Search",
            placeholder="**/*.json",
            select_all=True,
        )
        if pattern is None:
            return
        self._search = pattern
        self.bucket_tree.flat = True
        self.bucket_tree.marked.clear()
        self._reset_tree()

    @work(group="flow", exit_on_error=False)
    async def action_goto(self) -> None:
        entry = self._cursor_entry()
        target = await self._prompt(
            "Go to prefix or key",
            Text("An object name or a prefix, e.g. logs/2024/ or data/report.json", "dim"),
            entry.name if entry is not None and entry.kind in ("object", "prefix") else "",
            "Go",
            select_all=True,
        )
        if target is None:
            return
        target = target.removeprefix(f"gs://{self.bucket}/").lstrip("/")
        if self._search is not None:
            self.action_exit_search()
            root_entry = self.bucket_tree.root.data
            if root_entry is not None:  # the new listing puts the cursor there
                root_entry.restore_cursor, root_entry.announce = target, True
            return
        self._reveal_from(self.bucket_tree.root, target, announce=True)
