"""Per-recipient values filled into an already rendered digest, so a mailer renders once, not per subscriber."""

from __future__ import annotations

from html import escape

# Pass as `unsubscribe_url=` to render_html/render_text; only letters and underscores, so neither
# jinja2 escaping nor lxml's URL serialisation changes it, and it cannot occur in feed content by chance.
UNSUBSCRIBE_SLOT = "DIGEST_UNSUBSCRIBE_URL_SLOT"


def fill_unsubscribe(rendered: str, url: str, *, html: bool) -> str:
    """Put one recipient's unsubscribe URL into the slot (HTML-escaped in the HTML part)."""
    return rendered.replace(UNSUBSCRIBE_SLOT, escape(url, quote=True) if html else url)
