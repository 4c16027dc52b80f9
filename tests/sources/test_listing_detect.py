"""Issue 17: zero-config listings read like a careful person: real dates, categories, whole teasers, or a clear no."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from digest.errors import ParseError
from digest.sanitize import html_to_text
from digest.sources.listing import parse_listing
from tests.support import paths

DATA = paths.DATA / "listing"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 6, 6, 8, 0, tzinfo=SHANGHAI)


def parse(name: str, url: str):  # type: ignore[no-untyped-def]
    return parse_listing((DATA / name).read_bytes(), {}, url, None, tz=SHANGHAI, now=NOW)


def test_rolling_news_rows_keep_date_and_category_and_skip_category_links() -> None:
    """163.com 滚动新闻: "[社会] title (2024-06-05 22:26:38)" rows."""
    result = parse("rolling_news.html", "https://news.163.com/latest/")
    assert len(result.entries) == 8
    assert all("/news/article/" in (e.link or "") for e in result.entries)  # no "[社会]" channel links
    first = result.entries[0]
    assert first.title.startswith("男子为救落水儿童")
    assert first.published == datetime(2024, 6, 5, 22, 26, 38, tzinfo=SHANGHAI)
    assert [e.category for e in result.entries[:3]] == ["社会", "国内", "国际"]
    assert all(e.published is not None for e in result.entries)


def test_page_without_a_list_of_articles_fails_the_source() -> None:
    """A podcast page whose only repeated links are Legal / Privacy / Cookies: no stories, a reason."""
    with pytest.raises(ParseError, match=r"^no list of article links found; set select:"):
        parse("podcast_page.html", "https://pod.example.com/")


def test_recommendation_items_keep_every_teaser_line_and_their_category() -> None:
    result = parse("recommend_block.html", "https://www.example.cn/a/20240605/x.html")
    assert [e.category for e in result.entries] == ["科技", "社会", "汽车", "文化"]
    lines = [html_to_text(e.summary).split("\n\n") for e in result.entries]
    assert [len(item) for item in lines] == [3, 2, 6, 2]  # not the second item's tag links or share bar
    assert lines[2][-1] == "充电基础设施建设也在同步提速。"
    assert all("2024-06" not in " ".join(item) and item[0] != "科技" for item in lines)  # no date or category line
    assert result.entries[0].published == datetime(2024, 6, 5, 9, 12, tzinfo=SHANGHAI)


def test_a_date_in_the_teaser_does_not_beat_the_items_date() -> None:
    result = parse("teaser_dates.html", "https://gov.example.cn/zc/")
    assert [e.published for e in result.entries] == [
        datetime(2024, 6, d, tzinfo=SHANGHAI) for d in (4, 3, 2)]
    assert [e.published_raw for e in result.entries] == ["2024-06-04", "2024-06-03", "2024-06-02"]


def test_short_titles_in_grid_columns_are_still_items() -> None:
    """Only brackets or a category class make a link a label; a grid's "column" cells are articles."""
    cards = "".join(
        f'<a class="blog-nup__column" href="/p/{n}"><h3>{title}</h3><p>今天的一段导语文字，介绍这篇文章的主要内容。</p></a>'
        for n, title in enumerate(["芯片出口新规解读", "夏粮收购开始了", "高考首日观察", "城市夜经济"]))
    labelled = "".join(
        f'<li><a class="cat" href="/c/{n % 2}">科技</a><a href="/a/{n}">第{n}条新闻的完整标题在这里写出</a></li>' for n in range(4))
    page = f"<html><body><div class='grid'>{cards}</div></body></html>".encode()
    result = parse_listing(page, {}, "https://blog.example.cn/", None, tz=SHANGHAI, now=NOW)
    assert [e.link for e in result.entries] == [f"https://blog.example.cn/p/{n}" for n in range(4)]
    page = f"<html><body><ul class='list'>{labelled}</ul></body></html>".encode()
    result = parse_listing(page, {}, "https://news.example.cn/", None, tz=SHANGHAI, now=NOW)
    assert [e.link for e in result.entries] == [f"https://news.example.cn/a/{n}" for n in range(4)]
    assert {e.category for e in result.entries} == {"科技"}


@pytest.mark.parametrize(
    "links",
    [
        ["Privacy Policy", "Terms of Service", "Cookie Settings", "Contact Us", "About the Show"],
        ["关于我们", "联系我们", "隐私政策", "用户协议", "网站地图"],
    ],
)
def test_a_footer_of_service_links_is_no_list_of_articles(links: list[str]) -> None:
    footer = "".join(f'<li><a href="/{n}">{text}</a></li>' for n, text in enumerate(links))
    page = (f"<html><body><main><h1>The Long Listen</h1><p>Conversations with people who build things slowly.</p>"
            f"</main><div class='bottom'><ul>{footer}</ul></div></body></html>").encode()
    with pytest.raises(ParseError, match=r"^no list of article links found"):
        parse_listing(page, {}, "https://pod.example.com/", None, tz=SHANGHAI, now=NOW)
