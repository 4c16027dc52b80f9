"""Exact identity: the keys under which two items are the very same entry, in a run and across runs.

A canonical URL is a story's identity, except a site's front page (broken feeds link every
entry there).  An id (GUID) counts only together with the title: some feeds ship one GUID for
every entry (miniflux notes the same in its RSS adapter), and a short GUID such as "1" from
two feeds means nothing.  The same keys are stored in history, so they must stay stable.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Item
from .history import key_hash
from .text import joined_tokens, tokens


def _title_key(title: str) -> str:
    return " ".join(tokens(title))


def is_front_page(url: str) -> bool:
    """A URL that names a site rather than a page (or is no web URL at all)."""
    scheme, _, rest = url.partition("://")
    if scheme not in ("http", "https"):
        return True
    _, slash, tail = rest.partition("/")
    if not slash:
        return "?" not in rest
    return tail.partition("#")[0] == ""


def keys(item: Item) -> list[tuple[str, str]]:
    """(rule, key) pairs that identify the entry; rule is "same-url" or "same-id"."""
    found: list[tuple[str, str]] = []
    if item.url:
        found.append(("same-url", item.url if not is_front_page(item.url) else f"{item.url}\0{_title_key(item.title)}"))
    if item.id and item.id != item.url:
        found.append(("same-id", f"{item.id}\0{_title_key(item.title)}"))
    return found


def all_keys(items: Sequence[Item]) -> list[list[tuple[str, str]]]:
    """keys() of every item, the title parts worked out together."""
    front = [bool(item.url) and is_front_page(item.url) for item in items]
    needy = [i for i, item in enumerate(items) if front[i] or (item.id and item.id != item.url) or item.legacy_id]
    title_of = dict(zip(needy, joined_tokens([items[i].title for i in needy]), strict=True))
    found: list[list[tuple[str, str]]] = []
    for i, item in enumerate(items):
        keys: list[tuple[str, str]] = []
        if item.url:
            keys.append(("same-url", f"{item.url}\0{title_of[i]}" if front[i] else item.url))
        if item.id and item.id != item.url:
            keys.append(("same-id", f"{item.id}\0{title_of[i]}"))
        keys.extend(_legacy_keys(item, title_of.get(i, "")))
        found.append(keys)
    return found


def _legacy_keys(item: Item, title_key: str) -> list[tuple[str, str]]:
    """The keys earlier versions stored for this item, before URLs were RFC 3986-normalised.

    Matched, never recorded: an item sent before the upgrade is still "already sent" after it.
    """
    legacy: list[tuple[str, str]] = []
    if item.legacy_url and not is_front_page(item.legacy_url):
        legacy.append(("same-url", item.legacy_url))
    if item.legacy_id and item.legacy_id != (item.legacy_url or item.url):
        legacy.append(("same-id", f"{item.legacy_id}\0{title_key}"))
    return legacy


def key_hashes(item: Item) -> list[tuple[bool, int]]:
    """The keys as history stores them: (is_url, 64-bit hash)."""
    return hashes(keys(item))


def hashes(pairs: list[tuple[str, str]]) -> list[tuple[bool, int]]:
    return [(rule == "same-url", key_hash("url" if rule == "same-url" else "id", key)) for rule, key in pairs]


def also_key_hashes(url: str) -> list[tuple[bool, int]]:
    """History keys of an `also` entry, of which only the URL is known."""
    if not url or is_front_page(url):
        return []
    return [(True, key_hash("url", url))]
