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
import re
import sqlite3
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from .config import FetchSettings
from .encoding import decode_html
from .fetch import FetchRequest, FetchResult, fetch_all
from .furniture import is_furniture, is_furniture_line
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
    """The article's main text (paragraphs separated by blank lines), or None if there is none.

    trafilatura gives its result as XML so that a line break inside a paragraph (<br>, which it
    keeps as <lb/>) can be told from a new paragraph: a sentence broken across lines in the page
    is joined back, and so is one the page broke over two paragraphs.  Paragraphs that are page
    furniture on their own (a byline, a dateline, a label, a CSS line, related headlines run
    together; digest/furniture.py) are dropped; trafilatura already drops most related-links
    blocks, and a "Related" / "相关阅读" heading ends the text at the summarizer.
    """
    if not html or not html.strip():
        return None
    import trafilatura
    from lxml import etree

    try:
        xml = trafilatura.extract(
            html,
            url=url or None,
            output_format="xml",
            include_comments=False,
            include_images=False,
            include_links=False,
            include_tables=True,
            with_metadata=False,
        )
        root = etree.fromstring(xml.encode()) if xml else None
    except Exception as exc:
        log.debug("%s: trafilatura failed (%s: %s)", url, exc.__class__.__name__, exc)
        return None
    main = root.find("main") if root is not None else None
    if main is None:
        return None
    blocks = [(tag, p) for tag, p in _paragraphs(main) if p and not (is_furniture(p) or is_furniture_line(p))]
    joined = "\n\n".join(_rejoined(blocks))
    return joined if len(joined) >= MIN_TEXT_CHARS else None


_BLOCKS = {"p", "head", "item", "code", "quote", "cell"}
_HOLDERS = {"p", "head", "item", "quote", "list", "table", "row"}  # a block holding these is a container
_SENTENCE_END = re.compile(r"[.!?。！？；;:：…\"”’」』)）]$")


def _paragraphs(element: Any) -> list[tuple[str, str]]:
    """(tag, text) of the text blocks of trafilatura's XML in order: one per paragraph, heading or
    list item, one line per table row ("| a | b |", as its text output writes them)."""
    out: list[tuple[str, str]] = []
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "row":
            cells = [" ".join("".join(c.itertext()).split()) for c in child]
            out.append((tag, "| " + " | ".join(cells) + " |"))
        elif tag in _BLOCKS and not any(isinstance(g.tag, str) and g.tag in _HOLDERS for g in child):
            out.extend((tag, line) for line in _lines(child, prefix="- " if tag == "item" else ""))
        else:
            out.extend(_paragraphs(child))
        if child.tail and child.tail.strip() and element.tag != "main":
            out.append(("", " ".join(child.tail.split())))
    return out


# A sentence the page broke over two <p> elements: the first stops at a word or a comma and the
# second goes on in lower case.  Not for Chinese: with no case to go by, a teaser or subtitle
# ("大批中国人选择出行，高铁车票在几小时内被抢光") looks the same as half a sentence (on the corpus's
# pages such a rule joined more headlines to ledes than halves of sentences).
_LATIN_OPEN_END = re.compile(r"[A-Za-z0-9,;–-]$")
_LATIN_GOES_ON = re.compile(r"^[a-z]+[ ,;]")  # a plain word: not "nicedoc.io", "a11y", a URL


def _is_open_latin_prose(head: str) -> bool:
    """A paragraph that can be the first half of a broken sentence: Latin prose of three words or
    more that stops at a word or a comma.  Not a label ("Ingredients") nor Chinese ("…版本号为 iOS 18")."""
    return (_LATIN_OPEN_END.search(head) is not None and _CJK_CHAR.search(head) is None
            and len(head.split()) >= 3)


def _rejoined(blocks: Sequence[tuple[str, str]]) -> list[str]:
    """The blocks' text, with a sentence broken over two paragraphs joined back into one."""
    out: list[str] = []
    previous = ""
    for tag, text in blocks:
        if out and tag == previous == "p":
            head = out[-1]
            if _is_open_latin_prose(head) and _LATIN_GOES_ON.match(text):
                out[-1] = f"{head} {text}"
                continue
        out.append(text)
        previous = tag
    return out


def _lines(block: Any, prefix: str) -> list[str]:
    """A block's text; at each <lb/> the line goes on unless it ended a sentence (a wrapped
    sentence), Latin words joined by a space and Chinese by nothing."""
    lines = [""]
    pending = [False]  # a <lb/> inside a sentence: join what comes next

    def add(text: str | None) -> None:
        if not text:
            return
        if pending[0] and text.strip():
            head, tail = lines[-1].rstrip(), text.lstrip()
            cjk = _CJK_CHAR.match(head[-1:]) or _CJK_CHAR.match(tail[:1])
            lines[-1] = head + ("" if cjk else " ")
            text = tail
            pending[0] = False
        lines[-1] += text

    def walk(node: Any) -> None:
        add(node.text)
        for child in node:
            if child.tag == "lb":
                line = lines[-1].rstrip()
                if line and not _SENTENCE_END.search(line):
                    pending[0] = True
                elif line:
                    lines.append("")
            else:
                walk(child)
            add(child.tail)

    walk(block)
    texts = (" ".join(line.split()) for line in lines)
    return [prefix + text for text in texts if text]


_CJK_CHAR = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")


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
