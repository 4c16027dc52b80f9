"""`digest check --source NAME`: the probe library call and its table, against a local HTTP server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from digest.cli.check_source import show_probe
from digest.config import load_config
from digest.errors import ConfigError
from digest.probe import probe_source
from tests.support import paths

DATA = paths.DATA / "listing"
RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title><link>http://x/</link>
<item><title>一条新闻的标题</title><link>http://example.cn/n/1</link><pubDate>2024年6月5日 08:30</pubDate></item>
</channel></rss>"""


def config_for(http_server, write_config: Callable[[str], Path]) -> Path:  # type: ignore[no-untyped-def]
    page = http_server.add("/tech/future/", (DATA / "portal_column.html").read_bytes(), content_type="text/html")
    http_server.add("/tech/2024/0605/1001.html", (DATA / "article_zh.html").read_bytes(), content_type="text/html")
    feed = http_server.add("/feed.xml", RSS, content_type="application/rss+xml")
    return write_config(f"""
title: Probe
timezone: Asia/Shanghai
fetch: {{allow_hosts: ["{http_server.base.removeprefix('http://')}"], retries: 0}}
sources:
  - name: 科技
    url: {page}
    type: listing
    full_text: true
  - name: pinned
    url: {page}
    type: listing
    select: {{item: "ul.list > li", title: "h3 a", date: "span.time", category: ".tag"}}
  - name: broken
    url: {page}
    type: listing
    select: {{item: "ul.list > li", summary: "p.teaser"}}
  - name: feed
    url: {feed}
  - name: gone
    url: {http_server.url("/nothing")}
    type: listing
""")


def render(result: object) -> str:
    console = Console(record=True, width=220, color_system=None)
    show_probe(result, console)  # type: ignore[arg-type]
    return console.export_text()


def test_probe_detected_listing(http_server, write_config) -> None:  # type: ignore[no-untyped-def]
    config = load_config(config_for(http_server, write_config))
    result = probe_source(config, "科技")
    assert result.ok and result.detected and result.selector == "ul.list > li"
    assert len(result.items) == 8 and result.items_matched == 8
    assert result.items[0].title == "国产大模型发布新版本 推理能力显著提升"
    assert result.items[0].url == f"{http_server.base}/tech/2024/0605/1001.html"
    assert result.raw_dates[0] == "2024年6月5日 08:30"
    assert result.charset == "utf-8"
    assert "characters of article text" in next(iter(result.full_text.values()))
    text = render(result)
    assert "item selector: ul.list > li (detected, 8 elements)" in text
    assert 'select: {item: "ul.list > li"}' in text
    assert "国产大模型发布新版本" in text and "2024-06-05 08:30" in text
    assert "1 of 8 items have no readable date" in text
    assert " 00:00" not in text  # "6月3日", "前天", "2024/5/31" are days: shown without a made-up time (issue 17)


def test_probe_pinned_selectors(http_server, write_config) -> None:  # type: ignore[no-untyped-def]
    result = probe_source(load_config(config_for(http_server, write_config)), "pinned")
    assert result.ok and not result.detected and result.selector == "ul.list > li"
    assert "(from feeds.yaml, 8 elements)" in render(result)


def test_probe_selector_error(http_server, write_config) -> None:  # type: ignore[no-untyped-def]
    result = probe_source(load_config(config_for(http_server, write_config)), "broken")
    assert not result.ok
    assert result.error == "select.summary 'p.teaser' matched nothing in any of the 8 items of select.item 'ul.list > li'"
    text = render(result)
    assert "✗ select.summary 'p.teaser' matched nothing" in text and "inspect one item" in text


def test_probe_feed_source(http_server, write_config) -> None:  # type: ignore[no-untyped-def]
    result = probe_source(load_config(config_for(http_server, write_config)), "feed")
    assert result.ok and result.selector is None
    assert [i.title for i in result.items] == ["一条新闻的标题"]
    assert result.items[0].published.isoformat() == "2024-06-05T08:30:00+08:00"  # not feedparser's 2024-11-01


def test_probe_fetch_error(http_server, write_config) -> None:  # type: ignore[no-untyped-def]
    result = probe_source(load_config(config_for(http_server, write_config)), "gone")
    assert not result.ok and "404" in (result.error or "")
    assert "✗" in render(result)


def test_probe_unknown_source(http_server, write_config) -> None:  # type: ignore[no-untyped-def]
    config = load_config(config_for(http_server, write_config))
    with pytest.raises(ConfigError, match="no source named 'nope'"):
        probe_source(config, "nope")
