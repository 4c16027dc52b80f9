"""Fetch benchmark: digest's collection of N feeds against a sequential feedparser loop (rss2email's way).

    python -m bench.speed.fetch                 # 200 feeds, 100 ms added latency, 100 hosts, 3 runs
    python -m bench.speed.fetch --runs 1        # one pair, about 100 s
    python -m bench.speed.fetch --feeds 500 --latency 0.05 --hosts 250

Feeds are the real-world files under ../shared/corpus/feeds (repeated to N), served from
loopback by bench/harness/feedserver.py in its own process.  Each side runs in its own child process
(peak RSS is per side).  Rounds, in this order, in one run:
  digest:   fetch only (fetch_all) · collection (digest.collect.collect: fetch, parse and normalize
            as `digest run` does), once parsing in the fetching process after the downloads and
            once with the default parser processes (each body parsed as it arrives) · again with the validators (expect 304s)
  baseline: fetch only (urllib, sequential, gzip - what feedparser does inside) ·
            feedparser.parse(url) sequential · again with etag/modified (expect 304s)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.support import paths

REPO = paths.REPO
CORPUS = paths.CORPUS / "feeds"


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file())


def server_stats(port: int, reset: bool = False) -> dict[str, Any]:
    path = "__reset" if reset else "__stats"
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=10) as response:
        data: dict[str, Any] = json.load(response)
    return data


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------ workers (child processes)

def worker_digest(urls: list[str], port: int, concurrency: int = 16) -> dict[str, Any]:
    from datetime import UTC, datetime

    from bench.harness.proctree import TreePeak
    from digest.collect import collect, worker_count
    from digest.config import FetchSettings, parse_config
    from digest.fetch import FetchRequest, fetch_all

    # start-up (importing httpx, its lazy imports on the first request, the TLS context) is
    # measured on its own, then both sides are warm when the rounds are timed
    started = time.perf_counter()
    fetch_all([FetchRequest("warm-up", urls[0])], FetchSettings())
    startup = time.perf_counter() - started

    settings = FetchSettings(concurrency=concurrency)
    rounds: dict[str, Any] = {}
    requests = [FetchRequest(str(i), url) for i, url in enumerate(urls)]

    server_stats(port, reset=True)
    started = time.perf_counter()
    results = fetch_all(requests, settings)
    rounds["fetch"] = _round(started, results, server_stats(port))

    # the collection is digest's own: fetch, parse + normalize
    sources = "\n".join(f"  - name: feed {i}\n    url: {url}" for i, url in enumerate(urls))
    config = parse_config(f"timezone: UTC\nsources:\n{sources}\n", REPO / "bench-fetch.yaml")
    now = datetime(2026, 11, 26, tzinfo=UTC)
    collected = None
    tree_mb: dict[str, float] = {}
    for key, workers in (("collect_inline", 0), ("collect", None)):
        server_stats(port, reset=True)
        with TreePeak() as tree:  # the sampler starts before the clock and stops after it
            started = time.perf_counter()
            collected = collect(config, {}, FetchSettings(concurrency=concurrency, parse_workers=workers), now=now)
            wall = time.perf_counter() - started
        tree_mb[key] = tree.mb
        statuses: dict[str, int] = {}
        for r in collected.results:
            statuses[r.status] = statuses.get(r.status, 0) + 1
        rounds[key] = {"wall": wall, "statuses": statuses, "server": server_stats(port),
                       "errors": sorted({r.error for r in collected.results if r.error and "not an RSS" not in r.error
                                         and "HTML page" not in r.error}),
                       "entries": len(collected.items),
                       "parse_errors": sum(1 for r in collected.results if r.status == "error")}
    assert collected is not None

    by_url = {s.url: collected.validators.get(s.url) for s in config.sources}
    again = [FetchRequest(r.key, r.url, etag=(v := by_url.get(r.url)) and v.etag, last_modified=v and v.last_modified)
             for r in requests]
    server_stats(port, reset=True)
    started = time.perf_counter()
    results = fetch_all(again, settings)
    rounds["conditional"] = _round(started, results, server_stats(port))
    return {"rounds": rounds, "peak_rss_mb": peak_rss_mb(), "parser": "digest.collect.collect",
            "startup": startup, "concurrency": concurrency, "cpus": len(os.sched_getaffinity(0)),
            "parse_workers": worker_count(None, len(urls)), "tree_peak_rss_mb": tree_mb}


def _round(started: float, results: list[Any], stats: dict[str, Any]) -> dict[str, Any]:
    wall = time.perf_counter() - started
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    errors = sorted({r.error for r in results if r.error})
    return {"wall": wall, "statuses": statuses, "server": stats, "errors": errors}


def worker_baseline(urls: list[str], port: int) -> dict[str, Any]:
    import gzip
    import zlib

    import feedparser

    agent = "rss2email-style-baseline/1.0"
    rounds: dict[str, Any] = {}
    started = time.perf_counter()
    feedparser.parse(urls[0], agent=agent)  # warm-up, as on the digest side
    startup = time.perf_counter() - started

    server_stats(port, reset=True)
    started = time.perf_counter()
    for url in urls:  # what feedparser's own http.get does: urllib, gzip/deflate, one request at a time
        request = urllib.request.Request(url, headers={"User-Agent": agent, "Accept-Encoding": "gzip, deflate"})
        with urllib.request.urlopen(request, timeout=30) as response:
            data = response.read()
            if response.headers.get("content-encoding") == "gzip":
                data = gzip.decompress(data)
            elif response.headers.get("content-encoding") == "deflate":
                data = zlib.decompress(data)
    rounds["fetch"] = {"wall": time.perf_counter() - started, "server": server_stats(port)}

    server_stats(port, reset=True)
    started = time.perf_counter()
    parsed = [feedparser.parse(url, agent=agent) for url in urls]  # rss2email: one feed after another
    entries = sum(len(d.entries) for d in parsed)
    rounds["collect"] = {"wall": time.perf_counter() - started, "server": server_stats(port), "entries": entries}

    server_stats(port, reset=True)
    started = time.perf_counter()
    again = [feedparser.parse(url, agent=agent, etag=d.get("etag"), modified=d.get("modified")) for url, d in zip(urls, parsed, strict=True)]
    statuses: dict[str, int] = {}
    for d in again:
        statuses[str(d.get("status"))] = statuses.get(str(d.get("status")), 0) + 1
    rounds["conditional"] = {"wall": time.perf_counter() - started, "server": server_stats(port), "statuses": statuses}
    return {"rounds": rounds, "peak_rss_mb": peak_rss_mb(), "startup": startup}


# ------------------------------------------------------------------ orchestration

def run_worker(kind: str, urls: list[str], port: int, concurrency: int = 16) -> dict[str, Any]:
    payload = json.dumps({"urls": urls, "port": port, "concurrency": concurrency})
    out = subprocess.run([sys.executable, "-m", "bench.speed.fetch", "--worker", kind], input=payload, capture_output=True,
                         text=True, check=False, cwd=REPO)
    if out.returncode:
        raise SystemExit(f"the {kind} worker failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import feedparser
    import httpx

    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"httpx {httpx.__version__}, feedparser {feedparser.__version__}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=16, help="digest's fetch.concurrency (default 16)")
    parser.add_argument("--worker", choices=["digest", "baseline"])
    parser.add_argument("--runs", type=int, default=3, help="digest/baseline pairs; the table gives medians (default 3)")
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    args = parser.parse_args()
    if args.worker:
        job = json.loads(sys.stdin.read())
        if args.worker == "digest":
            print(json.dumps(worker_digest(job["urls"], job["port"], job["concurrency"])))
        else:
            print(json.dumps(worker_baseline(job["urls"], job["port"])))
        return

    files = corpus_files()
    if not files:
        raise SystemExit(f"no corpus feeds under {CORPUS}")
    server = subprocess.Popen([sys.executable, "-m", "bench.harness.feedserver", "--latency", str(args.latency),
                               "--hosts", str(args.hosts), *map(str, files)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        port, hosts = info["port"], info["hosts"]
        urls = [f"http://{hosts[i % len(hosts)]}:{port}/feed/{i}" for i in range(args.feeds)]
        digests, baselines = [], []
        for run in range(args.runs):  # pairs, one side right after the other: a ratio per pair
            digests.append(run_worker("digest", urls, port, args.concurrency))
            baselines.append(run_worker("baseline", urls, port))
            if args.runs > 1:
                ratio = baselines[-1]["rounds"]["collect"]["wall"] / digests[-1]["rounds"]["collect"]["wall"]
                print(f"run {run + 1}/{args.runs}: collection {ratio:.1f}x", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(10)
    report(args, files, digests, baselines)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"digest": digests, "baseline": baselines}, indent=2))


def report(args: argparse.Namespace, files: list[Path], digests: list[dict[str, Any]],
           baselines: list[dict[str, Any]]) -> None:
    """The table gives medians over the runs; a speed-up is the median of the runs' own ratios."""
    digest, baseline = digests[-1], baselines[-1]
    d, b = digest["rounds"], baseline["rounds"]
    first_bytes = d["collect"]["server"]["bytes"]
    second_bytes = d["conditional"]["server"]["bytes"]
    print(f"machine: {machine()}")
    print(f"{args.feeds} feeds ({len(files)} corpus files repeated, {statistics.mean(f.stat().st_size for f in files) / 1024:.0f} KB mean) "
          f"on {args.hosts} loopback hosts, {args.latency * 1000:.0f} ms added latency per request; digest parser: {digest['parser']}, "
          f"fetch.concurrency {digest['concurrency']}, per_host 2")
    print(f"start-up before the rounds (not in the table): digest import + first request {digest['startup']:.2f} s, "
          f"baseline first feedparser.parse {baseline['startup']:.2f} s")
    print()
    runs = len(digests)
    print(f"{runs} run(s), each a digest child process then a baseline child process; medians over the runs"
          + (" (speed-up: the median of the runs' ratios, each run's in brackets)" if runs > 1 else ""))
    print()
    print("| round | digest | sequential baseline | speed-up |")
    print("|---|---:|---:|---:|")
    rows = (("fetch", "fetch", "fetch only"),
            ("collect_inline", "collect", "collection, parsing in the fetching process (`parse_workers: 0`)"),
            ("collect", "collect", f"collection (default: {digest['parse_workers']} parser processes on {digest['cpus']} CPUs)"),
            ("conditional", "conditional", "second run, validators sent"))
    for key, base, label in rows:
        ours = [r["rounds"][key]["wall"] for r in digests]
        theirs = [r["rounds"][base]["wall"] for r in baselines]
        ratios = [t / o for o, t in zip(ours, theirs, strict=True)]
        each = f" ({', '.join(f'{x:.1f}' for x in ratios)})" if runs > 1 else ""
        print(f"| {label} | {statistics.median(ours):.2f} s | {statistics.median(theirs):.2f} s | "
              f"{statistics.median(ratios):.1f}×{each} |")
    print(f"| peak RSS (ru_maxrss of the process; the highest of the runs) | {max(r['peak_rss_mb'] for r in digests):.0f} MB "
          f"| {max(r['peak_rss_mb'] for r in baselines):.0f} MB | |")
    print(f"| peak RSS with the parser processes (summed, sampled) | {max(r['tree_peak_rss_mb']['collect'] for r in digests):.0f} MB "
          f"(in-process parsing: {max(r['tree_peak_rss_mb']['collect_inline'] for r in digests):.0f} MB) | | |")
    print()
    for key in ("fetch", "collect_inline", "collect", "conditional"):
        if d[key]["errors"]:
            print(f"digest errors in the {key} round: {'; '.join(d[key]['errors'][:3])}")
    print(f"digest statuses: collection {d['collect']['statuses']}, second run {d['conditional']['statuses']}; "
          f"entries parsed: digest {d['collect']['entries']} ({d['collect']['parse_errors']} not-a-feed), baseline {b['collect']['entries']}")
    print(f"bytes sent by the server (headers + bodies): first run {first_bytes / 1024:.0f} KB, second run "
          f"{second_bytes / 1024:.0f} KB = {100 * second_bytes / first_bytes:.1f}% of the first "
          f"(server statuses {d['conditional']['server']['statuses']})")


if __name__ == "__main__":
    main()
