"""Where the checkout, the tests' own data and the shared corpus are, for every test and benchmark."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"


def _corpus() -> Path:
    """$DIGEST_CORPUS, else ../shared/corpus beside the checkout, or beside the folder of worktrees it
    sits in; CI and dev machines have it, a user's clone may not (its tests then skip cleanly)."""
    if os.environ.get("DIGEST_CORPUS"):
        return Path(os.environ["DIGEST_CORPUS"])
    beside = [base / "shared" / "corpus" for base in (REPO.parent, REPO.parent.parent)]
    return next((path for path in beside if path.is_dir()), beside[0])


CORPUS = _corpus()
