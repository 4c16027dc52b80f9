"""Full article text for `full_text: true` sources, so summaries are made from the article, not a teaser.

Each selected item's page is fetched through the project fetcher (concurrently, with its per-host
limit, timeouts and size cap) and its main text extracted with trafilatura, from the string we
give it: trafilatura never fetches anything itself.  Links found in content are untrusted: only
http(s) URLs are followed, never file: URLs or local paths, and loopback/private addresses are
refused (on every redirect hop, by the fetcher) unless the config lists the host in
`fetch.allow_hosts`.  When anything fails, the item keeps its feed or listing text.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from urllib.parse import urlsplit

from .config import FetchSettings
from .encoding import decode_html
from .fetch import FetchRequest, FetchResult, fetch_all
from .models import Item
from .state import articles

log = logging.getLogger(__name__)

MIN_TEXT_CHARS = 80  # less than this is a cookie wall or a stub, not an article
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")


class FullTexts(dict[str, str]):
    """item id -> article text, for the items whose page gave more text than they had.

    `to_cache` holds the rows fetched in this run; write them with
    `articles.put_many(conn, result.to_cache)` inside the run's final state transaction.
    `errors` maps item ids to a one-line reason, for the run report and --verbose.
    """

    def __init__(self) -> None:
        super().__init__()
        self.to_cache: list[articles.Article] = []
        self.errors: dict[str, str] = {}


def extract_main_text(html: str, url: str) -> str | None:
    """The article's main text (paragraphs separated by blank lines), or None if there is none."""
    if not html or not html.strip():
        return None
    import trafilatura

    try:
        text = trafilatura.extract(
            html,
            url=url or None,
            include_comments=False,
            include_images=False,
            include_links=False,
            include_tables=True,
            with_metadata=False,
        )
    except Exception as exc:
        log.debug("%s: trafilatura failed (%s: %s)", url, exc.__class__.__name__, exc)
        return None
    if not text:
        return None
    paragraphs = [" ".join(line.split()) for line in text.splitlines()]
    joined = "\n\n".join(p for p in paragraphs if p)
    return joined if len(joined) >= MIN_TEXT_CHARS else None


def fetch_full_texts(
    items: Sequence[Item],
    *,
    fetch_settings: FetchSettings,
    allow_hosts: tuple[str, ...],
    conn: sqlite3.Connection | None,
    now: float,
) -> FullTexts:
    """Fetch and extract the pages of `items` (cache first); never raises for a bad page.

    `conn` is only read (None: no cache); new rows come back in `result.to_cache`.
    """
    result = FullTexts()
    urls: dict[str, list[Item]] = {}
    for item in items:
        if _followable(item.url):
            urls.setdefault(item.url, []).append(item)
        else:
            result.errors[item.id] = f"not an http(s) link: {item.url[:80]!r}"

    cached = articles.get_many(conn, urls, now=now) if conn is not None and urls else {}
    texts: dict[str, str | None] = {url: row.text for url, row in cached.items()}
    reasons: dict[str, str] = {}
    pending = [url for url in urls if url not in cached]
    if pending:
        requests = [
            FetchRequest(key=url, url=url, allow_file=False, allow_private=False, allow_hosts=allow_hosts)
            for url in pending
        ]
        for fetched in fetch_all(requests, fetch_settings):
            if fetched.status != "ok":
                reasons[fetched.key] = fetched.error or fetched.status  # not cached: next run tries again
                continue
            text, reason = _text_of(fetched)
            texts[fetched.key] = text
            result.to_cache.append(articles.Article(fetched.key, text, now))
            if reason:
                reasons[fetched.key] = reason

    for url, group in urls.items():
        text = texts.get(url)
        for item in group:
            if text and len(text) > len(item.text):
                result[item.id] = _without_title(text, item.title)
            elif not text:
                result.errors[item.id] = reasons.get(url, "no main text found on the page")
    if result.errors:
        log.debug("full text: %d of %d items keep their own text", len(result.errors), len(items))
    return result


def _without_title(text: str, title: str) -> str:
    """Drop a first paragraph that repeats the headline, so it cannot become a summary sentence."""
    first, _, rest = text.partition("\n\n")
    if rest and " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest
    return text


def _followable(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _text_of(fetched: FetchResult) -> tuple[str | None, str | None]:
    """(text, why there is none) for a page that was fetched."""
    content_type = next((v for k, v in fetched.headers.items() if k.lower() == "content-type"), "")
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime not in _HTML_TYPES:
        return None, f"not an HTML page ({mime})"
    text = extract_main_text(decode_html(fetched.body, content_type), fetched.final_url or fetched.url)
    return text, None if text else "no main text found on the page"
