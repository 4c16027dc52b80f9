"""Five exact speed-ups for feedparser: the same result for about half the CPU.

Parsing is most of a big run's CPU, and feedparser spends much of it on five chores:

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
  either, and still take the exception path).  About 2.6 MB and 4 ms per process, so it is
  built only where the next point cannot be had.
* **... and one new object per character even then.**  `str.translate` still makes an int
  object for every character beyond Latin-1 and builds its result one character at a time:
  about a tenth of the CPU of parsing the benchmark's 200 feeds, to change nothing, since the
  dict only maps C1 controls (U+0080-U+009F), which real text almost never holds.  `pop`, the
  feedparser method that ends with that translate, is rebuilt from feedparser's own source with
  the statement guarded: ASCII text, and text without a C1 control, is kept as it is (the rare
  text with one still goes through the dict).  Only if the statement is there exactly once and
  every key of the dict is a C1 control; otherwise `pop` stays, and the list above is used.
* **Every dict lookup through the alias table.**  Results are `FeedParserDict`s, and the parser
  keeps its own state in them too (`contentparams` is read six times per closing tag).  Each
  `get`, `[]` and `in` first compares the key with five special names and looks it up in
  the alias table (`channel` -> `feed`, `guid` -> `id` ...), then goes through `__getitem__`,
  and a missing key raises and catches a KeyError.  Keys that are neither special nor aliases
  (nearly all of them) now go straight to the plain dict; the others take feedparser's own
  code.  A `__deepcopy__` does what `copy.deepcopy` did through `__reduce_ex__` (it copies
  `contentparams` for every content element), without the detour through `__getattr__` and
  without a call for each string in it.

All five only change how often work is done.  tests/test_feedparser_speedups.py parses every
document of the shared corpus (1,135 of them, feedparser's own test suite included) with and without
them and requires equal results, so a feedparser upgrade that broke this would show there.
`install()` does nothing if feedparser no longer has these names.

One thing the driver does differently, and only when asked (`document_ends_at_root()`, which
digest.sources.feed uses): when the root element was a feed (feedparser knows its version),
text after its end tag (a PHP warning, a host's analytics script, the tail of an older copy of
the file) is ignored.  XML calls such text a fatal error; feedparser would give up its strict
reading of the whole document and read it again with its loose parser, which is 2-3x slower
and takes that tail as feed data: one corpus feed got an entry's link as its own.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from xml.parsers import expat
from xml.sax import SAXParseException
from xml.sax.expatreader import ExpatParser

from .. import deadline

_DRIVER = __name__
_LONGEST_CACHED = 2048  # characters of base + rel
_installed = False
_installing = threading.Lock()  # two threads must not each take the other's patch for feedparser's own
_ends_at_root: ContextVar[bool] = ContextVar("digest_document_ends_at_root", default=False)
_JUNK_AFTER_ROOT = expat.errors.codes[expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT]
_plain_join: Any = None  # feedparser's own make_safe_absolute_uri, for uninstall()
_plain_cp1252: Any = None  # and its translation dict
_plain_dict_methods: dict[str, Any] = {}  # and FeedParserDict's own methods
_plain_pop: Any = None  # and its parser's pop()
# types copy.deepcopy returns as they are (its _deepcopy_atomic, looked up by exact type)
_ATOMIC = frozenset({str, int, float, bool, type(None), bytes, complex})
# the last step of feedparser 6.0's pop(), and the same step skipped where it would change nothing:
# the translation maps C1 controls only (checked), so a string without one is its own translation
_CP1252_STEP = "output = output.translate(_cp1252)"
_CP1252_STEP_GUARDED = ("output = output.translate(_cp1252) "
                        "if not output.isascii() and re.search('[\\x80-\\x9f]', output) else output")
# FeedParserDict.__getitem__ answers these five itself instead of looking them up ...
_SPECIAL_KEYS = frozenset({"category", "enclosures", "license", "updated", "updated_parsed"})
# ... and these are all the names in its code (feedparser 6.0): any other version of it, which might
# answer one more key itself, keeps feedparser's own methods
_KNOWN_GETITEM_NAMES = _SPECIAL_KEYS | {"href", "links", "published", "published_parsed", "rel", "tags", "term"}


class BufferedExpatParser(ExpatParser):
    """The standard expat SAX driver, with adjacent character data delivered in one call, and
    (inside `document_ends_at_root()`) a document that ends with its root element."""

    _ended_at_root = False

    def reset(self) -> None:
        super().reset()
        self._parser.buffer_text = True  # type: ignore[attr-defined]
        self._ended_at_root = False

    def feed(self, data: Any, isFinal: bool = False) -> None:
        if self._ended_at_root and getattr(self, "_parsing", False):
            return  # close() still ends the document; a new document starts afresh (reset)
        deadline.check()  # xml.sax feeds 64 KB at a time: a big feed stops soon after the run's deadline
        try:
            super().feed(data, isFinal)
        except SAXParseException as exc:
            deadline.check()  # ... and is not read again by feedparser's loose parser after it
            if not (_ends_at_root.get() and getattr(exc.getException(), "code", None) == _JUNK_AFTER_ROOT
                    and getattr(getattr(self, "_cont_handler", None), "version", "")):
                raise
            # the root element, all of it delivered, was a feed (feedparser named its version); a
            # root that was not (the <br /> of a PHP warning *before* the feed) keeps the error, and
            # feedparser its loose reading of the whole text
            self._ended_at_root = True


@contextmanager
def document_ends_at_root() -> Iterator[None]:
    """Parses inside this block stop at the root element's end tag instead of failing on what follows."""
    token = _ends_at_root.set(True)
    try:
        yield
    finally:
        _ends_at_root.reset(token)


def create_parser(*args: Any, **kwargs: Any) -> BufferedExpatParser:
    """The SAX driver entry point `xml.sax.make_parser` looks for in a driver module."""
    return BufferedExpatParser(*args, **kwargs)


def install() -> None:
    """Put the speed-ups in place (once per process; safe to call before every parse, from any thread)."""
    if _installed:
        return
    with _installing:
        if not _installed:
            _install()


def _install() -> None:
    global _installed, _plain_join, _plain_cp1252, _plain_pop
    import feedparser.api
    import feedparser.mixin
    import feedparser.util

    preferred = getattr(feedparser.api, "PREFERRED_XML_PARSERS", None)
    if isinstance(preferred, list) and _DRIVER not in preferred:
        preferred.insert(0, _DRIVER)
    join = getattr(feedparser.mixin, "make_safe_absolute_uri", None)
    if callable(join) and not hasattr(join, "cache_info"):
        _plain_join = join
        feedparser.mixin.make_safe_absolute_uri = cached_join(join)
    fixups = getattr(feedparser.mixin, "_cp1252", None)
    mixin = getattr(feedparser.mixin, "_FeedParserMixin", None)
    if isinstance(fixups, dict):
        pop = guarded_cp1252_pop(mixin.__dict__.get("pop"), fixups) if isinstance(mixin, type) else None
        if pop is not None:  # the translate runs only on text with a C1 control: the dict will do
            _plain_pop = mixin.__dict__["pop"]
            setattr(mixin, "pop", pop)  # noqa: B010 - mypy knows it only as a type
        elif all(isinstance(k, int) and k < 0x10000 for k in fixups):
            _plain_cp1252 = fixups
            feedparser.mixin._cp1252 = translation_table(fixups)
    cls = getattr(feedparser.util, "FeedParserDict", None)
    if isinstance(cls, type) and not _plain_dict_methods and _dict_methods_as_known(cls):
        fast = direct_lookups(cls)
        _plain_dict_methods.update({name: cls.__dict__.get(name) for name in fast})
        for name, method in fast.items():
            setattr(cls, name, method)
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


def guarded_cp1252_pop(pop: Any, fixups: dict[int, Any]) -> Any:
    """feedparser's `pop`, compiled again from its own source with the cp1252 step guarded; None
    when the source is not at hand (a zipped install), not as expected, or the dict maps more
    than C1 controls.  The new function shares feedparser.mixin's globals and line numbers.

    The source is cut from the file by the code object's own line numbers (the function ends
    with a one-line `return`): inspect.getsource would tokenize it, 20 ms in every process."""
    import inspect
    import linecache
    import re
    import sys
    import textwrap

    module = sys.modules.get(getattr(pop, "__module__", "") or "")
    if not inspect.isfunction(pop) or module is None or getattr(module, "re", None) is not re:
        return None
    if not fixups or not all(isinstance(k, int) and 0x80 <= k <= 0x9F for k in fixups):
        return None
    code = pop.__code__
    if code.co_freevars:  # a closure (or super()) cannot be compiled again on its own
        return None
    last = max((line for _, _, line in code.co_lines() if line is not None), default=0)
    lines = linecache.getlines(code.co_filename)[code.co_firstlineno - 1:last]
    source = textwrap.dedent("".join(lines))
    if source.count(_CP1252_STEP) != 1 or not source.startswith(f"def {pop.__name__}("):
        return None
    padding = "\n" * (code.co_firstlineno - 1)
    try:
        # the file on disk must be the code that runs (not a feedparser upgraded since it was imported)
        if not _same_code(_compiled(padding + source, code.co_filename, pop.__name__, vars(module)), code):
            return None
        guarded = _compiled(padding + source.replace(_CP1252_STEP, _CP1252_STEP_GUARDED), code.co_filename,
                            pop.__name__, vars(module))
    except SyntaxError:  # the function did not end where its last line number said
        return None
    if not inspect.isfunction(guarded):
        return None
    guarded.__qualname__, guarded.__doc__, guarded.__defaults__ = pop.__qualname__, pop.__doc__, pop.__defaults__
    return guarded


def _compiled(source: str, filename: str, name: str, module_globals: dict[str, Any]) -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), module_globals, namespace)  # feedparser's own code (see above)
    return namespace.get(name)


def _same_code(function: Any, code: Any) -> bool:
    """The same names, arguments and constants (bytecode may differ between compilations)."""
    import types

    def consts(c: types.CodeType) -> list[Any]:
        return [k.co_name if isinstance(k, types.CodeType) else (type(k), k) for k in c.co_consts]

    other = getattr(function, "__code__", None)
    return (isinstance(other, types.CodeType) and other.co_names == code.co_names
            and other.co_varnames == code.co_varnames and other.co_argcount == code.co_argcount
            and other.co_freevars == code.co_freevars and consts(other) == consts(code))


def uninstall() -> None:
    """Undo install() (for the test that compares results with and without)."""
    global _installed, _plain_pop, _plain_cp1252
    import feedparser.api
    import feedparser.mixin

    preferred = getattr(feedparser.api, "PREFERRED_XML_PARSERS", None)
    if isinstance(preferred, list) and _DRIVER in preferred:
        preferred.remove(_DRIVER)
    if _plain_join is not None:
        feedparser.mixin.make_safe_absolute_uri = _plain_join
    if _plain_cp1252 is not None:
        feedparser.mixin._cp1252 = _plain_cp1252
        _plain_cp1252 = None
    if _plain_pop is not None:
        feedparser.mixin._FeedParserMixin.pop = _plain_pop
        _plain_pop = None
    if _plain_dict_methods:
        import feedparser.util

        cls = feedparser.util.FeedParserDict
        for name, method in _plain_dict_methods.items():
            if method is None:
                delattr(cls, name)
            else:
                setattr(cls, name, method)
        _plain_dict_methods.clear()
    _installed = False


def translation_table(mapping: dict[int, Any]) -> list[Any]:
    """A `str.translate` table equal to `mapping` for every code point, without misses below U+10000."""
    table: list[Any] = list(range(0x10000))
    for code, replacement in mapping.items():
        table[code] = replacement
    return table


def _dict_methods_as_known(cls: type) -> bool:
    """FeedParserDict as feedparser 6.0 defines it: an alias table, five special keys, no
    deep-copy hook of its own."""
    keymap = getattr(cls, "keymap", None)
    code = getattr(cls.__dict__.get("__getitem__"), "__code__", None)
    names = {c for c in getattr(code, "co_consts", ()) if isinstance(c, str) and c.isidentifier()}
    return (issubclass(cls, dict) and isinstance(keymap, dict) and "__deepcopy__" not in cls.__dict__
            and all(name in cls.__dict__ for name in ("__getitem__", "__contains__", "get", "__setitem__", "has_key"))
            and names == _KNOWN_GETITEM_NAMES)


def direct_lookups(cls: type) -> dict[str, Callable[..., Any]]:
    """Methods for FeedParserDict that use the plain dict for keys that are neither aliases nor
    special, and feedparser's own methods (taken from `cls` now) for the others."""
    import copy

    keymap = getattr(cls, "keymap")  # noqa: B009 - checked by _dict_methods_as_known
    slow = _SPECIAL_KEYS | frozenset(keymap)
    aliases = frozenset(keymap)
    own_getitem, own_contains = cls.__dict__["__getitem__"], cls.__dict__["__contains__"]
    own_get, own_setitem = cls.__dict__["get"], cls.__dict__["__setitem__"]
    dict_getitem, dict_contains, dict_get, dict_setitem = dict.__getitem__, dict.__contains__, dict.get, dict.__setitem__

    def __getitem__(self: Any, key: Any) -> Any:
        return own_getitem(self, key) if key in slow else dict_getitem(self, key)

    def __contains__(self: Any, key: Any) -> bool:
        return bool(own_contains(self, key)) if key in slow else dict_contains(self, key)

    def get(self: Any, key: Any, default: Any = None) -> Any:
        return own_get(self, key, default) if key in slow else dict_get(self, key, default)

    def __setitem__(self: Any, key: Any, value: Any) -> None:
        if key in aliases:
            own_setitem(self, key, value)
        else:
            dict_setitem(self, key, value)

    def __deepcopy__(self: Any, memo: dict[int, Any]) -> Any:
        # what copy.deepcopy does with a dict subclass by way of __reduce_ex__(4): a new object
        # of the class, its __dict__ copied, then each item copied and stored through __setitem__;
        # a string or number is its own deep copy (copy.deepcopy's own rule, by exact type), so
        # feedparser's contentparams ({type, language, base}) take no call per item
        kind: Any = type(self)
        result = kind.__new__(kind)
        memo[id(self)] = result
        if self.__dict__:
            result.__dict__.update(copy.deepcopy(self.__dict__, memo))
        for key, value in dict.items(self):
            if type(key) is str and type(value) in _ATOMIC:
                result[key] = value
            else:
                result[copy.deepcopy(key, memo)] = copy.deepcopy(value, memo)
        return result

    return {"__getitem__": __getitem__, "__contains__": __contains__, "get": get, "has_key": __contains__,
            "__setitem__": __setitem__, "__deepcopy__": __deepcopy__}
