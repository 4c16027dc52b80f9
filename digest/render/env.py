"""The jinja2 environment shared by every renderer: the template search path, escaping and filters.

Themes are often copied from elsewhere, so templates run in jinja2's immutable sandbox: no
attribute starting with `_` (the way out to Python's internals, `os` and the environment), no
mutating lists or dicts, no `str.format` tricks, and no string or number blown up: `*`, `**`,
a filter or method given a huge count (`center(10**9)`) and a huge format width (`'{:>999999999}'`,
`'%999999999d'`) are refused before anything is allocated.
They see only the values the renderer passes (listed in templates/README.md), never the config.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Mapping
from functools import cache, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from .loader import template_dirs
from .wrap import WIDTH, text_width, wrap

if TYPE_CHECKING:
    import jinja2

MAX_PRODUCT = 100_000  # characters or items `"-" * n` may make in a template (the shipped ones need 72)
MAX_POWER_BITS = 4096  # size bound of a whole number made by `**`: 7 ** 10 ** 9 would hang the run
# a printf width or precision: `%999999999d`, `%.999999999f`, `%*d`
_PRINTF_SIZES = re.compile(r"%[-#0 +]*(\d+|\*)?(?:\.(\d+|\*))?")


def _autoescape(name: str | None) -> bool:
    """Escape everything except the plaintext templates: titles and summaries are plain text."""
    return name is None or not name.endswith((".txt", ".txt.j2"))


def environment(templates: Path | None) -> jinja2.Environment:
    """An environment searching the user's `templates:` folder first, then the shipped defaults."""
    import jinja2

    env = _sandbox()(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(templates)]),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["wrap"] = wrap
    env.filters["width"] = text_width
    # filters are called straight from the compiled template, not through the sandbox's call():
    # each one refuses a huge count (`"x"|center(10**9)`, `"%999999999d"|format(1)`) itself
    env.filters = {name: _bounded(f) for name, f in env.filters.items()}
    env.globals["WIDTH"] = WIDTH
    del env.globals["lipsum"]  # lorem ipsum of any size: a memory sink no theme needs
    return env


def _check_sizes(args: Iterable[Any]) -> None:
    """Refuse a count or format width that would make a huge value, before it is made."""
    from jinja2.exceptions import SecurityError

    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_PRODUCT:
            raise SecurityError(f"{arg} is too large a number for a template")
        if isinstance(arg, tuple | list):
            _check_sizes(arg)
        elif isinstance(arg, Mapping):
            _check_sizes(arg.values())


def _format_widths(fmt: str) -> list[int]:
    """Every width and precision in a `str.format` template, nested specs included."""
    sizes: list[int] = []
    for _, _, spec, _ in _parse(fmt):
        if spec:
            sizes += [int(d) for d in re.findall(r"\d+", spec)] + _format_widths(spec)
    return sizes


def _parse(fmt: str) -> list[tuple[str, str | None, str | None, str | None]]:
    try:
        return list(string.Formatter().parse(fmt))
    except ValueError:
        return []  # not a valid format string: str.format itself will say so


def _printf_widths(fmt: str) -> list[int]:
    return [int(d) for m in _PRINTF_SIZES.finditer(fmt) for d in m.groups() if d and d != "*"]


def _check_printf(fmt: Any, values: Any) -> None:
    """`fmt % values` within bounds: no huge width in `fmt`, and no huge one given by `*`."""
    if isinstance(fmt, str):
        _check_widths(_printf_widths(fmt))
        if "*" in fmt:
            _check_sizes(values if isinstance(values, tuple | list) else (values,))


def _check_widths(widths: list[int]) -> None:
    from jinja2.exceptions import SecurityError

    if any(w > MAX_PRODUCT for w in widths):
        raise SecurityError(f"a format width of {max(widths)} is too large for a template")


def _bounded(f: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that refuses huge counts and widths in its arguments; jinja2's pass_* marks are kept."""

    first = 2 if hasattr(f, "jinja_pass_arg") else 1  # the value filtered (after the context, if passed)
    is_format = f.__name__ == "do_format"

    @wraps(f)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        if is_format:  # `fmt|format(values)`: the values may be large numbers, the widths may not
            fmt = args[first - 1] if len(args) >= first else ""
            _check_printf(fmt, args[first:])
        else:
            _check_sizes(args[first:])
            _check_sizes(kwargs.values())
        return f(*args, **kwargs)

    return bounded


@cache
def _sandbox() -> type[jinja2.Environment]:
    """The sandboxed environment class, built on first use so importing digest does not import jinja2."""
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Sandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset(["*", "**", "%"])

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            """Method calls: no huge counts (`'x'.center(10**9)`), no huge widths in `str.format`."""
            wrapped = getattr(__obj, "__wrapped__", __obj)  # jinja2 wraps str.format to sandbox it
            fmt = getattr(wrapped, "__self__", None)
            if getattr(wrapped, "__name__", "") in ("format", "format_map") and isinstance(fmt, str):
                _check_widths(_format_widths(fmt))
                if "{" not in "".join(spec for _, _, spec, _ in _parse(fmt) if spec):
                    return super().call(__context, __obj, *args, **kwargs)  # values may be large numbers
            _check_sizes(args)  # a count (`'x'.center(10**9)`) or a width given as a value (`'{:>{}}'`)
            _check_sizes(kwargs.values())
            return super().call(__context, __obj, *args, **kwargs)

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "%":
                _check_printf(left, right)
            bits = left.bit_length() * right if isinstance(left, int) and isinstance(right, int) else 0
            if operator == "**" and bits > MAX_POWER_BITS:
                raise SecurityError(f"{left} ** {right} is too large a number for a template")
            if operator == "*":
                for seq, times in ((left, right), (right, left)):
                    if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_PRODUCT:
                        raise SecurityError(f"repeating a value {times} times is too large for a template")
            return super().call_binop(context, operator, left, right)

    return Sandbox


def render_template(env: jinja2.Environment, name: str, context: Mapping[str, Any]) -> str:
    """Render one template; a broken user template becomes a one-line error naming file and line."""
    import jinja2

    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or name
        raise ConfigError(where, f"line {exc.lineno}", f"template syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        searched = (
            ", ".join(str(p) for p in env.loader.searchpath) if isinstance(env.loader, jinja2.FileSystemLoader) else ""
        )
        missing = exc.name if isinstance(exc.name, str) else name
        raise ConfigError(
            "templates",
            missing,
            f"template not found (searched {searched}); copy it from the shipped templates/ folder",
        ) from None
    except jinja2.exceptions.SecurityError as exc:
        file, line = _template_frame(exc, name)
        raise ConfigError(
            file,
            f"line {line}" if line else "render",
            f"blocked by the template sandbox ({str(exc).rstrip('.')}); a template can use only the values listed in "
            "the shipped templates/README.md",
        ) from None
    except jinja2.TemplateError as exc:
        file, line = _template_frame(exc, name)
        raise ConfigError(file, f"line {line}" if line else "render", f"template error: {exc}") from None


def _template_frame(exc: BaseException, name: str) -> tuple[str, int | None]:
    """The template file and line a runtime error came from (jinja2 rewrites tracebacks to point there)."""
    found: tuple[str, int | None] = (name, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not filename.startswith("<"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
