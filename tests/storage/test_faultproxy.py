"""The fault proxy itself: it passes traffic through intact and injects each fault it offers."""

from __future__ import annotations

import os
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import storage
from storage import Client, errors
from storage.client import UPLOAD_CHUNK_SIZE
from tests.faultproxy import FaultProxy, gcs_error


def _client(proxy: FaultProxy, bucket: str, **kw: float) -> Client:
    return Client(
        bucket,
        endpoint=proxy.url,
        timeout=kw.get("timeout", 5),
        retry_deadline=kw.get("retry_deadline", 3),
    )


def test_passes_through_and_counts(proxy: FaultProxy, bucket: str) -> None:
    c = _client(proxy, bucket)
    c.upload_from_bytes("a.txt", b"hello")
    assert c.download_as_bytes("a.txt") == b"hello"
    assert [o.name for o in c.list()] == ["a.txt"]
    assert proxy.request_count >= 3
    assert all(r.action == "pass" for r in proxy.requests)
    assert proxy.count(method="GET", path=r"alt=media") == 1


def test_streams_a_resumable_upload_through_the_proxy(
    proxy: FaultProxy, bucket: str, tmp_path: Path
) -> None:
    src = tmp_path / "big.bin"
    data = os.urandom(2 * UPLOAD_CHUNK_SIZE + 123)  # three chunks
    src.write_bytes(data)
    c = _client(proxy, bucket, timeout=30)
    c.upload_from_filename("big.bin", str(src))
    # Every chunk went through the proxy (Location rewritten), not straight to the server.
    assert proxy.count(method="PUT") >= 3
    dest = tmp_path / "back.bin"
    c.download_to_filename("big.bin", str(dest))
    assert dest.read_bytes() == data


def test_respond_once_then_pass(proxy: FaultProxy, bucket: str) -> None:
    c = _client(proxy, bucket)
    c.upload_from_bytes("x", b"1")
    rule = proxy.respond(403, gcs_error.forbidden(), method="GET", path=r"/o/x", times=1)
    with pytest.raises(errors.ForbiddenError):
        c.download_as_bytes("x")
    assert rule.hits == 1
    assert c.download_as_bytes("x") == b"1"


def test_skip_lets_the_first_requests_pass(proxy: FaultProxy, gcs_server: object) -> None:
    proxy.respond(418, "teapot", content_type="text/plain", path=r"^/probe", skip=1, times=1)
    urls = [f"{proxy.url}/probe" for _ in range(3)]
    codes = []
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                codes.append(r.status)
        except urllib.error.HTTPError as e:
            codes.append(e.code)
    assert codes[1] == 418
    assert codes[0] != 418
    assert codes[2] != 418


def test_reset_is_a_connection_error(proxy: FaultProxy) -> None:
    proxy.reset(path=r"^/r")
    with pytest.raises((ConnectionError, urllib.error.URLError, OSError)):
        urllib.request.urlopen(f"{proxy.url}/r", timeout=5).read()


def test_truncate_sends_half_the_body(proxy: FaultProxy, bucket: str) -> None:
    c = _client(proxy, bucket)
    c.upload_from_bytes("t.bin", b"z" * 10000)
    proxy.truncate(path=r"alt=media")
    host, port = proxy.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(
            f"GET /storage/v1/b/{bucket}/o/t.bin?alt=media HTTP/1.1\r\nHost: x\r\n\r\n".encode()
        )
        got = b""
        while chunk := s.recv(65536):
            got += chunk
    head, _, body = got.partition(b"\r\n\r\n")
    assert b"Content-Length: 10000" in head
    assert len(body) == 5000


def test_hang_never_answers(proxy: FaultProxy, bucket: str) -> None:
    proxy.hang(path=r"^/h")
    with pytest.raises((TimeoutError, urllib.error.URLError, socket.timeout)):
        urllib.request.urlopen(f"{proxy.url}/h", timeout=0.5).read()


def test_count_sees_requests_that_a_rule_answered(proxy: FaultProxy) -> None:
    proxy.respond(500, gcs_error.backend_error(500))
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{proxy.url}/anything", timeout=5)
    assert proxy.requests[-1].action == "respond"
    assert storage.Client  # the package imports alongside the proxy
