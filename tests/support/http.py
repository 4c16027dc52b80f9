"""A real HTTP server on 127.0.0.1 whose routes a test sets (ETag, Last-Modified, gzip, status)."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes
    content_type: str = "application/xml; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class LocalServer:
    """A real HTTP server for tests; `routes` can be changed between requests."""

    base: str
    routes: dict[str, Route]
    log: list[tuple[str, int, dict[str, str]]]  # (path, status, request headers)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def add(self, path: str, body: bytes | str, **kwargs: object) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(data, **kwargs)  # type: ignore[arg-type]
        return self.url(path)

    def statuses(self, path: str) -> list[int]:
        return [status for p, status, _ in self.log if p == path]


def _handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet test output
            pass

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            route = server.routes.get(path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            if route is None:
                self._send(404, b"not found", "text/plain", {})
                server.log.append((path, 404, headers))
                return
            if (route.etag and headers.get("if-none-match") == route.etag) or (
                route.last_modified and headers.get("if-modified-since") == route.last_modified
            ):
                server.log.append((path, 304, headers))
                self._send(304, b"", None, {"ETag": route.etag or ""} if route.etag else {})
                return
            extra = dict(route.headers)
            if route.etag:
                extra["ETag"] = route.etag
            if route.last_modified:
                extra["Last-Modified"] = route.last_modified
            body = route.body
            if route.gzip and "gzip" in headers.get("accept-encoding", ""):
                body = gzip.compress(body)
                extra["Content-Encoding"] = "gzip"
            server.log.append((path, route.status, headers))
            self._send(route.status, body, route.content_type, extra)

        def _send(self, status: int, body: bytes, content_type: str | None, extra: dict[str, str]) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in extra.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

    return Handler



@contextmanager
def local_server() -> Iterator[LocalServer]:
    """A threaded HTTP server on a free loopback port, stopped on exit."""
    state = LocalServer(base="", routes={}, log=[])
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
