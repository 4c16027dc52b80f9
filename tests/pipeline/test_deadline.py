"""The run's deadline holds over fetching, parsing and full-text fetching, and a body that stops
short is an error: every case against a real server on 127.0.0.1."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.collect import collect
from digest.config import FetchSettings, load_config
from digest.pipeline import RunOptions, run
from tests.support.raw_server import Exchange, RawServer, raw_server

NOW = datetime(2024, 6, 5, 12, tzinfo=UTC)
PUB = "Wed, 05 Jun 2024 10:00:00 GMT"
MB = 1 << 20


def rss(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS feed of (title, link, description) items, all published two hours before NOW."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid><pubDate>{PUB}</pubDate>"
        f"<description>{d}</description></item>"
        for t, link, d in items
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            f"<link>https://example.com/</link>{body}</channel></rss>").encode()


def huge_feed(n: int) -> bytes:
    return rss([(f"Story {i} about things", f"https://example.com/s/{i}", f"Body of story {i}.") for i in range(n)])


SMALL = rss([("Small story one", "https://example.com/one", "First."),
             ("Small story two", "https://example.com/two", "Second.")])


@pytest.fixture
def server() -> Iterator[RawServer]:
    huge = huge_feed(40_000)  # 9.6 MB: several seconds of feedparser on any machine

    def hang(x: Exchange) -> None:  # reads the request, never answers (until the test ends)
        x.server.stopping.wait(60)

    def truncated(x: Exchange) -> None:  # promises the whole feed, sends half of it, hangs up
        x.handler.send_response(200)
        x.handler.send_header("Content-Type", "application/rss+xml")
        x.handler.send_header("Content-Length", str(len(SMALL)))
        x.handler.end_headers()
        x.write(SMALL[: len(SMALL) // 2])
        x.handler.close_connection = True

    routes = {
        "/huge": lambda x: x.send(200, huge, {"Content-Type": "application/rss+xml"}),
        "/small": lambda x: x.send(200, SMALL, {"Content-Type": "application/rss+xml"}),
        "/truncated": truncated,
        "/hang": hang,
    }
    with raw_server(routes=routes) as s:
        yield s


def _config(write_config: Callable[[str], Path], text: str) -> Path:
    return write_config("title: T\ntimezone: UTC\nsince: 24h\n" + text)


def test_a_huge_feed_still_parsing_at_the_deadline_is_timed_out_and_the_rest_is_kept(
        server: RawServer, write_config: Callable[[str], Path]) -> None:
    config = load_config(_config(write_config, (
        f"sources:\n  - name: huge\n    url: {server.url('/huge')}\n"
        f"  - name: small\n    url: {server.url('/small')}\n")))
    settings = FetchSettings(deadline=0.8, max_bytes=32 * MB, parse_workers=0)
    started = time.monotonic()
    got = collect(config, {}, settings, now=NOW)
    elapsed = time.monotonic() - started
    status = {r.name: (r.status, r.error) for r in got.results}
    assert status == {"huge": ("error", "timed out (run deadline)"), "small": ("ok", None)}
    assert [i.title for i in got.items] == ["Small story one", "Small story two"]  # nothing collected is lost
    assert server.url("/huge") not in got.validators  # tomorrow's run fetches it again, not a 304
    assert elapsed < 0.8 + 1.2, f"the parse went on for {elapsed:.1f}s"


def test_a_parser_process_stops_at_the_deadline_too(server: RawServer, write_config: Callable[[str], Path],
                                                   sent_to_processes: list[int]) -> None:
    config = load_config(_config(write_config, (
        f"sources:\n  - name: huge\n    url: {server.url('/huge')}\n"
        f"  - name: small\n    url: {server.url('/small')}\n")))
    settings = FetchSettings(deadline=2.5, max_bytes=32 * MB, parse_workers=1)  # the worker starts within it
    started = time.monotonic()
    got = collect(config, {}, settings, now=NOW)
    elapsed = time.monotonic() - started
    assert sent_to_processes, "the bodies went to the parser process"
    status = {r.name: (r.status, r.error) for r in got.results}
    assert status == {"huge": ("error", "timed out (run deadline)"), "small": ("ok", None)}
    assert elapsed < 2.5 + 1.5, f"the parse went on for {elapsed:.1f}s"


def test_hanging_full_text_links_end_with_the_run_deadline(
        server: RawServer, write_config: Callable[[str], Path], tmp_path: Path) -> None:
    port = server.base.rsplit(":", 1)[1]
    links = [(f"Linked story {i}", server.url(f"/hang?i={i}"), f"Teaser {i}.") for i in range(6)]
    server.routes["/linked"] = lambda x: x.send(200, rss(links), {"Content-Type": "application/rss+xml"})
    config = load_config(_config(write_config, (
        f"fetch:\n  timeout: 8s\n  allow_hosts: ['127.0.0.1:{port}', '127.0.0.1']\n"
        f"sources:\n  - name: linked\n    url: {server.url('/linked')}\n    full_text: true\n")))
    started = time.monotonic()
    result = run(config, RunOptions(out=tmp_path / "out", now=NOW.isoformat(), deadline=1.5))
    assert len(server.requests) > 2, "the links were fetched, not refused"
    elapsed = time.monotonic() - started
    assert elapsed < 1.5 + 2.5, f"the run took {elapsed:.1f}s"  # each link alone could hang for 8 s
    titles = [i.title for i in result.digest.items]
    assert sorted(titles) == sorted(t for t, _, _ in links)  # every story goes out, with its own text


def test_a_truncated_feed_is_an_error_not_an_empty_feed(
        server: RawServer, write_config: Callable[[str], Path], tmp_path: Path) -> None:
    config = load_config(_config(write_config, (
        f"sources:\n  - name: cut\n    url: {server.url('/truncated')}\n"
        f"  - name: small\n    url: {server.url('/small')}\n")))
    run(config, RunOptions(out=tmp_path / "out", now=NOW.isoformat()))
    doc = json.loads((tmp_path / "out" / "digest.json").read_text(encoding="utf-8"))
    status = {s["name"]: (s["status"], s["error"]) for s in doc["sources"]}
    assert status["small"] == ("ok", None)
    assert status["cut"][0] == "error"
    half = len(SMALL) // 2
    assert status["cut"][1] == (f"truncated response (the server closed the connection after {half} bytes "
                                f"of {len(SMALL)} bytes)")
