"""bench/quality/summarize_real.py: reruns itself under a fixed hash seed with the interpreter's own options; --show works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.summaries_set import corpus_root

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_options_come_through_however_they_are_spelled(tmp_path: Path) -> None:
    code = "from bench.quality.summarize_real import interpreter_options as o; print(o())"
    for spelled in (["-PO"], ["-P", "-O"], ["-OP"]):
        out = _run([*spelled, "-X", "utf8", "-W", "error::DeprecationWarning", "-c", code], tmp_path)
        for option in ("'-P'", "'-O'", "'-X', 'utf8'", "'-Werror::DeprecationWarning'"):
            assert option in out, (spelled, out)


def test_the_rerun_keeps_safe_path(tmp_path: Path) -> None:
    # "-Pc" (as "-Pm") is one item of sys.orig_argv; without -P the rerun would put the working
    # directory first on sys.path, and a checkout there would be measured instead of PYTHONPATH's.
    code = "from bench.quality.summarize_real import pin_hash_seed; pin_hash_seed('site')"
    out = _run(["-Pc", code], tmp_path)  # python -m site prints sys.path
    assert "sys.path = [" in out and f"'{tmp_path}'" not in out, out


def test_show_prints_the_default_blurbs_whatever_algorithm_list_comes_first(tmp_path: Path) -> None:
    # --algorithms starts with the baseline lead-3 by default, which summarize() does not know.
    if corpus_root() is None:
        pytest.skip("../shared/corpus is not beside the checkout")
    out = _run(["-m", "bench.quality.summarize_real", "--show", "--batch", "3", "--language", "en"], ROOT)
    assert out.count("\n## ") == 13 and "  + " in out, out[:2000]
