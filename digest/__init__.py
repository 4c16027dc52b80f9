"""digest: a daily reading digest from feeds and listing pages, as HTML e-mail and plaintext.

The library API is what the CLI calls (and what tests call directly):

    from digest import load_config, run, preview, RunOptions
    result = run(load_config("feeds.yaml"), RunOptions(out=Path("out")))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .config import load_config
    from .pipeline import RunOptions, RunResult, preview, run

__all__ = ["RunOptions", "RunResult", "__version__", "load_config", "preview", "run"]


def __getattr__(name: str) -> Any:
    # lazy, so `digest --help` does not pay for the pipeline's imports
    if name == "load_config":
        from .config import load_config

        return load_config
    if name in ("run", "preview", "RunOptions", "RunResult"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
