"""The `digest` command: a thin shell over digest.pipeline (the only package that imports typer).

Command modules register themselves on the shared app when imported here.
"""

from __future__ import annotations

from . import run as _run  # noqa: F401  (registers run, preview, check, explain)
from . import send as _send  # noqa: F401  (registers send)
from .app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
