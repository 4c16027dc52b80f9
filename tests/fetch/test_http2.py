"""HTTP/2 where the server offers it, over real TLS on 127.0.0.1 (h2 server, test certificate)."""

from __future__ import annotations

import ssl

import pytest

from digest.config import FetchSettings
from digest.fetch import FetchRequest, fetch_all
from tests.support.tls import CERT, FEED, TLSServer

SETTINGS = FetchSettings(timeout=5.0, connect_timeout=2.0, retries=0)


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
