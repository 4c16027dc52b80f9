"""An HTTP/2-capable TLS server on 127.0.0.1 (h2, the test certificate in tests/data/fetch)."""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.events

from tests.support.paths import DATA as TEST_DATA

DATA = TEST_DATA / "fetch"
CERT, KEY = DATA / "localhost.pem", DATA / "localhost-key.pem"
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>h2</title></channel></rss>'

@dataclass
class TLSServer:
    port: int = 0
    protocols: list[str] = field(default_factory=list)  # ALPN result per connection
    paths: list[str] = field(default_factory=list)


class _Protocol(asyncio.Protocol):
    """Speaks h2 when ALPN chose it, else a minimal HTTP/1.1 answer."""

    def __init__(self, state: TLSServer) -> None:
        self.state = state
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        self.transport: asyncio.Transport | None = None
        self.h2 = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        alpn = transport.get_extra_info("ssl_object").selected_alpn_protocol() or "http/1.1"
        self.state.protocols.append(alpn)
        self.h2 = alpn == "h2"
        if self.h2:
            self.conn.initiate_connection()
            transport.write(self.conn.data_to_send())

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        if not self.h2:
            body = b"http/1.1 answer"
            self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            return
        for event in self.conn.receive_data(data):
            if isinstance(event, h2.events.RequestReceived):
                headers = {str(k): str(v) for k, v in event.headers}  # str: header_encoding is set
                path = headers[":path"]
                self.state.paths.append(path)
                status, body = ("200", FEED) if path == "/feed" else ("404", b"")
                self.conn.send_headers(event.stream_id, [(":status", status), ("content-type", "application/rss+xml"),
                                                         ("content-length", str(len(body))), ("etag", '"h2"')])
                self.conn.send_data(event.stream_id, body, end_stream=True)
        self.transport.write(self.conn.data_to_send())


@contextmanager
def tls_server() -> Iterator[TLSServer]:
    state = TLSServer()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(CERT, KEY)
    context.set_alpn_protocols(["h2", "http/1.1"])
    loop = asyncio.new_event_loop()

    async def start() -> asyncio.Server:
        server = await loop.create_server(lambda: _Protocol(state), "127.0.0.1", 0, ssl=context)
        state.port = server.sockets[0].getsockname()[1]
        return server

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(start(), loop).result(5)
    try:
        yield state
    finally:
        loop.call_soon_threadsafe(server.close)  # the server belongs to the loop's thread
        asyncio.run_coroutine_threadsafe(server.wait_closed(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


