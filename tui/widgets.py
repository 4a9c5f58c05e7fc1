"""The browser's widgets. They render what the app hands them and post messages up; none of
them talks to storage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Literal

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Label, ProgressBar, Static, Tree
from textual.widgets.tree import TreeNode

from storage import Object

from . import render

Kind = Literal["root", "prefix", "object", "more", "loading", "error"]


@dataclass(eq=False)
class Entry:
    """What a tree node stands for. ``name`` is the full prefix (ending in ``/``) or object
    name; the root's is ``""``."""

    kind: Kind
    name: str
    obj: Object | None = None
    token: str | None = None  # the "load more" node's page token
    loaded: bool = False  # a prefix whose first page arrived
    seq: int = 0  # bumped on every (re)load, so stale pages are dropped
    #: Children to re-expand and the name to put the cursor on after a refresh.
    reexpand: set[str] = field(default_factory=set)
    restore_cursor: str | None = None
    announce: bool = False  # say so when restore_cursor is not found (go to)

    @property
    def is_container(self) -> bool:
        return self.kind in ("root", "prefix")

    @property
    def basename(self) -> str:
        stripped = self.name[:-1] if self.name.endswith("/") else self.name
        tail = stripped.rsplit("/", 1)[-1]
        return tail + ("/" if self.kind == "prefix" else "")


def entry_label(entry: Entry, marked: bool = False, flat: bool = False) -> Text:
    """A node's label, built from safe Text (names are never parsed as markup)."""
    label = Text(no_wrap=True, end="")
    if entry.kind in ("object",):
        label.append("✓ " if marked else "  ", "bold green" if marked else "")
    if entry.kind == "prefix":
        label.append_text(render.safe(entry.basename, "bold #7aa2f7"))
    elif entry.kind == "object":
        label.append_text(render.safe(entry.name if flat else entry.basename))
        if entry.obj is not None and entry.obj.size is not None:
            label.append(f"  {render.human_size(entry.obj.size)}", "dim")
    elif entry.kind in ("more", "loading"):
        label.append(entry.name, "italic dim")
    elif entry.kind == "error":
        label.append_text(render.safe(entry.name, "italic red"))
    return label


class BucketTree(Tree[Entry], inherit_bindings=False):
    """The bucket's prefixes and objects, one level listed per expand, with vi keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="nav.up", tooltip="Move up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="nav.down", tooltip="Move down"),
        Binding(
            "left,h",
            "collapse_or_parent",
            "Parent",
            show=False,
            id="nav.parent",
            tooltip="Collapse the prefix, or go to its parent",
        ),
        Binding(
            "right,l",
            "expand_or_child",
            "Expand",
            show=False,
            id="nav.expand",
            tooltip="Expand the prefix, or go to its first child",
        ),
        Binding(
            "enter",
            "select_cursor",
            "Open",
            show=False,
            id="nav.open",
            tooltip="Expand a prefix or open an object's preview",
        ),
        Binding("g,home", "scroll_home", "Top", show=False, id="nav.top", tooltip="Go to the top"),
        Binding(
            "G,end", "scroll_end", "Bottom", show=False, id="nav.bottom", tooltip="Go to the bottom"
        ),
        Binding("pageup", "page_up", "Page up", show=False, id="nav.page_up", tooltip="Up a page"),
        Binding(
            "pagedown",
            "page_down",
            "Page down",
            show=False,
            id="nav.page_down",
            tooltip="Down a page",
        ),
        Binding(
            "space",
            "toggle_mark",
            "Mark",
            key_display="␣",
            id="nav.mark",
            tooltip="Mark or unmark the object for a bulk delete, copy or download",
        ),
    ]

    class MarkToggled(Message):
        """The user marked or unmarked the node under the cursor."""

        def __init__(self, node: TreeNode[Entry]) -> None:
            super().__init__()
            self.node = node

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text(""), Entry("root", ""), id=id)
        self.guide_depth = 2
        self.marked: dict[str, Entry] = {}
        self.flat = False  # showing search results

    def relabel(self, node: TreeNode[Entry]) -> None:
        entry = node.data
        if entry is not None and entry.kind != "root":
            node.set_label(entry_label(entry, entry.name in self.marked, self.flat))

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded and not node.is_root:
            node.collapse()
        elif node.parent is not None:
            self.move_cursor(node.parent)

    def action_expand_or_child(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and not node.is_expanded:
            node.expand()
        elif node.is_expanded and node.children:
            self.move_cursor(node.children[0])

    def action_toggle_mark(self) -> None:
        node = self.cursor_node
        if node is not None and node.data is not None and node.data.kind == "object":
            self.post_message(self.MarkToggled(node))
            self.action_cursor_down()


class TitleBar(Static):
    """One line: the product, the backend, the bucket and a read-only badge."""

    def show(self, backend: str | None, bucket: str | None, read_only: bool) -> None:
        text = Text(no_wrap=True, end="")
        text.append(" Satchel ", "bold reverse")
        text.append("  ")
        if backend is None:
            text.append("connecting…", "dim")
        else:
            text.append_text(render.safe(backend, "bold"))
            text.append("  ")
            text.append_text(render.safe(f"gs://{bucket}", "bold #7aa2f7"))
        if read_only:
            text.append("  ")
            text.append(" READ-ONLY ", "bold black on #e0af68")
        self.update(text)


class MetadataPanel(Static):
    """Size, type, times, checksums, generation and URI of the highlighted object."""

    def __init__(
        self, *, format_time: Callable[[datetime | None], str], id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.format_time = format_time

    def show_object(self, bucket: str, obj: Object) -> None:
        table = Table.grid(padding=(0, 1))
        table.add_column(style="dim", no_wrap=True)
        table.add_column(overflow="fold")
        size = obj.size
        size_text = "?" if size is None else f"{render.human_size(size)} ({size:,} bytes)"
        table.add_row("URI", render.safe(f"gs://{bucket}/{obj.name}"))
        table.add_row("Size", size_text)
        table.add_row("Type", render.safe(obj.content_type or "?"))
        table.add_row("Updated", self.format_time(obj.updated))
        table.add_row("MD5", render.safe(obj.md5_hash or "-"))
        table.add_row("CRC32C", render.safe(obj.crc32c or "-"))
        table.add_row("Generation", str(obj.generation) if obj.generation is not None else "-")
        self.update(table)

    def show_prefix(self, bucket: str, prefix: str) -> None:
        table = Table.grid(padding=(0, 1))
        table.add_column(style="dim", no_wrap=True)
        table.add_column(overflow="fold")
        table.add_row("URI", render.safe(f"gs://{bucket}/{prefix}"))
        table.add_row("Kind", "prefix" if prefix else "bucket root")
        self.update(table)

    def clear(self) -> None:
        self.update("")


class PreviewScroll(VerticalScroll):
    """The preview's content, scrollable both ways with the vi keys too."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "up,k",
            "scroll_up",
            "Scroll up",
            show=False,
            id="preview.up",
            tooltip="Scroll the preview up",
        ),
        Binding(
            "down,j",
            "scroll_down",
            "Scroll down",
            show=False,
            id="preview.down",
            tooltip="Scroll the preview down",
        ),
        Binding(
            "left,h",
            "scroll_left",
            "Scroll left",
            show=False,
            id="preview.left",
            tooltip="Scroll the preview left",
        ),
        Binding(
            "right,l",
            "scroll_right",
            "Scroll right",
            show=False,
            id="preview.right",
            tooltip="Scroll the preview right",
        ),
        Binding(
            "g,home",
            "scroll_home",
            "Top",
            show=False,
            id="preview.top",
            tooltip="The start of the preview",
        ),
        Binding(
            "G,end",
            "scroll_end",
            "Bottom",
            show=False,
            id="preview.bottom",
            tooltip="The end of the preview",
        ),
        Binding(
            "escape",
            "app.switch_pane",
            "Back to the tree",
            id="preview.back",
            tooltip="Return to the tree",
        ),
    ]


class PreviewPane(Vertical):
    """The preview: a banner line (large or binary objects) above the scrollable content."""

    def compose(self) -> ComposeResult:
        yield Static(id="preview-banner")
        with PreviewScroll(id="preview-scroll"):
            yield Static(id="preview-body")

    def focus_content(self) -> None:
        self.query_one(PreviewScroll).focus()

    def show(
        self, body: RenderableType, banner: Text | None = None, *, at_end: bool = False
    ) -> None:
        banner_widget = self.query_one("#preview-banner", Static)
        banner_widget.update(banner or "")
        banner_widget.display = banner is not None
        self.query_one("#preview-body", Static).update(body)
        scroll = self.query_one(PreviewScroll)
        if at_end:  # the tail of a large object: show its last lines
            self.call_after_refresh(scroll.scroll_end, animate=False)
        else:
            scroll.scroll_home(animate=False)


class TransferRow(Horizontal):
    """One running transfer: what, how far, and how to cancel it."""

    def __init__(self, transfer_id: int, label: str, total: int, unit: str) -> None:
        super().__init__(id=f"transfer-{transfer_id}", classes="transfer")
        self.transfer_id = transfer_id
        self.label_text = label
        self.total = total
        self.unit = unit

    def compose(self) -> ComposeResult:
        yield Label(render.safe(self.label_text), classes="transfer-label")
        yield ProgressBar(total=max(self.total, 1), show_eta=False, classes="transfer-bar")
        yield Label(self._amount(0), classes="transfer-amount")

    def _amount(self, done: int) -> Text:
        if self.unit == "bytes":
            return Text(f"{render.human_size(done)} / {render.human_size(self.total)}")
        return Text(f"{done:,} / {self.total:,}")

    def advance_to(self, done: int) -> None:
        self.query_one(ProgressBar).update(progress=done)
        self.query_one(".transfer-amount", Label).update(self._amount(done))


class StatusLine(Static):
    """The path under the cursor, what is loaded, marks and running transfers."""

    def show(self, path: str, loaded: str, marked: int, transfers: int, mode: str = "") -> None:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if mode:
            text.append(f" {mode} ", "bold black on #9ece6a")
            text.append(" ")
        text.append_text(render.safe(path, "bold"))
        if loaded:
            text.append(f"   {loaded}", "dim")
        if marked:
            text.append(f"   {marked} marked", "bold green")
        if transfers:
            text.append(
                f"   {transfers} transfer{'s' if transfers != 1 else ''} running (x cancels)",
                "bold yellow",
            )
        self.update(text)
