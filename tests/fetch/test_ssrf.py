"""Fetches cannot be turned against the user's network: redirects from configured sources, ports in
fetch.allow_hosts, DNS rebinding, proxies from the environment.  Real servers on 127.0.0.x; the
resolver seam answers for made-up names, so no test needs DNS."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.collect import collect
from digest.config import ConfigError, FetchSettings, load_config
from digest.fetch import FetchRequest, FetchResult, fetch_all
from digest.fetch.guard import IPAddress, host_allowed
from tests.support.raw_server import Exchange, RawServer, raw_server
from tests.support.tls import CERT, FEED, TLSServer

NOW = datetime(2024, 6, 5, 12, tzinfo=UTC)
FAST = FetchSettings(timeout=3.0, connect_timeout=0.5, retries=0)
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


def _ok(x: Exchange) -> None:
    x.send(200, RSS, {"Content-Type": "application/rss+xml"})


def listed(server: RawServer) -> str:
    """The server's `127.0.0.x:port`, as an allow_hosts entry."""
    return server.base.removeprefix("http://")


class Answers:
    """A resolver that answers each lookup with the next list of addresses (the last one repeats)."""

    def __init__(self, *answers: Sequence[str]) -> None:
        self.answers = [[ipaddress.ip_address(a) for a in answer] for answer in answers]
        self.calls: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.calls.append((host, port))
        return self.answers[min(len(self.calls), len(self.answers)) - 1]


def _one(url: str, settings: FetchSettings = FAST, resolve: Answers | None = None, **request: object) -> FetchResult:
    seam = {"resolve": resolve} if resolve is not None else {}  # the system resolver otherwise
    [result] = fetch_all([FetchRequest("s", url, **request)], settings, **seam)  # type: ignore[arg-type]
    return result


# ------------------------------------------------------------------ allow_hosts with ports

@pytest.mark.parametrize(
    ("host", "port", "entries", "allowed"),
    [
        ("127.0.0.1", 8080, ["127.0.0.1:8080"], True),
        ("127.0.0.1", 8081, ["127.0.0.1:8080"], False),
        ("127.0.0.1", 6379, ["127.0.0.1"], False),  # no port listed: only the web's default ports
        ("127.0.0.1", 80, ["127.0.0.1"], True),
        ("127.0.0.1", 443, ["127.0.0.1"], True),
        ("wiki.intranet", 443, ["intranet"], True),  # a parent domain covers its subdomains
        ("wiki.intranet", 8443, ["intranet:8443"], True),
        ("wiki.intranet", 22, ["intranet:8443"], False),
        ("::1", 8080, ["[::1]:8080"], True),
        ("::1", 8080, ["::1"], False),
        ("::1", 443, ["::1"], True),
        ("Feeds.Example.", 8080, ["feeds.example:8080"], True),
    ],
)
def test_allow_hosts_entries_carry_a_port_or_mean_80_and_443(host: str, port: int, entries: list[str],
                                                             allowed: bool) -> None:
    assert host_allowed(host, port, entries) is allowed


def test_a_host_listed_without_its_port_is_refused_there() -> None:
    with raw_server(routes={"/ok": _ok}) as server:
        refused = _one(server.url("/ok"), allow_private=False, allow_hosts=("127.0.0.1",))
        assert refused.status == "error" and refused.error is not None
        assert refused.error.startswith("refused to fetch 127.0.0.1 (a loopback address 127.0.0.1)")
        assert f"list {listed(server)} in fetch.allow_hosts" in refused.error  # the fix, spelled out
        assert server.requests == []
        assert _one(server.url("/ok"), allow_private=False, allow_hosts=(listed(server),)).status == "ok"


@pytest.mark.parametrize("entry", ["127.0.0.1:99999", "127.0.0.1:0", "intranet:ssh", "http://intranet/", "[::1]x"])
def test_allow_hosts_mistakes_are_one_line(write_config: Callable[[str], Path], entry: str) -> None:
    path = write_config(f"fetch:\n  allow_hosts: ['ok.example', '{entry}']\n"
                        "sources:\n  - name: a\n    url: https://a.example/feed\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "fetch.allow_hosts[1]" in message and "port (1-65535)" in message and "\n" not in message


# ------------------------------------------------------------------ redirects from configured sources

@pytest.fixture
def elsewhere() -> Iterator[RawServer]:
    """A server on another loopback address, as an internal service would be."""
    with raw_server(host="127.0.0.2", routes={"/ok": _ok, "/admin": _ok}) as server:
        yield server


@pytest.mark.parametrize("configured", [False, True])
def test_a_configured_source_cannot_redirect_to_a_private_host_the_config_does_not_name(
        write_config: Callable[[str], Path], elsewhere: RawServer, configured: bool) -> None:
    with raw_server(routes={"/ok": _ok}) as server:
        server.routes["/jump"] = lambda x: x.send(302, b"", {"Location": elsewhere.url("/admin")})
        server.routes["/inside"] = lambda x: x.send(302, b"", {"Location": "/ok"})
        text = (f"sources:\n  - name: jump\n    url: {server.url('/jump')}\n"
                f"  - name: inside\n    url: {server.url('/inside')}\n")
        if configured:
            text += f"  - name: other\n    url: {elsewhere.url('/ok')}\n"
        got = collect(load_config(write_config(text)), {}, FetchSettings(retries=0, parse_workers=0), now=NOW)
    status = {r.name: (r.status, r.error) for r in got.results}
    assert status["inside"] == ("ok", None)  # the configured host itself is loopback, and allowed
    if configured:
        assert status["jump"] == ("ok", None)
        assert elsewhere.hits("/admin") == 1
    else:
        assert status["jump"][0] == "error"
        assert status["jump"][1].startswith("refused to fetch 127.0.0.2 (a loopback address 127.0.0.2)")
        assert elsewhere.requests == []


# ------------------------------------------------------------------ DNS rebinding

def test_the_connection_goes_to_the_address_that_was_checked() -> None:
    """Resolved once: the first answer (127.0.0.2) is connected to, never the second (127.0.0.1)."""
    with raw_server(host="127.0.0.2", routes={"/ok": _ok}) as checked:
        port = int(checked.base.rsplit(":", 1)[1])
        with raw_server(host="127.0.0.1", routes={"/ok": _ok}, port=port) as other:
            answers = Answers(["127.0.0.2"], ["127.0.0.1"])
            requests = [FetchRequest(f"s{i}", f"http://feed.test:{port}/ok?{i}", allow_private=False,
                                     allow_hosts=(f"feed.test:{port}",)) for i in range(3)]
            results = fetch_all(requests, FetchSettings(timeout=3.0, retries=0, per_host=3), resolve=answers)
    assert [(r.status, r.body) for r in results] == [("ok", RSS)] * 3
    assert answers.calls == [("feed.test", port)]  # once per run, however many requests
    assert [headers["host"] for _, headers, _ in checked.requests] == [f"feed.test:{port}"] * 3  # the name, kept
    assert other.connections == 0


def test_a_name_that_answers_public_then_loopback_never_reaches_loopback() -> None:
    # 3fff::/20 is reserved for documentation (never routed); Python counts it as a public address
    with raw_server(routes={"/ok": _ok}) as loopback:
        port = int(loopback.base.rsplit(":", 1)[1])
        answers = Answers(["3fff::1"], ["127.0.0.1"])
        result = _one(f"http://evil.test:{port}/ok", resolve=answers, allow_private=False)
    assert result.status == "error"
    assert answers.calls == [("evil.test", port)]
    assert loopback.connections == 0


def test_tls_is_verified_for_the_name_not_the_address(tls_server: TLSServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(CERT))  # the test certificate names localhost and 127.0.0.1
    port = tls_server.port
    answers = Answers(["127.0.0.1"])
    good = _one(f"https://localhost:{port}/feed", resolve=answers, allow_private=False, allow_hosts=(f"localhost:{port}",))
    assert (good.status, good.body) == ("ok", FEED)
    # the connection goes to 127.0.0.1, which the certificate covers, but the name does not match it
    bad = _one(f"https://intranet.test:{port}/feed", resolve=answers, allow_private=False,
               allow_hosts=(f"intranet.test:{port}",))
    assert bad.status == "error" and bad.error is not None and bad.error.startswith("TLS error")
    assert tls_server.paths == ["/feed"]


# ------------------------------------------------------------------ proxies

@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_proxy_variables_are_not_used(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    with raw_server() as proxy, raw_server(routes={"/ok": _ok}) as server:
        monkeypatch.setenv(variable, proxy.base)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        result = _one(server.url("/ok"), allow_private=False, allow_hosts=(listed(server),))
        assert (result.status, result.body) == ("ok", RSS)
        assert proxy.connections == 0
