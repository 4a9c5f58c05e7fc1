"""`satchel demo`'s tree: every kind of object the browser should show."""

from __future__ import annotations

import json
import zlib

import pytest

from storage import Client
from tui import demo


def test_demo_tree_has_every_feature(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "MANY_COUNT", 30)
    expected = list(demo.demo_objects())
    assert demo.seed(client) == len(expected)
    names = {o.name for o in client.list()}
    assert names == {name for name, _, _ in expected}
    assert client.download_as_text("README.md").startswith("# Welcome to Satchel")
    assert json.loads(client.download_as_text("config/settings.json"))["name"] == "satchel-demo"
    assert "naïve/日本語.txt" in names
    assert "reports/Q1 [draft].md" in names
    assert len([n for n in names if n.startswith("logs/2026/")]) == 30
    large = client.stat("data/large.bin")
    assert large.size is not None
    assert large.size >= 5 * 1024 * 1024
    png = client.download_as_bytes("images/gradient.png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    # The image data decompresses: it is a real PNG, not just a header.
    start = png.index(b"IDAT") + 4
    length = int.from_bytes(png[start - 8 : start - 4], "big")
    assert zlib.decompress(png[start : start + length])
    assert client.stat("empty.txt").size == 0
    assert client.stat("images/gradient.png").content_type == "image/png"


def test_demo_is_deterministic() -> None:
    first = [(n, hash(d)) for n, d, _ in demo.demo_objects()]
    second = [(n, hash(d)) for n, d, _ in demo.demo_objects()]
    assert first == second
    assert len({n for n, _ in first}) == len(first)
    assert len(first) > demo.MANY_COUNT
