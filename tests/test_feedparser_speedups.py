"""digest.sources.feedparser_speedups may only change how fast feedparser is, never what it returns.

Each document is parsed with and without the speed-ups and the whole results are compared:
our own fixture here (xml:base, XHTML content, entities, long text), then every document of the
shared corpus (feedparser's test suite and the real-world feeds), which is skipped when
../shared is absent."""

from __future__ import annotations

import copy
import io
import re  # noqa: F401 - the stand-ins of pop() below live in a module with re, as feedparser's does
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import feedparser
import feedparser.api
import feedparser.mixin
import feedparser.util
import pytest
from feedparser.util import FeedParserDict
from hypothesis import example, given
from hypothesis import strategies as st

from digest.sources import feedparser_speedups

T = TypeVar("T")

FIXTURE = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.org/blog/">
  <title>Base &amp; entities</title>
  <link href="index.html"/>
  <entry xml:base="posts/">
    <title type="html">A &lt;b&gt;bold&lt;/b&gt; title &#8212; with a dash</title>
    <link href="one.html"/>
    <id>tag:example.org,2024:1</id>
    <updated>2024-06-05T10:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
      <p>First line &amp; more,
      second line with <a href="../two.html">a link</a> &lt;escaped&gt;.</p>
    </div></content>
  </entry>
  <entry xml:base="https://other.example/x/">
    <title>Second</title>
    <link href="y.html"/>
    <id>y</id>
    <summary type="html">{long}</summary>
  </entry>
</feed>
""".replace("{long}", "&lt;p&gt;word &amp;amp; word&lt;/p&gt;\n" * 2000)

RSS_FIXTURE = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>T</title><link>https://example.org/</link>
<item><title>One</title><guid isPermaLink="false">rel/1</guid><link>a.html</link>
<description>&lt;p&gt;Caf\xc3\xa9 &amp;amp; cr\xc3\xa8me&lt;/p&gt;
second line</description></item>
<item><title>Two</title><guid>rel/2</guid><description><![CDATA[<p>cdata</p>]]> and text</description></item>
</channel></rss>"""


def _parse(body: bytes) -> str:
    try:
        result = feedparser.parse(io.BytesIO(body), response_headers={"content-location": "https://example.org/dir/feed.xml"},
                                  resolve_relative_uris=False, sanitize_html=False)
    except Exception as exc:  # the same failure with and without is as good as the same result
        return f"raised {exc!r}"
    return repr(_typed((result.get("bozo"), result.get("version"), result.get("encoding"), result.feed, result.entries)))


def _typed(value: object) -> object:
    """`value` with the type of every container spelled out: a FeedParserDict and a dict print alike."""
    if isinstance(value, dict):
        return (type(value).__name__, [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [_typed(v) for v in value])
    return value


@contextmanager
def _without_speedups() -> Iterator[None]:
    feedparser_speedups.uninstall()
    try:
        yield
    finally:
        feedparser_speedups.install()


def _both(compute: Callable[[], T]) -> tuple[T, T]:
    """What `compute` returns with the speed-ups, and without them."""
    feedparser_speedups.install()
    fast = compute()
    with _without_speedups():
        plain = compute()
    return fast, plain


def _parse_all(bodies: list[bytes]) -> tuple[list[str], list[str]]:
    return _both(lambda: [_parse(b) for b in bodies])


def test_install_is_in_effect_and_undoable() -> None:
    feedparser_speedups.install()
    assert feedparser.api.PREFERRED_XML_PARSERS[0] == "digest.sources.feedparser_speedups"
    assert hasattr(feedparser.mixin.make_safe_absolute_uri, "cache_info")
    assert isinstance(feedparser.mixin._cp1252, dict)  # with the guarded pop, the list table is not needed
    assert "__deepcopy__" in FeedParserDict.__dict__
    plain_pop = feedparser_speedups._plain_pop
    assert plain_pop is not None and feedparser.mixin._FeedParserMixin.pop is not plain_pop
    feedparser_speedups.install()  # idempotent
    assert feedparser.api.PREFERRED_XML_PARSERS.count("digest.sources.feedparser_speedups") == 1
    feedparser_speedups.uninstall()
    assert "digest.sources.feedparser_speedups" not in feedparser.api.PREFERRED_XML_PARSERS
    assert not hasattr(feedparser.mixin.make_safe_absolute_uri, "cache_info")
    assert isinstance(feedparser.mixin._cp1252, dict)
    assert "__deepcopy__" not in FeedParserDict.__dict__
    assert FeedParserDict.__getitem__.__module__ == "feedparser.util"
    assert feedparser.mixin._FeedParserMixin.pop is plain_pop
    feedparser_speedups.install()


def test_text_arrives_in_one_piece_with_the_speedups() -> None:
    """The point of the driver: a long escaped description is one call, not thousands."""
    handle_data = feedparser.mixin._FeedParserMixin.handle_data
    calls = 0

    def counting(self: object, text: str, escape: int = 1) -> None:
        nonlocal calls
        calls += 1
        handle_data(self, text, escape)

    def calls_in_one_parse() -> int:
        nonlocal calls
        calls = 0
        _parse(FIXTURE.encode())
        return calls

    feedparser.mixin._FeedParserMixin.handle_data = counting  # type: ignore[method-assign]
    try:
        fast, plain = _both(calls_in_one_parse)
    finally:
        feedparser.mixin._FeedParserMixin.handle_data = handle_data  # type: ignore[method-assign]
    assert plain > 10_000
    assert fast < 100


# C1 controls where a Windows-1252 encoder meant curly quotes, in English and in Chinese text, and
# text beyond the Basic Multilingual Plane: feedparser's cp1252 fix-up has work to do in these
C1_FIXTURE = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>\x93Quoted\x94</title><link>https://example.org/</link>
<item><title>\u65b0\u95fb \x93\u6807\u9898\x94 \U0001f600</title><link>https://example.org/1</link>
<description>&lt;p&gt;\u6b63\u6587\x85 \x80 5&lt;/p&gt;</description></item>
<item><title>\u7eaf\u4e2d\u6587\u6807\u9898</title><link>https://example.org/2</link>
<description>caf\xe9 \x9f</description></item>
</channel></rss>""".encode()


def test_fixture_results_are_identical() -> None:
    bodies = [FIXTURE.encode(), RSS_FIXTURE, FIXTURE.encode("utf-16"),
              FIXTURE.replace("<feed ", "<feed xml:lang='zh' ", 1).encode("utf-8"), C1_FIXTURE]
    fast, plain = _parse_all(bodies)
    assert fast == plain
    assert "\u201cQuoted\u201d" in fast[4] and "\u6b63\u6587\u2026 \u20ac 5" in fast[4]  # the fix-up still ran
    assert "https://example.org/blog/posts/one.html" in fast[0]  # xml:base was applied
    assert "https://other.example/x/y.html" in fast[0]
    assert "&lt;escaped&gt;" in fast[0]


def test_every_corpus_feed_parses_the_same_with_and_without(corpus: Path) -> None:
    paths = sorted(p for folder in ("feedparser-tests", "feeds") for p in (corpus / folder).rglob("*") if p.is_file())
    assert len(paths) > 1000
    fast, plain = _parse_all([p.read_bytes() for p in paths])
    different = [str(p.relative_to(corpus)) for p, a, b in zip(paths, fast, plain, strict=True) if a != b]
    assert different == []


def test_the_list_table_stands_in_where_pop_cannot_be_guarded(monkeypatch: pytest.MonkeyPatch) -> None:
    with _without_speedups():
        monkeypatch.setattr(feedparser_speedups, "guarded_cp1252_pop", lambda pop, fixups: None)
        feedparser_speedups.install()
        try:
            assert isinstance(feedparser.mixin._cp1252, list)
            assert feedparser_speedups._plain_pop is None
            fast = _parse(C1_FIXTURE)
        finally:
            feedparser_speedups.uninstall()
        assert isinstance(feedparser.mixin._cp1252, dict)
        assert fast == _parse(C1_FIXTURE)


def test_translation_table_equals_the_dict_for_every_code_point() -> None:
    from feedparser.html import _cp1252

    table = feedparser_speedups.translation_table(_cp1252)
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert every.translate(table) == every.translate(_cp1252)
    assert "\x80\x93\x94".translate(table) == "\u20ac\u201c\u201d"


def test_pop_is_rebuilt_only_from_the_source_it_expects() -> None:
    """The guarded `pop` keeps feedparser's file and line numbers; anything unexpected keeps feedparser's own."""
    from feedparser.html import _cp1252

    plain = feedparser_speedups._plain_pop or feedparser.mixin._FeedParserMixin.pop
    guarded = feedparser_speedups.guarded_cp1252_pop(plain, _cp1252)
    assert guarded is not None and guarded.__globals__ is vars(feedparser.mixin)
    assert (guarded.__code__.co_filename, guarded.__code__.co_firstlineno) == (
        plain.__code__.co_filename, plain.__code__.co_firstlineno)
    assert guarded.__qualname__ == "_FeedParserMixin.pop"

    assert feedparser_speedups.guarded_cp1252_pop(plain, {**_cp1252, 0xA0: " "}) is None  # maps more than C1
    assert feedparser_speedups.guarded_cp1252_pop(len, _cp1252) is None  # no Python source

    # stand-ins for other versions of pop(), in a module that imports re as feedparser.mixin does
    fixed = feedparser_speedups.guarded_cp1252_pop(_pop_as_expected, _cp1252)
    assert fixed is not None and fixed(None, "a \x93b\x94") == "a \u201cb\u201d" and fixed(None, "纯文本") == "纯文本"
    assert feedparser_speedups.guarded_cp1252_pop(_pop_without_the_step, _cp1252) is None
    assert feedparser_speedups.guarded_cp1252_pop(_pop_ending_on_two_lines, _cp1252) is None


def test_pop_is_rebuilt_only_from_the_code_that_runs(tmp_path: Path) -> None:
    """No source at hand (a zipped install), or a file changed since it was imported: pop stays."""
    import importlib.util
    import linecache

    namespace: dict[str, Any] = {}
    exec(compile(_STAND_IN, "<no file>", "exec"), vars(feedparser.mixin), namespace)
    namespace["pop"].__module__ = "feedparser.mixin"
    assert feedparser_speedups.guarded_cp1252_pop(namespace["pop"], _cp1252) is None

    path = tmp_path / "mixin_like.py"
    path.write_text("import re\n_cp1252 = {}\n" + _STAND_IN)
    spec = importlib.util.spec_from_file_location("mixin_like", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["mixin_like"] = module
    try:
        spec.loader.exec_module(module)
        assert feedparser_speedups.guarded_cp1252_pop(module.pop, _cp1252) is not None
        path.write_text(path.read_text().replace("output.strip()", "output.lower()"))  # upgraded on disk
        linecache.checkcache(str(path))
        assert feedparser_speedups.guarded_cp1252_pop(module.pop, _cp1252) is None
    finally:
        del sys.modules["mixin_like"]


_STAND_IN = """def pop(self, output, strip_whitespace=1):
    output = output.strip()
    output = output.translate(_cp1252)
    return output
"""


_cp1252 = feedparser.mixin._cp1252  # the name the stand-ins' cp1252 step reads


def _pop_as_expected(self: object, output: str, strip_whitespace: int = 1) -> str:
    output = output.translate(_cp1252)
    return output


def _pop_without_the_step(self: object, output: str, strip_whitespace: int = 1) -> str:
    return output


def _pop_ending_on_two_lines(self: object, output: str, strip_whitespace: int = 1) -> str:
    output = output.translate(_cp1252)
    return (output
            )


def test_the_join_cache_keeps_no_long_strings() -> None:
    calls: list[tuple[str, str | None]] = []

    def join(base: str, rel: str | None = None) -> str:
        calls.append((base, rel))
        return base + (rel or "")

    cached = feedparser_speedups.cached_join(join)
    for _ in range(3):
        assert cached("https://example.org/", "a/") == "https://example.org/a/"
        assert cached("https://example.org/" + "x" * 5000, "b") == "https://example.org/" + "x" * 5000 + "b"
    assert calls.count(("https://example.org/", "a/")) == 1  # answered from the cache after the first
    assert len(calls) == 4 and cached.cache_info().currsize == 1  # type: ignore[attr-defined]


# every alias, every special name, every alias target, and keys feedparser never maps
_KEYS = sorted({*FeedParserDict.keymap, "category", "enclosures", "license", "updated", "updated_parsed",
                *(t for v in FeedParserDict.keymap.values() for t in (v if isinstance(v, list) else [v])),
                "title", "links", "tags", "published", "published_parsed", "type", "value", "x"})
_VALUES = st.one_of(
    st.integers(),
    st.text(max_size=3),
    st.lists(st.builds(lambda term, rel: FeedParserDict(term=term, rel=rel, href="h"),
                       st.sampled_from(["t", "u"]), st.sampled_from(["enclosure", "license", "alternate"])),
             max_size=2),
)
_OPS = st.lists(st.tuples(st.sampled_from(["get", "getitem", "in", "has_key", "attr", "setitem", "setdefault",
                                           "deepcopy"]), st.sampled_from(_KEYS), _VALUES), max_size=12)


def _outcomes(initial: list[tuple[str, Any]], ops: list[tuple[str, str, Any]]) -> list[str]:
    d = FeedParserDict()
    for key, value in initial:
        dict.__setitem__(d, key, value)
    seen = []
    for op, key, value in ops:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if op == "get":
                    got: Any = d.get(key, "default")
                elif op == "getitem":
                    got = d[key]
                elif op == "in":
                    got = key in d
                elif op == "has_key":
                    got = d.has_key(key)
                elif op == "attr":
                    got = getattr(d, key)
                elif op == "setitem":
                    d[key] = value
                    got = None
                elif op == "setdefault":
                    got = d.setdefault(key, value)
                else:
                    got = copy.deepcopy(d)
            except Exception as exc:
                got = exc
        if callable(got):  # a bound method (`d.items`): its repr holds the address of the dict
            got = f"method {getattr(got, '__name__', '?')}"
        seen.append(repr((_typed(got), type(got).__name__, [str(w.message) for w in caught], _typed(d))))
    return seen


@given(st.lists(st.tuples(st.sampled_from(_KEYS), _VALUES), max_size=8), _OPS)
@example(initial=[], ops=[("attr", "items", 0)])  # an attribute that is a dict method, not an alias
def test_dict_lookups_behave_as_feedparsers_own(initial: list[tuple[str, Any]], ops: list[tuple[str, str, Any]]) -> None:
    fast, plain = _both(lambda: _outcomes(initial, ops))
    assert fast == plain


def test_deepcopy_keeps_the_class_attributes_and_shared_values() -> None:
    feedparser_speedups.install()
    shared = FeedParserDict(type="text/html")
    d = FeedParserDict(a=shared, b=shared, title="s")
    d.extra = [1]  # an attribute lives in __dict__, which copy.deepcopy copies as well
    c = copy.deepcopy(d)
    assert type(c) is FeedParserDict and type(c["a"]) is FeedParserDict
    assert c == d and c["a"] is c["b"] and c["a"] is not shared
    assert c.extra == [1] and c.extra is not d.extra


def test_a_different_feedparserdict_keeps_its_own_methods() -> None:
    """A FeedParserDict whose __getitem__ answers one more key itself is not given the fast path."""

    class Newer(dict):  # type: ignore[type-arg]
        keymap: ClassVar[dict[str, object]] = dict(FeedParserDict.keymap)
        __contains__ = FeedParserDict.__contains__
        get = FeedParserDict.get
        __setitem__ = FeedParserDict.__setitem__
        has_key = FeedParserDict.has_key

        def __getitem__(self, key: str) -> object:
            if key == "media":  # a special key feedparser 6.0 does not have
                return dict.__getitem__(self, "media_content")
            if key == "category":
                return dict.__getitem__(self, "tags")[0]["term"]
            return dict.__getitem__(self, key)

    with _without_speedups():
        assert feedparser_speedups._dict_methods_as_known(FeedParserDict)
        assert not feedparser_speedups._dict_methods_as_known(Newer)


def test_the_driver_ends_a_document_at_its_root_only_when_asked() -> None:
    import xml.sax

    feedparser_speedups.install()

    class Handler(xml.sax.ContentHandler):
        """Records text; like feedparser, it names a version once it has seen a feed's root."""

        def __init__(self) -> None:
            super().__init__()
            self.seen: list[str] = []
            self.version = ""

        def startElement(self, name: str, attrs: object) -> None:  # the SAX name
            if name == "rss" and not self.seen:
                self.version = "rss"

        def characters(self, content: str) -> None:
            self.seen.append(content)

    parser = xml.sax.make_parser(feedparser.api.PREFERRED_XML_PARSERS)
    assert isinstance(parser, feedparser_speedups.BufferedExpatParser)

    def text(body: bytes) -> list[str]:
        handler = Handler()
        parser.setContentHandler(handler)
        parser.parse(io.BytesIO(body))
        return handler.seen

    feed = b"<rss><channel><title>T</title></channel></rss>"
    warning = b"<br /><b>Warning</b>: headers already sent"
    with feedparser_speedups.document_ends_at_root():
        assert text(feed + warning) == ["T"]
        assert text(feed.replace(b"T", b"U") + warning) == ["U"]  # the same parser, a new document
        with pytest.raises(xml.sax.SAXParseException, match="junk after document element"):
            text(warning + feed)  # the root that ended, <br />, was not a feed
        with pytest.raises(xml.sax.SAXParseException, match="mismatched tag"):
            text(feed.replace(b"</title>", b"</titel>") + warning)
    with pytest.raises(xml.sax.SAXParseException, match="junk after document element"):
        text(feed + warning)  # feedparser's own contract otherwise: the error that sends it to its loose parser
