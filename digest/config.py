"""feeds.yaml -> frozen, typed settings; every mistake is a ConfigError naming file, key path and fix.

Config is read once.  `${ENV_VAR}` in any string value is expanded from the environment
before validation, so secrets and subscriber lists never need to be committed.

Each setting is written once: its dataclass field gives the key, the type, the default and (in
`key(...)` metadata) the converter that checks it; the loader derives the allowed keys from the fields.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from .addresses import parse_mailbox
from .config_values import (
    Conv,
    Reader,
    addresses,
    boolean,
    choice,
    existing_dir,
    format_string,
    host_ports,
    http_url,
    key,
    kind,
    number,
    path_value,
    patterns,
    seconds,
    selector,
    source_url,
    strings,
    text,
    time_zone,
    whole,
    word_or,
)
from .config_values import split_host_port as split_host_port  # fetch reads allow_hosts as config checks it
from .errors import ConfigError
from .timewindow import parse_since

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

SourceType = Literal["feed", "listing"]
Algorithm = Literal["auto", "pacsum", "lead", "lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic", "edmundson"]
Order = Literal["coverage", "newest"]
LeadPer = Literal["digest", "section"]

D = TypeVar("D", bound="DataclassInstance")

# A config this big is not a list of feeds someone keeps: refused before it is read.  Reading
# and checking 110,000 sources (7.3 MB) takes about 3 s, so 32 MB is under 15 s and 1.5 GB of memory.
MAX_CONFIG_BYTES = 32 * 1024 * 1024


def _settings(cls: type[D]) -> Conv[D]:
    """The converter of a nested mapping (`summary:`, `fetch:` …): its own dataclass, loaded the same way."""
    return lambda r, value, path: _load(r, cls, value, path)


@dataclass(frozen=True)
class ListingSelect:
    """CSS selectors for a listing page; a value may end in ' @attr' to read an attribute."""

    item: str = field(metadata=key(selector, missing="the CSS selector of one item (e.g. 'ul.list > li')"))
    title: str | None = field(default=None, metadata=key(selector))
    link: str | None = field(default=None, metadata=key(selector))
    summary: str | None = field(default=None, metadata=key(selector))
    date: str | None = field(default=None, metadata=key(selector))
    author: str | None = field(default=None, metadata=key(selector))
    category: str | None = field(default=None, metadata=key(selector))


@dataclass(frozen=True)
class Source:
    name: str = field(metadata=key(text, missing="every source needs a name"))
    # absolute http(s) or file URL (relative paths are resolved at load time)
    url: str = field(metadata=key(source_url, missing="give the feed's http(s) URL, a file URL or a path"))
    index: int  # position in the config, for ordering and key paths
    type: SourceType = field(default="feed", metadata=key(choice(SourceType, "source type")))
    # None: a listing item's category, else the source name
    section: str | None = field(default=None, metadata=key(text))
    include: tuple[str, ...] = field(default=(), metadata=key(patterns))
    exclude: tuple[str, ...] = field(default=(), metadata=key(patterns))
    # for dates on the page; defaults to the digest's
    timezone: str | None = field(default=None, metadata=key(time_zone()))
    full_text: bool = field(default=False, metadata=key(boolean))
    select: ListingSelect | None = field(default=None, metadata=key(_settings(ListingSelect)))


@dataclass(frozen=True)
class SummarySettings:
    sentences: int = field(default=3, metadata=key(whole(1, 10)))
    # None: 200 for Chinese, 320 for English
    max_chars: int | None = field(default=None, metadata=key(whole(40, 5000)))
    algorithm: Algorithm = field(default="auto", metadata=key(choice(Algorithm)))


@dataclass(frozen=True)
class FetchSettings:
    concurrency: int = field(default=16, metadata=key(whole(1, 512)))
    per_host: int = field(default=2, metadata=key(whole(1, 64)))
    connect_timeout: float = field(default=10.0, metadata=key(seconds))
    # total deadline per request, seconds
    timeout: float = field(default=30.0, metadata=key(seconds))
    max_bytes: int = field(default=10 * 1024 * 1024, metadata=key(whole(1024, 1 << 31)))
    retries: int = field(default=2, metadata=key(whole(0, 10)))
    # for the whole run's fetching and parsing (full text too), seconds
    deadline: float = field(default=300.0, metadata=key(seconds))
    # empty: digest's own User-Agent
    user_agent: str = field(default="", metadata=key(text))
    # private/loopback hosts (`host` or `host:port`) fetches may reach
    allow_hosts: tuple[str, ...] = field(default=(), metadata=key(host_ports))
    # processes that parse feeds; None: one per CPU for big runs, 0: none
    parse_workers: int | None = field(default=None, metadata=key(word_or("auto", whole(0, 64))))


@dataclass(frozen=True)
class DedupSettings:
    # containment: the share of the shorter lead's terms found in the other
    text_threshold: float = field(default=0.7, metadata=key(number(0.05, 1.0)))
    # weighted Dice of title terms (docs/benchmarks/dedup.md): English words, and Chinese character pairs,
    # of which a rewrite shares fewer (below title_threshold_zh, three shared pieces: match.pieces)
    title_threshold: float = field(default=0.45, metadata=key(number(0.05, 1.0)))
    title_threshold_zh: float = field(default=0.35, metadata=key(number(0.05, 1.0)))
    history_days: int = field(default=14, metadata=key(whole(0, 3650)))
    order: Order = field(default="coverage", metadata=key(choice(Order)))


def _address(r: Reader, value: Any, path: str) -> str:
    """"" when an unset ${VAR}: delivery reports it, a run without --send does not care."""
    return "" if value == "" else text(r, value, path)


@dataclass(frozen=True)
class Subscriber:
    """One `email.subscribers` entry: a checked mailbox and the sections it wants (empty: every section)."""

    address: str = field(metadata=key(_address, missing="the subscriber's e-mail address"))  # addr-spec, or ""
    sections: tuple[str, ...] = field(default=(), metadata=key(strings))
    name: str = ""  # the display name of `Name <addr>`


def _subscribers(r: Reader, value: Any, path: str) -> tuple[Subscriber, ...]:
    if not isinstance(value, list):
        raise r.fail(path, f"expected a list of subscribers, each with an address, got {kind(value)}")
    result = []
    for i, raw in enumerate(value):
        sub = _load(r, Subscriber, raw, f"{path}[{i}]")
        if sub.address:
            try:
                name, address = parse_mailbox(sub.address)
            except ValueError as exc:
                raise r.fail(f"{path}[{i}].address", str(exc)) from None
            sub = replace(sub, address=address, name=name)
        result.append(sub)
    return tuple(result)


@dataclass(frozen=True)
class EmailSettings:
    sender: str = field(default="", metadata=key(text, name="from"))
    # raw values; delivery validates them and expands address files
    to: tuple[str, ...] = field(default=(), metadata=key(addresses))
    subject: str = field(default="{title} · {date} · {headline}", metadata=key(format_string))
    domain: str = field(default="", metadata=key(text))
    unsubscribe_url: str = field(default="", metadata=key(http_url))
    subscribers: tuple[Subscriber, ...] = field(default=(), metadata=key(_subscribers))


def _email(r: Reader, value: Any, path: str) -> EmailSettings:
    # unset ${ENV} values expanded to "": they mean "not configured", only sending needs them
    data = {k: v for k, v in r.mapping(value, path).items() if v != ""}
    return _load(r, EmailSettings, data, path)


@dataclass(frozen=True)
class LayoutSettings:
    """How the e-mail is laid out: lead stories as full cards, the rest as one-line briefs."""

    # stories shown as full cards with their summary; None (`all`): every story
    lead: int | None = field(default=5, metadata=key(word_or("all", whole(0, 10_000), " (every story a full card)")))
    # "digest": the top `lead` stories overall; "section": the top of each section
    lead_per: LeadPer = field(default="digest", metadata=key(choice(LeadPer)))
    # titles listed for what did not fit max_items; 0: only a count
    more_stories: int = field(default=15, metadata=key(whole(0, 10_000)))


def _sources(r: Reader, value: Any, path: str) -> tuple[Source, ...]:
    if not isinstance(value, list):
        raise r.fail(path, f"expected a list of sources, got {kind(value)}")
    sources = tuple(_source(r, raw, index) for index, raw in enumerate(value))
    seen: dict[str, int] = {}
    for s in sources:
        if s.name in seen:
            raise r.fail(f"sources[{s.index}].name", f"{s.name!r} is already the name of sources[{seen[s.name]}]; names must be unique")
        seen[s.name] = s.index
    return sources


def _source(r: Reader, raw: Any, index: int) -> Source:
    path = f"sources[{index}]"
    source = _load(r, Source, raw, path, index=index)
    if source.select is not None and source.type != "listing":
        raise r.fail(f"{path}.select", "only listing sources take selectors (add type: listing)")
    return source


@dataclass(frozen=True)
class Config:
    path: Path
    title: str = field(default="Daily digest", metadata=key(text))
    timezone: str = field(default="UTC", metadata=key(time_zone(" (try Asia/Shanghai, Europe/Berlin or UTC)")))
    since: str = field(default="24h", metadata=key(text))
    max_items: int = field(default=50, metadata=key(whole(1, 100_000)))
    per_source: int = field(default=10, metadata=key(whole(1, 100_000)))
    # relative to the config's folder
    state: Path = field(default=Path(".digest/state.sqlite"), metadata=key(path_value))
    include: tuple[str, ...] = field(default=(), metadata=key(patterns))
    exclude: tuple[str, ...] = field(default=(), metadata=key(patterns))
    summary: SummarySettings = field(default_factory=SummarySettings, metadata=key(_settings(SummarySettings)))
    fetch: FetchSettings = field(default_factory=FetchSettings, metadata=key(_settings(FetchSettings)))
    dedup: DedupSettings = field(default_factory=DedupSettings, metadata=key(_settings(DedupSettings)))
    email: EmailSettings = field(default_factory=EmailSettings, metadata=key(_email))
    templates: Path | None = field(default=None, metadata=key(existing_dir))
    archive: Path | None = field(default=None, metadata=key(path_value))
    archive_url: str | None = field(default=None, metadata=key(http_url))
    sources: tuple[Source, ...] = field(
        default=(), metadata=key(_sources, missing="add a list of sources, each with a name and a url")
    )
    layout: LayoutSettings = field(default_factory=LayoutSettings, metadata=key(_settings(LayoutSettings)))

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

def _keys(cls: type[Any]) -> tuple[str, ...]:
    """The feeds.yaml keys of a settings dataclass, in field order."""
    return tuple(f.metadata["yaml"].name or f.name for f in fields(cls) if "yaml" in f.metadata)


def _load(r: Reader, cls: type[D], raw: Any, at: str, **fixed: Any) -> D:
    """A settings dataclass from one YAML mapping: unknown keys refused, absent keys keep the field's default."""
    data = r.mapping(raw, at)
    r.known(data, at, _keys(cls))
    values = dict(fixed)
    for f in fields(cls):
        spec = f.metadata.get("yaml")
        if spec is None:
            continue
        name = spec.name or f.name
        where = f"{at}.{name}" if at else name
        if data.get(name) is None:
            if spec.missing:
                raise r.fail(where, f"missing: {spec.missing}")
            continue
        values[f.name] = spec.load(r, data[name], where)
    return cls(**values)


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
    base = file.resolve().parent
    r = Reader(label, len(text), base)
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
    data = r.mapping(data, "")
    r.known(data, "", _keys(Config))  # before ${VAR}s are expanded: a typo is named even when a variable is unset
    config = _load(r, Config, r.expand(data, ""), "", path=file)
    try:
        parse_since(config.since, datetime.now(config.tz), config.tz)
    except ValueError as exc:
        raise r.fail("since", str(exc)) from None
    if not config.state.is_absolute():  # the default, which is relative to the config's folder too
        config = replace(config, state=base / config.state)
    return config
