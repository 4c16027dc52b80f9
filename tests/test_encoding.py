"""Issue 17 / 19: a confident detector is believed, and one stray byte does not turn UTF-8 into mojibake."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from digest import RunOptions, load_config, run
from digest.config import FetchSettings
from digest.encoding import decode_html_with_charset, repair_utf8
from digest.fetch import FetchRequest, fetch_all
from digest.sources.feed import parse_feed
from digest.sources.listing import parse_listing
from tests.support.http import LocalServer

RU_TITLES = [
    "Президент провёл совещание с членами правительства",
    "В Москве открылась новая станция метро",
    "Учёные создали материал для солнечных батарей",
    "Сборная России вышла в финал чемпионата",
]
RU_PAGE = (
    "<html><head><title>Новости дня</title></head><body><ul class='news'>"
    + "".join(f"<li><a href='/news/{i}.html'>{t}</a><p>Подробности появятся позже.</p></li>" for i, t in enumerate(RU_TITLES))
    + "</ul></body></html>"
)


def test_undeclared_cp1251_page_is_read_as_cp1251(http_server: LocalServer) -> None:
    url = http_server.add("/ru/", RU_PAGE.encode("cp1251"), content_type="text/html")
    [fetched] = fetch_all([FetchRequest(key="ru", url=url)], FetchSettings(retries=0))
    text, charset = decode_html_with_charset(fetched.body, fetched.headers.get("content-type"))
    assert charset == "cp1251" and RU_TITLES[0] in text
    tz = ZoneInfo("Europe/Moscow")
    result = parse_listing(fetched.body, fetched.headers, url, None, tz=tz, now=datetime(2024, 6, 5, tzinfo=tz))
    assert [e.title for e in result.entries] == RU_TITLES


def test_short_western_text_still_reads_as_windows_1252() -> None:
    body = "<p>Café crème brûlée à la carte, naïve résumé, São Paulo</p>".encode("cp1252")
    text, charset = decode_html_with_charset(body, None)
    assert charset == "cp1252" and "São Paulo" in text


ZH_TITLES = ["国产大模型发布新版本", "城市地铁新线今日开通", "高校毕业生就业形势总体稳定"]


def _feed(titles: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{t}</title><link>https://zh.example.cn/{i}</link><guid>https://zh.example.cn/{i}</guid>"
        f"<pubDate>Wed, 05 Jun 2024 0{i}:00:00 +0800</pubDate></item>" for i, t in enumerate(titles))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>中文</title><link>https://zh.example.cn/</link>{items}</channel></rss>'.encode()


def _with_stray_byte(body: bytes, after: str) -> bytes:
    at = body.index(after.encode()) + len(after.encode())
    return body[:at] + b"\xff" + body[at:]


def test_one_stray_byte_in_an_undeclared_utf8_feed_spoils_only_itself(
    http_server: LocalServer, write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    body = _with_stray_byte(_feed(ZH_TITLES), "城市地铁")
    url = http_server.add("/zh.xml", body, content_type="application/rss+xml")  # no charset anywhere
    config = load_config(write_config(f"timezone: Asia/Shanghai\nsources:\n  - name: 中文\n    url: {url}\n"))
    run(config, RunOptions(out=tmp_path / "out", now="2024-06-05T12:00:00+08:00", since="all"))
    doc = json.loads((tmp_path / "out" / "digest.json").read_text(encoding="utf-8"))
    titles = sorted(i["title"].replace("\ufffd", "") for s in doc["sections"] for i in s["items"])
    assert titles == sorted([*ZH_TITLES[:1], "城市地铁新线今日开通", *ZH_TITLES[2:]])


def test_repair_leaves_declared_and_valid_bytes_alone() -> None:
    broken = _with_stray_byte(_feed(ZH_TITLES), "城市地铁")
    assert repair_utf8(broken, None).decode("utf-8").count("\ufffd") == 1
    assert repair_utf8(broken, "utf-8") != broken
    assert repair_utf8(broken, "gb18030") is broken  # another charset is declared: not ours to fix
    valid = _feed(ZH_TITLES)
    assert repair_utf8(valid, None) is valid
    latin = "<rss><channel><title>Café crème</title></channel></rss>".encode("cp1252")
    assert repair_utf8(latin, None) is latin  # no UTF-8 at all: windows-1252 stays feedparser's call
    entries = parse_feed(broken, {"content-type": "application/rss+xml"}, "https://zh.example.cn/feed")
    assert entries[0].title == "国产大模型发布新版本"


def test_one_stray_byte_in_a_page_with_few_non_ascii_letters() -> None:
    body = "<html><body><p>The café opened today.</p><p>Prices \xff rose.</p></body></html>".encode("utf-8", "surrogateescape")
    body = body.replace("\xff".encode(), b"\xff")
    text, charset = decode_html_with_charset(body, None)
    assert charset == "utf-8" and "café" in text and text.count("\ufffd") == 1


def test_one_stray_byte_in_a_json_feed_spoils_only_itself() -> None:
    items = ",".join(f'{{"id": "{n}", "url": "https://zh.example.cn/{n}", "title": "{t}"}}' for n, t in enumerate(ZH_TITLES))
    body = _with_stray_byte(f'{{"version": "https://jsonfeed.org/version/1.1", "title": "中文", "items": [{items}]}}'.encode(),
                            "城市地铁")
    entries = parse_feed(body, {"content-type": "application/feed+json"}, "https://zh.example.cn/feed.json")
    assert [e.title for e in entries] == [ZH_TITLES[0], "城市地铁\ufffd新线今日开通", ZH_TITLES[2]]
