"""Issue 18 in a real browser: the lead-and-briefs layout at 375 and 600 px, light and dark, in headless Chromium.

The acceptance check: a 60-story, 4-section digest of real English and Chinese feeds (from ../shared/corpus)
shows all 4 sections, scrolls at most 9,000 px on a 375 px phone, has no link under 24 px, tags every
English story lang="en" inside the Chinese digest, and `digest preview` keeps to 80 terminal columns.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from digest.render import render_html
from digest.render.wrap import text_width
from tests.support import paths
from tests.support import sample_digests as fixture
from tests.support.browser import OVERFLOW, luminance, open_page

pytestmark = pytest.mark.browser

REPO = paths.REPO
CORPUS = paths.CORPUS / "feeds"

# Links that are shown (the preheader has none); their height and what they are.
LINKS = """() => [...document.querySelectorAll('a[href]')]
  .filter(a => a.getClientRects().length && getComputedStyle(a).visibility !== 'hidden')
  .map(a => { const r = a.getBoundingClientRect();
              return {h: r.height, cls: a.className, href: a.getAttribute('href'), text: a.textContent.slice(0, 40)}; })"""

STYLES = """() => ({
  h2: parseFloat(getComputedStyle(document.querySelector('.h2')).fontSize),
  title: parseFloat(getComputedStyle(document.querySelector('.item-title')).fontSize),
  brief: parseFloat(getComputedStyle(document.querySelector('.brief-title')).fontSize),
  main: getComputedStyle(document.querySelector('.main')).backgroundColor,
  briefText: getComputedStyle(document.querySelector('.brief-line')).color,
  briefLink: getComputedStyle(document.querySelector('.brief-title a')).color,
  count: getComputedStyle(document.querySelector('.h2 .count')).color,
})"""

REAL_FEEDS = """
title: 科技早报
timezone: Asia/Shanghai
since: all
max_items: 60
per_source: 15
state: state.sqlite
sources:
  - {{name: 酷壳, url: {c}/rssant/coolshell-cn-feed.xml, section: 中文科技}}
  - {{name: 火丁笔记, url: {c}/rssant/https-blog-huoding-com-feed.xml, section: 中文科技}}
  - {{name: einverne, url: {c}/rssant/https-einverne-github-io-rss-xml.xml, section: 博客}}
  - {{name: 零壹軒, url: {c}/rssant/https-1a23-com-feed.xml, section: 博客}}
  - {{name: Daring Fireball, url: {c}/rsparser/DaringFireball.rss, section: Tech}}
  - {{name: laod, url: {c}/rssant/https-laod-cn-feed.xml, section: Tech}}
  - {{name: AWS Blog, url: {c}/feedjira/AmazonWebServicesBlog.xml, section: Cloud}}
  - {{name: VMware Blogs, url: {c}/rssant/https-blogs-vmware-com-wprss.xml, section: Cloud}}
"""
NOW = "2026-12-07T08:00:00+08:00"


def check_links(page: Any) -> list[dict[str, Any]]:
    links = page.evaluate(LINKS)
    assert links
    small = [link for link in links if link["h"] < 24]
    assert small == [], small[:5]  # WCAG 2.5.8: every link at least 24 px high
    big = [link for link in links if link["cls"] in ("toc-link", "also-link")]
    assert big and all(link["h"] >= 44 for link in big), [b for b in big if b["h"] < 44][:5]
    return links


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 600])
def test_lead_and_brief_layout_in_both_schemes(browser: Any, width: int, scheme: str, tmp_path: Path) -> None:
    html = render_html(fixture.big_digest(archive_url="https://me.github.io/digest")).html
    page = open_page(browser, html, width, scheme)
    try:
        overflow = page.evaluate(OVERFLOW)
        assert overflow["scrollWidth"] <= overflow["innerWidth"], overflow["wide"][:5]
        check_links(page)
        assert page.evaluate("document.querySelectorAll('td.card').length") == 5
        assert page.evaluate("document.querySelectorAll('td.brief').length") == 55
        assert page.evaluate("document.querySelectorAll('td.back a[href=\"#contents\"]').length") == 4
        styles = page.evaluate(STYLES)
        assert styles["h2"] > styles["title"] > styles["brief"]  # section headings stand out from titles
        if scheme == "dark":
            assert luminance(styles["main"]) < 0.2
            assert luminance(styles["briefText"]) > 0.8 and luminance(styles["briefLink"]) > 0.5
            assert luminance(styles["count"]) > 0.5
        else:
            assert luminance(styles["main"]) > 0.9 and luminance(styles["briefText"]) < 0.3
        height = page.evaluate("document.documentElement.scrollHeight")
        if width == 375:
            assert height <= 9000, height
        page.screenshot(path=str(tmp_path / f"layout-{width}-{scheme}.png"), full_page=True)
    finally:
        page.context.close()


def test_english_stories_use_latin_fonts_in_a_chinese_digest(browser: Any) -> None:
    digest = dataclasses.replace(fixture.big_digest(), language="zh")
    page = open_page(browser, render_html(digest).html, 375, "light")
    try:
        fonts = page.evaluate("""() => [...document.querySelectorAll('td.card, td.brief')].map(td =>
            [td.lang, getComputedStyle(td).fontFamily])""")
        assert len(fonts) == 60
        for lang, family in fonts:
            first = family.split(",")[0].strip().strip('"')
            assert first == ("-apple-system" if lang == "en" else "PingFang SC"), (lang, family)
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def real_digest(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not here")
    from digest import load_config, preview
    from digest.pipeline import RunOptions

    folder = tmp_path_factory.mktemp("real")
    (folder / "feeds.yaml").write_text(REAL_FEEDS.format(c=CORPUS), encoding="utf-8")
    config = load_config(folder / "feeds.yaml")
    return folder, config, preview(config, RunOptions(now=NOW))


def test_real_feeds_sixty_stories_four_sections_fit_a_phone(browser: Any, real_digest: Any, tmp_path: Path) -> None:
    _, _, result = real_digest
    digest = result.digest
    assert digest.language == "zh" and len(digest.items) == 60 and len(digest.sections) == 4
    page = open_page(browser, result.html, 375, "light")
    try:
        shown = page.evaluate("() => [...document.querySelectorAll('h2')].map(h => h.firstChild.textContent.trim())")
        assert shown[:4] == [s.name for s in digest.sections]
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= 9000, height
        check_links(page)
        tags = page.evaluate("() => Object.fromEntries([...document.querySelectorAll('td.card, td.brief')].map(td => "
                             "[td.querySelector('h3 a').getAttribute('href'), td.lang]))")
        english = [i for i in digest.items if i.language == "en"]
        assert english and all(tags[i.url] == "en" for i in english)
        assert page.evaluate("document.documentElement.lang") == "zh-Hans"
        page.screenshot(path=str(tmp_path / "real-375.png"), full_page=True)
    finally:
        page.context.close()


def test_digest_preview_keeps_to_80_columns_in_the_digests_language(real_digest: Any) -> None:
    from typer.testing import CliRunner

    from digest.cli import app

    folder, _, _ = real_digest
    result = CliRunner().invoke(
        app, ["preview", "--config", str(folder / "feeds.yaml"), "--now", NOW], env={"COLUMNS": "80", "CI": "1"}
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) > 200
    wide = [line for line in lines if text_width(line) > 80]
    assert wide == []
    assert "2026年12月7日 星期一" in result.output and "篇报道" in result.output  # Chinese labels and date
    assert "    " in "\n".join(lines)  # blurbs are indented
    assert lines[-1].startswith("collect ") or "selected" in "\n".join(lines[-4:])  # the run report ends it
    assert result.output.count("rendering…") == 1  # each phase once
