"""Reading feeds.yaml values: the key-path-aware reader and one converter per kind of value.

A converter is `(reader, value, key path) -> typed value` and raises the reader's one-line
ConfigError (file, key path, fix).  config.py names a converter in each setting's field, so a
setting's key, default, type and check are written once, in its dataclass.
"""

from __future__ import annotations

import difflib
import os
import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError
from .timewindow import parse_duration

T = TypeVar("T")
N = TypeVar("N", int, float)

MAX_DEPTH = 12  # feeds.yaml nests 4 deep (sources[0].select.item); deeper is an alias loop
MAX_FORMAT_WIDTH = 100  # widths and precisions in `{field:spec}`: `{count:>2000000000}` is 2 GB of spaces

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_STRFTIME_WIDTH = re.compile(r"%[-+_0^#]*(\d+)")


class Reader:
    """Walks the YAML tree, remembering the key path so every error can name it."""

    def __init__(self, file: str, size: int = 0, base: Path | None = None) -> None:
        self.file = file
        self.base = base or Path.cwd()  # the config's folder: relative paths are relative to it
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
            raise self.fail(path, f"expected a mapping of keys, got {kind(value)}")
        return value

    def known(self, data: Mapping[str, Any], path: str, keys: Sequence[str]) -> None:
        for key in data:
            if key not in keys:
                match = difflib.get_close_matches(str(key), keys, n=1)
                hint = f" (did you mean {match[0]!r}?)" if match else ""
                where = f"{path}.{key}" if path else str(key)
                raise self.fail(where, f"unknown key{hint}; allowed here: {', '.join(keys)}")


Conv = Callable[[Reader, Any, str], T]


@dataclass(frozen=True)
class Key:
    """How a dataclass field is read from feeds.yaml: its converter, its key, and what to say when it is missing."""

    load: Conv[Any]
    name: str | None = None  # the YAML key when it is not the field's name (`from` -> sender)
    missing: str | None = None  # required: the fix shown after "missing: "


def key(load: Conv[Any], *, name: str | None = None, missing: str | None = None) -> dict[str, Key]:
    """Field metadata naming how feeds.yaml gives the field (see config.py)."""
    return {"yaml": Key(load, name, missing)}


def kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false", type(None): "nothing"}.get(
        type(value), repr(value)
    )


# ---------------------------------------------------------------------------- converters

def text(r: Reader, value: Any, path: str) -> str:
    if isinstance(value, (dict, list, bool)):
        raise r.fail(path, f"expected text, got {kind(value)}")
    result = str(value).strip()
    if not result:
        raise r.fail(path, "must not be empty")
    return result


def whole(low: int, high: int) -> Conv[int]:
    return _between("a whole number", int, (int, str), low, high, str)


def number(low: float, high: float) -> Conv[float]:
    return _between("a number", float, (int, float, str), low, high, lambda n: f"{n:g}")


def _between(
    what: str, cast: Callable[[Any], N], accepted: tuple[type, ...], low: N, high: N, show: Callable[[N], str]
) -> Conv[N]:
    def conv(r: Reader, value: Any, path: str) -> N:
        expected = f"expected {what} from {low} to {high}"
        if isinstance(value, bool) or not isinstance(value, accepted):
            raise r.fail(path, f"{expected}, got {value!r}")
        try:
            result = cast(value)
        except ValueError:
            raise r.fail(path, f"{expected}, got {value!r}") from None
        if not low <= result <= high:  # also false for NaN
            raise r.fail(path, f"{expected}, got {show(result)}")
        return result
    return conv


def word_or(word: str, conv: Conv[T], meaning: str = "") -> Conv[T | None]:
    """`word` (`auto`, `all`) as None, anything else through conv; its error then names the word too."""
    def either(r: Reader, value: Any, path: str) -> T | None:
        if isinstance(value, str) and value.strip().lower() == word:
            return None
        try:
            return conv(r, value, path)
        except ConfigError as exc:
            raise r.fail(path, f"{exc.message}, or {word}{meaning}") from None
    return either


def boolean(r: Reader, value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise r.fail(path, f"expected true or false, got {value!r}")
    return value


def choice(literal: Any, what: str = "") -> Conv[str]:
    """One of a Literal type's values (case-insensitive); `what` names the value in the error."""
    options: tuple[str, ...] = get_args(literal)

    def conv(r: Reader, value: Any, path: str) -> str:
        result = text(r, value, path).lower()
        if result not in options:
            if what:
                raise r.fail(path, f"unknown {what} {result!r}; expected one of {', '.join(options)}")
            raise r.fail(path, f"expected one of {', '.join(options)}, got {value!r}")
        return result
    return conv


def time_zone(hint: str = "") -> Conv[str]:
    def conv(r: Reader, value: Any, path: str) -> str:
        name = text(r, value, path)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise r.fail(path, f"unknown IANA time zone {name!r}{hint}") from None
        return name
    return conv


def seconds(r: Reader, value: Any, path: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        result = float(value)
    else:
        try:
            result = parse_duration(text(r, value, path)).total_seconds()
        except ValueError as exc:
            raise r.fail(path, str(exc)) from None
    if not 0 < result < 86400:  # also false for NaN
        raise r.fail(path, f"expected a duration between 1s and 24h, got {value!r}")
    return result


def strings(r: Reader, value: Any, path: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(text(r, v, f"{path}[{i}]" if isinstance(value, list) else path) for i, v in enumerate(items))


def patterns(r: Reader, value: Any, path: str) -> tuple[str, ...]:
    result = strings(r, value, path)
    for i, pattern in enumerate(result):
        try:
            re.compile(pattern)
        except re.error as exc:
            where = f"{path}[{i}]" if isinstance(value, list) else path
            raise r.fail(where, f"not a valid regular expression ({exc}): {pattern!r}") from None
    return result


def format_string(r: Reader, value: Any, path: str) -> str:
    """A `{field:spec}` template whose widths and precisions are small (no 2 GB of padding at send time)."""
    template = text(r, value, path)
    try:
        fields = [(name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise r.fail(path, f"not a valid template ({exc}); write {{{{ and }}}} for braces") from None
    for name, spec in ((name, spec or "") for name, spec in fields):
        if "{" in spec:
            raise r.fail(path, f"{{{name}:{spec}}}: a format spec cannot hold another {{field}}")
        # {date:...} is a strftime format, where digits may be text and only %<width> is a width;
        # in any other spec ({count:>3}, {title:.40}) every digit is a fill, width or precision
        widths = _STRFTIME_WIDTH.findall(spec) if name == "date" else re.findall(r"\d+", spec)
        too_big = [int(w) for w in widths if int(w) > MAX_FORMAT_WIDTH]
        if too_big:
            raise r.fail(
                path, f"{{{name}:{spec}}} asks for a width or precision of {too_big[0]}; "
                f"at most {MAX_FORMAT_WIDTH} is allowed"
            )
    return template


def http_url(r: Reader, value: Any, path: str) -> str:
    url = text(r, value, path)
    try:
        parts = urlsplit(url)
    except ValueError:
        raise r.fail(path, f"expected an http(s) URL, got {url!r}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise r.fail(path, f"expected an http(s) URL, got {url!r}")
    return url


def source_url(r: Reader, value: Any, path: str) -> str:
    """An http(s) URL as given; a file URL or a plain path as an absolute file URL (relative to the config)."""
    url = text(r, value, path)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise r.fail(path, f"expected an http(s) or file URL, got {url!r} ({exc})") from None
    if parts.scheme in ("http", "https"):
        if not parts.netloc:
            raise r.fail(path, f"expected an http(s) or file URL, got {url!r} (no host)")
        return url
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise r.fail(path, f"a file URL must name a local file (file:///path), got {url!r}")
        if not parts.path.startswith("/"):  # file:feeds/x.xml: relative to the config, like a plain path
            return (r.base / parts.path).resolve().as_uri()
        return url
    if parts.scheme and len(parts.scheme) > 1:  # "c:" on Windows is a drive, not a scheme
        raise r.fail(path, f"expected an http(s) or file URL, got {url!r}")
    if "://" in url:
        raise r.fail(path, f"expected an http(s) or file URL, got {url!r}")
    local = Path(url).expanduser()
    local = local if local.is_absolute() else r.base / local
    return local.resolve().as_uri()


def selector(r: Reader, value: Any, path: str) -> str:
    """A CSS selector, optionally ending in ` @attr`; checked by the translator listings use."""
    result = text(r, value, path)
    css = result.split(" @", 1)[0].strip() if " @" in result else result
    if css.startswith("@"):
        return result  # attribute of the item element itself
    try:
        from cssselect import GenericTranslator, SelectorError

        GenericTranslator().css_to_xpath(css)
    except SelectorError as exc:
        raise r.fail(path, f"not a valid CSS selector ({exc}): {css!r}") from None
    return result


def path_value(r: Reader, value: Any, path: str) -> Path:
    p = Path(text(r, value, path)).expanduser()
    return p if p.is_absolute() else r.base / p


def existing_dir(r: Reader, value: Any, path: str) -> Path:
    folder = path_value(r, value, path)
    if not folder.is_dir():
        raise r.fail(path, f"no such folder: {folder} (copy the shipped templates/ folder there to start)")
    return folder


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


def host_ports(r: Reader, value: Any, path: str) -> tuple[str, ...]:
    entries = strings(r, value, path)
    for i, entry in enumerate(entries):
        try:
            split_host_port(entry)
        except ValueError as exc:
            raise r.fail(f"{path}[{i}]" if isinstance(value, list) else path, str(exc)) from None
    return entries


def addresses(r: Reader, value: Any, path: str) -> tuple[str, ...]:
    """`email.to`: addresses or address files; "${DIGEST_TO}" may hold several, comma-separated.

    Delivery validates them and reads the files (a run that does not send needs neither).
    """
    values = value if isinstance(value, list) else [value]
    for i, entry in enumerate(values):
        if isinstance(entry, (dict, list, bool)):
            raise r.fail(f"{path}[{i}]" if isinstance(value, list) else path, f"expected an address, got {kind(entry)}")
    return tuple(part.strip() for v in values if v is not None for part in str(v).split(",") if part.strip())
