"""A small fault-injecting HTTP reverse proxy for tests.

It sits on 127.0.0.1 (a free port) in front of a real server (fake-gcs-server) and passes
every request through, streaming both bodies, unless a rule says otherwise. Rules are matched
in the order they were added; the first one that matches and still has uses left acts.

Usage::

    from tests.faultproxy import FaultProxy, gcs_error

    with FaultProxy(gcs_server.url) as proxy:          # or the `proxy` fixture
        client = storage.Client(bucket, endpoint=proxy.url, timeout=5, retry_deadline=5)
        proxy.respond(404, gcs_error.bucket_not_found(), method="GET", path=r"/b/[^/]+$")
        proxy.respond(503, gcs_error.backend_error(503), path=r"/o/a\\.txt", times=1)  # once
        proxy.reset(method="POST", path=r"/upload/")   # RST (SO_LINGER 0), always
        proxy.truncate(path=r"alt=media", times=1)     # full Content-Length, half the body
        proxy.hang(path=r"/o/slow")                    # never answers until proxy.stop()
        proxy.delay(0.5, path=r"/o/")                  # wait, then pass through
        proxy.clear()                                  # remove all rules
        proxy.request_count                            # requests seen (every action)
        proxy.requests                                 # list[SeenRequest(method, path, action)]
        proxy.count(method="GET", path=r"/o/")         # how many matched

Fixture: ``proxy`` (tests/conftest.py) is a started FaultProxy in front of the session's
``gcs_server``; tests/storage/conftest.py adds ``pclient``, a Client on the test's bucket through
it. For a server the test stops, wrap it yourself: ``with FaultProxy(fresh_server.url) as p:``
(if the upstream is down, a passed-through request sees its connection reset).

Rule parameters (every action method takes them, keyword-only):
    method: HTTP method to match (case-insensitive; "POST|PUT" for either), None for any.
    path:   regular expression searched in the request target (path + query string, as the
            client sent it, percent-encoded), None for any.
    times:  how many matching requests the rule acts on; None (default) = always, 1 = once.
    skip:   let this many matching requests pass through first (e.g. fail the 2nd chunk).
Each action method returns the :class:`Rule`; ``rule.hits`` counts the requests it acted on.

Actions:
    respond(status, body=b"", headers=None, content_type="application/json; charset=UTF-8")
        Answer with this status and body (str/bytes/dict; a dict is sent as JSON).
    reset()      Close the connection with an RST (SO_LINGER 0), without answering.
    truncate()   Forward upstream, then send its headers with the full Content-Length but only
                 half of the body, and close the connection.
    hang()       Read the request and never answer; the connection is held until the client
                 gives up or the proxy stops.
    delay(s)     Sleep ``s`` seconds, then pass through.
    corrupt()    Forward upstream, then send its answer with one body byte flipped (same length).

:data:`gcs_error` builds GCS's real JSON error bodies (404 bucket/object, 401, 403, 429, 5xx,
412). Media downloads (``alt=media``) on real GCS answer a missing object in plain text
instead: ``respond(404, "No such object: b/o", content_type="text/html; charset=UTF-8")``.
Location headers from upstream (resumable upload sessions) are rewritten to point at the proxy,
so every chunk of a resumable upload goes through it too.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import select
import socket
import struct
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FaultProxy", "Rule", "SeenRequest", "gcs_error"]

_CHUNK = 64 * 1024
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
}


class _GcsErrors:
    """GCS's real JSON error bodies, as the JSON API sends them."""

    @staticmethod
    def body(code: int, message: str, reason: str, **extra: str) -> dict[str, Any]:
        detail: dict[str, Any] = {"message": message, "domain": "global", "reason": reason}
        detail.update(extra)
        return {"error": {"code": code, "message": message, "errors": [detail]}}

    def bucket_not_found(self) -> dict[str, Any]:
        return self.body(404, "The specified bucket does not exist.", "notFound")

    def object_not_found(self, bucket: str, name: str) -> dict[str, Any]:
        return self.body(404, f"No such object: {bucket}/{name}", "notFound")

    def unauthorized(self, permission: str = "storage.objects.get") -> dict[str, Any]:
        message = (
            f"Anonymous caller does not have {permission} access to the Google Cloud Storage "
            f"object. Permission '{permission}' denied on resource (or it may not exist)."
        )
        return self.body(
            401,
            message,
            "required",
            locationType="header",
            location="Authorization",
        )

    def forbidden(self, permission: str = "storage.objects.get") -> dict[str, Any]:
        message = (
            f"someone@example.iam.gserviceaccount.com does not have {permission} access to "
            f"the Google Cloud Storage object. Permission '{permission}' denied on resource "
            "(or it may not exist)."
        )
        return self.body(403, message, "forbidden")

    def rate_limited(self) -> dict[str, Any]:
        return self.body(
            429,
            "The rate of change requests to the object exceeds the rate limit. Please reduce "
            "the rate of create, update, and delete requests.",
            "rateLimitExceeded",
        )

    def backend_error(self, code: int = 503) -> dict[str, Any]:
        message = (
            "Backend Error"
            if code == 500
            else "We encountered an internal error. Please try again."
        )
        return self.body(code, message, "backendError")

    def precondition_failed(self) -> dict[str, Any]:
        return self.body(
            412,
            "At least one of the pre-conditions you specified did not hold.",
            "conditionNotMet",
            locationType="header",
            location="If-Match",
        )


gcs_error = _GcsErrors()


@dataclass
class Rule:
    action: str  # "respond" | "reset" | "truncate" | "hang" | "delay" | "corrupt"
    method: str | None = None
    path: str | None = None
    times: int | None = None
    skip: int = 0
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    hits: int = 0
    seen: int = 0

    def matches(self, method: str, target: str) -> bool:
        if self.method is not None and method.upper() not in self.method.upper().split("|"):
            return False
        return self.path is None or re.search(self.path, target) is not None


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    action: str  # "pass" or the rule's action


class FaultProxy:
    """A threaded reverse proxy in front of ``upstream`` (e.g. ``http://127.0.0.1:4443``)."""

    def __init__(self, upstream: str) -> None:
        parsed = urllib.parse.urlsplit(upstream)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ValueError(f"upstream must be http://host:port, not {upstream!r}")
        self.upstream = upstream.rstrip("/")
        self._up_host = parsed.hostname
        self._up_port = parsed.port or 80
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self._requests: list[SeenRequest] = []
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FaultProxy:
        handler = type("_BoundHandler", (_Handler,), {"proxy": self})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ rules
    def add(self, rule: Rule) -> Rule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def respond(
        self,
        status: int,
        body: bytes | str | dict[str, Any] = b"",
        *,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json; charset=UTF-8",
        method: str | None = None,
        path: str | None = None,
        times: int | None = None,
        skip: int = 0,
    ) -> Rule:
        if isinstance(body, dict):
            data = json.dumps(body).encode()
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body
        hdrs = {"Content-Type": content_type, **(headers or {})}
        return self.add(
            Rule(
                "respond",
                method=method,
                path=path,
                times=times,
                skip=skip,
                status=status,
                body=data,
                headers=hdrs,
            )
        )

    def reset(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int | None = None,
        skip: int = 0,
    ) -> Rule:
        return self.add(Rule("reset", method=method, path=path, times=times, skip=skip))

    def truncate(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int | None = None,
        skip: int = 0,
    ) -> Rule:
        return self.add(Rule("truncate", method=method, path=path, times=times, skip=skip))

    def corrupt(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int | None = None,
        skip: int = 0,
    ) -> Rule:
        return self.add(Rule("corrupt", method=method, path=path, times=times, skip=skip))

    def hang(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int | None = None,
        skip: int = 0,
    ) -> Rule:
        return self.add(Rule("hang", method=method, path=path, times=times, skip=skip))

    def delay(
        self,
        seconds: float,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int | None = None,
        skip: int = 0,
    ) -> Rule:
        return self.add(
            Rule("delay", method=method, path=path, times=times, skip=skip, seconds=seconds)
        )

    # ------------------------------------------------------------------ observation
    @property
    def requests(self) -> list[SeenRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self._requests)

    def count(self, *, method: str | None = None, path: str | None = None) -> int:
        probe = Rule("count", method=method, path=path)
        return sum(1 for r in self.requests if probe.matches(r.method, r.path))

    def reset_counts(self) -> None:
        with self._lock:
            self._requests.clear()

    # ------------------------------------------------------------------ internals
    def _choose(self, method: str, target: str) -> Rule | None:
        with self._lock:
            chosen: Rule | None = None
            for rule in self._rules:
                if rule.times is not None and rule.hits >= rule.times:
                    continue
                if not rule.matches(method, target):
                    continue
                rule.seen += 1
                if rule.seen <= rule.skip:
                    continue
                rule.hits += 1
                chosen = rule
                break
            self._requests.append(SeenRequest(method, target, chosen.action if chosen else "pass"))
            return chosen

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


class _Handler(BaseHTTPRequestHandler):
    proxy: FaultProxy
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.proxy._track(self.connection, True)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.proxy._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except OSError:  # the client went away, or a rule closed the socket
            self.close_connection = True

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    # ------------------------------------------------------------------ request body
    def _body_chunks(self) -> Iterator[bytes]:
        """The request body, streamed (de-chunked if it came chunked)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return
                left = size
                while left:
                    data = self.rfile.read(min(left, _CHUNK))
                    if not data:
                        raise ConnectionError("client closed mid-body")
                    left -= len(data)
                    yield data
                self.rfile.readline(3)
        else:
            left = int(self.headers.get("Content-Length") or 0)
            while left:
                data = self.rfile.read(min(left, _CHUNK))
                if not data:
                    raise ConnectionError("client closed mid-body")
                left -= len(data)
                yield data

    def _drain(self) -> None:
        for _ in self._body_chunks():
            pass

    # ------------------------------------------------------------------ dispatch
    def _handle(self) -> None:
        rule = self.proxy._choose(self.command, self.path)
        action = rule.action if rule else "pass"
        if action == "respond":
            assert rule is not None
            self._drain()
            self._respond(rule)
        elif action == "reset":
            self._drain()
            self._reset()
        elif action == "hang":
            self._drain()
            self._hang()
        elif action in ("truncate", "corrupt"):
            self._forward(mangle=action)
        else:
            if action == "delay":
                assert rule is not None
                self.proxy._stopping.wait(rule.seconds)
            self._forward(mangle=None)

    def _respond(self, rule: Rule) -> None:
        self.send_response_only(rule.status)
        for key, value in rule.headers.items():
            self.send_header(key, value)
        body = b"" if self.command == "HEAD" else rule.body
        self.send_header("Content-Length", str(len(rule.body)))
        self.end_headers()
        self.wfile.write(body)

    def _reset(self) -> None:
        sock = self.connection
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        self.close_connection = True

    def _hang(self) -> None:
        sock = self.connection
        while not self.proxy._stopping.is_set():
            try:
                readable, _, _ = select.select([sock], [], [], 0.1)
                if readable and not sock.recv(1, socket.MSG_PEEK):
                    break  # the client gave up and closed
            except (OSError, ValueError):
                break
        self.close_connection = True

    def _forward(self, *, mangle: str | None) -> None:
        headers: dict[str, str] = {}
        for key, value in self.headers.items():
            if key.lower() in _HOP_BY_HOP or key.lower() == "host":
                continue
            headers[key] = value
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        has_body = chunked or "Content-Length" in self.headers
        if chunked:
            headers["Transfer-Encoding"] = "chunked"
        upstream = http.client.HTTPConnection(self.proxy._up_host, self.proxy._up_port, timeout=120)
        try:
            upstream.request(
                self.command,
                self.path,
                body=self._body_chunks() if has_body else None,
                headers=headers,
                encode_chunked=chunked,
            )
            resp = upstream.getresponse()
            self._relay(resp, mangle=mangle)
        except (OSError, http.client.HTTPException):
            # Upstream died: the client sees a dropped connection, as it would without us.
            self._reset()
        finally:
            upstream.close()

    def _relay(self, resp: http.client.HTTPResponse, *, mangle: str | None) -> None:
        no_body = self.command == "HEAD" or resp.status in (204, 304) or 100 <= resp.status < 200
        length = resp.getheader("Content-Length")
        body: bytes | None = None
        if mangle and not no_body:
            body = resp.read()
            length = str(len(body))
            if mangle == "corrupt" and body:
                middle = len(body) // 2
                body = body[:middle] + bytes([body[middle] ^ 0xFF]) + body[middle + 1 :]
        truncate = mangle == "truncate"
        self.send_response_only(resp.status, resp.reason)
        for key, value in resp.getheaders():
            low = key.lower()
            if low in _HOP_BY_HOP or low == "content-length":
                continue
            if low == "location" and value.startswith(self.proxy.upstream):
                value = self.proxy.url + value[len(self.proxy.upstream) :]
            self.send_header(key, value)
        if length is not None:
            self.send_header("Content-Length", length)
        elif not no_body:
            self.send_header("Transfer-Encoding", "chunked")
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if no_body:
            return
        if body is not None and not truncate:
            self.wfile.write(body)
            return
        if body is not None:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            time.sleep(0.05)  # let the half arrive before the FIN
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        while True:
            data = resp.read(_CHUNK) if length is not None else resp.read1(_CHUNK)
            if not data:
                break
            if length is None:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            else:
                self.wfile.write(data)
        if length is None:
            self.wfile.write(b"0\r\n\r\n")
