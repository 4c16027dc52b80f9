"""feeds.yaml -> frozen, typed settings; every mistake is a ConfigError naming file, key path and fix.

Config is read once.  `${ENV_VAR}` in any string value is expanded from the environment
before validation, so secrets and subscriber lists never need to be committed.
"""

from __future__ import annotations

import gc
import os
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError
from .timewindow import parse_duration, parse_since

SOURCE_TYPES = ("feed", "listing")
SUMMARY_ALGORITHMS = (
    "auto", "pacsum", "lead", "lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic", "edmundson",
)
ORDERS = ("coverage", "newest")
SECURITY = ("ssl", "starttls", "none")

T = TypeVar("T")

# A config this big is not a list of feeds someone keeps: refused before it is read.  Reading
# and checking 110,000 sources (7.3 MB) takes about 3 s, so 32 MB is under 15 s and 1.5 GB of memory.
MAX_CONFIG_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 12  # feeds.yaml nests 4 deep (sources[0].select.item); deeper is an alias loop
MAX_FORMAT_WIDTH = 100  # widths and precisions in `{field:spec}`: `{count:>2000000000}` is 2 GB of spaces


@dataclass(frozen=True)
class ListingSelect:
    """CSS selectors for a listing page; a value may end in ' @attr' to read an attribute."""

    item: str
    title: str | None = None
    link: str | None = None
    summary: str | None = None
    date: str | None = None
    author: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class Source:
    name: str
    url: str  # absolute http(s) or file URL (relative paths are resolved at load time)
    index: int  # position in the config, for ordering and key paths
    type: str = "feed"
    section: str | None = None  # None: a listing item's category, else the source name
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    timezone: str | None = None  # for dates on the page; defaults to the digest's
    full_text: bool = False
    select: ListingSelect | None = None

    @property
    def is_local(self) -> bool:
        return self.url.startswith("file:")


@dataclass(frozen=True)
class SummarySettings:
    sentences: int = 3
    max_chars: int | None = None  # None: 200 for Chinese, 320 for English
    algorithm: str = "auto"


@dataclass(frozen=True)
class FetchSettings:
    concurrency: int = 16
    per_host: int = 2
    connect_timeout: float = 10.0
    timeout: float = 30.0  # total deadline per request, seconds
    max_bytes: int = 10 * 1024 * 1024
    retries: int = 2
    deadline: float = 300.0  # for the whole run's fetching and parsing (full text too), seconds
    user_agent: str = ""  # empty: digest's own User-Agent
    allow_hosts: tuple[str, ...] = ()  # private/loopback hosts (`host` or `host:port`) fetches may reach
    parse_workers: int | None = None  # processes that parse feeds; None: one per CPU for big runs, 0: none


@dataclass(frozen=True)
class DedupSettings:
    # containment: the share of the shorter lead's terms found in the other
    text_threshold: float = 0.7
    # weighted Dice of title terms (docs/benchmarks/dedup.md): English words, and Chinese character pairs,
    # of which a rewrite shares fewer
    title_threshold: float = 0.45
    title_threshold_zh: float = 0.3
    history_days: int = 14
    order: str = "coverage"


@dataclass(frozen=True)
class EmailSettings:
    sender: str = ""  # feeds.yaml key `from`
    to: tuple[str, ...] = ()  # raw values; delivery validates and expands files
    subject: str = "{title} · {date} · {headline}"
    domain: str = ""
    unsubscribe_url: str = ""
    subscribers: tuple[Mapping[str, Any], ...] = ()  # per-subscriber {address, sections}


@dataclass(frozen=True)
class LayoutSettings:
    """How the e-mail is laid out: lead stories as full cards, the rest as one-line briefs."""

    lead: int | None = 5  # stories shown as full cards with their summary; None (`all`): every story
    lead_per: str = "digest"  # "digest": the top `lead` stories overall; "section": the top of each section
    more_stories: int = 15  # titles listed for what did not fit max_items; 0: only a count


@dataclass(frozen=True)
class Config:
    path: Path
    title: str = "Daily digest"
    timezone: str = "UTC"
    since: str = "24h"
    max_items: int = 50
    per_source: int = 10
    state: Path = Path(".digest/state.sqlite")
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    summary: SummarySettings = field(default_factory=SummarySettings)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    dedup: DedupSettings = field(default_factory=DedupSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    layout: LayoutSettings = field(default_factory=LayoutSettings)
    templates: Path | None = None
    archive: Path | None = None
    archive_url: str | None = None
    sources: tuple[Source, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def source(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        names = ", ".join(s.name for s in self.sources)
        raise ConfigError(self.path.name, "sources", f"no source named {name!r} (there are: {names})")


# ---------------------------------------------------------------------------- loading

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_STRFTIME_WIDTH = re.compile(r"%[-+_0^#]*(\d+)")


class _Reader:
    """Walks the YAML tree, remembering the key path so every error can name it."""

    def __init__(self, file: str, size: int = 0) -> None:
        self.file = file
        self.nodes = 0
        self.max_nodes = max(10_000, size)  # values expand() may visit: a file of `size` characters holds fewer

    def fail(self, path: str, message: str) -> ConfigError:
        return ConfigError(self.file, path, message)

    def expand(self, value: Any, path: str, depth: int = 0) -> Any:
        self.nodes += 1
        if depth > MAX_DEPTH:
            raise self.fail(path, f"nested more than {MAX_DEPTH} levels deep (a YAML alias that refers to itself?)")
        if self.nodes > self.max_nodes:
            # without aliases a file cannot hold more values than it has characters
            raise self.fail(
                path,
                f"YAML aliases (*name) expand this file to more than {self.max_nodes:,} values; "
                "an alias that repeats another alias multiplies it (a \"billion laughs\" file?)",
            )
        if isinstance(value, str):
            def sub(match: re.Match[str]) -> str:
                name = match.group(1)
                if name not in os.environ:
                    if path.startswith("email"):
                        return ""  # only needed when sending; delivery says what is missing
                    raise self.fail(path, f"environment variable {name} is not set (export {name}=… or remove it)")
                return os.environ[name]
            return _ENV.sub(sub, value)
        if isinstance(value, list):
            return [self.expand(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
        if isinstance(value, dict):
            return {k: self.expand(v, f"{path}.{k}" if path else str(k), depth + 1) for k, v in value.items()}
        return value

    def mapping(self, value: Any, path: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a mapping of keys, got {_kind(value)}")
        return value

    def known(self, data: Mapping[str, Any], path: str, keys: tuple[str, ...]) -> None:
        for key in data:
            if key not in keys:
                hint = _closest(str(key), keys)
                where = f"{path}.{key}" if path else str(key)
                raise self.fail(where, f"unknown key{hint}; allowed here: {', '.join(keys)}")

    def get(self, data: Mapping[str, Any], key: str, path: str, conv: Callable[[Any, str], T], default: T) -> T:
        if key not in data or data[key] is None:
            return default
        where = f"{path}.{key}" if path else key
        return conv(data[key], where)

    # converters: (value, path) -> typed value
    def string(self, value: Any, path: str) -> str:
        if isinstance(value, (dict, list, bool)):
            raise self.fail(path, f"expected text, got {_kind(value)}")
        text = str(value).strip()
        if not text:
            raise self.fail(path, "must not be empty")
        return text

    def integer(self, low: int, high: int) -> Callable[[Any, str], int]:
        def conv(value: Any, path: str) -> int:
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise self.fail(path, f"expected a whole number from {low} to {high}, got {value!r}")
            try:
                number = int(value)
            except ValueError:
                raise self.fail(path, f"expected a whole number from {low} to {high}, got {value!r}") from None
            if not low <= number <= high:
                raise self.fail(path, f"expected a whole number from {low} to {high}, got {number}")
            return number
        return conv

    def auto_or(self, conv: Callable[[Any, str], T]) -> Callable[[Any, str], T | None]:
        """`auto` (digest decides) as None, anything else through conv."""
        def auto(value: Any, path: str) -> T | None:
            if isinstance(value, str) and value.strip().lower() == "auto":
                return None
            try:
                return conv(value, path)
            except ConfigError as exc:
                raise self.fail(path, f"{exc.message}, or auto") from None
        return auto

    def number(self, low: float, high: float) -> Callable[[Any, str], float]:
        def conv(value: Any, path: str) -> float:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise self.fail(path, f"expected a number from {low} to {high}, got {value!r}")
            try:
                number = float(value)
            except ValueError:
                raise self.fail(path, f"expected a number from {low} to {high}, got {value!r}") from None
            if not low <= number <= high:
                raise self.fail(path, f"expected a number from {low} to {high}, got {number:g}")
            return number
        return conv

    def boolean(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"expected true or false, got {value!r}")
        return value

    def choice(self, options: tuple[str, ...]) -> Callable[[Any, str], str]:
        def conv(value: Any, path: str) -> str:
            text = self.string(value, path).lower()
            if text not in options:
                raise self.fail(path, f"expected one of {', '.join(options)}, got {value!r}")
            return text
        return conv

    def seconds(self, value: Any, path: str) -> float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            seconds = float(value)
        else:
            try:
                seconds = parse_duration(self.string(value, path)).total_seconds()
            except ValueError as exc:
                raise self.fail(path, str(exc)) from None
        if not 0 < seconds < 86400:  # also false for NaN
            raise self.fail(path, f"expected a duration between 1s and 24h, got {value!r}")
        return seconds

    def patterns(self, value: Any, path: str) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [value]
        result = []
        for i, pattern in enumerate(items):
            where = f"{path}[{i}]" if isinstance(value, list) else path
            text = self.string(pattern, where)
            try:
                re.compile(text)
            except re.error as exc:
                raise self.fail(where, f"not a valid regular expression ({exc}): {text!r}") from None
            result.append(text)
        return tuple(result)

    def format_string(self, value: Any, path: str) -> str:
        """A `{field:spec}` template whose widths and precisions are small (no 2 GB of padding at send time)."""
        text = self.string(value, path)
        try:
            fields = [(name, spec) for _, name, spec, _ in string.Formatter().parse(text) if name is not None]
        except ValueError as exc:
            raise self.fail(path, f"not a valid template ({exc}); write {{{{ and }}}} for braces") from None
        for name, spec in ((name, spec or "") for name, spec in fields):
            if "{" in spec:
                raise self.fail(path, f"{{{name}:{spec}}}: a format spec cannot hold another {{field}}")
            # {date:...} is a strftime format, where digits may be text and only %<width> is a width;
            # in any other spec ({count:>3}, {title:.40}) every digit is a fill, width or precision
            widths = _STRFTIME_WIDTH.findall(spec) if name == "date" else re.findall(r"\d+", spec)
            too_big = [int(w) for w in widths if int(w) > MAX_FORMAT_WIDTH]
            if too_big:
                raise self.fail(
                    path, f"{{{name}:{spec}}} asks for a width or precision of {too_big[0]}; "
                    f"at most {MAX_FORMAT_WIDTH} is allowed"
                )
        return text

    def strings(self, value: Any, path: str) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [value]
        return tuple(self.string(v, f"{path}[{i}]" if isinstance(value, list) else path) for i, v in enumerate(items))


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false", type(None): "nothing"}.get(
        type(value), repr(value)
    )


def _closest(key: str, keys: tuple[str, ...]) -> str:
    import difflib

    match = difflib.get_close_matches(key, keys, n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


TOP_KEYS = (
    "title", "timezone", "since", "max_items", "per_source", "state", "include", "exclude",
    "summary", "fetch", "dedup", "email", "templates", "archive", "archive_url", "sources", "layout",
)
SOURCE_KEYS = ("name", "url", "type", "section", "include", "exclude", "timezone", "full_text", "select")
SELECT_KEYS = ("item", "title", "link", "summary", "date", "author", "category")


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate feeds.yaml; raises ConfigError (never another exception)."""
    file = Path(path)
    label = str(path)
    try:
        size = file.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(
                label, "", f"the file is {size / 2**20:.1f} MB; digest reads config files up to "
                f"{MAX_CONFIG_BYTES // 2**20} MB (about 400,000 sources): split it into several configs"
            )
        raw_text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(label, "", "file not found (pass --config PATH, or create feeds.yaml)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(label, "", f"cannot read the file ({exc.__class__.__name__}: {exc})") from None
    return parse_config(raw_text, file, label)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, first: int, second: int) -> None:
        super().__init__(key)
        self.key, self.first, self.second = key, first, second


@cache
def _loader() -> type[Any]:
    """PyYAML's safe loader (libyaml's when installed) that refuses a key given twice in one mapping.

    PyYAML keeps the last of two equal keys without a word; in feeds.yaml that silently drops a
    setting (`url:` twice in a source).  Keys merged in with `<<: *alias` may still be overridden.
    """
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            lines: dict[Any, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node)
                line = key_node.start_mark.line + 1
                if key in lines:
                    raise _DuplicateKey(key, lines[key], line)
                lines[key] = line
            return super().construct_mapping(node, deep)

    return Loader


def _load_yaml(text: str) -> Any:
    """The YAML document, read with the garbage collector paused.

    Reading builds one object per value and nothing that needs collecting; with the collector on,
    its passes over the growing tree took 75 % of the time for 110,000 sources (6.6 s -> 1.6 s).
    """
    import yaml

    enabled = gc.isenabled()
    gc.disable()
    try:
        return yaml.load(text, Loader=_loader())  # a safe loader (_loader)
    finally:
        if enabled:
            gc.enable()


def parse_config(text: str, file: Path, label: str | None = None) -> Config:
    """Validate YAML text as a config; `file` anchors relative paths."""
    import yaml  # here: parser processes import this module for its dataclasses, never for YAML

    label = label or str(file)
    r = _Reader(label, len(text))
    try:
        data = _load_yaml(text)
    except _DuplicateKey as exc:
        raise ConfigError(
            label, f"line {exc.second}",
            f"{exc.key!r} is given twice in one mapping (lines {exc.first} and {exc.second}); keep one of them",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(label, where, f"not valid YAML: {problem}") from None
    except Exception as exc:
        raise ConfigError(label, "", f"not valid YAML: {exc.__class__.__name__}") from None
    if data is None:
        data = {}
    data = r.mapping(data, "")
    r.known(data, "", TOP_KEYS)
    data = r.expand(data, "")
    base = file.resolve().parent

    timezone = r.get(data, "timezone", "", r.string, "UTC")
    try:
        tz = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise r.fail("timezone", f"unknown IANA time zone {timezone!r} (try Asia/Shanghai, Europe/Berlin or UTC)") from None

    since = r.get(data, "since", "", r.string, "24h")
    try:
        from datetime import datetime

        parse_since(since, datetime.now(tz), tz)
    except ValueError as exc:
        raise r.fail("since", str(exc)) from None

    def path_value(value: Any, where: str) -> Path:
        p = Path(r.string(value, where)).expanduser()
        return p if p.is_absolute() else base / p

    def existing_dir(value: Any, where: str) -> Path:
        folder = path_value(value, where)
        if not folder.is_dir():
            raise r.fail(where, f"no such folder: {folder} (copy the shipped templates/ folder there to start)")
        return folder

    sources_raw = data.get("sources")
    if sources_raw is None:
        raise r.fail("sources", "missing: add a list of sources, each with a name and a url")
    if not isinstance(sources_raw, list):
        raise r.fail("sources", f"expected a list of sources, got {_kind(sources_raw)}")
    sources = tuple(_source(r, s, i, base) for i, s in enumerate(sources_raw))
    seen: dict[str, int] = {}
    for s in sources:
        if s.name in seen:
            raise r.fail(f"sources[{s.index}].name", f"{s.name!r} is already the name of sources[{seen[s.name]}]; names must be unique")
        seen[s.name] = s.index
        if s.timezone:
            try:
                ZoneInfo(s.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise r.fail(f"sources[{s.index}].timezone", f"unknown IANA time zone {s.timezone!r}") from None

    return Config(
        path=file,
        title=r.get(data, "title", "", r.string, "Daily digest"),
        timezone=timezone,
        since=since,
        max_items=r.get(data, "max_items", "", r.integer(1, 100_000), 50),
        per_source=r.get(data, "per_source", "", r.integer(1, 100_000), 10),
        state=r.get(data, "state", "", path_value, base / ".digest" / "state.sqlite"),
        include=r.get(data, "include", "", r.patterns, ()),
        exclude=r.get(data, "exclude", "", r.patterns, ()),
        summary=_summary(r, r.mapping(data.get("summary"), "summary")),
        fetch=_fetch(r, r.mapping(data.get("fetch"), "fetch")),
        dedup=_dedup(r, r.mapping(data.get("dedup"), "dedup")),
        email=_email(r, r.mapping(data.get("email"), "email")),
        layout=_layout(r, r.mapping(data.get("layout"), "layout")),
        templates=r.get(data, "templates", "", existing_dir, None),
        archive=r.get(data, "archive", "", path_value, None),
        archive_url=r.get(data, "archive_url", "", _http_url(r), None),
        sources=sources,
    )


def _http_url(r: _Reader) -> Callable[[Any, str], str]:
    def conv(value: Any, path: str) -> str:
        text = r.string(value, path)
        try:
            parts = urlsplit(text)
        except ValueError:
            raise r.fail(path, f"expected an http(s) URL, got {text!r}") from None
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise r.fail(path, f"expected an http(s) URL, got {text!r}")
        return text
    return conv


def _source(r: _Reader, raw: Any, index: int, base: Path) -> Source:
    path = f"sources[{index}]"
    data = r.mapping(raw, path)
    r.known(data, path, SOURCE_KEYS)
    if "name" not in data:
        raise r.fail(f"{path}.name", "missing: every source needs a name")
    if "url" not in data:
        raise r.fail(f"{path}.url", "missing: give the feed's http(s) URL, a file URL or a path")
    name = r.string(data["name"], f"{path}.name")
    url = _source_url(r, data["url"], f"{path}.url", base)
    kind = r.get(data, "type", path, r.string, "feed").lower()
    if kind not in SOURCE_TYPES:
        raise r.fail(f"{path}.type", f"unknown source type {kind!r}; expected one of {', '.join(SOURCE_TYPES)}")
    select = None
    if "select" in data and data["select"] is not None:
        if kind != "listing":
            raise r.fail(f"{path}.select", "only listing sources take selectors (add type: listing)")
        sel = r.mapping(data["select"], f"{path}.select")
        r.known(sel, f"{path}.select", SELECT_KEYS)
        if "item" not in sel:
            raise r.fail(f"{path}.select.item", "missing: the CSS selector of one item (e.g. 'ul.list > li')")
        values = {k: _selector(r, sel[k], f"{path}.select.{k}") for k in SELECT_KEYS if sel.get(k) is not None}
        select = ListingSelect(**values)
    return Source(
        name=name,
        url=url,
        index=index,
        type=kind,
        section=r.get(data, "section", path, r.string, None),
        include=r.get(data, "include", path, r.patterns, ()),
        exclude=r.get(data, "exclude", path, r.patterns, ()),
        timezone=r.get(data, "timezone", path, r.string, None),
        full_text=r.get(data, "full_text", path, r.boolean, False),
        select=select,
    )


def _selector(r: _Reader, value: Any, path: str) -> str:
    text = r.string(value, path)
    css = text.split(" @", 1)[0].strip() if " @" in text else text
    if css.startswith("@"):
        return text  # attribute of the item element itself
    try:
        from cssselect import GenericTranslator, SelectorError

        GenericTranslator().css_to_xpath(css)
    except SelectorError as exc:
        raise r.fail(path, f"not a valid CSS selector ({exc}): {css!r}") from None
    return text


def _source_url(r: _Reader, value: Any, path: str, base: Path) -> str:
    text = r.string(value, path)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise r.fail(path, f"expected an http(s) or file URL, got {text!r} ({exc})") from None
    if parts.scheme in ("http", "https"):
        if not parts.netloc:
            raise r.fail(path, f"expected an http(s) or file URL, got {text!r} (no host)")
        return text
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise r.fail(path, f"a file URL must name a local file (file:///path), got {text!r}")
        if not parts.path.startswith("/"):  # file:feeds/x.xml: relative to the config, like a plain path
            return (base / parts.path).resolve().as_uri()
        return text
    if parts.scheme and len(parts.scheme) > 1:  # "c:" on Windows is a drive, not a scheme
        raise r.fail(path, f"expected an http(s) or file URL, got {text!r}")
    if "://" in text:
        raise r.fail(path, f"expected an http(s) or file URL, got {text!r}")
    local = Path(text).expanduser()
    local = local if local.is_absolute() else base / local
    return local.resolve().as_uri()


def _summary(r: _Reader, data: dict[str, Any]) -> SummarySettings:
    r.known(data, "summary", ("sentences", "max_chars", "algorithm"))
    return SummarySettings(
        sentences=r.get(data, "sentences", "summary", r.integer(1, 10), 3),
        max_chars=r.get(data, "max_chars", "summary", r.integer(40, 5000), None),
        algorithm=r.get(data, "algorithm", "summary", r.choice(SUMMARY_ALGORITHMS), "auto"),
    )


def _fetch(r: _Reader, data: dict[str, Any]) -> FetchSettings:
    keys = ("concurrency", "per_host", "connect_timeout", "timeout", "max_bytes", "retries", "deadline", "user_agent", "allow_hosts",
            "parse_workers")
    r.known(data, "fetch", keys)
    d = FetchSettings()
    return FetchSettings(
        concurrency=r.get(data, "concurrency", "fetch", r.integer(1, 512), d.concurrency),
        per_host=r.get(data, "per_host", "fetch", r.integer(1, 64), d.per_host),
        connect_timeout=r.get(data, "connect_timeout", "fetch", r.seconds, d.connect_timeout),
        timeout=r.get(data, "timeout", "fetch", r.seconds, d.timeout),
        max_bytes=r.get(data, "max_bytes", "fetch", r.integer(1024, 1 << 31), d.max_bytes),
        retries=r.get(data, "retries", "fetch", r.integer(0, 10), d.retries),
        deadline=r.get(data, "deadline", "fetch", r.seconds, d.deadline),
        user_agent=r.get(data, "user_agent", "fetch", r.string, ""),
        allow_hosts=r.get(data, "allow_hosts", "fetch", _host_ports(r), ()),
        parse_workers=r.get(data, "parse_workers", "fetch", r.auto_or(r.integer(0, 64)), None),
    )


def _layout(r: _Reader, data: dict[str, Any]) -> LayoutSettings:
    r.known(data, "layout", ("lead", "lead_per", "more_stories"))
    d = LayoutSettings()

    def lead(value: Any, path: str) -> int | None:
        if isinstance(value, str) and value.strip().lower() == "all":
            return None  # every story a full card: the layout before briefs
        try:
            return r.integer(0, 10_000)(value, path)
        except ConfigError as exc:
            raise r.fail(path, f"{exc.message}, or all (every story a full card)") from None

    return LayoutSettings(
        lead=r.get(data, "lead", "layout", lead, d.lead),
        lead_per=r.get(data, "lead_per", "layout", r.choice(("digest", "section")), d.lead_per),
        more_stories=r.get(data, "more_stories", "layout", r.integer(0, 10_000), d.more_stories),
    )


# `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address (its colons are not a port)
_HOST_PORT = re.compile(r"\[(?P<v6>[0-9a-f:.]+)\](?::(?P<v6port>\d+))?|(?P<name>[^:\[\]\s/]+)(?::(?P<port>\d+))?"
                        r"|(?P<bare>[0-9a-f.]*:[0-9a-f.]*:[0-9a-f:.]*)")


def split_host_port(entry: str) -> tuple[str, int | None]:
    """An allow_hosts entry -> (lower-case host, port or None); ValueError names what is expected."""
    match = _HOST_PORT.fullmatch(entry.strip().lower())
    port = (match["v6port"] or match["port"]) if match else None
    if match is None or (port is not None and not 0 < int(port) < 65536):
        raise ValueError(f"expected a host name or address, optionally with :port (1-65535), got {entry!r}")
    host = match["v6"] or match["name"] or match["bare"]
    return host.rstrip("."), int(port) if port else None


def _host_ports(r: _Reader) -> Callable[[Any, str], tuple[str, ...]]:
    def convert(value: Any, path: str) -> tuple[str, ...]:
        entries = r.strings(value, path)
        for i, entry in enumerate(entries):
            try:
                split_host_port(entry)
            except ValueError as exc:
                raise r.fail(f"{path}[{i}]" if isinstance(value, list) else path, str(exc)) from None
        return entries
    return convert


def _dedup(r: _Reader, data: dict[str, Any]) -> DedupSettings:
    r.known(data, "dedup", ("text_threshold", "title_threshold", "title_threshold_zh", "history_days", "order"))
    d = DedupSettings()
    return DedupSettings(
        text_threshold=r.get(data, "text_threshold", "dedup", r.number(0.05, 1.0), d.text_threshold),
        title_threshold=r.get(data, "title_threshold", "dedup", r.number(0.05, 1.0), d.title_threshold),
        title_threshold_zh=r.get(data, "title_threshold_zh", "dedup", r.number(0.05, 1.0), d.title_threshold_zh),
        history_days=r.get(data, "history_days", "dedup", r.integer(0, 3650), d.history_days),
        order=r.get(data, "order", "dedup", r.choice(ORDERS), d.order),
    )


def _email(r: _Reader, data: dict[str, Any]) -> EmailSettings:
    # unset ${ENV} values expanded to "": they mean "not configured", only sending needs them
    data = {k: v for k, v in data.items() if v != ""}
    r.known(data, "email", ("from", "to", "subject", "domain", "unsubscribe_url", "subscribers"))
    subscribers: list[Mapping[str, Any]] = []
    for i, sub in enumerate(data.get("subscribers") or []):
        where = f"email.subscribers[{i}]"
        m = r.mapping(sub, where)
        r.known(m, where, ("address", "sections"))
        if "address" not in m:
            raise r.fail(f"{where}.address", "missing: the subscriber's e-mail address")
        address = m["address"]
        subscribers.append({
            # "" when an unset ${VAR}: delivery reports it, a run without --send does not care
            "address": "" if address in ("", None) else r.string(address, f"{where}.address"),
            "sections": r.get(m, "sections", where, r.strings, tuple[str, ...]()),
        })
    to_raw = data.get("to")
    values = to_raw if isinstance(to_raw, list) else [] if to_raw is None else [to_raw]
    for i, value in enumerate(values):
        if isinstance(value, (dict, list, bool)):
            raise r.fail(f"email.to[{i}]" if isinstance(to_raw, list) else "email.to", f"expected an address, got {_kind(value)}")
    # "${DIGEST_TO}" may hold several comma-separated addresses, or be unset until sending
    to = tuple(part.strip() for v in values for part in str(v).split(",") if part.strip())
    return EmailSettings(
        sender=r.get(data, "from", "email", r.string, ""),
        to=to,
        subject=r.get(data, "subject", "email", r.format_string, EmailSettings.subject),
        domain=r.get(data, "domain", "email", r.string, ""),
        unsubscribe_url=r.get(data, "unsubscribe_url", "email", _http_url(r), ""),
        subscribers=tuple(subscribers),
    )
