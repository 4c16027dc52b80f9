"""Hostile and broken servers, each driven for real on 127.0.0.1: every one ends as a one-line
reason (or a clean body) for its own source, within its deadline, and the others are unaffected."""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator

import pytest

from digest.config import FetchSettings
from digest.fetch import FetchRequest, FetchResult, fetch_all
from tests.support.raw_server import Exchange, RawServer, closed_port, gzip_bomb, random_bytes, raw_server

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>ok</title></channel></rss>'
MB = 1 << 20
FAST = FetchSettings(timeout=2.0, connect_timeout=1.0, max_bytes=1 * MB, retries=0, deadline=30.0)


def _routes() -> dict[str, Callable[[Exchange], None]]:
    def ok(x: Exchange) -> None:
        x.send(200, FEED, {"Content-Type": "application/rss+xml"})

    def not_found(x: Exchange) -> None:
        x.send(404, b"gone")

    def server_error(x: Exchange) -> None:
        x.send(500, b"oops")

    def loop_a(x: Exchange) -> None:
        x.send(302, b"", {"Location": "/loop-b"})

    def loop_b(x: Exchange) -> None:
        x.send(301, b"", {"Location": "/loop-a"})

    def chain(x: Exchange) -> None:
        n = int(x.path.rsplit("=", 1)[1]) if "=" in x.path else 0
        x.send(302, b"", {"Location": f"/chain?n={n + 1}"})

    def to_file(x: Exchange) -> None:
        x.send(302, b"", {"Location": "file:///etc/passwd"})

    def endless(x: Exchange) -> None:  # no Content-Length: the body ends when the server closes, i.e. never
        x.send(200, b"", {"Content-Type": "application/rss+xml"}, length=False)
        x.stream(b"<item>" + b"x" * 8186 + b"</item>")

    def fifty_mb(x: Exchange) -> None:  # honest Content-Length: refused before reading
        x.handler.send_response(200)
        x.handler.send_header("Content-Length", str(50 * MB))
        x.handler.end_headers()
        x.stream(b"a" * 65536, limit=50 * MB)

    def fifty_mb_unannounced(x: Exchange) -> None:
        x.send(200, b"", {}, length=False)
        x.stream(b"a" * 65536, limit=50 * MB)

    def bomb(x: Exchange) -> None:
        x.send(200, gzip_bomb(50 * MB), {"Content-Encoding": "gzip", "Content-Type": "application/xml"})

    def deflate_bomb(x: Exchange) -> None:
        x.send(200, zlib.compress(b"\0" * (50 * MB), 9), {"Content-Encoding": "deflate"})

    def garbage(x: Exchange) -> None:
        x.send(200, random_bytes(4096), {"Content-Type": "application/rss+xml"})

    def garbage_gzip(x: Exchange) -> None:
        x.send(200, random_bytes(4096), {"Content-Encoding": "gzip"})

    def brotli(x: Exchange) -> None:
        x.send(200, b"\x0b\x02\x80hello\x03", {"Content-Encoding": "br"})

    def drip(x: Exchange) -> None:
        x.handler.send_response(200)
        x.handler.send_header("Content-Length", "100000")
        x.handler.end_headers()
        x.stream(b"x", every=0.1)

    def silent(x: Exchange) -> None:  # accepts, reads the request, never answers
        x.server.stopping.wait(30)

    def truncated(x: Exchange) -> None:  # promises 10000 bytes, sends 10, hangs up
        x.handler.send_response(200)
        x.handler.send_header("Content-Length", "10000")
        x.handler.end_headers()
        x.write(b"<rss>short")
        x.handler.close_connection = True

    def not_http(x: Exchange) -> None:
        x.handler.wfile.write(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
        x.handler.close_connection = True

    return {
        "/ok": ok, "/404": not_found, "/500": server_error, "/loop-a": loop_a, "/loop-b": loop_b,
        "/chain": chain, "/to-file": to_file, "/endless": endless, "/50mb": fifty_mb,
        "/50mb-unannounced": fifty_mb_unannounced, "/bomb": bomb, "/deflate-bomb": deflate_bomb,
        "/garbage": garbage, "/garbage-gzip": garbage_gzip, "/br": brotli, "/drip": drip,
        "/silent": silent, "/truncated": truncated, "/not-http": not_http,
    }


@pytest.fixture
def hostile() -> Iterator[RawServer]:
    with raw_server(routes=_routes()) as server:
        yield server


def _one(url: str, settings: FetchSettings = FAST, **request: object) -> FetchResult:
    [result] = fetch_all([FetchRequest("s", url, **request)], settings)  # type: ignore[arg-type]
    return result


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/404", "HTTP 404 Not Found"),
        ("/500", "HTTP 500 Internal Server Error"),
        ("/loop-a", "redirect loop ("),
        ("/chain", "too many redirects (more than 10)"),
        ("/to-file", "redirect to a file: URL refused"),
        ("/endless", "response larger than 1 MB"),
        ("/50mb", "response larger than 1 MB (50 MB announced)"),
        ("/50mb-unannounced", "response larger than 1 MB"),
        ("/bomb", "response larger than 1 MB when decompressed"),
        ("/deflate-bomb", "response larger than 1 MB when decompressed"),
        ("/garbage-gzip", "could not decompress the response (corrupt gzip data)"),
        ("/br", "encoding we did not ask for (Content-Encoding: br)"),
        ("/drip", "timed out after 2s"),
        ("/silent", "timed out after 2s"),
        ("/truncated", "truncated response (the server closed the connection after 10 bytes of 9.8 KB)"),
        ("/not-http", "the server"),
    ],
)
def test_hostile_server_gives_one_line_reason(hostile: RawServer, path: str, reason: str) -> None:
    result = _one(hostile.url(path))
    assert result.status == "error"
    assert result.error is not None and reason in result.error
    assert "\n" not in result.error and len(result.error) <= 200
    assert result.body == b""
    assert result.elapsed < FAST.timeout + 1.5  # the total deadline holds, dripping or not


def test_connection_refused() -> None:
    result = _one(f"http://127.0.0.1:{closed_port()}/feed")
    assert (result.status, result.error) == ("error", "connection refused")


def test_dns_failure_names_the_host() -> None:
    result = _one("http://no-such-host.invalid/feed")
    assert (result.status, result.error) == ("error", "DNS lookup failed for no-such-host.invalid")


def test_random_bytes_are_fetched_as_is_for_the_parser_to_judge(hostile: RawServer) -> None:
    result = _one(hostile.url("/garbage"))
    assert result.status == "ok" and result.body == random_bytes(4096)


def test_size_cap_stops_reading_instead_of_buffering(hostile: RawServer) -> None:
    tracemalloc.start()
    try:
        result = _one(hostile.url("/50mb-unannounced"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "response larger than 1 MB"
    assert peak < 8 * MB
    # the server could push only what the socket buffers took after we hung up, not 50 MB
    assert hostile.bytes_sent < 20 * MB


def test_gzip_bomb_is_inflated_only_up_to_the_cap(hostile: RawServer) -> None:
    gzip_bomb(50 * MB)  # built before measuring: the server's copy is not ours
    tracemalloc.start()
    try:
        result = _one(hostile.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "response larger than 1 MB when decompressed"
    assert peak < 8 * MB  # httpx's own decoder would have inflated each 64 KB chunk to 64 MB


def test_drip_feed_cannot_outlive_the_total_deadline(hostile: RawServer) -> None:
    settings = FetchSettings(timeout=1.0, connect_timeout=1.0, retries=0)
    started = time.monotonic()
    result = _one(hostile.url("/drip"), settings)
    assert result.error == "timed out after 1s"
    # httpx's read timeout (also 1 s) never fires: a byte arrives every 0.1 s
    assert time.monotonic() - started < 2.5


def test_run_deadline_reports_unfinished_sources_and_keeps_the_rest(hostile: RawServer) -> None:
    settings = FetchSettings(timeout=30.0, deadline=1.0, retries=0, per_host=8)
    requests = [FetchRequest(f"drip{i}", hostile.url("/drip")) for i in range(3)]
    requests.insert(1, FetchRequest("fine", hostile.url("/ok")))
    seen: list[str] = []
    started = time.monotonic()
    results = fetch_all(requests, settings, on_result=lambda r: seen.append(r.key))
    assert time.monotonic() - started < 3.0
    assert [r.key for r in results] == ["drip0", "fine", "drip1", "drip2"]
    assert results[1].status == "ok" and results[1].body == FEED
    assert [r.error for r in results if r.key != "fine"] == ["timed out (run deadline)"] * 3
    assert sorted(seen) == sorted(r.key for r in requests)  # every source reported exactly once


def test_hostile_sources_do_not_disturb_the_others(hostile: RawServer) -> None:
    paths = ["/ok", "/bomb", "/ok", "/endless", "/404", "/ok", "/drip", "/truncated", "/ok"]
    settings = FetchSettings(timeout=2.0, max_bytes=1 * MB, retries=0, per_host=16)
    results = fetch_all([FetchRequest(f"s{i}", hostile.url(p)) for i, p in enumerate(paths)], settings)
    assert [r.status for r in results] == ["ok" if p == "/ok" else "error" for p in paths]
    assert all(r.body == FEED for r in results if r.status == "ok")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/feed", "unsupported URL scheme ftp:"),
        ("javascript:alert(1)", "unsupported URL scheme javascript:"),
        ("http://", "invalid URL"),
        ("http://exa mple.com/", "invalid URL"),
        ("", "unsupported URL scheme (none)"),
    ],
)
def test_malformed_urls_are_errors_not_exceptions(url: str, reason: str) -> None:
    result = _one(url)
    assert result.status == "error" and result.error is not None and reason in result.error


# ------------------------------------------------------------------ private addresses

@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "0.0.0.0", "169.254.169.254", "10.1.2.3"])
def test_content_links_may_not_reach_private_addresses(host: str) -> None:
    result = _one(f"http://{host}:{closed_port()}/admin", allow_private=False)
    assert result.status == "error" and result.error is not None
    assert result.error.startswith(f"refused to fetch {host.strip('[]')}")


def test_allow_hosts_lets_a_listed_private_host_through(hostile: RawServer) -> None:
    listed = hostile.base.removeprefix("http://")  # 127.0.0.1:port
    assert _one(hostile.url("/ok"), allow_private=False, allow_hosts=(listed,)).status == "ok"
    settings = FetchSettings(timeout=2.0, retries=0, allow_hosts=(listed,))
    assert _one(hostile.url("/ok"), settings, allow_private=False).status == "ok"


def test_redirects_are_checked_hop_by_hop(hostile: RawServer) -> None:
    # the first hop is allowed (listed), the redirect to another private host is not
    target = f"http://127.0.0.2:{closed_port()}/internal"
    hostile.routes["/jump"] = lambda x: x.send(302, b"", {"Location": target})
    result = _one(hostile.url("/jump"), allow_private=False, allow_hosts=(hostile.base.removeprefix("http://"),))
    assert result.error is not None and result.error.startswith("refused to fetch 127.0.0.2")
    assert result.final_url == target


# ------------------------------------------------------------------ retries

def test_retry_after_is_honoured_then_the_fetch_succeeds(hostile: RawServer) -> None:
    calls: list[float] = []

    def busy_then_ok(x: Exchange) -> None:
        calls.append(time.monotonic())
        if len(calls) == 1:
            x.send(429, b"slow down", {"Retry-After": "1"})
        else:
            x.send(200, FEED)

    hostile.routes["/busy"] = busy_then_ok
    result = _one(hostile.url("/busy"), FetchSettings(timeout=5.0, retries=2))
    assert result.status == "ok" and result.body == FEED
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.9


def test_retries_are_bounded(hostile: RawServer) -> None:
    hostile.routes["/down"] = lambda x: x.send(503, b"", {"Retry-After": "0"})
    result = _one(hostile.url("/down"), FetchSettings(timeout=5.0, retries=2))
    assert result.error == "HTTP 503 Service Unavailable"
    assert hostile.hits("/down") == 3


def test_retry_after_past_the_deadline_gives_up_at_once(hostile: RawServer) -> None:
    hostile.routes["/later"] = lambda x: x.send(503, b"", {"Retry-After": "3600"})
    started = time.monotonic()
    result = _one(hostile.url("/later"), FetchSettings(timeout=5.0, retries=2))
    assert result.error is not None and result.error.startswith("HTTP 503 Service Unavailable (asked to retry in 3600s")
    assert time.monotonic() - started < 2.0 and hostile.hits("/later") == 1


def test_gzip_members_and_trailing_garbage_still_decode(hostile: RawServer) -> None:
    body = gzip.compress(FEED[:40]) + gzip.compress(FEED[40:]) + b"\0\0"
    hostile.routes["/members"] = lambda x: x.send(200, body, {"Content-Encoding": "gzip"})
    assert _one(hostile.url("/members")).body == FEED
