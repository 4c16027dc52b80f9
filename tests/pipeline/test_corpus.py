"""Every real-world feed in ../shared/corpus goes through fetch -> parse -> normalize without an exception."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.config import FetchSettings, Source
from digest.errors import ParseError
from digest.fetch import FetchRequest, fetch_all
from digest.normalize import normalize_entries
from digest.sources.feed import parse_feed

NOW = datetime(2024, 6, 5, 12, tzinfo=UTC)


def corpus_files(root: Path) -> list[Path]:
    feeds = sorted(p for p in (root / "feeds").rglob("*") if p.is_file())
    tests = sorted(p for p in (root / "feedparser-tests").rglob("*") if p.is_file() and p.suffix in (".xml", ".json", ".rss", ".atom", ".rdf"))
    return feeds + tests


def test_every_corpus_feed_parses_and_normalizes(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = corpus_files(corpus)
    assert len(files) > 500
    requests = [FetchRequest(key=str(p), url=p.resolve().as_uri(), allow_file=True) for p in files]
    results = fetch_all(requests, FetchSettings())
    with_items = not_feeds = 0
    total_items = 0
    for index, (path, fetched) in enumerate(zip(files, results, strict=True)):
        assert fetched.status == "ok", (path, fetched.error)
        source = Source(name=path.name, url=fetched.url, index=index)
        try:
            entries = parse_feed(fetched.body, fetched.headers, fetched.url)
        except ParseError as exc:
            assert "\n" not in str(exc)
            not_feeds += 1
            continue
        items = normalize_entries(entries, source, now=NOW, tz=ZoneInfo("UTC"))
        for item in items:
            assert item.published.tzinfo is not None
            assert item.url == "" or item.url.startswith(("http://", "https://"))  # "": no link given
        with_items += bool(items)
        total_items += len(items)
    with capsys.disabled():
        print(f"\ncorpus: {len(files)} files, {with_items} yielded items ({total_items} items), "
              f"{not_feeds} were reported as not a feed")
    assert with_items > len(files) // 3


def test_html_pages_in_the_corpus_are_reported_as_not_feeds(corpus: Path) -> None:
    html_pages = [p for p in (corpus / "feeds").rglob("*") if p.is_file() and b"<html" in p.read_bytes()[:2048].lower()
                  and b"<rss" not in p.read_bytes()[:4096] and b"<feed" not in p.read_bytes()[:4096]]
    assert html_pages, "the corpus ships HTML pages served as feeds (SOURCES.md: 'HTML (not a feed)')"
    for page in html_pages:
        with pytest.raises(ParseError):
            parse_feed(page.read_bytes(), {}, page.as_uri())
