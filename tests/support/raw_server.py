"""A scriptable HTTP server on 127.0.0.1 for the fetch tests: each route writes raw bytes.

The shared `http_server` fixture answers like a polite server; these tests need servers
that drip, never stop, lie about lengths, bomb, refuse and loop, so each route is a
function that writes whatever it likes to the socket.
"""

from __future__ import annotations

import functools
import gzip
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[["Exchange"], None]


@dataclass
class Exchange:
    """One request as a route sees it, with helpers to answer."""

    handler: BaseHTTPRequestHandler
    server: RawServer
    path: str
    headers: dict[str, str]

    def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None, *,
             length: bool = True) -> None:
        h = self.handler
        h.send_response(status)
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        if length:
            h.send_header("Content-Length", str(len(body)))
        else:
            h.send_header("Connection", "close")
            h.close_connection = True
        h.end_headers()
        self.write(body)

    def write(self, data: bytes) -> bool:
        """Write and count; False once the client has gone away."""
        if not data:
            return True
        try:
            self.handler.wfile.write(data)
            self.handler.wfile.flush()
        except OSError:
            return False
        with self.server.lock:
            self.server.bytes_sent += len(data)
        return True

    def stream(self, chunk: bytes, *, every: float = 0.0, limit: int = 1 << 31) -> None:
        """Write `chunk` until the client hangs up, the server stops, or `limit` bytes went out."""
        sent = 0
        while sent < limit and not self.server.stopping.is_set():
            if not self.write(chunk):
                return
            sent += len(chunk)
            if every:
                self.server.stopping.wait(every)


@dataclass
class RawServer:
    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str], float]] = field(default_factory=list)
    bytes_sent: int = 0
    in_flight: int = 0
    connections: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str) -> Callable[[Route], Route]:
        def register(func: Route) -> Route:
            self.routes[path] = func
            return func
        return register

    def hits(self, path: str) -> int:
        return sum(1 for p, _, _ in self.requests if p == path)


def _handler(server: RawServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def setup(self) -> None:
            super().setup()
            with server.lock:
                server.connections += 1

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            headers = {k.lower(): v for k, v in self.headers.items()}
            with server.lock:
                server.requests.append((self.path, headers, time.monotonic()))
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            try:
                route = server.routes.get(path)
                exchange = Exchange(self, server, self.path, headers)
                if route is None:
                    exchange.send(404, b"no such route", {"Content-Type": "text/plain"})
                else:
                    route(exchange)
            finally:
                with server.lock:
                    server.in_flight -= 1

    return Handler


@contextmanager
def raw_server(host: str = "127.0.0.1", routes: dict[str, Route] | None = None, port: int = 0) -> Iterator[RawServer]:
    """Run a RawServer on `port` (0: a free one) of `host` for the block."""
    state = RawServer(routes=dict(routes or {}))
    httpd = ThreadingHTTPServer((host, port), _handler(state))
    httpd.daemon_threads = True
    state.base = f"http://{host}:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then closed): connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@functools.cache
def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes, gzip'd (about 1000:1); cached, so building it is not measured twice."""
    return gzip.compress(b"\0" * size, compresslevel=9)


def random_bytes(n: int, seed: int = 8) -> bytes:
    import random

    return random.Random(seed).randbytes(n) if n else os.urandom(0)
