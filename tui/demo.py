"""`satchel demo`: a realistic tree that shows every feature of the browser and the CLI.

Deterministic (no randomness, no clock), so it can be seeded again and gives the same bucket.
Free of Textual: it only uses ``storage.Client``.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

from storage import Client

__all__ = ["MANY_COUNT", "demo_objects", "seed"]

#: Objects under ``logs/2026/`` (a prefix with a few thousand children).
MANY_COUNT = 2500
LARGE_SIZE = 6 * 1024 * 1024

README = """# Welcome to Satchel

This bucket was made by `satchel demo`. Try:

- `enter`/`l` to open a prefix, `h` to go back up, `j`/`k` to move
- `/` to search with a glob such as `**/*.json`
- `u` upload, `c` copy, `m` move, `d` delete, `s` download, `e` edit
- `?` for every key
"""

CODE = '''"""A tiny example module."""

from dataclasses import dataclass


@dataclass
class Point:
    x: float
    y: float

    def norm(self) -> float:
        return (self.x**2 + self.y**2) ** 0.5


if __name__ == "__main__":
    print(Point(3, 4).norm())
'''

CSV = "date,region,units,revenue\n" + "".join(
    f"2026-{1 + i % 12:02d}-{1 + i % 28:02d},{['north', 'south', 'east', 'west'][i % 4]},{10 + i * 7 % 90},{(10 + i * 7 % 90) * 12.5:.2f}\n"
    for i in range(200)
)


def _png(width: int = 64, height: int = 64) -> bytes:
    """A valid RGB PNG (a gradient), written by hand: no imaging library needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 4, y * 4, 128)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _pseudo_random(size: int) -> bytes:
    """Deterministic incompressible bytes (SHA-256 in counter mode)."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(counter.to_bytes(8, "big")).digest() * 64
        counter += 1
    return bytes(out[:size])


def demo_objects() -> Iterator[tuple[str, bytes, str]]:
    """(name, data, content type) for every demo object."""
    yield "README.md", README.encode(), "text/markdown; charset=utf-8"
    yield "docs/guide/getting-started.md", README.encode() * 3, "text/markdown; charset=utf-8"
    yield "docs/guide/advanced/tuning.md", b"# Tuning\n\nNothing to tune yet.\n", "text/markdown"
    yield "docs/notes.txt", b"Plain text notes.\nLine two.\n", "text/plain; charset=utf-8"
    config = {
        "name": "satchel-demo",
        "version": 1,
        "features": ["tree", "preview", "search"],
        "limits": {"preview_kib": 512, "page_size": 500},
        "enabled": True,
    }
    yield "config/settings.json", json.dumps(config).encode(), "application/json"
    yield "config/app.toml", b'[app]\nname = "demo"\nworkers = 4\n', "application/toml"
    yield "data/sales.csv", CSV.encode(), "text/csv"
    yield "data/large.bin", _pseudo_random(LARGE_SIZE), "application/octet-stream"
    yield "data/blob.bin", bytes(range(256)) * 16, "application/octet-stream"
    yield "src/point.py", CODE.encode(), "text/x-python"
    yield "src/app.js", b"export const greet = (name) => `hello ${name}`;\n", "text/javascript"
    yield "images/gradient.png", _png(), "image/png"
    yield "reports/Q1 [draft].md", b"# Q1 [draft]\n\nBrackets in the name.\n", "text/markdown"
    yield "reports/annual report 2026.txt", b"Spaces in the name.\n", "text/plain"
    yield "naïve/日本語.txt", "ユニコードの名前。\n".encode(), "text/plain; charset=utf-8"
    yield "naïve/emoji 🎒.txt", "A satchel: 🎒\n".encode(), "text/plain; charset=utf-8"
    yield "empty.txt", b"", "text/plain"
    for i in range(MANY_COUNT):
        line = f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z request {i} ok\n"
        yield f"logs/2026/event-{i:05d}.log", line.encode(), "text/plain"


def seed(client: Client, *, progress: Callable[[int, int], None] | None = None) -> int:
    """Write the demo tree into the client's bucket. Returns the number of objects written."""
    items = list(demo_objects())
    done = 0

    def put(item: tuple[str, bytes, str]) -> None:
        name, data, content_type = item
        client.upload_from_bytes(name, data, content_type=content_type)

    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in pool.map(put, items):
            done += 1
            if progress is not None:
                progress(done, len(items))
    return done
