"""Issue 17: RFC 3986 normalisation changed canonical links; items sent before the change stay "sent".

The state file below is written the way earlier versions wrote it: history keys and first-seen ids
made from the previous canonical form (`canonical_and_legacy`), through the real state modules.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from digest import RunOptions, load_config, run
from digest.models import Item
from digest.state import open_state
from digest.state.history import record_sent
from digest.urls import canonical_and_legacy, canonical_url
from tests.support.http import LocalServer

BLOG = "https://blog.example.cn"
# links as a WordPress blog with Chinese slugs writes them (lower-case escapes), raw Unicode, an IDN host
SENT_LINKS = [
    f"{BLOG}/2024/06/%e5%a4%a7%e6%a8%a1%e5%9e%8b%e5%bc%80%e6%ba%90/",
    f"{BLOG}/2024/06/芯片出口/",
    "https://新闻.例子.中国/a/../2024/0604/3.html",
]
NEW_LINK = f"{BLOG}/2024/06/%e6%96%b0%e6%96%87%e7%ab%a0/"
UNDATED_LINK = f"{BLOG}/页面/关于/"


def _feed() -> str:
    items = "".join(
        f"<item><title>今天的标题 {n}：本地新闻与科技动态</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>Wed, 05 Jun 2024 0{n}:00:00 +0800</pubDate>"
        f"<description>今天更新的第{n}篇文章，内容与昨天发出的版本不同。</description></item>"
        for n, link in enumerate([*SENT_LINKS, NEW_LINK], start=1))
    undated = (f"<item><title>关于我们（页面）</title><link>{UNDATED_LINK}</link><guid>{UNDATED_LINK}</guid>"
               "<description>一个没有日期的页面。</description></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>博客</title>'
            f"<link>{BLOG}/</link>{items}{undated}</channel></rss>")


def legacy_canonical_url(link: str) -> str:
    return canonical_and_legacy(link)[1]


def _as_sent_by_an_earlier_version(link: str, n: int) -> Item:
    old = legacy_canonical_url(link)
    assert old != canonical_url(link)  # the point of the test: the canonical form did change
    # an earlier headline and text: only the link can tell it is the same item
    return Item(id=old, url=old, title=f"Draft headline number {n} about something else entirely",
                source="博客", section="博客", published=datetime.fromisoformat("2024-06-04T08:00:00+08:00"),
                dated=True, language="en", text=f"An early version of post {n}, rewritten since.")


def test_items_sent_before_the_change_are_not_new_after_it(
    http_server: LocalServer, write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    url = http_server.add("/feed.xml", _feed().encode("utf-8"))
    config = load_config(write_config(f"timezone: Asia/Shanghai\nsince: 48h\nsources:\n  - name: 博客\n    url: {url}\n"))
    state = open_state(config.state)
    with state.transaction() as conn:
        record_sent(conn, [_as_sent_by_an_earlier_version(link, n) for n, link in enumerate(SENT_LINKS, start=1)],
                    now=datetime.fromisoformat("2024-06-04T08:00:00+08:00"))
        # an undated page first seen two days ago, under its old id
        conn.execute("INSERT INTO first_seen (item_id, seen_at, last_seen) VALUES (?, ?, ?)",
                     (legacy_canonical_url(UNDATED_LINK), 1717372800.0, 1717372800.0))  # 2024-06-03 08:00 +08
    state.conn.close()

    result = run(config, RunOptions(out=tmp_path / "out", now="2024-06-05T12:00:00+08:00"))
    assert [i.url for i in result.digest.items] == [canonical_url(NEW_LINK)]  # the new post only

    # what this run records uses the new form: tomorrow's run matches it without the legacy keys
    with sqlite3.connect(config.state) as conn:
        assert conn.execute("SELECT url FROM history WHERE url = ?", (canonical_url(NEW_LINK),)).fetchone()
        seen = dict(conn.execute("SELECT item_id, seen_at FROM first_seen"))
    assert seen.get(canonical_url(UNDATED_LINK)) is not None
