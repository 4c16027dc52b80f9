"""Headless Chromium for how the e-mail looks: the system browser, driven by playwright, no network."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

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

def luminance(css: str) -> float:
    """Relative luminance of an `rgb(r, g, b)` / `rgba(...)` colour, 0 (black) to 1 (white)."""
    parts = [float(p) for p in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]
    return (0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2]) / 255
