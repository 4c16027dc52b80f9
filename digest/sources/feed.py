"""Feed bytes -> Entries: RSS 0.9x/1.0/2.0 and Atom via feedparser, JSON Feed 1.0/1.1 by hand.

Pure: the caller fetched the bytes.  feedparser gets a BytesIO and the response headers,
never a URL or a bare string (it would try to open those itself), so the declared
charset is honoured and nothing is fetched behind our back.
"""

from __future__ import annotations

import calendar
import html
import io
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..deadline import interrupted_at_deadline
from ..encoding import header_charset, meta_charsets, repair_utf8
from ..errors import ParseError
from ..models import Entry

_JSON_FEED_VERSION = re.compile(r"^https?://jsonfeed\.org/version/1(\.1)?/?$")
# C0 control bytes are illegal anywhere in XML 1.0; one stray backspace pasted into a post sends
# feedparser to its loose parser for the whole document (2-3x slower, and looser).  In UTF-8,
# the Latin-1 family, GBK/GB18030, Big5, Shift_JIS and EUC these bytes only ever encode
# themselves.  Not so in UTF-16/32 (half of every character) or ISO-2022 (ESC, SO and SI switch
# character sets), which are left alone.
_XML_ILLEGAL_BYTES = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20))


def parse_feed(body: bytes, headers: Mapping[str, str], url: str) -> list[Entry]:
    """Entries of a feed document; ParseError with a one-line reason if it is not a feed."""
    if not body.strip():
        raise ParseError("empty response (no feed data)")
    if _looks_like_json(body, headers):
        return parse_json_feed(body, url)
    return _parse_xml_feed(body, headers, url)


def _looks_like_json(body: bytes, headers: Mapping[str, str]) -> bool:
    content_type = headers.get("content-type", "").lower()
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return head in (b"{", b"[") or ("json" in content_type and head != b"<")


def _parse_xml_feed(body: bytes, headers: Mapping[str, str], url: str) -> list[Entry]:
    response_headers = {k.lower(): v for k, v in headers.items()}
    body = prepared_xml(body, response_headers.get("content-type"))
    response_headers.setdefault("content-location", url)
    parsed = _feedparser_parse(body, response_headers)
    site = parsed.feed.get("link") or ""
    if (url.startswith("file:") and site.startswith(("http://", "https://"))
            and any(str(e.get("link", "")).startswith("file:") for e in parsed.entries)):
        # a feed saved to disk: its relative links mean the site, not the folder it sits in
        response_headers["content-location"] = site
        parsed = _feedparser_parse(body, response_headers)
    if not parsed.get("version") and not parsed.entries:
        # An HTML page (a login wall, an error page, a site's home page) parses with bozo
        # false and no version: feedparser cannot tell us, so we say it ourselves.
        reason = parsed.get("bozo_exception")
        if b"<html" in body[:4096].lower():
            raise ParseError("an HTML page, not an RSS/Atom/JSON feed (is the URL the feed's, not the site's?)")
        detail = f" ({_one_line(reason)})" if reason else ""
        raise ParseError(f"not an RSS/Atom/JSON feed{detail}")
    feed_link = parsed.feed.get("link") or url
    return [_entry_from_feedparser(e, feed_link, url) for e in parsed.entries]


def prepared_xml(body: bytes, content_type: str | None) -> bytes:
    """The bytes feedparser gets: the only places where our reading differs from feedparser's own.

    Each fixes a mistake that would send feedparser to its loose parser for the whole document
    (2-3x slower, and looser): whitespace before "<?xml" (PHP templates), C0 control bytes
    (illegal anywhere in XML), and invalid UTF-8 sequences in a UTF-8 document."""
    body = body.lstrip(b" \t\r\n")
    if not _is_wide_encoding(body) and b"\x1b" not in body:
        body = body.translate(None, _XML_ILLEGAL_BYTES)  # 9x faster than a regex sub
    if not _is_wide_encoding(body):
        declared = header_charset(content_type) or next(iter(meta_charsets(body)), None)
        body = repair_utf8(body, declared)
    return body


def _feedparser_parse(body: bytes, response_headers: dict[str, str]) -> Any:
    """feedparser.parse through its documented arguments only (never patched: see pyproject's pin).

    feedparser resolves entry links against content-location (a base, never fetched); links
    inside content are left alone (resolve_relative_uris, a third of its parse time) and it does
    not sanitize: we only keep the plain text of content (digest.sanitize.html_to_text)."""
    import feedparser

    with interrupted_at_deadline():  # a 10 MB feed stops at the run's deadline, not seconds later
        return feedparser.parse(io.BytesIO(body), response_headers=response_headers,
                                resolve_relative_uris=False, sanitize_html=False)


def _is_wide_encoding(body: bytes) -> bool:
    """UTF-16/32 (with or without a BOM): zero bytes there are half of every character."""
    return body[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in body[:4]


def _one_line(exc: object) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else exc.__class__.__name__


def _entry_from_feedparser(e: Mapping[str, Any], feed_link: str, url: str) -> Entry:
    content = ""
    for block in e.get("content") or []:
        value = block.get("value") or ""
        if len(value) > len(content):
            content = value
    summary = e.get("summary") or ""
    if summary == content:
        summary = ""
    published = None
    raw = None
    for key in ("published", "updated", "created"):
        if e.get(key):
            raw = e[key]
            struct = e.get(f"{key}_parsed")
            if struct:
                try:
                    published = datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)
                except (OverflowError, ValueError, OSError):
                    published = None
            break
    link = e.get("link")
    if not link:
        for candidate in e.get("links") or []:
            if candidate.get("href") and candidate.get("rel", "alternate") == "alternate":
                link = candidate["href"]
                break
    tags = e.get("tags") or []
    category = tags[0].get("term") if tags and isinstance(tags[0], Mapping) else None
    base = ""
    title = e.get("title") or ""
    detail = e.get("title_detail") or {}
    if isinstance(detail, Mapping):
        base = detail.get("base") or ""
        if detail.get("type") == "text/plain":
            # feedparser already unescaped a plain-text title: "std::vector<int>" is text, not a tag
            title = html.escape(title, quote=False)
    return Entry(
        title=title,
        link=link,
        guid=e.get("id") or None,
        content=content,
        summary=summary,
        author=e.get("author") or None,
        published=published,
        published_raw=raw,
        category=category,
        base_url=base or feed_link or url,
    )


def parse_json_feed(body: bytes, url: str) -> list[Entry]:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        # raw control chars in strings are common; a stray invalid byte spoils only itself
        data = json.loads(repair_utf8(body, None).decode("utf-8-sig"), strict=False)
    except UnicodeDecodeError:
        raise ParseError("JSON feed is not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ParseError(f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise ParseError("JSON nested too deeply to be a feed") from None
    if not isinstance(data, dict) or not _JSON_FEED_VERSION.match(str(data.get("version", ""))):
        raise ParseError("JSON, but not a JSON Feed (no https://jsonfeed.org/version/1.x \"version\")")
    items = data.get("items")
    if not isinstance(items, list):
        raise ParseError("JSON Feed without an \"items\" list")
    base = str(data.get("home_page_url") or data.get("feed_url") or url)
    feed_authors = _json_authors(data)
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        published_raw = _str(item.get("date_published")) or _str(item.get("date_modified"))
        entries.append(Entry(
            title=html.escape(_str(item.get("title")), quote=False),  # JSON Feed titles are plain text
            link=_str(item.get("url")) or _str(item.get("external_url")) or None,
            # ids must be strings, but numbers are common and harmless
            guid=_str(item.get("id")) or (str(item["id"]) if isinstance(item.get("id"), int) else None),
            content=_str(item.get("content_html")) or _html_escape(_str(item.get("content_text"))),
            summary=_str(item.get("summary")),
            author=_json_authors(item) or feed_authors or None,
            published=_rfc3339(published_raw),
            published_raw=published_raw or None,
            category=_first_tag(item.get("tags")),
            base_url=base,
        ))
    return entries


def _str(value: Any) -> str:
    """A JSON string field; anything else (numbers in `url`, objects in `title`) is ignored."""
    return value if isinstance(value, str) else ""


def _html_escape(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip()) if text else ""


def _json_authors(obj: Mapping[str, Any]) -> str:
    authors = obj.get("authors")
    if isinstance(authors, list):
        names = [_str(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name")]
        if names:
            return ", ".join(names)
    author = obj.get("author")  # JSON Feed 1.0
    if isinstance(author, dict):
        return _str(author.get("name"))
    return ""


def _first_tag(tags: Any) -> str | None:
    if isinstance(tags, list) and tags and isinstance(tags[0], str):
        return tags[0]
    return None


def _rfc3339(value: str) -> datetime | None:
    if not value:
        return None
    from dateutil import parser

    try:
        parsed = parser.isoparse(value)
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
