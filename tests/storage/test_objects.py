"""Replit's ten methods and the extras against the real server: contents, types, listing,
globs, names."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Client, Object, errors
from storage.names import InvalidObjectNameError, glob_matches
from tests.faultproxy import FaultProxy


def names(objs: list[Object]) -> list[str]:
    return [o.name for o in objs]


# ---------------------------------------------------------------------- round trips
def test_bytes_round_trip_and_content_type(client: Client) -> None:
    data = bytes(range(256)) * 10
    assert client.upload_from_bytes("bin/data", data) is None
    assert client.download_as_bytes("bin/data") == data
    assert client.stat("bin/data").content_type == "application/octet-stream"


def test_upload_from_bytes_accepts_bytearray_and_memoryview(client: Client) -> None:
    client.upload_from_bytes("a", bytearray(b"xy"))
    client.upload_from_bytes("b", memoryview(b"zw"))
    assert client.download_as_bytes("a") == b"xy"
    assert client.download_as_bytes("b") == b"zw"


def test_upload_from_bytes_rejects_str(client: Client) -> None:
    with pytest.raises(TypeError):
        client.upload_from_bytes("a", "text")  # type: ignore[arg-type]


def test_text_round_trip_str_and_bytes(client: Client) -> None:
    assert client.upload_from_text("t.txt", "héllo ✓") is None
    assert client.download_as_text("t.txt") == "héllo ✓"
    assert client.stat("t.txt").content_type == "text/plain; charset=utf-8"
    client.upload_from_text("u.txt", "bytes ✓".encode())
    assert client.download_as_text("u.txt") == "bytes ✓"
    with pytest.raises(TypeError):
        client.upload_from_text("v.txt", 42)  # type: ignore[arg-type]


def test_download_as_text_uses_the_objects_charset(client: Client) -> None:
    client.upload_from_bytes(
        "latin.txt", "café ÿ".encode("latin-1"), content_type="text/plain; charset=latin-1"
    )
    assert client.download_as_text("latin.txt") == "café ÿ"
    client.upload_from_bytes("plain", "café".encode(), content_type="text/plain")
    assert client.download_as_text("plain") == "café"  # no charset: UTF-8
    client.upload_from_bytes(
        "quoted", "ü".encode("utf-16"), content_type='text/x; charset="UTF-16"'
    )
    assert client.download_as_text("quoted") == "ü"
    client.upload_from_bytes("bogus", "ü".encode(), content_type="text/plain; charset=no-such")
    assert client.download_as_text("bogus") == "ü"
    client.upload_from_bytes("bad", b"\xff\xfe\xfd")
    with pytest.raises(UnicodeDecodeError):
        client.download_as_text("bad")


def test_content_type_override(client: Client, tmp_path: Path) -> None:
    client.upload_from_bytes("x", b"{}", content_type="application/json")
    client.upload_from_text("y", "<b/>", content_type="text/html; charset=utf-8")
    src = tmp_path / "data.bin"
    src.write_bytes(b"z")
    client.upload_from_filename("z", str(src), content_type="image/png")
    assert client.stat("x").content_type == "application/json"
    assert client.stat("y").content_type == "text/html; charset=utf-8"
    assert client.stat("z").content_type == "image/png"


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("photo.png", "image/png"),
        ("page.html", "text/html"),
        ("data.json", "application/json"),
        ("blob.unknownext", "application/octet-stream"),
    ],
)
def test_upload_from_filename_guesses_the_type(
    client: Client, tmp_path: Path, filename: str, expected: str
) -> None:
    src = tmp_path / filename
    src.write_bytes(b"content")
    assert client.upload_from_filename("obj", str(src)) is None
    assert client.stat("obj").content_type == expected
    assert client.download_as_bytes("obj") == b"content"


def test_upload_from_filename_takes_a_path_object(client: Client, tmp_path: Path) -> None:
    src = tmp_path / "p.txt"
    src.write_text("path")
    client.upload_from_filename("p", src)  # type: ignore[arg-type]
    assert client.download_as_bytes("p") == b"path"


def test_upload_from_missing_file_is_file_not_found(client: Client, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        client.upload_from_filename("p", str(tmp_path / "nope"))
    assert not client.exists("p")


def test_empty_object(client: Client, tmp_path: Path) -> None:
    client.upload_from_bytes("empty", b"")
    assert client.download_as_bytes("empty") == b""
    assert client.download_as_text("empty") == ""
    dest = tmp_path / "e"
    client.download_to_filename("empty", str(dest))
    assert dest.read_bytes() == b""
    assert client.read_range("empty", -10) == b""


def test_overwrite_replaces(client: Client) -> None:
    client.upload_from_text("k", "one")
    client.upload_from_text("k", "two")
    assert client.download_as_text("k") == "two"


@pytest.mark.parametrize(
    "name",
    ["with space.txt", "ünïcödé/ファイル.txt", "hash#q?pct%+plus", "back\\slash", "a/b/c/d.txt"],
)
def test_unusual_names_round_trip(client: Client, name: str) -> None:
    client.upload_from_text(name, name)
    assert client.download_as_text(name) == name
    assert client.exists(name)
    assert names(client.list(prefix=name)) == [name]
    client.delete(name)
    assert not client.exists(name)


# ---------------------------------------------------------------------- copy, delete, exists
def test_copy_overwrites_and_keeps_source(client: Client) -> None:
    client.upload_from_text("src", "new", content_type="text/x-new; charset=utf-8")
    client.upload_from_text("dst", "old")
    assert client.copy("src", "dst") is None
    assert client.download_as_text("dst") == "new"
    assert client.download_as_text("src") == "new"
    assert client.stat("dst").content_type == "text/x-new; charset=utf-8"


def test_copy_missing_source(client: Client) -> None:
    with pytest.raises(errors.ObjectNotFoundError) as info:
        client.copy("missing", "dst")
    assert info.value.object_name == "missing"
    assert info.value.status_code == 404
    assert not client.exists("dst")


def test_delete_and_exists(client: Client) -> None:
    client.upload_from_text("d", "x")
    assert client.exists("d") is True
    assert client.delete("d") is None
    assert client.exists("d") is False
    with pytest.raises(errors.ObjectNotFoundError) as info:
        client.delete("d")
    assert info.value.object_name == "d"
    assert client.delete("d", ignore_not_found=True) is None
    assert client.delete("d", True) is None


def test_exists_is_not_fooled_by_a_prefix(client: Client) -> None:
    client.upload_from_text("dir/file", "x")
    assert client.exists("dir") is False
    assert client.exists("dir/fil") is False


# ---------------------------------------------------------------------- list
@pytest.fixture
def listing(client: Client) -> Client:
    for name in ["b", "a", "B", "ab/x", "c/d/e", "é", "~", "a0", "c-1"]:
        try:
            client.upload_from_bytes(name, b".")
        except errors.ServerError:
            pytest.fail(f"could not upload {name!r}")
    return client


def test_list_is_lexicographic_and_complete(listing: Client) -> None:
    got = listing.list()
    assert isinstance(got, list)
    expected = sorted(["b", "a", "B", "ab/x", "c/d/e", "é", "~", "a0", "c-1"], key=str.encode)
    assert names(got) == expected


def test_list_prefix_and_offsets(listing: Client) -> None:
    assert names(listing.list(prefix="a")) == ["a", "a0", "ab/x"]
    assert names(listing.list(prefix="c/")) == ["c/d/e"]
    assert names(listing.list(start_offset="a0", end_offset="c-1")) == ["a0", "ab/x", "b"]
    assert names(listing.list(start_offset="c")) == ["c-1", "c/d/e", "~", "é"]
    assert names(listing.list(end_offset="a/")) == ["B", "a"]
    assert listing.list(prefix="zzz") == []


def test_list_max_results(listing: Client) -> None:
    assert names(listing.list(max_results=2)) == ["B", "a"]
    assert names(listing.list(max_results=1, prefix="c")) == ["c-1"]
    assert len(listing.list(max_results=100)) == 9
    assert listing.list(max_results=0) == []


def test_list_positional_arguments_follow_replits_order(listing: Client) -> None:
    # list(end_offset, match_glob, max_results, prefix, start_offset)
    assert names(listing.list(None, None, None, "a")) == ["a", "a0", "ab/x"]
    assert names(listing.list("b", "a*", 5)) == ["a", "a0"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("a*", ["a", "a0"]),  # * stays within a segment
        ("ab/*", ["ab/x"]),
        ("**", ["B", "a", "a0", "ab/x", "b", "c-1", "c/d/e", "~", "é"]),
        ("c/**", ["c/d/e"]),
        ("**/e", ["c/d/e"]),
        ("**e", ["c/d/e"]),
        ("?", ["B", "a", "b", "~", "é"]),
        ("[ab]", ["a", "b"]),
        ("[!ab]", ["B", "~", "é"]),
        ("{a,b}*", ["a", "a0", "b"]),
        ("c?1", ["c-1"]),
        ("nothing*", []),
    ],
)
def test_match_glob_semantics(listing: Client, pattern: str, expected: list[str]) -> None:
    assert names(listing.list(match_glob=pattern)) == expected


def test_match_glob_documented_example(client: Client) -> None:
    for name in ["footbar", "foo baz bar", "foobar", "foo/bar", "bar"]:
        client.upload_from_bytes(name, b".")
    assert names(client.list(match_glob="foo*bar")) == ["foo baz bar", "foobar", "footbar"]


def test_match_glob_is_applied_by_the_client(proxy: FaultProxy, pclient: Client) -> None:
    for name in ["x1", "y1", "x2"]:
        pclient.upload_from_bytes(name, b".")
    assert names(pclient.list(match_glob="x*")) == ["x1", "x2"]
    # It was sent to the server too (which ignores it).
    assert proxy.count(method="GET", path=r"matchGlob=x") >= 1


def test_max_results_with_a_glob_still_returns_n_matches(client: Client) -> None:
    for i in range(12):
        client.upload_from_bytes(f"{i:02d}.{'log' if i % 4 == 0 else 'txt'}", b".")
    assert names(client.list(match_glob="*.log", max_results=2)) == ["00.log", "04.log"]
    assert names(client.list(match_glob="*.log", max_results=10)) == [
        "00.log",
        "04.log",
        "08.log",
    ]


def test_match_glob_combined_with_prefix_and_offsets(listing: Client) -> None:
    assert names(listing.list(prefix="a", match_glob="a*")) == ["a", "a0"]
    assert names(listing.list(match_glob="?", start_offset="a", end_offset="c")) == ["a", "b"]


def test_malformed_glob_fails_before_any_request(proxy: FaultProxy, pclient: Client) -> None:
    for bad in ["{a,b", "[z-a]"]:
        with pytest.raises(ValueError):
            pclient.list(match_glob=bad)
        with pytest.raises(ValueError):
            list(pclient.iter_objects(match_glob=bad))
        with pytest.raises(ValueError):
            pclient.list_page(match_glob=bad)
    assert proxy.request_count == 0


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("*", "a/b", False),
        ("**", "a/b", True),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("a\\*", "a*", True),
        ("a\\*", "ab", False),
        ("[a-c]x", "bx", True),
        ("[a-c]x", "dx", False),
        ("?", "/", False),
        ("{x,y/z}", "y/z", True),
        ("a.b", "axb", False),
        ("a(b)", "a(b)", True),
        ("[]a]", "]", True),
        ("[]a]", "a", True),
        ("[!]]", "]", False),
        ("[!]]", "b", True),
        ("[]", "[]", True),
        ("[a-]", "-", True),
        ("x,y", "x,y", True),
        ("{a,b}", "a,b", False),
    ],
)
def test_glob_matcher(pattern: str, name: str, matches: bool) -> None:
    assert glob_matches(pattern, name) is matches


# ---------------------------------------------------------------------- names
BAD_NAMES = [
    "",
    "x" * 1025,
    "é" * 513,  # 1026 bytes of UTF-8
    "line\nbreak",
    "carriage\rreturn",
    "tab\there",
    "nul\x00",
    "del\x7f",
    "..",
    ".",
    "../../etc/passwd",
    "a/../b",
    "a/./b",
    "a/..",
]


@pytest.mark.parametrize("bad", BAD_NAMES)
def test_invalid_names_raise_value_error_before_any_request(
    proxy: FaultProxy, pclient: Client, tmp_path: Path, bad: str
) -> None:
    src = tmp_path / "src"
    src.write_bytes(b"x")
    calls = [
        lambda: pclient.upload_from_bytes(bad, b"x"),
        lambda: pclient.upload_from_text(bad, "x"),
        lambda: pclient.upload_from_filename(bad, str(src)),
        lambda: pclient.download_as_bytes(bad),
        lambda: pclient.download_as_text(bad),
        lambda: pclient.download_to_filename(bad, str(tmp_path / "dest")),
        lambda: pclient.exists(bad),
        lambda: pclient.delete(bad),
        lambda: pclient.delete(bad, ignore_not_found=True),
        lambda: pclient.copy(bad, "ok"),
        lambda: pclient.copy("ok", bad),
        lambda: pclient.stat(bad),
        lambda: pclient.read_range(bad, 0, 1),
    ]
    for call in calls:
        with pytest.raises(ValueError) as info:
            call()
        assert isinstance(info.value, InvalidObjectNameError)
    assert proxy.request_count == 0
    assert not (tmp_path / "dest").exists()


def test_longest_valid_name_works(client: Client) -> None:
    name = "/".join(["n" * 200] * 5) + "x" * 20
    assert len(name.encode()) == 1024
    client.upload_from_bytes(name, b"long")
    assert client.download_as_bytes(name) == b"long"


def test_non_str_name_is_a_type_error(client: Client) -> None:
    with pytest.raises(TypeError):
        client.exists(b"bytes")  # type: ignore[arg-type]


# ---------------------------------------------------------------------- extras
def test_list_page_levels_and_tokens(client: Client) -> None:
    for name in ["top1", "top2", "dir1/a", "dir1/b", "dir2/sub/c", "dir3/x"]:
        client.upload_from_bytes(name, b".")
    page = client.list_page()
    assert names(page.objects) == ["top1", "top2"]
    assert page.prefixes == ["dir1/", "dir2/", "dir3/"]
    assert page.next_page_token is None
    sub = client.list_page(prefix="dir2/")
    assert sub.objects == []
    assert sub.prefixes == ["dir2/sub/"]
    flat = client.list_page(delimiter=None)
    assert len(flat.objects) == 6
    assert flat.prefixes == []


def test_list_page_pages_through_with_tokens(client: Client) -> None:
    for i in range(7):
        client.upload_from_bytes(f"p/{i}", b".")
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        page = client.list_page(prefix="p/", page_size=3, page_token=token)
        pages += 1
        seen += names(page.objects)
        token = page.next_page_token
        if token is None:
            break
    assert pages == 3
    assert seen == [f"p/{i}" for i in range(7)]


def test_list_page_with_glob(client: Client) -> None:
    for name in ["a.txt", "b.log", "c.txt"]:
        client.upload_from_bytes(name, b".")
    assert names(client.list_page(match_glob="*.txt").objects) == ["a.txt", "c.txt"]


def test_iter_objects_streams_every_page(client: Client) -> None:
    for i in range(25):
        client.upload_from_bytes(f"i/{i:03d}", b".")
    it = client.iter_objects(prefix="i/", page_size=4)
    assert next(it).name == "i/000"
    assert [o.name for o in it] == [f"i/{i:03d}" for i in range(1, 25)]
    assert [o.name for o in client.iter_objects(match_glob="i/00?")] == [
        f"i/{i:03d}" for i in range(10)
    ]
    assert [o.name for o in client.iter_objects(start_offset="i/020", end_offset="i/022")] == [
        "i/020",
        "i/021",
    ]


def test_stat(client: Client) -> None:
    client.upload_from_bytes("s", b"12345", content_type="application/x-thing")
    obj = client.stat("s")
    assert obj == Object("s")
    assert obj.size == 5
    assert obj.content_type == "application/x-thing"
    with pytest.raises(errors.ObjectNotFoundError) as info:
        client.stat("nope")
    assert info.value.object_name == "nope"
    assert info.value.bucket == client.bucket_name


def test_read_range(client: Client) -> None:
    client.upload_from_bytes("r", b"0123456789")
    assert client.read_range("r") == b"0123456789"
    assert client.read_range("r", 2, 5) == b"234"
    assert client.read_range("r", 8) == b"89"
    assert client.read_range("r", 8, 100) == b"89"
    assert client.read_range("r", 10) == b""
    assert client.read_range("r", 50, 60) == b""
    assert client.read_range("r", 5, 5) == b""
    assert client.read_range("r", 5, 2) == b""
    assert client.read_range("r", -3) == b"789"
    assert client.read_range("r", -100) == b"0123456789"
    with pytest.raises(ValueError):
        client.read_range("r", -3, 5)
    with pytest.raises(errors.ObjectNotFoundError):
        client.read_range("missing", 0, 4)
    with pytest.raises(errors.ObjectNotFoundError):
        client.read_range("missing", -4)


def test_client_properties(client: Client, bucket: str) -> None:
    assert client.bucket_name == bucket
    assert client.backend == "emulator"
    assert client.endpoint
    info = client.describe()
    assert info["bucket"] == bucket


def test_a_sparse_glob_with_max_results_does_not_page_object_by_object(
    proxy: FaultProxy, pclient: Client
) -> None:
    for i in range(40):
        pclient.upload_from_bytes(f"f{i:02d}.{'csv' if i == 39 else 'txt'}", b".")
    before = proxy.count(method="GET", path=r"/o\?")
    assert names(pclient.list(match_glob="*.csv", max_results=1)) == ["f39.csv"]
    assert proxy.count(method="GET", path=r"/o\?") - before <= 2


@pytest.mark.parametrize("bad", ["/lead", "trail/", "a//b", "x/" + "s" * 256])
def test_filesystem_names_are_stricter(bad: str) -> None:
    from storage.names import validate_name

    assert validate_name(bad) == bad  # fine for GCS
    with pytest.raises(InvalidObjectNameError):
        validate_name(bad, filesystem=True)


def test_lone_surrogates_are_refused() -> None:
    from storage.names import validate_name

    with pytest.raises(InvalidObjectNameError):
        validate_name("a\udcffb")
