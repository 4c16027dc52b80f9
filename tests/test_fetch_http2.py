"""HTTP/2 where the server offers it, over real TLS on 127.0.0.1 (h2 server, test certificate)."""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import h2.config
import h2.connection
import h2.events
import pytest

from digest.config import FetchSettings
from digest.fetch import FetchRequest, fetch_all

DATA = Path(__file__).resolve().parent / "data" / "fetch"
CERT, KEY = DATA / "localhost.pem", DATA / "localhost-key.pem"
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>h2</title></channel></rss>'
SETTINGS = FetchSettings(timeout=5.0, connect_timeout=2.0, retries=0)


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


@pytest.fixture
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


def test_http2_is_used_when_the_server_offers_it(tls_server: TLSServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(CERT))  # trust the test certificate (httpx honours it)
    base = f"https://127.0.0.1:{tls_server.port}"
    ok, missing = fetch_all([FetchRequest("a", f"{base}/feed"), FetchRequest("b", f"{base}/nope")], SETTINGS)
    assert (ok.status, ok.body, ok.etag) == ("ok", FEED, '"h2"')
    assert missing.error == "HTTP 404 Not Found"  # HTTP/2 has no reason phrase: the standard one is used
    assert tls_server.protocols and set(tls_server.protocols) == {"h2"}
    assert sorted(tls_server.paths) == ["/feed", "/nope"]


def test_untrusted_certificate_is_a_tls_error(tls_server: TLSServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    [result] = fetch_all([FetchRequest("a", f"https://127.0.0.1:{tls_server.port}/feed")], SETTINGS)
    assert result.status == "error"
    assert result.error is not None and result.error.startswith("TLS error: ")
    assert "self-signed" in result.error or "certificate" in result.error


def test_the_certificate_setting_is_read_for_every_run(tls_server: TLSServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The verifying context is made once per CA setting, not once per process: trusting a CA
    through SSL_CERT_FILE after a run without it (and the other way round) still takes effect."""
    url = f"https://127.0.0.1:{tls_server.port}/feed"
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    assert fetch_all([FetchRequest("a", url)], SETTINGS)[0].status == "error"
    monkeypatch.setenv("SSL_CERT_FILE", str(CERT))
    assert fetch_all([FetchRequest("a", url)], SETTINGS)[0].status == "ok"
    assert fetch_all([FetchRequest("a", url)], SETTINGS)[0].status == "ok"
    monkeypatch.delenv("SSL_CERT_FILE")
    assert fetch_all([FetchRequest("a", url)], SETTINGS)[0].status == "error"


def test_clients_share_one_verifying_context() -> None:
    from digest.fetch.engine import make_client

    first, second = make_client(SETTINGS), make_client(SETTINGS)
    contexts = [c._transport._pool._ssl_context for c in (first, second)]  # type: ignore[attr-defined]
    assert contexts[0] is contexts[1]
    assert contexts[0].verify_mode == ssl.CERT_REQUIRED and contexts[0].check_hostname
