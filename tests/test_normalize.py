"""Entry -> Item: id fallback order, canonical links, dates, language, sanitized HTML and text."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from digest.config import Source
from digest.models import Entry
from digest.normalize import detect_language, normalize_entries
from digest.sanitize import html_to_text, title_text

NOW = datetime(2024, 6, 5, 12, tzinfo=UTC)
SOURCE = Source(name="Src", url="https://feed.example.com/rss", index=3)


def one(entry: Entry, source: Source = SOURCE) -> object:
    items = normalize_entries([entry], source, now=NOW, tz=ZoneInfo("UTC"))
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize(
    ("entry", "expected_id"),
    [
        (Entry(title="a", link="https://x.example.com/a", guid="tag:x.example.com,2024:1"), "tag:x.example.com,2024:1"),
        (Entry(title="a", link="https://x.example.com/a", guid="https://x.example.com/a?utm_source=rss"), "https://x.example.com/a"),
        (Entry(title="a", link="https://x.example.com/a", guid="42"), "Src#42"),
        (Entry(title="a", link="https://x.example.com/a?utm_medium=email#c"), "https://x.example.com/a"),
    ],
)
def test_id_fallback_order(entry: Entry, expected_id: str) -> None:
    assert one(entry).id == expected_id  # type: ignore[attr-defined]


def test_shared_guid_falls_back_to_link() -> None:
    entries = [Entry(title=f"t{i}", link=f"https://x.example.com/{i}", guid="same") for i in range(3)]
    items = normalize_entries(entries, SOURCE, now=NOW, tz=ZoneInfo("UTC"))
    assert [i.id for i in items] == [f"https://x.example.com/{i}" for i in range(3)]


def test_hash_id_when_no_guid_or_link() -> None:
    item = one(Entry(title="Only a title", content="and some text"))
    assert item.id.startswith("sha256:")  # type: ignore[attr-defined]
    again = one(Entry(title="Only a title", content="and some text"))
    assert item.id == again.id  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("published", "dated"),
    [
        (datetime(2024, 6, 5, 9, tzinfo=UTC), True),
        (datetime(9999, 1, 1, tzinfo=UTC), False),
        (datetime(1970, 1, 1, tzinfo=UTC), False),
        (datetime(2025, 1, 1, tzinfo=UTC), False),
        (None, False),
    ],
)
def test_absurd_or_missing_dates_become_first_seen(published: datetime | None, dated: bool) -> None:
    item = one(Entry(title="t", link="https://x.example.com/", published=published))
    assert item.dated is dated  # type: ignore[attr-defined]
    assert item.published == (published if dated else NOW)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("OpenAI releases a new model", "en"),
        ("国产大模型发布新版本，推理速度提升一倍", "zh"),
        ("苹果发布 iOS 18 beta 版本，新增 AI 功能", "zh"),
        ("A talk about 中文 typography in browsers and editors today", "en"),
        ("", "en"),
    ],
)
def test_language_by_script(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_html_to_text_keeps_paragraphs_and_drops_markup() -> None:
    text = html_to_text("<p>One &amp; two.</p><p>Three<br>four</p><script>x()</script><ul><li>five</li></ul>")
    assert text == "One & two.\n\nThree\n\nfour\n\nfive"


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        # a dropped tag inside another one used to let the next script through
        ("<noscript><iframe>i</iframe></noscript><p>b</p><script>x()</script>", "b"),
        ("<template><script>t()</script></template><script>z()</script><p>ok</p>", "ok"),
        ("<svg><title>T</title><style>.s{}</style></svg>tail <b>kept</b>", "tail kept"),
        # a whole page with nothing in its body was an AssertionError that lost the source
        ("<html><head><title>t</title></head></html>", ""),
        # a stray </body><body> makes two bodies: both are the text
        ("</body><body><p>The whole article</p>", "The whole article"),
        ("<div>Part one</div></body><body><div>Part two</div>", "Part one\n\nPart two"),
        ("<!doctype html><!-- a > b -->", ""),
        ("<!doctype html><html><body><p>a</p>\n<!-- c --> b<div>c<br>d</div></body></html>", "a\n\nb\n\nc\n\nd"),
        ("one  two\u00a0 three\tfour\u3000five six", "one two three four five six"),
        ("<pre>x\n\n  y</pre>z", "x\n\ny\n\nz"),
    ],
)
def test_html_to_text_edge_cases(fragment: str, text: str) -> None:
    assert html_to_text(fragment) == text


def test_an_entry_that_is_a_whole_empty_page_costs_nothing_else() -> None:
    item = one(Entry(title="Empty page", link="https://site.example.com/a", content="<html><head><title>t</title></head></html>"))
    assert item.title == "Empty page" and item.text == ""  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Plain title", "Plain title"),
        ("A &amp; B", "A & B"),
        ("Line\r\nBcc: victim@example.com", "Line Bcc: victim@example.com"),
        ("<b>Bold</b> move\x00\x07", "Bold move"),
        ("  spaced   out\u3000title ", "spaced out title"),
    ],
)
def test_titles_are_single_clean_lines(raw: str, clean: str) -> None:
    assert title_text(raw) == clean


def test_listing_category_becomes_section_only_without_one() -> None:
    listing = Source(name="Portal", url="https://p.example.cn/", index=0, type="listing")
    entry = Entry(title="t", link="https://p.example.cn/a", category="财经")
    assert one(entry, listing).section == "财经"  # type: ignore[attr-defined]
    assert one(entry, Source(name="Portal", url="https://p.example.cn/", index=0, type="listing", section="新闻")).section == "新闻"  # type: ignore[attr-defined]
    assert one(entry).section == "Src"  # type: ignore[attr-defined]


@pytest.mark.parametrize("junk", [b"\x08", b"\x19", b"\x00", b"\x0b\x0c"])
def test_a_stray_control_byte_does_not_send_the_feed_to_the_loose_parser(junk: bytes) -> None:
    import feedparser

    from digest.sources.feed import parse_feed

    clean = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>T</title>"
             "<item><title>数据库 \u2014 MySQL</title><link>https://a.example/1</link>"
             "<description><![CDATA[<p>first <b>bold</b></p>]]></description></item>"
             "<item><title>Second</title><link>https://a.example/2</link></item></channel></rss>").encode()
    dirty = clean.replace(b"MySQL", b"My" + junk + b"SQL").replace(b"first", b"fi" + junk + b"rst")
    assert feedparser.parse(dirty).bozo, "the bytes are illegal XML: feedparser alone falls back to its loose parser"
    assert parse_feed(dirty, {}, "https://a.example/feed") == parse_feed(clean, {}, "https://a.example/feed")


def test_utf16_feeds_keep_their_zero_bytes() -> None:
    from digest.sources.feed import parse_feed

    text = ("<?xml version='1.0' encoding='utf-16'?><rss version='2.0'><channel><title>T</title>"
            "<item><title>你好 world</title><link>https://a.example/1</link></item></channel></rss>")
    for body in (text.encode("utf-16"), text.encode("utf-16-le")):
        entries = parse_feed(body, {}, "https://a.example/feed")
        assert [e.title for e in entries] == ["你好 world"]


@pytest.mark.parametrize(("codec", "title"), [("iso2022_kr", "한국어 뉴스 제목"), ("iso2022_jp", "日本語のニュース"),
                                              ("gb18030", "数据库\u2014新闻"), ("big5", "資料庫新聞"), ("shift_jis", "日本語のニュース")])
def test_multibyte_feeds_keep_their_text(codec: str, title: str) -> None:
    """ISO-2022 switches character sets with ESC, SO and SI: those bytes are not stray controls there."""
    from digest.sources.feed import parse_feed

    body = (f"<?xml version='1.0' encoding='{codec.replace('_', '-')}'?><rss version='2.0'><channel><title>T</title>"
            f"<item><title>{title}</title><link>https://a.example/1</link></item></channel></rss>").encode(codec)
    assert [e.title for e in parse_feed(body, {}, "https://a.example/feed")] == [title]


@pytest.fixture
def loose_reads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every time feedparser falls back to its loose parser, while the test runs."""
    import feedparser.api

    reads: list[object] = []
    loose_parser = feedparser.api.LooseFeedParser

    def loose(*args: object, **kwargs: object) -> object:
        reads.append(args)
        return loose_parser(*args, **kwargs)

    monkeypatch.setattr(feedparser.api, "LooseFeedParser", loose)
    return reads


def test_a_warning_printed_before_the_feed_still_leaves_the_feed(loose_reads: list[object]) -> None:
    """The warning's <br /> is then the root element: not a feed, so the whole text is read loosely, as before."""
    from digest.sources.feed import parse_feed

    body = (b"<br />\n<b>Deprecated</b>:  Function create_function() is deprecated in <b>/var/www/feed.php</b><br />\n"
            b"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>T</title>"
            b"<item><title>One</title><link>https://a.example/1</link></item></channel></rss>")
    assert [(e.title, e.link) for e in parse_feed(body, {}, "https://a.example/feed")] == [("One", "https://a.example/1")]
    assert len(loose_reads) == 1
