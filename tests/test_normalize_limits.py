"""Per-item caps and invisible characters: whatever a feed sends, every output stays bounded and clean."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import pytest
from lxml import html as lxml_html

from digest import RunOptions, load_config, run
from digest.config import Source
from digest.models import Entry
from digest.normalize import MAX_AUTHOR, MAX_SECTION, MAX_TEXT, MAX_TITLE, MAX_URL, normalize_entries
from digest.pipeline import RunResult
from tests.support.http import LocalServer

NOW = "2024-06-05T12:00:00+00:00"
PUB = "Wed, 05 Jun 2024 09:00:00 GMT"
INVISIBLE = "\u200b\u200c\u200d\u2060\u061c\ufeff\u2028\u2029"
LATIN_MB = "Breaking news about the world " * 35_000  # ~1 MB
CJK_MB = "国产大模型发布新版本推理速度提升一倍" * 60_000  # ~1 MB of Han characters
DIRTY_TITLE = "Zero\u200bwidth\u200d joiners\u2060 and\u061c marks\ufeff in a\u2028title\u2029here"
DIRTY_TEXT = (
    "The council\u200b approved\u200c the new\u2060 budget on Tuesday after a long debate.\u2028"
    "Spending on schools rises\ufeff by four percent\u061c next year.\u2029"
    "Critics said\u200d the plan does too little for housing."
)


def rss(items: list[str]) -> str:
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/'>"
        f"<channel><title>T</title><link>https://example.com/</link>{''.join(items)}</channel></rss>"
    )


def item(title: str, link: str, description: str = "A short story about something.", author: str = "") -> str:
    creator = f"<dc:creator>{escape(author)}</dc:creator>" if author else ""
    return (
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link><pubDate>{PUB}</pubDate>"
        f"<description>{escape(description)}</description>{creator}</item>"
    )


def no_invisible(text: str) -> bool:
    return not any(ch in text for ch in INVISIBLE)


@pytest.fixture
def hostile_run(http_server: LocalServer, tmp_path: Path) -> tuple[Path, Path, RunResult]:
    long_link = "https://example.com/story?" + "x=1&" * 2000
    feed = http_server.add("/feed.xml", rss([
        item(LATIN_MB, "https://example.com/latin", DIRTY_TEXT),
        item(CJK_MB, "https://example.com/cjk", "国产大模型今天发布新版本。推理速度提升一倍。"),
        item(DIRTY_TITLE, "https://example.com/dirty", DIRTY_TEXT, author="Reporter " * 120_000),
        item("A story with an absurd link", long_link),
    ]), content_type="application/rss+xml")
    article = (
        "<html><body><article><h1>Page</h1>"
        + "".join(f"<p>{DIRTY_TEXT} Paragraph {n} adds\u200b detail\u2028 on the vote.</p>" for n in range(1500))
        + "</article></body></html>"
    )
    page = http_server.add("/article.html", article, content_type="text/html; charset=utf-8")
    full = http_server.add("/full.xml", rss([item("Budget passes", page, "Teaser only.")]),
                           content_type="application/rss+xml")
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "title: Limits\ntimezone: UTC\narchive: site\n"
        f"fetch:\n  allow_hosts: ['{http_server.base.removeprefix('http://')}']\nsources:\n"
        f"  - name: Hostile\n    url: {feed}\n  - name: Full\n    url: {full}\n    full_text: true\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run(load_config(config), RunOptions(out=out, now=NOW))
    return out, tmp_path / "site", result


def test_a_1_mb_title_makes_a_small_email_and_every_output_is_bounded(hostile_run: tuple[Path, Path, RunResult]) -> None:
    out, site, result = hostile_run
    sizes = {p.name: p.stat().st_size for p in [*out.iterdir(), *site.iterdir()]}
    assert max(sizes.values()) < 80_000, sizes  # a 1 MB title used to make a 1 MB e-mail
    doc = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    items = {i["url"] or i["title"]: i for s in doc["sections"] for i in s["items"]}
    latin = items["https://example.com/latin"]["title"]
    assert len(latin) <= MAX_TITLE and latin.endswith("world…")  # cut after a whole word
    cjk = items["https://example.com/cjk"]["title"]
    assert len(cjk) == MAX_TITLE and cjk.endswith("…") and cjk.startswith("国产大模型")
    dirty = items["https://example.com/dirty"]
    assert len(dirty["author"]) <= MAX_AUTHOR and dirty["author"].endswith("Reporter…")
    absurd = items["A story with an absurd link"]
    assert absurd["url"] == "" and len(absurd["id"]) < 100  # no link is better than a 8 KB one
    # an article page's text (full_text) is capped like a feed's: 1,500 paragraphs are 330,000 characters
    [full] = [i for i in result.digest.items if i.source == "Full"]
    assert "Paragraph 400" in full.text and len(full.text) <= MAX_TEXT and full.text.endswith("…")


def test_invisible_characters_are_gone_from_titles_and_blurbs_in_every_output(
    hostile_run: tuple[Path, Path, RunResult],
) -> None:
    out, site, _ = hostile_run
    doc = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    items = {i["url"]: i for s in doc["sections"] for i in s["items"]}
    dirty = items["https://example.com/dirty"]
    assert dirty["title"] == "Zerowidth joiners and marks in a title here"
    assert dirty["summary"].startswith("The council approved the new budget on Tuesday")
    full = next(i for s in doc["sections"] if s["name"] == "Full" for i in s["items"])
    assert "Paragraph" in " ".join(full["summary_sentences"])  # the blurb came from the article page
    for entry in items.values():
        for value in (entry["title"], entry["summary"], *entry["summary_sentences"], entry["author"] or ""):
            assert no_invisible(value), repr(value)
    text = (out / "digest.txt").read_text(encoding="utf-8")
    assert no_invisible(text) and "Zerowidth joiners and marks in a title here" in text
    # the e-mail's preheader filler is made of &zwnj; on purpose: look at the stories themselves
    tree = lxml_html.fromstring((out / "digest.html").read_text(encoding="utf-8"))
    shown = tree.xpath("//h3[contains(@class,'item-title')]//text() | //p[contains(@class,'summary')]//text()")
    assert shown and all(no_invisible(t) for t in shown)
    for path in site.iterdir():  # the archive's day page, index and Atom feed
        assert no_invisible(path.read_text(encoding="utf-8")), path.name


LISTING = Source(name="L", url="https://example.com/list", index=0, type="listing")


@pytest.mark.parametrize(
    ("entry", "field", "check"),
    [
        (Entry(title="word " * 100, link="https://e.com/1"), "title",
         lambda v: len(v) <= MAX_TITLE and v.endswith("word…") and "  " not in v),
        (Entry(title="&lt;b&gt;" * 50_000 + "<b>x</b>" * 50_000, link="https://e.com/2"), "title",
         lambda v: len(v) <= MAX_TITLE and v.endswith("…")),
        (Entry(title="e\u0301" * 400, link="https://e.com/3"), "title",  # NFC: é
         lambda v: v == "\u00e9" * (MAX_TITLE - 1) + "…"),
        (Entry(title="👍🏽" * 400, link="https://e.com/4"), "title",  # a skin tone stays with its hand
         lambda v: v.endswith("👍🏽…")),
        (Entry(title="t", link="https://e.com/5", category="Section " * 1000), "section",
         lambda v: len(v) <= MAX_SECTION and v.endswith("Section…")),
        (Entry(title="t", link="https://e.com/6", content="<p>" + "Sentence here. " * 20_000 + "</p>"), "text",
         lambda v: len(v) <= MAX_TEXT and v.endswith(("Sentence…", "here.…"))),
        (Entry(title="t", link="https://e.com/7?" + "a" * MAX_URL), "url", lambda v: v == ""),
        (Entry(link="https://e.com/long/" + "a" * 1500), "title",  # no title: the link stands in, capped
         lambda v: v.startswith("https://e.com/long/aaa") and len(v) == MAX_TITLE and v.endswith("…")),
        (Entry(title="t", guid="urn:x:" + "9" * 100_000), "id", lambda v: v.startswith("sha256:") and len(v) < 80),
        (Entry(title="t\u2028u\u2029v\u200bw", link="https://e.com/8",
               summary="Line one\u2028line two\u2029Next paragraph\u200b."), "text",
         lambda v: v == "Line one line two\n\nNext paragraph."),
    ],
)
def test_normalize_caps_every_field(entry: Entry, field: str, check: object) -> None:
    now = datetime(2024, 6, 5, 12, tzinfo=UTC)
    [normalized] = normalize_entries([entry], LISTING, now=now, tz=ZoneInfo("UTC"))
    value = getattr(normalized, field)
    assert callable(check) and check(value), repr(value[:400])
