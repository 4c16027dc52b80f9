"""Dedup end to end: `digest run` against a real HTTP server on 127.0.0.1, read back from digest.json."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from digest import RunOptions, load_config, run
from tests.support.http import LocalServer

NOW = "2024-06-05T12:00:00+08:00"
SEED = ("ChatGPT、Perplexity、Claude同时“罢工”,全网打工人都慌了", "ChatGPT、Perplexity、Claude同时大崩溃,AI集体罢工让全网都慌了")
# the rest of a 相关推荐 list: other stories of the same day, several on the same companies and topics
OTHERS = [
    "OpenAI发布o3模型，推理能力大幅提升",
    "Claude 3.5 Sonnet上线新功能：可直接操作电脑",
    "Perplexity完成新一轮融资，估值达90亿美元",
    "苹果发布iOS 18.2正式版，Apple Intelligence登陆更多地区",
    "华为Mate 70系列发布会定档11月26日",
    "小米SU7交付量突破10万台",
    "全网都在用的AI写作工具，打工人效率翻倍",
    "ChatGPT推出新功能：Canvas全面开放",
]


def listing(titles: list[str]) -> str:
    rows = "".join(f'<li><h3><a href="/news/{n}.html">{t}</a></h3><span class="time">2024-06-05 09:{n:02d}</span></li>'
                   for n, t in enumerate(titles))
    return f'<!doctype html><html><head><meta charset="utf-8"><title>相关推荐</title></head><body><ul class="list">{rows}</ul></body></html>'


def rss(titles: list[str], prefix: str) -> str:
    items = "".join(f"<item><title>{t}</title><link>http://example.cn/{prefix}/{n}</link>"
                    f"<pubDate>Wed, 05 Jun 2024 0{n % 9}:00:00 +0800</pubDate></item>" for n, t in enumerate(titles))
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{prefix}</title>{items}</channel></rss>'


def digest_json(tmp_path: Path, config: Path) -> dict[str, Any]:
    out = tmp_path / "out"
    run(load_config(config), RunOptions(out=out, now=NOW))
    doc: dict[str, Any] = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    return doc


def stories(doc: dict[str, Any]) -> dict[str, list[str]]:
    return {i["title"]: [a["title"] for a in i["also"]] for s in doc["sections"] for i in s["items"]}


def test_seed_pair_merges_on_one_listing_page(http_server: LocalServer, tmp_path: Path,
                                              write_config: Callable[[str], Path]) -> None:
    url = http_server.add("/related.html", listing([SEED[0], *OTHERS[:4], SEED[1], *OTHERS[4:]]),
                          content_type="text/html; charset=utf-8")
    config = write_config(f"""title: 科技早报
timezone: Asia/Shanghai
since: 24h
max_items: 40
per_source: 40
sources:
  - name: 某资讯站
    url: {url}
    type: listing
    select:
      item: "ul.list > li"
      title: "h3 a"
      link: "h3 a @href"
      date: "span.time"
""")
    found = stories(digest_json(tmp_path, config))
    assert found[SEED[0]] == [SEED[1]] or found.get(SEED[1]) == [SEED[0]]
    assert len(found) == len(OTHERS) + 1  # nothing else on the list merged
    assert all(not also for title, also in found.items() if title not in SEED)


def test_seed_pair_merges_across_feeds(http_server: LocalServer, tmp_path: Path,
                                       write_config: Callable[[str], Path]) -> None:
    a = http_server.add("/a.xml", rss([SEED[0], *OTHERS[:4]], "qbitai"), content_type="application/rss+xml")
    b = http_server.add("/b.xml", rss([SEED[1], *OTHERS[4:]], "ithome"), content_type="application/rss+xml")
    config = write_config(f"""title: 科技早报
timezone: Asia/Shanghai
since: 24h
per_source: 40
sources:
  - name: 量子位
    url: {a}
  - name: IT之家
    url: {b}
""")
    doc = digest_json(tmp_path, config)
    found = stories(doc)
    merged = found.get(SEED[0]) or found.get(SEED[1])
    assert merged in ([SEED[1]], [SEED[0]])
    assert len(found) == len(OTHERS) + 1
    item = next(i for s in doc["sections"] for i in s["items"] if i["title"] in SEED)
    assert [a["source"] for a in item["also"]] in (["IT之家"], ["量子位"])


ARTICLE = ("<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body><article>"
           "<h1>{title}</h1>" + "".join(f"<p>第{n}段：今天下午，多家人工智能服务几乎同时出现大规模故障，全球大量用户反映无法登录，"
                                        f"工程师正在排查原因，官方表示将尽快恢复服务并公布事故报告。</p>" for n in range(8))
           + "</article></body></html>")


def test_same_article_reached_by_two_links_is_one_story(http_server: LocalServer, tmp_path: Path,
                                                        write_config: Callable[[str], Path]) -> None:
    """A feed link and a listing link to the same article, under titles that share little: one story after full text."""
    for path in ("/a/1.html", "/mobile/1.html"):
        http_server.add(path, ARTICLE.format(title="AI服务集体宕机"), content_type="text/html; charset=utf-8")
    feed = http_server.add("/feed.xml", rss([], "x").replace(
        "</channel>", f"<item><title>突发：多家AI服务故障</title><link>{http_server.url('/a/1.html')}</link>"
        "<pubDate>Wed, 05 Jun 2024 09:00:00 +0800</pubDate></item></channel>"), content_type="application/rss+xml")
    page = http_server.add("/list.html", listing(["全球用户无法登录，官方回应"]).replace(
        'href="/news/0.html"', 'href="/mobile/1.html"'), content_type="text/html; charset=utf-8")
    config = write_config(f"""title: 科技早报
timezone: Asia/Shanghai
since: 24h
fetch:
  allow_hosts: ["{http_server.base.removeprefix('http://')}"]
sources:
  - name: 快讯
    url: {feed}
    full_text: true
  - name: 某资讯站
    url: {page}
    type: listing
    full_text: true
    select:
      item: "ul.list > li"
      title: "h3 a"
      link: "h3 a @href"
      date: "span.time"
""")
    doc = digest_json(tmp_path, config)
    items = [i for s in doc["sections"] for i in s["items"]]
    assert len(items) == 1
    assert len(items[0]["also"]) == 1
