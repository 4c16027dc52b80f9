"""Renderers: pure functions of a Digest to the HTML e-mail, the plaintext part (and JSON, in json_out)."""

from __future__ import annotations

from .html import RenderedHtml, render_html
from .slots import UNSUBSCRIBE_SLOT, fill_unsubscribe
from .text import render_text

__all__ = ["UNSUBSCRIBE_SLOT", "RenderedHtml", "fill_unsubscribe", "render_html", "render_text"]
