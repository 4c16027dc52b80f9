"""The jinja2 environment shared by every renderer: the template search path, escaping and filters.

Themes are often copied from elsewhere, so templates run in jinja2's immutable sandbox: no
attribute starting with `_` (the way out to Python's internals, `os` and the environment), no
mutating lists or dicts, no `str.format` tricks, and no string or number blown up by `*` or `**`.
They see only the values the renderer passes (listed in templates/README.md), never the config.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from .loader import template_dirs
from .wrap import WIDTH, text_width, wrap

if TYPE_CHECKING:
    import jinja2

MAX_PRODUCT = 100_000  # characters or items `"-" * n` may make in a template (the shipped ones need 72)
MAX_POWER_BITS = 4096  # size bound of a whole number made by `**`: 7 ** 10 ** 9 would hang the run


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
    env.globals["WIDTH"] = WIDTH
    del env.globals["lipsum"]  # lorem ipsum of any size: a memory sink no theme needs
    return env


@cache
def _sandbox() -> type[jinja2.Environment]:
    """The sandboxed environment class, built on first use so importing digest does not import jinja2."""
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Sandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset(["*", "**"])

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
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
