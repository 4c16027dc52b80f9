"""The core fixture feeds (tests/data/core) served by the local HTTP server, and a feeds.yaml for them."""

from __future__ import annotations

from tests.support.http import LocalServer
from tests.support.paths import DATA as TEST_DATA

DATA = TEST_DATA / "core"


def serve_fixtures(server: LocalServer) -> dict[str, str]:
    read = lambda name: (DATA / name).read_bytes()  # noqa: E731
    return {
        "Tech": server.add("/tech.xml", read("tech.rss.xml"), gzip=True),
        "Science": server.add("/science.atom", read("science.atom.xml"), content_type="application/atom+xml",
                              etag='"sci-v1"'),
        "Notes": server.add("/notes.json", read("notes.feed.json"), content_type="application/feed+json",
                            last_modified="Wed, 05 Jun 2024 07:00:00 GMT"),
        "Broken": server.add("/broken.xml", read("broken.rss.xml")),
        "科技频道": server.add("/gbk.xml", read("chinese.gbk.xml"), content_type="application/rss+xml; charset=gbk"),
        "Missing": server.url("/gone.xml"),
        "Homepage": server.add("/home.html", "<!doctype html><html><head><title>Home</title></head><body><p>Welcome</p></body></html>",
                               content_type="text/html; charset=utf-8"),
    }


def config_text(urls: dict[str, str]) -> str:
    lines = ["title: Test Digest", "timezone: Europe/London", "since: 24h", "sources:"]
    for name, url in urls.items():
        lines += [f"  - name: {name}", f"    url: {url}"]
    return "\n".join(lines) + "\n"
