"""Renderers: pure functions of a Digest to the HTML e-mail, the plaintext part (and JSON, in json_out).

What other modules use of render/ is exported here (the archive's pages, the terminal view of
`digest show`), so the modules inside can change without breaking them; an import-linter
contract in pyproject.toml keeps it so.
"""

from __future__ import annotations

from .env import environment, render_template
from .html import RenderedHtml, render_html
from .json_out import digest_to_json
from .labels import labels, long_date
from .layout import unsubscribe_link
from .slots import UNSUBSCRIBE_SLOT, fill_unsubscribe
from .text import render_text
from .view import ItemView, build_view, zone
from .wrap import char_width, text_width, wrap

__all__ = [
    "UNSUBSCRIBE_SLOT",
    "ItemView",
    "RenderedHtml",
    "build_view",
    "char_width",
    "digest_to_json",
    "environment",
    "fill_unsubscribe",
    "labels",
    "long_date",
    "render_html",
    "render_template",
    "render_text",
    "text_width",
    "unsubscribe_link",
    "wrap",
    "zone",
]
