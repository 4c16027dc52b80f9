"""Listing sources end to end: our own fixture pages, served over HTTP, fetched and parsed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from digest.config import FetchSettings, ListingSelect
from digest.errors import ParseError
from digest.fetch import FetchRequest, FetchResult, fetch_all
from digest.sources.listing import FieldSelector, ListingResult, parse_listing
from tests.support import paths

DATA = paths.DATA / "listing"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 6, 5, 12, 0, tzinfo=SHANGHAI)

PORTAL_SELECT = ListingSelect(
    item="ul.list > li",
    title="h3 a",
    link="h3 a @href",
    summary="p.excerpt",
    date="span.time",
    author=".author",
    category=".tag",
)


def fetch(http_server, path: str, name: str, content_type: str = "text/html") -> FetchResult:  # type: ignore[no-untyped-def]
    url = http_server.add(path, (DATA / name).read_bytes(), content_type=content_type)
    [result] = fetch_all([FetchRequest(key="test", url=url)], FetchSettings(retries=0))
    assert result.status == "ok", result.error
    return result


def parse(result: FetchResult, select: ListingSelect | None) -> ListingResult:
    return parse_listing(result.body, result.headers, result.final_url or result.url, select, tz=SHANGHAI, now=NOW)


def test_portal_with_selectors(http_server) -> None:  # type: ignore[no-untyped-def]
    result = parse(fetch(http_server, "/tech/future/", "portal_column.html"), PORTAL_SELECT)
    base = http_server.base
    assert result.selector == "ul.list > li" and not result.detected
    assert [e.title for e in result.entries][:3] == [
        "国产大模型发布新版本 推理能力显著提升", "半导体企业扩建晶圆厂 预计明年投产", "研究团队实现量子纠缠远距离分发新纪录",
    ]
    first = result.entries[0]
    assert first.link == f"{base}/tech/2024/0605/1001.html?utm_source=column&utm_medium=list#top"
    assert first.guid == f"{base}/tech/2024/0605/1001.html"  # canonical: no tracking, no fragment
    assert first.category == "人工智能" and first.author == "记者 张三"
    assert "数学推理" in first.summary
    assert first.base_url == f"{base}/tech/future/"
    dates = [e.published for e in result.entries]
    assert dates == [
        datetime(2024, 6, 5, 8, 30, tzinfo=SHANGHAI),
        NOW - timedelta(hours=3),
        datetime(2024, 6, 4, 14, 20, tzinfo=SHANGHAI),
        datetime(2024, 6, 3, tzinfo=SHANGHAI),
        datetime(2024, 6, 3, tzinfo=SHANGHAI),
        datetime(2024, 6, 2, 10, 0, tzinfo=SHANGHAI),
        datetime(2024, 5, 31, tzinfo=SHANGHAI),
        None,  # "发布时间：不详": undated, kept as written for the debug log
    ]
    assert result.entries[-1].published_raw == "发布时间：不详"
    assert result.entries[5].link == "http://cdn.example.cn/tech/2024/0602/1006.html"


def test_portal_zero_config_finds_the_column_not_the_chrome(http_server) -> None:  # type: ignore[no-untyped-def]
    configured = parse(fetch(http_server, "/tech/future/", "portal_column.html"), PORTAL_SELECT)
    detected = parse(fetch(http_server, "/tech/future/", "portal_column.html"), None)
    assert detected.detected and detected.selector == "ul.list > li"
    assert [e.guid for e in detected.entries] == [e.guid for e in configured.entries]
    assert [e.title for e in detected.entries] == [e.title for e in configured.entries]
    # dates and teasers are found without selectors too
    assert [e.published for e in detected.entries] == [e.published for e in configured.entries]
    assert "数学推理" in detected.entries[0].summary
    links = " ".join(e.link or "" for e in detected.entries)
    for chrome in ("/china/", "/ent/2024/0605/2001.html", "/tag/ai", "index_2.html", "/about/", "example-news.cn"):
        assert chrome not in links


def test_blog_index_zero_config_uses_base_href(http_server) -> None:  # type: ignore[no-untyped-def]
    result = parse(fetch(http_server, "/blog/", "blog_index.html"), None)
    assert result.selector == "article.post"
    assert [e.link for e in result.entries] == [
        "https://blog.example.org/writing/posts/sqlite-is-enough.html",
        "https://blog.example.org/writing/posts/type-hints.html",
        "https://blog.example.org/notes/reading-list.html",
        "https://elsewhere.example.com/2024/05/guest-post",
    ]
    assert result.entries[0].published == datetime(2024, 6, 4, 9, 15, tzinfo=ZoneInfo("UTC"))
    assert result.entries[1].published == datetime(2024, 5, 28, tzinfo=SHANGHAI)
    assert result.entries[2].published == datetime(2024, 5, 20, tzinfo=SHANGHAI)  # <time> text, no attribute
    assert "single file" in result.entries[0].summary


@pytest.mark.parametrize("content_type", ["text/html", "text/html; charset=gb2312", "text/html; charset=utf-8"])
def test_meta_gb2312_page_saved_as_utf8(http_server, content_type: str) -> None:  # type: ignore[no-untyped-def]
    result = parse(fetch(http_server, "/notice/", "gb2312_meta_utf8.html", content_type), None)
    titles = [e.title for e in result.entries]
    assert titles[0] == "关于旗下基金新增销售机构的公告"
    assert "基金经理变更公告（“镕”字与「符号」测试）" in titles
    assert result.entries[0].published == datetime(2024, 6, 5, tzinfo=SHANGHAI)


@pytest.mark.parametrize("content_type", ["text/html", "text/html; charset=gbk", "text/html; charset=GB2312"])
def test_real_gbk_page(http_server, content_type: str) -> None:  # type: ignore[no-untyped-def]
    result = parse(fetch(http_server, "/gn/list.html", "gbk_page.html", content_type), None)
    assert result.selector == "dl.item"
    assert result.entries[0].title == "朱镕基题词的图书馆迎来开馆二十周年"
    assert result.entries[0].link == f"{http_server.base}/gn/gn/20240605/a1.html"
    assert result.entries[0].published == datetime(2024, 6, 5, 9, 10, tzinfo=SHANGHAI)
    assert "藏书规模" in result.entries[0].summary


PAGE = (DATA / "portal_column.html").read_bytes()
URL = "https://news.example.cn/tech/future/"


@pytest.mark.parametrize(
    ("select", "message"),
    [
        (ListingSelect(item="ul.nothing > li"), "select.item 'ul.nothing > li' matched nothing on the page"),
        (ListingSelect(item="ul.list > li", title="h2 a"), "select.title 'h2 a' matched nothing in any of the 8 items"),
        (ListingSelect(item="ul.list > li", date="span.date"), "select.date 'span.date' matched nothing in any of the 8 items"),
        (ListingSelect(item="ul.list > li", category=".cat @title"), "select.category '.cat @title' matched nothing"),
        (ListingSelect(item="div.pages > span"), "matched 1 elements but none holds a link; point select.link"),
        (ListingSelect(item="ul.list >> li"), "select.item 'ul.list >> li' is not a valid CSS selector"),
    ],
)
def test_selector_errors_name_the_selector(select: ListingSelect, message: str) -> None:
    with pytest.raises(ParseError, match=re.escape(message)):
        parse_listing(PAGE, {"content-type": "text/html"}, URL, select, tz=SHANGHAI, now=NOW)


def test_attribute_selectors() -> None:
    html = b"""<html><body><div class="feed">
      <div class="card" data-href="/a/1" data-cat="Tech"><span class="t" title="Full title one">One...</span>
        <time datetime="2024-06-05T07:00:00+08:00">7am</time></div>
      <div class="card" data-href="/a/2" data-cat="Science"><span class="t" title="Full title two">Two...</span>
        <time datetime="2024-06-04T07:00:00+08:00">yesterday</time></div>
    </div></body></html>"""
    select = ListingSelect(item="div.card", title="span.t @title", link="@data-href", date="time @datetime", category="@data-cat")
    result = parse_listing(html, {}, URL, select, tz=SHANGHAI, now=NOW)
    assert [(e.title, e.link, e.category) for e in result.entries] == [
        ("Full title one", "https://news.example.cn/a/1", "Tech"),
        ("Full title two", "https://news.example.cn/a/2", "Science"),
    ]
    assert result.entries[0].published == datetime(2024, 6, 5, 7, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("raw", "css", "attr"),
    [("h3 a @href", "h3 a", "href"), ("@data-url", None, "data-url"), ("span.time", "span.time", None),
     ("a[href*='@'] @title", "a[href*='@']", "title"), ("time @datetime", "time", "datetime")],
)
def test_field_selector_syntax(raw: str, css: str | None, attr: str | None) -> None:
    sel = FieldSelector.parse("x", raw)
    assert (sel.css, sel.attr) == (css, attr)


def test_stable_ids_across_relistings() -> None:
    """Tomorrow the page lists the same items in another order with new tracking parameters: same guids."""
    select = ListingSelect(item="li")
    today = b'<ul><li><a href="/a/1?utm_source=x">First story title</a></li><li><a href="/a/2">Second story title</a></li></ul>'
    tomorrow = b'<ul><li><a href="/a/3">Third story title</a></li><li><a href="/a/2#c">Second story title</a></li><li><a href="/a/1?utm_campaign=y">First story title</a></li></ul>'
    first = {e.title: e.guid for e in parse_listing(today, {}, URL, select, tz=SHANGHAI, now=NOW).entries}
    second = {e.title: e.guid for e in parse_listing(tomorrow, {}, URL, select, tz=SHANGHAI, now=NOW).entries}
    assert second["First story title"] == first["First story title"] == "https://news.example.cn/a/1"
    assert second["Second story title"] == first["Second story title"]


def test_duplicate_links_on_one_page_become_one_entry() -> None:
    html = b'<ul><li><a href="/a/1">Story one title</a></li><li><a href="/a/1#again">Story one title</a></li><li><a href="/a/2">Story two</a></li></ul>'
    result = parse_listing(html, {}, URL, ListingSelect(item="li"), tz=SHANGHAI, now=NOW)
    assert [e.link for e in result.entries] == ["https://news.example.cn/a/1", "https://news.example.cn/a/2"]


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"", "the page is empty"), (b"   \n", "the page is empty"),
     (b"<html><body><p>Just one paragraph, no list.</p></body></html>", "no list of article links found; set select:")],
)
def test_pages_without_items(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_listing(body, {}, URL, None, tz=SHANGHAI, now=NOW)


def test_scripts_and_unsafe_links_are_ignored() -> None:
    html = b"""<ul class="l"><li><a href="javascript:alert(1)">Not a story at all here</a></li>
      <li><a href="mailto:x@example.cn">Mail the editors today please</a></li>
      <li><a href="/a/1">A real story with a title</a><script>document.write('<a href="/evil">Evil link text here</a>')</script></li></ul>"""
    result = parse_listing(html, {}, URL, ListingSelect(item="ul.l > li"), tz=SHANGHAI, now=NOW)
    assert [e.link for e in result.entries] == ["https://news.example.cn/a/1"]
    assert result.warnings == ["2 of 3 items have no link and were skipped"]
