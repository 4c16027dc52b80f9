"""The typer app and the one place where a DigestError becomes a line on stderr and an exit code."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from ..errors import DigestError

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="digest",
    help="Build a daily reading digest from feeds and listing pages: deduplicated, summarised, as e-mail.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# stdout carries the output a user asked for; stderr carries progress, warnings and errors
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a DigestError into `digest: <one line>` on stderr and its exit code; no traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except DigestError as exc:
            err.print(f"[bold red]digest:[/] {exc}", markup=True, highlight=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("digest: interrupted; the state file keeps what it had (and any deliveries already made)")
            raise typer.Exit(130) from None

    return wrapper


def setup_logging(verbose: bool = False, quiet: bool = False) -> None:
    """Log to stderr; --verbose shows debug lines (unparsed dates, cache hits), --quiet only errors."""
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    for noisy in ("cssutils", "httpx", "httpcore", "trafilatura", "hpack", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
