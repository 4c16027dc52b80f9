"""Three exact speed-ups for feedparser: the same result for a third less CPU.

Parsing is most of a big run's CPU, and feedparser spends much of it on three chores:

* **Character data in pieces.**  expat hands text over in pieces, split at every entity and
  line break, so an escaped HTML description (`&lt;p&gt;...`) arrives as hundreds of calls,
  each going through feedparser's Python handler.  expat's `buffer_text` joins adjacent
  pieces into one call.  feedparser only appends the pieces to a list it later joins (and
  escapes them character by character for XHTML), so the joined text is the same.  feedparser
  asks `xml.sax.make_parser` for a driver from its `PREFERRED_XML_PARSERS` list; this module is
  such a driver (`create_parser`), an ExpatParser with `buffer_text` on, put at the head of it
  (so digest parses with expat even where libxml2's Python driver is installed, which
  feedparser would otherwise prefer).
* **The base URL, joined again on every start tag.**  To track `xml:base`, feedparser joins
  the current base with itself (`make_safe_absolute_uri`, a `urljoin`) on every start tag.  This
  is a pure function of two strings, and there are only a few distinct pairs per document, so
  a small cache answers almost every call (pairs over 2,048 characters are not kept).
* **Windows-1252 fix-ups, one exception per character.**  Every text value goes through
  `str.translate` with a 27-entry dict (C1 controls to the characters cp1252 meant).  For a
  character the dict lacks, CPython raises and clears a KeyError, and past the first non-ASCII
  character that is every character: Chinese text, or English with one curly quote.  A list
  over the Basic Multilingual Plane that maps every other code point to itself gives the same
  translation without the exceptions (2-2.5x faster; code points beyond it are not in the dict
  either, and still take the exception path).  About 2 MB per process.

All three only change how often work is done.  tests/test_feedparser_speedups.py parses every
document of the shared corpus (1,135 of them, feedparser's own test suite included) with and without
them and requires equal results, so a feedparser upgrade that broke this would show there.
`install()` does nothing if feedparser no longer has these names.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from xml.sax.expatreader import ExpatParser

_DRIVER = __name__
_LONGEST_CACHED = 2048  # characters of base + rel
_installed = False
_plain_join: Any = None  # feedparser's own make_safe_absolute_uri, for uninstall()
_plain_cp1252: Any = None  # and its translation dict


class BufferedExpatParser(ExpatParser):
    """The standard expat SAX driver, with adjacent character data delivered in one call."""

    def reset(self) -> None:
        super().reset()
        self._parser.buffer_text = True  # type: ignore[attr-defined]


def create_parser(*args: Any, **kwargs: Any) -> BufferedExpatParser:
    """The SAX driver entry point `xml.sax.make_parser` looks for in a driver module."""
    return BufferedExpatParser(*args, **kwargs)


def install() -> None:
    """Put the speed-ups in place (once per process; safe to call before every parse)."""
    global _installed, _plain_join, _plain_cp1252
    if _installed:
        return
    import feedparser.api
    import feedparser.mixin

    preferred = getattr(feedparser.api, "PREFERRED_XML_PARSERS", None)
    if isinstance(preferred, list) and _DRIVER not in preferred:
        preferred.insert(0, _DRIVER)
    join = getattr(feedparser.mixin, "make_safe_absolute_uri", None)
    if callable(join) and not hasattr(join, "cache_info"):
        _plain_join = join
        feedparser.mixin.make_safe_absolute_uri = cached_join(join)
    fixups = getattr(feedparser.mixin, "_cp1252", None)
    if isinstance(fixups, dict) and all(isinstance(k, int) and k < 0x10000 for k in fixups):
        _plain_cp1252 = fixups
        feedparser.mixin._cp1252 = translation_table(fixups)
    _installed = True  # each patch alone gives the same results, so a parse meanwhile is fine


def cached_join(join: Callable[..., str]) -> Callable[..., str]:
    """`join` answered from a small cache; long arguments (a hostile 400 KB xml:base) are not kept."""
    cached = functools.lru_cache(maxsize=256)(join)

    def make_safe_absolute_uri(base: str, rel: str | None = None) -> str:
        if len(base) + len(rel or "") > _LONGEST_CACHED:
            return join(base, rel)
        return cached(base, rel)

    make_safe_absolute_uri.cache_info = cached.cache_info  # type: ignore[attr-defined]
    return make_safe_absolute_uri


def uninstall() -> None:
    """Undo install() (for the test that compares results with and without)."""
    global _installed
    import feedparser.api
    import feedparser.mixin

    preferred = getattr(feedparser.api, "PREFERRED_XML_PARSERS", None)
    if isinstance(preferred, list) and _DRIVER in preferred:
        preferred.remove(_DRIVER)
    if _plain_join is not None:
        feedparser.mixin.make_safe_absolute_uri = _plain_join
    if _plain_cp1252 is not None:
        feedparser.mixin._cp1252 = _plain_cp1252
    _installed = False


def translation_table(mapping: dict[int, Any]) -> list[Any]:
    """A `str.translate` table equal to `mapping` for every code point, without misses below U+10000."""
    table: list[Any] = list(range(0x10000))
    for code, replacement in mapping.items():
        table[code] = replacement
    return table
