"""Start-up benchmark: `python -m digest --help` against a bare typer app with two commands.

    python -m bench.speed.startup            # median of 10 runs each, interleaved
    python -m bench.speed.startup --runs 20 --also check

Both run as fresh interpreters in the same loop (interleaved, so machine noise hits both),
and the report gives the medians and their ratio (target: digest within 2x of bare typer).
`--also check` times `digest check --config <a generated feeds.yaml>` too (no network).
It also lists which heavy modules `import digest.cli` pulls in (should be none).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support import paths

REPO = paths.REPO
HEAVY = ("sumy", "rjieba", "trafilatura", "datasketch", "premailer", "lxml", "httpx", "feedparser", "nltk",
         "numpy", "jinja2", "h2", "cssutils")

BARE_TYPER = '''
import typer

app = typer.Typer(add_completion=False)


@app.command()
def run(config: str = "feeds.yaml") -> None:
    """Run."""


@app.command()
def check(config: str = "feeds.yaml") -> None:
    """Check."""


app()
'''

CONFIG = """title: Bench
sources:
  - name: Example
    url: https://example.com/feed.xml
  - name: 示例
    url: https://example.cn/rss
"""


def timed(cmd: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, env=env, cwd=REPO)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr.decode()[-2000:]}")
    return elapsed


def heavy_imports(module: str) -> list[str]:
    code = f"import sys, {module}; print(' '.join(sorted(m for m in sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, check=True)
    loaded = set(out.stdout.split())
    return [m for m in HEAVY if m in loaded]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--also", choices=["check"], action="append", default=[])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare_typer.py"
        bare.write_text(BARE_TYPER)
        config = Path(tmp) / "feeds.yaml"
        config.write_text(CONFIG, encoding="utf-8")
        commands = {
            "bare typer app --help": [sys.executable, str(bare), "--help"],
            "python -m digest --help": [sys.executable, "-m", "digest", "--help"],
        }
        if "check" in args.also:
            commands["python -m digest check"] = [sys.executable, "-m", "digest", "check", "--config", str(config)]
        for cmd in commands.values():  # warm the OS file cache and the .pyc files
            timed(cmd)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name].append(timed(cmd))
    base = statistics.median(times["bare typer app --help"])
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, median of {args.runs} runs each (interleaved)")
    print()
    print("| command | median | min | max | vs bare typer |")
    print("|---|---:|---:|---:|---:|")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"| `{name}` | {med * 1000:.0f} ms | {min(values) * 1000:.0f} ms | {max(values) * 1000:.0f} ms | {med / base:.2f}× |")
    print()
    print(f"heavy modules loaded by `import digest.cli`: {', '.join(heavy_imports('digest.cli')) or 'none'}")


if __name__ == "__main__":
    main()
