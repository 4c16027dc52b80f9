"""Scale benchmark: 10,000 items from 500 feeds, end to end through `digest run`.

    python -m bench.speed.scale                       # 500 feeds x 20 items
    python -m bench.speed.scale --feeds 100 --items 20 --keep /tmp/scale

Generates RSS feeds whose titles and texts are real-world entries from ../shared/corpus/feeds
(made unique per feed, with ~5% of links shared between feeds so dedup has work), serves them
from loopback (bench/harness/feedserver.py, no added latency), runs the CLI

    digest run --config F --out DIR --since all --now 2024-06-05T12:00:00+00:00

in a child process (wall time, peak RSS of the child, time per phase from the run report),
and in the same run times the bare cost of `feedparser.parse` over the same files.
Target: the whole run within 2x of the parse alone; peak RSS under 500 MB.
"""

from __future__ import annotations

import argparse
import email.utils
import html
import io
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.harness.proctree import TreePeak
from tests.support import paths

REPO = paths.REPO
CORPUS = paths.CORPUS / "feeds"
NOW = datetime(2024, 6, 5, 12, 0, tzinfo=UTC)


def corpus_entries() -> list[tuple[str, str]]:
    """(title, html text) of every entry in the corpus feeds with some text."""
    import feedparser

    found: list[tuple[str, str]] = []
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file() or path.suffix == ".json":
            continue
        for entry in feedparser.parse(io.BytesIO(path.read_bytes())).entries:
            title = entry.get("title", "").strip()
            text = ""
            if entry.get("content"):
                text = entry["content"][0].get("value", "")
            text = text or entry.get("summary", "")
            if title and len(re.sub(r"<[^>]+>", "", text)) > 80:
                found.append((title, text[:6000]))
    return found


def make_feeds(folder: Path, feeds: int, items: int, seed: int = 5) -> list[Path]:
    rng = random.Random(seed)
    pool = corpus_entries()
    if not pool:
        raise SystemExit(f"no corpus entries under {CORPUS}")
    shared_links: list[str] = []
    paths = []
    for f in range(feeds):
        parts = []
        for i in range(items):
            title, text = rng.choice(pool)
            if shared_links and rng.random() < 0.05:
                link = rng.choice(shared_links)  # the same story in two feeds
            else:
                link = f"https://site{f}.example/{i}/{rng.randrange(10**9)}"
                if rng.random() < 0.1:
                    shared_links.append(link)
            when = NOW - timedelta(minutes=rng.randrange(60 * 24 * 6))
            parts.append(
                f"<item><title>{html.escape(title)} ({f}-{i})</title><link>{link}</link><guid isPermaLink=\"false\">{f}-{i}</guid>"
                f"<pubDate>{email.utils.format_datetime(when)}</pubDate><description>{html.escape(text)}</description></item>"
            )
        body = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {f}</title>'
                f"<link>https://site{f}.example/</link>{''.join(parts)}</channel></rss>")
        path = folder / f"feed{f:04d}.xml"
        path.write_text(body, encoding="utf-8")
        paths.append(path)
    return paths


def parse_alone(paths: list[Path]) -> tuple[float, int]:
    import feedparser

    datas = [p.read_bytes() for p in paths]
    started = time.perf_counter()
    count = sum(len(feedparser.parse(io.BytesIO(d), response_headers={"content-type": "application/rss+xml"}).entries) for d in datas)
    return time.perf_counter() - started, count


PHASE = re.compile(r"([a-z_-]+) ([0-9.]+)(ms|s)|([a-z_-]+) ([0-9]+)m([0-9]+)s")


def phases(report: str) -> dict[str, float]:
    """The `collect 2.1s · normalize 0.3s · … · total 3.0s` line of the run report."""
    for line in report.splitlines()[::-1]:
        if "total" in line and "·" in line:
            found: dict[str, float] = {}
            for part in line.split("·"):
                name, _, value = part.strip().rpartition(" ")
                if value.endswith("ms"):
                    seconds = float(value[:-2]) / 1000
                elif "m" in value:
                    minutes, _, rest = value.partition("m")
                    seconds = float(minutes) * 60 + float(rest.rstrip("s"))
                else:
                    seconds = float(value.rstrip("s"))
                found[name] = seconds
            return found
    return {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="digest-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    feeds_dir = work / "feeds"
    if feeds_dir.exists():
        shutil.rmtree(feeds_dir)
    feeds_dir.mkdir()
    paths = make_feeds(feeds_dir, args.feeds, args.items)
    size = sum(p.stat().st_size for p in paths)

    server = subprocess.Popen([sys.executable, "-m", "bench.harness.feedserver", "--latency", "0", "--hosts", str(args.hosts),
                               *map(str, paths)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        lines = ["title: Scale bench", "since: all", "max_items: 100", "per_source: 5", f"state: {work / 'state.sqlite'}",
                 "fetch:", "  deadline: 30m", "sources:"]
        for i in range(len(paths)):
            lines += [f"  - name: feed {i}", f"    url: http://{info['hosts'][i % len(info['hosts'])]}:{info['port']}/feed/{i}"]
        config = work / "feeds.yaml"
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        (work / "state.sqlite").unlink(missing_ok=True)
        env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""), "CI": "1"}
        cmd = [sys.executable, "-m", "digest", "run", "--config", str(config), "--out", str(work / "out"),
               "--since", "all", "--now", NOW.isoformat()]
        parse_before, entries = parse_alone(paths)
        started = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
        with TreePeak(child.pid) as tree:  # its interpreter starts while the child's does; not timed apart
            stdout, stderr = child.communicate()
            wall = time.perf_counter() - started
        done = subprocess.CompletedProcess(cmd, child.returncode, stdout, stderr)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        parse_after, _ = parse_alone(paths)
    finally:
        server.terminate()
        server.wait(10)
    if done.returncode != 0:
        raise SystemExit(f"digest run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    parse = statistics.mean([parse_before, parse_after])
    timing = phases(done.stderr)
    doc = json.loads((work / "out" / "digest.json").read_text(encoding="utf-8"))
    print(f"{len(paths)} feeds x {args.items} items = {entries} entries, {size / 1e6:.1f} MB of RSS, served from loopback (no added latency)")
    print(f"command: {' '.join(cmd[1:])}")
    print()
    print("| measure | value |")
    print("|---|---:|")
    print(f"| `digest run`, wall (child process, incl. interpreter start) | {wall:.1f} s |")
    print(f"| feedparser.parse alone over the same files (mean of before/after) | {parse:.1f} s |")
    print(f"| ratio run / parse | {wall / parse:.2f}× |")
    print(f"| peak RSS of `digest run` (the main process) | {peak:.0f} MB |")
    print(f"| peak RSS of `digest run` with its parser processes (summed, sampled every 100 ms) | {tree.mb:.0f} MB |")
    total = timing.pop("total", sum(timing.values()))
    for name, seconds in timing.items():
        print(f"| phase {name} | {seconds:.2f} s ({100 * seconds / total:.0f}%) |")
    print()
    print(f"stats: {doc['stats']}; sources ok: {sum(s['status'] == 'ok' for s in doc['sources'])}/{len(doc['sources'])}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
