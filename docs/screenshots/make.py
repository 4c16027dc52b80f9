"""Re-make the README's screenshots of the e-mail: `python docs/screenshots/make.py` (needs chromium + playwright).

Renders the test fixture digest (60 stories, 4 sections, English and Chinese; our own text) with the
default layout and photographs the top of it in headless Chromium at 375 px (light, dark) and 600 px.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests"))

from test_render_text import fixture  # noqa: E402

from digest.render import render_html  # noqa: E402

SHOTS = [("email-375-light.png", 375, "light", 1500), ("email-375-dark.png", 375, "dark", 1500),
         ("email-600-light.png", 600, "light", 1300)]


def main() -> None:
    from playwright.sync_api import sync_playwright

    html = render_html(fixture.big_digest(archive_url="https://me.github.io/digest")).html
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox"])
        for name, width, scheme, height in SHOTS:
            context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
            page = context.new_page()
            page.route("**/*", lambda route: route.abort())
            page.set_content(html, wait_until="load")
            page.screenshot(path=str(HERE / name))
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
