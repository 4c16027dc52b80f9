"""Real feeds from ../shared/corpus: one blog in three formats is one set of stories, not three."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.config import DedupSettings
from digest.dedup import History, deduplicate
from digest.models import Item
from tests.support import paths

CORPUS = paths.CORPUS / "feeds"
SETTINGS = DedupSettings()
_TAGS = re.compile(r"<[^>]+>")


def plain(value: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", value)).split())


def items_of(path: Path, index: int) -> list[Item]:
    """Entries as Items, parsed here (feedparser, or json for JSON Feed) so the test stands alone."""
    import feedparser

    when = datetime(2024, 6, 5, tzinfo=UTC)
    source = path.name
    if path.suffix == ".json":
        entries = [(e.get("title", ""), e.get("url", ""), e.get("content_html") or e.get("content_text") or "")
                   for e in json.loads(path.read_bytes())["items"]]
    else:
        parsed = feedparser.parse(path.read_bytes())
        entries = [(e.get("title", ""), e.get("link", ""),
                    (e.get("content") or [{}])[0].get("value", "") or e.get("summary", "")) for e in parsed.entries]
    return [Item(id=link, url=link, title=plain(title), source=source, section=source, published=when, dated=True,
                 language="en", text=plain(body), source_index=index) for title, link, body in entries]


@pytest.fixture
def daring_fireball() -> list[Item]:
    files = [CORPUS / "rsparser" / name for name in ("DaringFireball.atom", "DaringFireball.json", "DaringFireball.rss")]
    if not all(path.is_file() for path in files):
        pytest.skip("../shared/corpus is not next to this checkout")
    return [item for index, path in enumerate(files) for item in items_of(path, index)]


def test_one_blog_in_three_formats(daring_fireball: list[Item]) -> None:
    result = deduplicate(daring_fireball, settings=SETTINGS, history=History.empty())
    by_format: dict[str, int] = {}
    for item in daring_fireball:
        by_format[item.source] = by_format.get(item.source, 0) + 1
    print(f"{len(daring_fireball)} entries {by_format} -> {len(result.items)} stories, {result.duplicates} merged")
    assert result.duplicates >= 40  # the atom and JSON copies of the same posts find each other
    assert len(result.items) < len(daring_fireball)
    for story in result.items:  # never two entries of one file in one story
        sources = [story.source, *(ref.source for ref in story.also)]
        assert len(sources) == len(set(sources)), story.title
