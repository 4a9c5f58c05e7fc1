"""Untrusted strings (object names, contents, error texts) turned into safe renderables.

Everything a bucket gives us goes through this module before it reaches the screen:

* it is never parsed as Rich or Textual markup (we build ``rich.text.Text`` objects, and every
  plain string we hand to Textual is passed with ``markup=False``);
* control characters (ESC, BEL, CR, the C1 range, DEL) and bidirectional overrides are replaced
  by visible escapes such as ``\\x1b``, so nothing from a bucket can drive the terminal.

Nothing here does I/O; the heavier functions (highlighting, hex dumps) are pure and are called
from the preview worker thread.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from rich.style import Style
from rich.text import Span, Text

__all__ = [
    "ESCAPE_STYLE",
    "clean",
    "hexdump",
    "highlight",
    "human_size",
    "is_probably_binary",
    "lexer_for",
    "safe",
    "utc",
]

#: How a replaced control character looks: visibly not part of the name.
ESCAPE_STYLE = Style(color="red", bold=True)

# C0 controls, DEL, C1 controls, and the Unicode bidi controls that reorder what follows them.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# The same, but tab and newline are layout in file contents, not hostile.
_UNSAFE_IN_CONTENT = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def clean(value: object, limit: int | None = None) -> str:
    """A plain string with every control character shown as a visible escape.

    For places that take ``str`` (notifications with ``markup=False``, titles, the clipboard
    confirmation). Long values are cut to ``limit`` characters with an ellipsis.
    """
    text = _UNSAFE.sub(lambda m: _escape(m.group()), str(value))
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return text


def safe(value: str, style: str | Style = "", *, content: bool = False) -> Text:
    """A ``Text`` showing ``value`` literally: no markup, control characters as red escapes.

    With ``content=True`` tabs and newlines are kept (file contents); otherwise they are
    escaped too (names, single-line labels).
    """
    pattern = _UNSAFE_IN_CONTENT if content else _UNSAFE
    text = Text(style=style, no_wrap=not content, end="")
    position = 0
    for match in pattern.finditer(value):
        if match.start() > position:
            text.append(value[position : match.start()])
        text.append(_escape(match.group()), ESCAPE_STYLE)
        position = match.end()
    text.append(value[position:])
    if content:
        text.expand_tabs(4)
        text.no_wrap = True
    return text


_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def human_size(size: int | None) -> str:
    """``3.2 GiB``; bytes below 1 KiB are exact (``512 B``)."""
    if size is None:
        return "?"
    value = float(size)
    for unit in _UNITS:
        if value < 1024 or unit == _UNITS[-1]:
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f}".removesuffix(".0") + f" {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def utc(moment: datetime | None) -> str:
    """``2026-01-02 03:04:05 UTC`` (the default time format of the metadata panel)."""
    if moment is None:
        return "?"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def hexdump_width(per_line: int) -> int:
    """How many columns a hexdump line of ``per_line`` bytes takes."""
    return 10 + per_line * 3 + (1 if per_line > 8 else 0) + per_line + 2


def hexdump(data: bytes, offset: int = 0, per_line: int = 16) -> Text:
    """``offset  hex bytes  |ascii|`` lines, ``per_line`` bytes each (16, or 8 for a narrow
    pane), non-printables as dots."""
    text = Text(no_wrap=True, end="")
    hex_width = per_line * 3 - 1 + (1 if per_line > 8 else 0)
    for start in range(0, len(data), per_line):
        chunk = data[start : start + per_line]
        hex_part = " ".join(f"{b:02x}" for b in chunk[:8])
        if len(chunk) > 8:
            hex_part += "  " + " ".join(f"{b:02x}" for b in chunk[8:])
        ascii_part = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        text.append(f"{offset + start:08x}  ", "dim")
        text.append(f"{hex_part:<{hex_width}}")
        text.append(f" |{ascii_part}|\n", "cyan")
    return text


_TEXT_TYPES = re.compile(
    r"^(text/|application/(json|xml|javascript|x-javascript|ecmascript|x-yaml|yaml|toml|"
    r"x-sh|x-shellscript|sql|graphql|ld\+json|x-ndjson|csv|x-python|x-toml)|.*\+(json|xml)\b)",
    re.IGNORECASE,
)


def is_textual_type(content_type: str | None) -> bool:
    return bool(content_type and _TEXT_TYPES.match(content_type.strip()))


def is_probably_binary(data: bytes) -> bool:
    """NUL bytes, undecodable UTF-8, or many control characters in the head."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    try:
        decoded = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is not evidence of binary.
        if exc.start < len(head) - 4:
            return True
        decoded = head[: exc.start].decode("utf-8", "replace")
    if not decoded:
        return False
    controls = sum(1 for ch in decoded if ord(ch) < 0x20 and ch not in "\t\n\r\f")
    return controls / len(decoded) > 0.1


def lexer_for(name: str, content_type: str | None, code: str) -> str | None:
    """A Pygments lexer name from the object's extension, else its content type."""
    from pygments.lexers import (  # type: ignore[import-untyped]
        get_lexer_for_filename,
        get_lexer_for_mimetype,
    )
    from pygments.util import ClassNotFound  # type: ignore[import-untyped]

    basename = name.rsplit("/", 1)[-1]
    try:
        lexer = get_lexer_for_filename(basename, code=code[:4096])
        return str(lexer.aliases[0]) if lexer.aliases else str(lexer.name)
    except ClassNotFound:
        pass
    if content_type:
        mime = content_type.split(";", 1)[0].strip()
        if mime and mime != "text/plain":
            try:
                lexer = get_lexer_for_mimetype(mime)
                return str(lexer.aliases[0]) if lexer.aliases else str(lexer.name)
            except ClassNotFound:
                pass
    return None


def pretty_json(code: str) -> str | None:
    """The JSON document re-indented, or None if it is not one JSON value."""
    try:
        value = json.loads(code)
    except ValueError:
        return None
    return json.dumps(value, indent=2, ensure_ascii=False)


def highlight(code: str, lexer: str | None, theme: str = "monokai") -> Text:
    """Syntax-highlighted, control-safe text. Only colours and bold/italic are kept (no
    background), so it sits on the pane's own background."""
    from rich.syntax import Syntax

    if lexer is None:
        return safe(code, content=True)
    visible = _UNSAFE_IN_CONTENT.sub(lambda m: _escape(m.group()), code).expandtabs(4)
    highlighted = Syntax(visible, lexer, theme=theme).highlight(visible)
    spans = []
    for span in highlighted.spans:
        style = span.style
        if isinstance(style, Style):
            style = Style(color=style.color, bold=style.bold, italic=style.italic)
        spans.append(Span(span.start, span.end, style))
    result = Text(highlighted.plain, no_wrap=True, end="")
    result.spans = spans
    return result
