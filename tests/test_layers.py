"""The layer rules of docs/architecture.md hold: `lint-imports` keeps every contract in pyproject.toml."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support import paths

ROOT = paths.REPO


def _lint_imports() -> str:
    beside = Path(sys.executable).parent / "lint-imports"
    found = str(beside) if beside.exists() else shutil.which("lint-imports")
    assert found, "lint-imports is missing: pip install -e '.[test]'"
    return found


def test_import_contracts_are_kept() -> None:
    done = subprocess.run([_lint_imports(), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    counts = re.search(r"Contracts: (\d+) kept, (\d+) broken", done.stdout)
    assert counts, done.stdout
    assert int(counts[1]) >= 5 and counts[2] == "0", done.stdout
