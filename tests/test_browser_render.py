"""How the e-mail looks in a real browser: headless Chromium (the system one) at phone and desktop widths.

Needs Debian's chromium (`apt-get install chromium`; .ci/run installs it) or DIGEST_CHROMIUM=/path.
Screenshots land in pytest's tmp_path for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_render_text import fixture

from digest.render import render_html

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    path = os.environ.get("DIGEST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("no chromium found: `apt-get install chromium` (Debian) or set DIGEST_CHROMIUM=/path/to/chrome")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def email_html() -> str:
    return render_html(fixture.big_digest(archive_url="https://me.github.io/digest")).html


def open_page(browser: Any, html: str, width: int, scheme: str) -> Any:
    """A page with the e-mail loaded and every network request refused: an e-mail must not need one."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.route("**/*", lambda route: route.abort())
    page.set_content(html, wait_until="load")
    return page


OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getClientRects().length && getComputedStyle(el).display !== 'none')
    .filter(el => el.getBoundingClientRect().right > width + 0.5)
    .map(el => el.tagName + '.' + el.className + ': ' + (el.textContent || '').slice(0, 60));
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide: wide};
}"""

COLOURS = """() => ({
  page: getComputedStyle(document.querySelector('.page')).backgroundColor,
  main: getComputedStyle(document.querySelector('.main')).backgroundColor,
  text: getComputedStyle(document.querySelector('.summary')).color,
  link: getComputedStyle(document.querySelector('.item-title a')).color,
})"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 600])
def test_no_horizontal_overflow_and_titles_are_links(
    browser: Any, email_html: str, width: int, scheme: str, tmp_path: Path
) -> None:
    page = open_page(browser, email_html, width, scheme)
    try:
        result = page.evaluate(OVERFLOW)
        assert result["scrollWidth"] <= result["innerWidth"], result["wide"][:5]
        assert result["wide"] == []
        titles = page.evaluate(
            "() => [...document.querySelectorAll('h3')].map(h => { const a = h.querySelector('a[href]'); "
            "return a ? [a.getAttribute('href'), a.textContent] : null; })"
        )
        assert len(titles) == 60
        assert all(t is not None and t[0].startswith("https://") and t[1] for t in titles)
        shot = tmp_path / f"digest-{width}-{scheme}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    finally:
        page.context.close()


def _luminance(css: str) -> float:
    """Relative luminance of an `rgb(r, g, b)` / `rgba(...)` colour, 0 (black) to 1 (white)."""
    parts = [float(p) for p in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]
    return (0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2]) / 255


@pytest.mark.parametrize("width", [375, 600])
def test_dark_mode_changes_background_and_keeps_contrast(browser: Any, email_html: str, width: int) -> None:
    seen = {}
    for scheme in ("light", "dark"):
        page = open_page(browser, email_html, width, scheme)
        seen[scheme] = page.evaluate(COLOURS)
        page.context.close()
    light, dark = seen["light"], seen["dark"]
    assert dark["page"] != light["page"] and dark["main"] != light["main"]
    assert _luminance(light["main"]) > 0.9 and _luminance(dark["main"]) < 0.2
    assert _luminance(dark["text"]) > 0.8 and _luminance(dark["link"]) > 0.5
    assert _luminance(light["text"]) < 0.2


def test_header_stacks_on_a_phone_and_sits_side_by_side_on_a_desktop(browser: Any, email_html: str) -> None:
    script = """() => { const [title, date] = document.querySelectorAll('.header .stack-column');
      return [title.getBoundingClientRect().top, date.getBoundingClientRect().top]; }"""
    tops = {}
    for width in (375, 800):
        page = open_page(browser, email_html, width, "light")
        tops[width] = page.evaluate(script)
        page.context.close()
    assert tops[375][1] > tops[375][0] + 20  # the date moved below the title
    assert abs(tops[800][1] - tops[800][0]) < 40  # the same row


def test_chinese_digest_renders_without_overflow(browser: Any, tmp_path: Path) -> None:
    page = open_page(browser, render_html(fixture.chinese_digest()).html, 375, "dark")
    try:
        assert page.evaluate("document.documentElement.lang") == "zh-Hans"
        result = page.evaluate(OVERFLOW)
        assert result["scrollWidth"] <= result["innerWidth"], result["wide"][:5]
        page.screenshot(path=str(tmp_path / "digest-zh-375-dark.png"), full_page=True)
    finally:
        page.context.close()


def test_archive_index_fits_a_phone_in_both_schemes(browser: Any, tmp_path: Path) -> None:
    from digest.archive import write_archive

    digest = fixture.big_digest()
    write_archive(tmp_path / "site", digest, render_html(digest, web=True).html, site_url=None)
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    backgrounds = []
    for scheme in ("light", "dark"):
        page = open_page(browser, index, 375, scheme)
        result = page.evaluate(OVERFLOW)
        assert result["scrollWidth"] <= result["innerWidth"], result["wide"][:5]
        backgrounds.append(page.evaluate("getComputedStyle(document.querySelector('main')).backgroundColor"))
        page.screenshot(path=str(tmp_path / f"archive-index-375-{scheme}.png"), full_page=True)
        page.context.close()
    assert backgrounds[0] != backgrounds[1]
