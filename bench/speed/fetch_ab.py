"""A/B of digest's collection: the digest side of bench.speed.fetch with two trees' code, alternating.

The machine's speed drifts by 20-30 % within minutes, so two versions of the code are compared
against one feed server, one child process after the other, in alternating order; each pair gives
a ratio and the median of those is the answer.

    git worktree add /tmp/digest-before <commit>
    python -m bench.speed.fetch_ab /tmp/digest-before . --pairs 8

Both sides run this checkout's `bench.speed.fetch --worker digest` with the other tree's `digest`
package first on the path (`python -P`, PYTHONPATH=TREE), so the older tree needs only a `digest`
package whose `collect` and `fetch_all` this worker can call.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench.speed.fetch import corpus_files
from tests.support import paths


def run_side(tree: Path, urls: list[str], port: int) -> dict[str, float]:
    payload = json.dumps({"urls": urls, "port": port, "concurrency": 16})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), str(paths.REPO)])}
    out = subprocess.run([sys.executable, "-P", "-m", "bench.speed.fetch", "--worker", "digest"], input=payload,
                         capture_output=True, text=True, cwd=paths.REPO, env=env, check=False)
    if out.returncode:
        raise SystemExit(f"the digest side of {tree} failed:\n{out.stderr[-3000:]}")
    rounds = json.loads(out.stdout.strip().splitlines()[-1])["rounds"]
    return {"pool": rounds["collect"]["wall"], "in-process": rounds["collect_inline"]["wall"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the source tree of the code before")
    parser.add_argument("after", type=Path, help="the source tree of the code after")
    parser.add_argument("--pairs", type=int, default=8)
    parser.add_argument("--feeds", type=int, default=200)
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    files = corpus_files()
    if not files:
        raise SystemExit("no corpus feeds under ../shared/corpus/feeds")
    server = subprocess.Popen([sys.executable, "-m", "bench.harness.feedserver", "--latency", "0.1", "--hosts", "100",
                               *map(str, files)], stdout=subprocess.PIPE, text=True)
    walls: dict[str, dict[str, list[float]]] = {name: {"pool": [], "in-process": []} for name in trees}
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        urls = [f"http://{info['hosts'][i % len(info['hosts'])]}:{info['port']}/feed/{i}" for i in range(args.feeds)]
        for pair in range(args.pairs):
            for name in ("before", "after") if pair % 2 == 0 else ("after", "before"):
                for kind, wall in run_side(trees[name], urls, info["port"]).items():
                    walls[name][kind].append(wall)
            print(f"pair {pair + 1}/{args.pairs}: before {walls['before']['pool'][-1]:.2f} s, "
                  f"after {walls['after']['pool'][-1]:.2f} s", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(10)
    for kind in ("pool", "in-process"):
        before, after = walls["before"][kind], walls["after"][kind]
        ratios = [b / a for b, a in zip(before, after, strict=True)]
        print(f"collection, {kind}: before {min(before):.2f}-{max(before):.2f} s, after {min(after):.2f}-{max(after):.2f} s; "
              f"before/after per pair {min(ratios):.2f}-{max(ratios):.2f}, median {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
