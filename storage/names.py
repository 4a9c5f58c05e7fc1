"""Object names: what we refuse before any request, and GCS's ``match_glob`` semantics."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["InvalidObjectNameError", "compile_glob", "glob_matches", "validate_name"]

MAX_NAME_BYTES = 1024
MAX_SEGMENT_BYTES = 255


class InvalidObjectNameError(ValueError):
    """An object name that GCS (or the local server's filesystem) cannot store safely."""


def _is_control(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F


def validate_name(name: object, *, filesystem: bool = False) -> str:
    """Return ``name`` if it is a storable object name, else raise InvalidObjectNameError.

    Real GCS rejects empty names, names over 1024 bytes of UTF-8, names with CR or LF, and
    the names ``.`` and ``..``. We also refuse every control character and every ``.``/``..``
    segment: a ``..`` segment makes the local server write outside its data directory, and
    makes any naive downloader write outside its target.

    With ``filesystem=True`` (the embedded local server stores names as file paths) we also
    refuse what that backend would mangle: ``//``, a leading ``/``, a trailing ``/``, and a
    segment over 255 bytes.
    """
    if not isinstance(name, str):
        raise TypeError(f"object name must be str, not {type(name).__name__}")
    if not name:
        raise InvalidObjectNameError("object name must not be empty")
    size = len(name.encode("utf-8", "surrogatepass"))
    if size > MAX_NAME_BYTES:
        raise InvalidObjectNameError(
            f"object name is {size} bytes of UTF-8; the limit is {MAX_NAME_BYTES}"
        )
    for index, ch in enumerate(name):
        if _is_control(ch):
            raise InvalidObjectNameError(
                f"object name contains control character {ch!r} at position {index}"
            )
        if 0xD800 <= ord(ch) <= 0xDFFF:
            raise InvalidObjectNameError(
                f"object name contains a lone surrogate at position {index}; it is not UTF-8"
            )
    segments = name.split("/")
    if any(segment in (".", "..") for segment in segments):
        raise InvalidObjectNameError(
            f"object name {name!r} has a '.' or '..' segment, which could escape a directory"
        )
    if filesystem:
        if name.startswith("/"):
            raise InvalidObjectNameError(
                f"object name {name!r} starts with '/', which the local server cannot store"
            )
        if name.endswith("/"):
            raise InvalidObjectNameError(
                f"object name {name!r} ends with '/', which the local server cannot serve back"
            )
        if "//" in name:
            raise InvalidObjectNameError(
                f"object name {name!r} contains '//', which the local server cannot store"
            )
        for segment in segments:
            if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
                raise InvalidObjectNameError(
                    f"object name has a path segment over {MAX_SEGMENT_BYTES} bytes, "
                    "which the local server cannot store"
                )
    return name


def _translate(pattern: str) -> str:
    """Translate a GCS match_glob pattern into a regular expression.

    GCS: ``*`` matches within a segment, ``**`` across segments (``**/`` also matches zero
    segments), ``?`` one character other than ``/``, ``[abc]``/``[a-z]``/``[!a]`` a class,
    ``{a,b}`` alternatives. A backslash escapes the next character.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    depth = 0  # inside {...}
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if ch == "*":
            if pattern.startswith("**", i):
                i += 2
                if pattern.startswith("/", i):
                    out.append("(?:.*/)?")
                    i += 1
                else:
                    out.append(".*")
            else:
                out.append("[^/]*")
                i += 1
            continue
        if ch == "?":
            out.append("[^/]")
        elif ch == "[":
            # A ']' right after '[' (or '[!') is a member, as in fnmatch: '[]a]', '[!]]'.
            first = i + 2 if pattern.startswith(("[!", "[^"), i) else i + 1
            end = pattern.find("]", first + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1 : end]
                negate = body[:1] in ("!", "^")
                if negate:
                    body = body[1:]
                body = (
                    body.replace("\\", "\\\\")
                    .replace("^", "\\^")
                    .replace("[", "\\[")
                    .replace("]", "\\]")
                )
                out.append(f"[{'^' if negate else ''}{body}]")
                i = end + 1
                continue
        elif ch == "{":
            depth += 1
            out.append("(?:")
        elif ch == "}" and depth:
            depth -= 1
            out.append(")")
        elif ch == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(ch))
        i += 1
    if depth:
        raise ValueError(f"match_glob {pattern!r} has an unclosed '{{'")
    return "".join(out)


@lru_cache(maxsize=64)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """The compiled pattern; a malformed one raises ValueError."""
    try:
        return re.compile(_translate(pattern), re.DOTALL)
    except re.error as exc:
        raise ValueError(f"match_glob {pattern!r} is not a valid pattern: {exc}") from exc


def glob_matches(pattern: str, name: str) -> bool:
    """True when ``name`` matches the GCS ``match_glob`` ``pattern`` as a whole."""
    return compile_glob(pattern).fullmatch(name) is not None
