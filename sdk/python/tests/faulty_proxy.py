"""A pass-through HTTP proxy on loopback in front of the real server: it counts the requests
(and the lines in each `/ingest` batch), and can answer the next requests itself (503, 429…)
or hold them, to put the SDK through failures the real server does not make on demand."""

from __future__ import annotations

import gzip
import http.client
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    # The decompressed JSON body of an /ingest batch.
    batch: dict | None
    answered: int

    @property
    def lines(self) -> int | None:
        return len(self.batch["logs"]) if self.batch else None


@dataclass
class Canned:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class Proxy:
    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.seen: list[Seen] = []
        # Requests that reached the proxy, answered or not (held ones count).
        self.arrived = 0
        self._canned: list[Canned] = []
        self._lock = threading.Lock()
        self.released = threading.Event()
        self.released.set()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                proxy._handle(self)

            def do_POST(self):
                proxy._handle(self)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()

    def answer_next(self, status: int, headers: dict[str, str] | None = None, times: int = 1):
        """The next `times` requests get this answer instead of the server's."""
        code = {503: "unavailable", 429: "rate_limited", 401: "invalid_api_key"}.get(status, "x")
        body = json.dumps({"error": {"code": code, "message": f"canned {status}"}}).encode()
        with self._lock:
            self._canned.extend(Canned(status, dict(headers or {}), body) for _ in range(times))

    def hold(self) -> None:
        """Requests wait (unanswered) until `release()`."""
        self.released.clear()

    def release(self) -> None:
        self.released.set()

    def ingest_posts(self) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.method == "POST" and s.path == "/ingest"]

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.arrived += 1
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        self.released.wait(30)
        with self._lock:
            canned = self._canned.pop(0) if self._canned else None
        if canned is None:
            status, headers, answer = self._forward(request, body)
        else:
            status, headers, answer = canned.status, canned.headers, canned.body
            headers = {"Content-Type": "application/json", **headers}
        with self._lock:
            self.seen.append(
                Seen(request.command, request.path, dict(request.headers), _batch(body), status)
            )
        request.send_response(status)
        for name, value in headers.items():
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(answer)))
        request.send_header("Connection", "close")
        request.end_headers()
        request.wfile.write(answer)

    def _forward(self, request: BaseHTTPRequestHandler, body: bytes):
        upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=30)
        try:
            headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
            upstream.request(request.command, request.path, body=body or None, headers=headers)
            response = upstream.getresponse()
            answer = response.read()
            kept = {k: v for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP}
            return response.status, kept, answer
        finally:
            upstream.close()


def _batch(body: bytes) -> dict | None:
    """An /ingest body as JSON (None when it is not one)."""
    if not body:
        return None
    try:
        data = json.loads(gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("logs"), list) else None
