"""Where the checkout, the tests' own data and the shared corpus are, for every test and benchmark."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
CORPUS = REPO.parent / "shared" / "corpus"  # ../shared/corpus: CI and dev machines have it, a user's clone may not
