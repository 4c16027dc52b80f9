"""The web archive: day pages, index.html and an Atom feed that a feed reader (feedparser) accepts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from lxml import html as lxml_html

from digest.archive import read_archive, write_archive
from digest.errors import ConfigError
from digest.models import Digest
from digest.render import render_html
from tests.support import sample_digests as fixture


def day(offset_days: int, digest: Digest | None = None) -> Digest:
    base = digest or fixture.big_digest()
    return replace(base, generated_at=base.generated_at + timedelta(days=offset_days))


def archive(directory: Path, digest: Digest, site_url: str | None = "https://me.github.io/digest/") -> list[Path]:
    return write_archive(directory, digest, render_html(digest, web=True).html, site_url=site_url)


def test_writes_the_day_page_index_and_feed(tmp_path: Path) -> None:
    written = archive(tmp_path / "site", day(0))
    names = [p.name for p in written]
    assert names == ["2024-06-03.html", "index.html", "feed.xml", "archive.json"]
    assert all(p.is_file() for p in written)
    assert not list((tmp_path / "site").glob(".*.tmp"))
    page = lxml_html.fromstring((tmp_path / "site" / "2024-06-03.html").read_text(encoding="utf-8"))
    assert len(page.xpath("//td[contains(@class, 'card') or contains(@class, 'brief')]")) == 60


def test_the_date_is_the_digests_local_day(tmp_path: Path) -> None:
    """07:00 in Shanghai is still the previous day in UTC; the page is named after the reader's day."""
    digest = day(0)
    assert digest.generated_at.astimezone(fixture.SHANGHAI).date().isoformat() == "2024-06-03"
    archive(tmp_path, digest)
    assert (tmp_path / "2024-06-03.html").exists() and not (tmp_path / "2024-06-02.html").exists()


def test_index_lists_past_digests_newest_first_and_rerun_replaces_the_day(tmp_path: Path) -> None:
    for offset in (0, 1, 2, 2):  # the third day runs twice
        archive(tmp_path, day(offset))
    index = lxml_html.fromstring((tmp_path / "index.html").read_text(encoding="utf-8"))
    links = index.xpath("//a[contains(@class, 'date')]/@href")
    assert links == ["2024-06-05.html", "2024-06-04.html", "2024-06-03.html"]
    assert index.xpath("//link[@rel='alternate']/@href") == ["https://me.github.io/digest/feed.xml"]
    assert [d.date for d in read_archive(tmp_path)] == ["2024-06-05", "2024-06-04", "2024-06-03"]


@pytest.mark.parametrize("site_url", ["https://me.github.io/digest", None])
def test_feed_is_valid_atom_with_one_entry_per_day(tmp_path: Path, site_url: str | None) -> None:
    digest = day(0)
    first = digest.items[0]
    tricky = replace(first, title="Cats & <dogs> “quoted”")
    digest = replace(
        digest,
        sections=(replace(digest.sections[0], items=(tricky, *digest.sections[0].items[1:])), *digest.sections[1:]),
    )
    archive(tmp_path, day(-1), site_url)
    archive(tmp_path, digest, site_url)
    parsed = feedparser.parse((tmp_path / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Morning Brief"
    assert [e.title for e in parsed.entries] == [
        "Morning Brief · Monday, 3 June 2024",
        "Morning Brief · Sunday, 2 June 2024",
    ]
    entry = parsed.entries[0]
    assert entry.updated_parsed is not None
    assert len({e.id for e in parsed.entries}) == 2
    content = lxml_html.fromstring(entry.content[0].value)
    assert content.xpath("//li/a")[0].text_content() == "Cats & <dogs> “quoted”"
    if site_url:
        assert entry.link == "https://me.github.io/digest/2024-06-03.html"
        assert parsed.feed.id == "https://me.github.io/digest/"
    else:
        assert entry.link.endswith("2024-06-03.html")
        assert entry.id.startswith("urn:uuid:")


def test_feed_ids_are_stable_across_runs(tmp_path: Path) -> None:
    archive(tmp_path, day(0), None)
    first = feedparser.parse((tmp_path / "feed.xml").read_bytes())
    archive(tmp_path, day(1), None)
    second = feedparser.parse((tmp_path / "feed.xml").read_bytes())
    assert first.feed.id == second.feed.id
    assert first.entries[0].id == second.entries[1].id


def test_a_lost_manifest_is_rebuilt_from_the_pages(tmp_path: Path) -> None:
    archive(tmp_path, day(0))
    (tmp_path / "archive.json").write_text("{not json", encoding="utf-8")
    archive(tmp_path, day(1, fixture.chinese_digest()))
    days = read_archive(tmp_path)
    assert [(d.date, d.title) for d in days] == [("2024-06-04", "每日简报"), ("2024-06-03", "Morning Brief")]
    manifest = json.loads((tmp_path / "archive.json").read_text(encoding="utf-8"))
    assert [d["date"] for d in manifest["digests"]] == ["2024-06-04", "2024-06-03"]


def test_an_unwritable_folder_is_one_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError) as caught:
        archive(blocker / "site", day(0))
    assert "cannot write the web archive" in str(caught.value)
