"""A fake Replit sidecar (the tests' own HTTP server), and a recording pass-through to GCS.

The sidecar serves what Replit's does: ``/credential`` (a subject token), ``/token`` (the STS
token exchange google-auth's identity-pool credentials perform) and
``/object-storage/default-bucket``. ``mode`` switches it into each failure case.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SUBJECT_TOKEN = "subject-token-s3cr3t"
ACCESS_TOKEN = "ya29.fake-access-token-s3cr3t"


class FakeSidecar:
    def __init__(self, bucket: str = "replit-bucket") -> None:
        self.bucket = bucket
        self.mode = "ok"  # ok | 500 | empty | blank | not-json | not-object | hang
        self.exchanges: list[dict[str, list[str]]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._stop = threading.Event()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sidecar = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path == "/credential":
                    self._send(200, json.dumps({"access_token": SUBJECT_TOKEN}).encode())
                elif self.path == "/object-storage/default-bucket":
                    mode = sidecar.mode
                    if mode == "hang":
                        sidecar._stop.wait(30)
                        return
                    bodies = {
                        "ok": json.dumps({"bucketId": sidecar.bucket}),
                        "empty": "{}",
                        "blank": json.dumps({"bucketId": ""}),
                        "not-json": "<html>oops</html>",
                        "not-object": json.dumps(["replit-bucket"]),
                    }
                    if mode == "500":
                        self._send(500, b"internal error", "text/plain")
                    else:
                        self._send(200, bodies[mode].encode())
                else:
                    self._send(404, b"{}")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                if self.path == "/token":
                    sidecar.exchanges.append(form)
                    self._send(
                        200,
                        json.dumps(
                            {
                                "access_token": ACCESS_TOKEN,
                                "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                                "token_type": "Bearer",
                                "expires_in": 3600,
                            }
                        ).encode(),
                    )
                else:
                    self._send(404, b"{}")

        return Handler

    def __enter__(self) -> FakeSidecar:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def recording_gateway(upstream: str) -> Iterator[tuple[str, list[str | None]]]:
    """Forward requests to ``upstream`` and record each one's Authorization header."""
    seen: list[str | None] = []
    target = urllib.parse.urlparse(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _forward(self) -> None:
            seen.append(self.headers.get("Authorization"))
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {
                k: v for k, v in self.headers.items() if k.lower() not in ("host", "authorization")
            }
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        time.sleep(0)
