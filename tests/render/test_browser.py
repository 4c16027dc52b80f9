"""How the e-mail looks in a real browser: headless Chromium (the system one) at phone and desktop widths.

Needs Debian's chromium (`apt-get install chromium`; .ci/run installs it) or DIGEST_CHROMIUM=/path.
Screenshots land in pytest's tmp_path for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from digest.render import render_html
from tests.support import sample_digests as fixture
from tests.support.browser import OVERFLOW, luminance, open_page

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def email_html() -> str:
    return render_html(fixture.big_digest(archive_url="https://me.github.io/digest")).html


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


@pytest.mark.parametrize("width", [375, 600])
def test_dark_mode_changes_background_and_keeps_contrast(browser: Any, email_html: str, width: int) -> None:
    seen = {}
    for scheme in ("light", "dark"):
        page = open_page(browser, email_html, width, scheme)
        seen[scheme] = page.evaluate(COLOURS)
        page.context.close()
    light, dark = seen["light"], seen["dark"]
    assert dark["page"] != light["page"] and dark["main"] != light["main"]
    assert luminance(light["main"]) > 0.9 and luminance(dark["main"]) < 0.2
    assert luminance(dark["text"]) > 0.8 and luminance(dark["link"]) > 0.5
    assert luminance(light["text"]) < 0.2


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
