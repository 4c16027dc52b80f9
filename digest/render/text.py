"""The plaintext part: the same content as the HTML e-mail, readable in a terminal mail client."""

from __future__ import annotations

from pathlib import Path

from ..config import LayoutSettings
from ..models import Digest
from .env import environment, render_template
from .view import build_view

TEXT_TEMPLATE = "digest.txt.j2"


def render_text(digest: Digest, *, templates: Path | None = None, unsubscribe_url: str | None = None,
                layout: LayoutSettings | None = None) -> str:
    """The plaintext digest, wrapped at 72 columns (CJK counted as two); never trimmed for size.

    Each story reads title, then its summary (a lead) or one short line (a brief), then the URL.
    """
    context = {"d": build_view(digest, layout=layout), "unsubscribe_url": unsubscribe_url}
    text = render_template(environment(templates), TEXT_TEMPLATE, context)
    # Templates may leave runs of blank lines behind conditional blocks; one blank line is enough.
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n") + "\n"
