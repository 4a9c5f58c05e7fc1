"""The preview pane's content: what to read of an object and how to show it.

Pure functions over a ``storage.Client`` that the app calls from its preview thread worker: text
up to a cap is read whole (``download_as_text``), larger objects by byte range (head, or tail),
binary data becomes a hex dump of its head. Everything is rendered here, off the event loop,
through :mod:`tui.render`, so control characters never reach the terminal.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text

from storage import Client, Object

from . import render

__all__ = ["HEX_HEAD", "MAX_PREVIEW_LINES", "PREVIEW_CAP", "render_preview"]

#: The most of an object the preview reads.
PREVIEW_CAP = 512 * 1024
#: How much of a binary object the hex dump shows.
HEX_HEAD = 4096
#: The most lines the preview renders (the rest is a key away: `e` or `s`).
MAX_PREVIEW_LINES = 2000


def render_preview(
    client: Client, obj: Object, tail: bool, hex_per_line: int = 16
) -> tuple[RenderableType, Text | None]:
    """What the preview pane shows for ``obj``, and its banner: read with as few bytes as the
    pane can show (a thread calls this; nothing here touches a widget)."""
    name = obj.name
    size = obj.size
    if size is None:
        size = client.stat(name).size or 0
    if size == 0:
        return Text("(empty object: 0 bytes)", "italic dim"), None
    whole = size <= PREVIEW_CAP
    if whole and not tail:
        textual = (
            render.is_textual_type(obj.content_type) or render.lexer_for(name, None, "") is not None
        )
        if not textual:
            head = client.read_range(name, 0, 8192)
            if render.is_probably_binary(head):
                return _hex(head[:HEX_HEAD], 0, size, hex_per_line)
        try:
            text = client.download_as_text(name)
        except UnicodeDecodeError:
            return _hex(client.read_range(name, 0, HEX_HEAD), 0, size, hex_per_line)
        if "\x00" in text[:8192]:
            return _hex(client.read_range(name, 0, HEX_HEAD), 0, size, hex_per_line)
        return _text(obj, text, complete=True), None
    start = max(size - PREVIEW_CAP, 0) if tail else 0
    data = client.read_range(name, start, start + PREVIEW_CAP)
    if render.is_probably_binary(data[:8192] if not tail else data[-8192:]):
        chunk = data[-HEX_HEAD:] if tail else data[:HEX_HEAD]
        return _hex(chunk, start + len(data) - len(chunk) if tail else 0, size, hex_per_line)
    decoded = data.decode("utf-8", "replace")
    if tail and start > 0:
        decoded = decoded.partition("\n")[2] or decoded  # drop the cut first line
    elif not tail and len(data) == PREVIEW_CAP:
        decoded = decoded.rpartition("\n")[0] or decoded  # and the cut last one
    where = "last" if tail else "first"
    banner = Text(
        f" showing the {where} {render.human_size(len(data))} of {render.human_size(size)}"
        f" · t: show the {'start' if tail else 'end'} ",
        "bold black on #e0af68",
    )
    return _text(obj, decoded, complete=False, tail=tail), banner


def _hex(
    data: bytes, offset: int, size: int, hex_per_line: int
) -> tuple[RenderableType, Text | None]:
    banner = None
    if size > len(data):
        where = "last" if offset else "first"
        banner = Text(
            f" binary: the {where} {render.human_size(len(data))} of {render.human_size(size)} as hex ",
            "bold black on #7dcfff",
        )
    return render.hexdump(data, offset, hex_per_line), banner


def _text(obj: Object, text: str, *, complete: bool, tail: bool = False) -> Text:
    lexer = render.lexer_for(obj.name, obj.content_type, text)
    if complete and (lexer == "json" or (obj.content_type or "").startswith("application/json")):
        pretty = render.pretty_json(text)
        if pretty is not None:
            text, lexer = pretty, "json"
    lines = text.removesuffix("\n").split("\n")
    hidden = len(lines) - MAX_PREVIEW_LINES
    if hidden > 0 and tail:
        result = Text(f"… {hidden:,} earlier lines not shown\n", "italic dim", end="")
        result.append_text(render.highlight("\n".join(lines[-MAX_PREVIEW_LINES:]), lexer))
        return result
    if hidden > 0:
        result = render.highlight("\n".join(lines[:MAX_PREVIEW_LINES]), lexer)
        result.append(f"\n… {hidden:,} more lines not shown (s downloads, e edits)", "italic dim")
        return result
    return render.highlight(text, lexer)
