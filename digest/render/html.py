"""The HTML part: jinja2 template, CSS inlined by premailer, held under Gmail's clip by trimming."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import LayoutSettings
from ..models import Digest
from .budget import TRIM_LIMIT, WARN_LIMIT, TransferEncoding, kb, transfer_encoding
from .env import environment, render_template
from .view import build_view, ranked_ids

HTML_TEMPLATE = "digest.html.j2"
PREHEADER_FILLER = 70  # invisible characters after the preheader so clients don't pull body text into the preview


@dataclass(frozen=True)
class RenderedHtml:
    """The inlined HTML part, what it costs on the wire, and what was cut to fit."""

    html: str
    encoded_size: int  # bytes of the HTML part after `transfer_encoding`, as it will be sent
    transfer_encoding: TransferEncoding  # the smaller one; the mailer should use it (cte=...)
    warnings: list[str] = field(default_factory=list)
    trimmed: tuple[str, ...] = ()  # ids of items whose summary was dropped for size
    overflow: tuple[str, ...] = ()  # ids of items moved to the titles-only "more stories" list


def inline_css(html: str) -> str:
    """Inline the stylesheet with premailer, keeping media queries and !important in a <style> block."""
    import cssutils
    import premailer

    cssutils.ser.prefs.minimizeColorHash = False  # keep #ffffff: some clients mishandle three-digit colours
    return str(
        premailer.Premailer(
            html,
            allow_network=False,
            strip_important=False,
            cssutils_logging_level=logging.CRITICAL,
            keep_style_tags=False,
            remove_classes=False,  # dark-mode and mobile rules still select by class
            disable_validation=True,
        ).transform(pretty_print=False)
    )


def _smallest(count: int, fits: Callable[[int], bool]) -> int | None:
    """The smallest k in 1..count with fits(k), assuming fits is monotone; None when even count fails."""
    if count == 0 or not fits(count):
        return None
    low, high = 1, count
    while low < high:
        middle = (low + high) // 2
        if fits(middle):
            high = middle
        else:
            low = middle + 1
    return low


def render_html(
    digest: Digest,
    *,
    templates: Path | None = None,
    unsubscribe_url: str | None = None,
    web: bool = False,
    limit: int = TRIM_LIMIT,
    warn_at: int = WARN_LIMIT,
    layout: LayoutSettings | None = None,
) -> RenderedHtml:
    """Render the e-mail HTML; when it would pass `limit` encoded bytes, trim the lowest-ranked items.

    First the summaries of the lowest-ranked items go, then the overflow moves to a titles-only
    "more stories" list.  `web=True` renders the archive page instead: no preheader, unsubscribe
    text or size limit.  `unsubscribe_url` becomes the footer's link (a mailer may pass a
    placeholder and substitute per recipient); without it the footer says how to unsubscribe.
    `layout` (feeds.yaml `layout:`) picks the lead stories; the default leads with five.
    """
    env = environment(templates)
    cache: dict[tuple[int, int], tuple[str, TransferEncoding, int]] = {}
    order = ranked_ids(digest)

    def build(trim: int, overflow: int) -> tuple[str, TransferEncoding, int]:
        if (trim, overflow) not in cache:
            view = build_view(digest, trimmed=set(order[:trim]), overflow=set(order[:overflow]), layout=layout)
            context = {
                "d": view,
                "web": web,
                "unsubscribe_url": unsubscribe_url,
                "preheader_filler": PREHEADER_FILLER,
            }
            html = inline_css(render_template(env, HTML_TEMPLATE, context))
            cte, size = transfer_encoding(html)
            cache[(trim, overflow)] = (html, cte, size)
        return cache[(trim, overflow)]

    html, cte, size = build(0, 0)
    warnings: list[str] = []
    trim = overflow = 0
    if not web and size > limit:
        full = size
        n = len(order)
        found = _smallest(n, lambda k: build(k, 0)[2] <= limit)
        if found is not None:
            trim = found
        else:
            trim = n
            overflow = _smallest(n, lambda k: build(n, k)[2] <= limit) or n
        html, cte, size = build(trim, overflow)
        warnings.append(_trim_message(full, size, limit, trim, overflow, digest.language))
    if not web and size > warn_at:
        warnings.append(f"the HTML e-mail is {kb(size)} encoded ({cte}); Gmail clips messages above {kb(102 * 1024)}")
    return RenderedHtml(
        html=html,
        encoded_size=size,
        transfer_encoding=cte,
        warnings=warnings,
        trimmed=tuple(order[:trim]),
        overflow=tuple(order[:overflow]),
    )


def _trim_message(full: int, size: int, limit: int, trim: int, overflow: int, language: str) -> str:
    del language  # warnings go to the run report, which is English
    what = f"left out the summaries of the {trim} lowest-ranked stories"
    if overflow:
        what += f" and listed {overflow} of them as titles only under “More stories”"
    tail = "" if size <= limit else f"; still {kb(size)}, over the {kb(limit)} target"
    return f"the HTML e-mail would be {kb(full)} encoded; {what} to stay under Gmail's clip ({kb(size)}){tail}"
