"""Exact identity: the keys under which two items are the very same entry, in a run and across runs.

A canonical URL is a story's identity, except a site's front page (broken feeds link every
entry there).  An id (GUID) counts only together with the title: some feeds ship one GUID for
every entry (miniflux notes the same in its RSS adapter), and a short GUID such as "1" from
two feeds means nothing.  The hashes are stored in history, so they must never change: they
are blake2b of "kind:value", and the title part is the title's words joined by spaces.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from ..models import Item

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")


def key_hash(kind: str, value: str) -> int:
    """64-bit key of an exact identity ('url', 'id' or 'source'), signed so SQLite stores it as an INTEGER."""
    return int.from_bytes(hashlib.blake2b(f"{kind}:{value}".encode(), digest_size=8).digest(), "little", signed=True)


def _title_key(title: str) -> str:
    """Latin words and single CJK characters of the title, lower-cased, joined by spaces."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", title).casefold()))


def is_front_page(url: str) -> bool:
    """A URL that names a site rather than a page (or is no web URL at all)."""
    scheme, _, rest = url.partition("://")
    if scheme not in ("http", "https"):
        return True
    _, slash, tail = rest.partition("/")
    if not slash:
        return "?" not in rest
    return tail.partition("#")[0] == ""


def keys(item: Item) -> list[tuple[bool, int]]:
    """(is_url, hash) of each key that identifies the entry: its URL, then its id with its title."""
    found: list[tuple[bool, int]] = []
    if item.url:
        value = item.url if not is_front_page(item.url) else f"{item.url}\0{_title_key(item.title)}"
        found.append((True, key_hash("url", value)))
    if item.id and item.id != item.url:
        found.append((False, key_hash("id", f"{item.id}\0{_title_key(item.title)}")))
    return found


def matching_keys(item: Item) -> list[tuple[bool, int]]:
    """keys(), then the keys earlier versions stored for the item before URLs were RFC 3986-normalised
    (Item.legacy_url / legacy_id): matched, never recorded, so what was sent before the upgrade stays sent."""
    found = keys(item)
    if item.legacy_url and not is_front_page(item.legacy_url):
        found.append((True, key_hash("url", item.legacy_url)))
    if item.legacy_id and item.legacy_id != (item.legacy_url or item.url):
        found.append((False, key_hash("id", f"{item.legacy_id}\0{_title_key(item.title)}")))
    return found


def url_key(url: str) -> list[int]:
    """The key of an `also` entry, of which only the URL is known (none for a front page)."""
    return [] if not url or is_front_page(url) else [key_hash("url", url)]
