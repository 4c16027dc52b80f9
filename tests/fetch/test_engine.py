"""The fetch engine against a real local server: what a polite server gets, and what we send it."""

from __future__ import annotations

import asyncio
import gzip
import os
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.config import FetchSettings
from digest.fetch import FetchRequest, FetchResult, fetch_all
from digest.fetch.engine import default_user_agent
from tests.support.raw_server import Exchange, RawServer, raw_server

FEED = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>新闻 news</title></channel></rss>'.encode()
SETTINGS = FetchSettings(timeout=5.0, connect_timeout=2.0, retries=0)


@pytest.fixture
def server() -> Iterator[RawServer]:
    def feed(x: Exchange) -> None:
        etag, modified = '"v1"', "Sat, 01 Jun 2024 07:00:00 GMT"
        if x.headers.get("if-none-match") == etag or x.headers.get("if-modified-since") == modified:
            _not_modified(x, etag)
            return
        x.send(200, FEED, {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": etag,
                           "Last-Modified": modified, "X-Custom": "Yes"})

    def gz(x: Exchange) -> None:
        x.send(200, gzip.compress(FEED), {"Content-Encoding": "gzip", "Content-Type": "application/xml"})

    def deflate_zlib(x: Exchange) -> None:
        x.send(200, zlib.compress(FEED), {"Content-Encoding": "deflate"})

    def deflate_raw(x: Exchange) -> None:
        c = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        x.send(200, c.compress(FEED) + c.flush(), {"Content-Encoding": "deflate"})

    def moved(x: Exchange) -> None:
        x.send(301, b"", {"Location": "/feed"})

    def relative(x: Exchange) -> None:
        x.send(302, b"", {"Location": "../feed?from=relative"})

    def only_modified(x: Exchange) -> None:
        if x.headers.get("if-modified-since"):
            x.send(304, b"")
            return
        x.send(200, FEED, {"Last-Modified": "Sat, 01 Jun 2024 07:00:00 GMT"})

    def echo(x: Exchange) -> None:
        x.send(200, repr(sorted(x.headers.items())).encode())

    with raw_server(routes={"/feed": feed, "/gz": gz, "/deflate": deflate_zlib, "/raw-deflate": deflate_raw,
                            "/old/moved": moved, "/old/relative": relative, "/only-modified": only_modified,
                            "/echo": echo}) as s:
        yield s


def _not_modified(x: Exchange, etag: str) -> None:
    x.handler.send_response(304)
    x.handler.send_header("ETag", etag)
    x.handler.end_headers()


def _fetch(*requests: FetchRequest, settings: FetchSettings = SETTINGS) -> list[FetchResult]:
    return fetch_all(list(requests), settings)


def test_ok_fetch_gives_body_lowercased_headers_and_validators(server: RawServer) -> None:
    [r] = _fetch(FetchRequest("news", server.url("/feed")))
    assert (r.key, r.status, r.body, r.error) == ("news", "ok", FEED, None)
    assert r.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert r.headers["x-custom"] == "Yes"
    assert all(name == name.lower() for name in r.headers)
    assert r.headers["content-location"] == r.final_url == server.url("/feed")
    assert (r.etag, r.last_modified) == ('"v1"', "Sat, 01 Jun 2024 07:00:00 GMT")
    assert r.bytes_read == len(FEED) and r.elapsed > 0


@pytest.mark.parametrize("path", ["/gz", "/deflate", "/raw-deflate"])
def test_compressed_bodies_are_decoded(server: RawServer, path: str) -> None:
    [r] = _fetch(FetchRequest("s", server.url(path)))
    assert r.status == "ok" and r.body == FEED
    assert "content-encoding" not in r.headers  # the body handed on is already decoded
    assert r.bytes_read < len(FEED)  # counted on the wire


@pytest.mark.parametrize(
    ("validators", "sent"),
    [
        ({"etag": '"v1"'}, ("if-none-match", '"v1"')),
        ({"last_modified": "Sat, 01 Jun 2024 07:00:00 GMT"}, ("if-modified-since", "Sat, 01 Jun 2024 07:00:00 GMT")),
    ],
)
def test_conditional_get_answers_not_modified(server: RawServer, validators: dict[str, str], sent: tuple[str, str]) -> None:
    [r] = _fetch(FetchRequest("s", server.url("/feed"), etag=validators.get("etag"),
                              last_modified=validators.get("last_modified")))
    assert r.status == "not_modified" and r.body == b"" and r.error is None
    assert r.etag == '"v1"'  # the server's validators come back to be stored
    _, headers, _ = server.requests[-1]
    assert headers[sent[0]] == sent[1]


def test_304_without_validators_keeps_the_ones_we_sent(server: RawServer) -> None:
    modified = "Sat, 01 Jun 2024 07:00:00 GMT"
    [r] = _fetch(FetchRequest("s", server.url("/only-modified"), etag='"old"', last_modified=modified))
    assert (r.status, r.etag, r.last_modified) == ("not_modified", '"old"', modified)


def test_first_fetch_sends_no_conditional_headers(server: RawServer) -> None:
    _fetch(FetchRequest("s", server.url("/feed")))
    _, headers, _ = server.requests[-1]
    assert "if-none-match" not in headers and "if-modified-since" not in headers


@pytest.mark.parametrize(("path", "final"), [("/old/moved", "/feed"), ("/old/relative", "/feed?from=relative")])
def test_redirects_are_followed_and_final_url_reported(server: RawServer, path: str, final: str) -> None:
    [r] = _fetch(FetchRequest("s", server.url(path)))
    assert r.status == "ok" and r.body == FEED
    assert r.url == server.url(path) and r.final_url == server.url(final)
    assert r.headers["content-location"] == server.url(final)


def test_request_headers_identify_digest(server: RawServer) -> None:
    [r] = _fetch(FetchRequest("s", server.url("/echo")))
    headers = dict(eval(r.body.decode()))  # the server echoed what it received
    assert headers["user-agent"] == default_user_agent()
    assert headers["user-agent"].startswith("digest/") and "(+https://github.com/digest-dev/digest)" in headers["user-agent"]
    assert headers["accept-encoding"] == "gzip, deflate"
    assert "application/rss+xml" in headers["accept"]


def test_user_agent_setting_replaces_ours(server: RawServer) -> None:
    settings = FetchSettings(timeout=5.0, user_agent="MyReader/2.0 (me@example.com)")
    [r] = _fetch(FetchRequest("s", server.url("/echo")), settings=settings)
    assert ("user-agent", "MyReader/2.0 (me@example.com)") in eval(r.body.decode())


def test_results_come_back_in_request_order_each_reported_once(server: RawServer) -> None:
    paths = ["/feed", "/missing", "/gz", "/feed", "/deflate"] * 4
    seen: list[FetchResult] = []
    requests = [FetchRequest(f"s{i}", server.url(p)) for i, p in enumerate(paths)]
    results = fetch_all(requests, SETTINGS, on_result=seen.append)
    assert [r.key for r in results] == [q.key for q in requests]
    assert sorted(r.key for r in seen) == sorted(q.key for q in requests)
    assert [r.status for r in results] == ["error" if p == "/missing" else "ok" for p in paths]


def test_a_failing_progress_callback_loses_nothing(server: RawServer) -> None:
    def broken(_: FetchResult) -> None:
        raise RuntimeError("progress bar bug")

    results = fetch_all([FetchRequest("s", server.url("/feed"))], SETTINGS, on_result=broken)
    assert results[0].status == "ok"


def test_empty_request_list() -> None:
    assert fetch_all([], SETTINGS) == []


def test_fetch_all_works_inside_a_running_event_loop(server: RawServer) -> None:
    async def main() -> list[FetchResult]:
        return fetch_all([FetchRequest("s", server.url("/feed"))], SETTINGS)

    assert asyncio.run(main())[0].body == FEED


# ------------------------------------------------------------------ limits

def _slow_routes(release: threading.Event) -> dict[str, object]:
    def slow(x: Exchange) -> None:
        release.wait(0.3)  # hold the request long enough for the limit to show
        x.send(200, b"ok")
    return {"/slow": slow}


@pytest.mark.parametrize(("concurrency", "per_host", "expected"), [(3, 16, 3), (16, 2, 2), (1, 4, 1)])
def test_concurrency_and_per_host_limits(concurrency: int, per_host: int, expected: int) -> None:
    release = threading.Event()
    with raw_server(routes=_slow_routes(release)) as s:  # type: ignore[arg-type]
        settings = FetchSettings(timeout=10.0, concurrency=concurrency, per_host=per_host, retries=0)
        results = fetch_all([FetchRequest(f"s{i}", s.url("/slow")) for i in range(8)], settings)
        assert all(r.status == "ok" for r in results)
        assert s.max_in_flight == expected


def test_per_host_limit_does_not_hold_back_other_hosts() -> None:
    # 127.0.0.2 is loopback too (Linux routes all of 127/8), but another host to the limiter
    release = threading.Event()
    with raw_server("127.0.0.1", _slow_routes(release)) as a, raw_server("127.0.0.2", _slow_routes(release)) as b:  # type: ignore[arg-type]
        settings = FetchSettings(timeout=10.0, concurrency=16, per_host=2, retries=0)
        requests = [FetchRequest(f"{i}", (a if i % 2 else b).url("/slow")) for i in range(8)]
        assert all(r.status == "ok" for r in fetch_all(requests, settings))
        assert (a.max_in_flight, b.max_in_flight) == (2, 2)


def test_one_connection_pool_reuses_connections(server: RawServer) -> None:
    settings = FetchSettings(timeout=5.0, concurrency=1, per_host=1, retries=0)
    results = fetch_all([FetchRequest(f"s{i}", server.url("/feed")) for i in range(5)], settings)
    assert all(r.status == "ok" for r in results)
    assert server.connections == 1  # keep-alive: five requests, one TCP connection


# ------------------------------------------------------------------ local files

def test_file_urls_are_read_only_when_allowed(tmp_path: Path) -> None:
    path = tmp_path / "feed 1.xml"
    path.write_bytes(FEED)
    allowed, refused = _fetch(FetchRequest("a", path.as_uri(), allow_file=True), FetchRequest("b", path.as_uri()))
    assert (allowed.status, allowed.body, allowed.final_url) == ("ok", FEED, path.as_uri())
    assert allowed.headers == {"content-location": path.as_uri()}
    assert (refused.status, refused.body) == ("error", b"")
    assert refused.error == "file: URLs are read only for sources listed in the config"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p / "missing.xml", "file not found"),
        (lambda p: p, "is a directory, not a file"),
        (lambda p: _big(p), "file larger than 1 KB"),
        (lambda p: _fifo(p), "is not a regular file"),  # would block a reader for ever
    ],
)
def test_file_errors(tmp_path: Path, make: object, reason: str) -> None:
    path: Path = make(tmp_path)  # type: ignore[operator]
    settings = FetchSettings(max_bytes=1024)
    [r] = _fetch(FetchRequest("s", path.as_uri(), allow_file=True), settings=settings)
    assert r.status == "error" and r.error is not None and reason in r.error


def _fifo(p: Path) -> Path:
    target = p / "pipe.xml"
    os.mkfifo(target)
    return target


def _big(p: Path) -> Path:
    target = p / "big.xml"
    target.write_bytes(b"x" * 2048)
    return target


def test_callbacks_run_on_the_calling_thread_as_each_request_finishes() -> None:
    def slowish(x: Exchange) -> None:
        x.server.stopping.wait(0.5)  # a server that takes its time
        x.send(200, b"slow")

    threads: set[int] = set()
    calls: list[str] = []

    def record(result: FetchResult) -> None:
        threads.add(threading.get_ident())
        calls.append(result.key)

    routes = {"/slowish": slowish, "/fast": lambda x: x.send(200, b"fast")}
    with raw_server(routes=routes) as s:
        settings = FetchSettings(timeout=5.0, concurrency=4, per_host=4, retries=0)
        requests = [FetchRequest(f"s{i}", s.url("/slowish")) for i in range(2)] + [FetchRequest("fast", s.url("/fast"))]
        results = fetch_all(requests, settings, on_result=record)
    assert [(r.status, r.error) for r in results] == [("ok", None)] * 3
    assert threads == {threading.get_ident()} and calls[0] == "fast" and sorted(calls) == ["fast", "s0", "s1"]
