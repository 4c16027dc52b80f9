"""How well `digest run --deadline` holds: issue 19's two cases, timed end to end with the CLI.

    python -m bench.speed.deadline [--baseline TREE] [--case links|huge|both]

* links: a feed of 40 items whose full-text links never answer (the server reads the request and
  waits), `full_text: true`, `--deadline 10s`, fetch.timeout 30s.
* huge: one 6.9 MB feed of 100,000 items, `--deadline 5s`.

Each case runs `python -m digest run` in a child process (the servers stay in this one, so they
share no GIL with it) and reports wall time, the child's peak RSS and the source's status.  With
`--baseline TREE` (a checkout of older code, e.g. `git archive <commit> digest | tar -x -C TREE`),
the same cases run with that tree first on PYTHONPATH, for comparison in the same sitting.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.support import paths

HERE = paths.REPO
PUB = "Mon, 07 Dec 2026 10:00:00 GMT"
NOW = "2026-12-07T12:00:00+00:00"


def _feed(items: list[str]) -> bytes:
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title><link>https://example.com/</link>'
            + "".join(items) + "</channel></rss>").encode()


def huge_feed(n: int = 100_000) -> bytes:
    # 71 bytes an item, undated (the items take the time of the run), like the feed in the issue
    return _feed([f"<item><title>Story {i}</title><link>https://e.example/{i}</link></item>" for i in range(n)])


def start_server(routes: dict[str, bytes], stop: threading.Event) -> tuple[ThreadingHTTPServer, int]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = routes.get(self.path.split("?", 1)[0])
            if body is None:  # a full-text link: read the request, never answer
                stop.wait(600)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # the client hung up at its deadline: expected here

    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, httpd.server_address[1]


def run_case(case: str, tree: Path, folder: Path) -> dict[str, object]:
    stop = threading.Event()
    routes: dict[str, bytes] = {}
    httpd, port = start_server(routes, stop)
    base = f"http://127.0.0.1:{port}"
    if case == "links":
        routes["/feed"] = _feed([f"<item><title>Linked story {i}</title><link>{base}/hang/{i}</link>"
                                 f"<pubDate>{PUB}</pubDate><description>Teaser {i}.</description></item>"
                                 for i in range(40)])
        extra, deadline = f"fetch:\n  timeout: 30s\n  allow_hosts: ['127.0.0.1:{port}', '127.0.0.1']\n", "10s"
        source = f"  - name: links\n    url: {base}/feed\n    full_text: true\n"
    else:
        routes["/feed"] = huge_feed()
        extra, deadline = "", "5s"
        source = f"  - name: huge\n    url: {base}/feed\n"
    config = folder / f"{case}-{tree.name}.yaml"
    config.write_text(f"title: Bench\ntimezone: UTC\nsince: 24h\nstate: {folder}/{case}-{tree.name}.sqlite\n"
                      f"{extra}sources:\n{source}", encoding="utf-8")
    out = folder / f"out-{case}-{tree.name}"
    env = dict(os.environ, PYTHONPATH=str(tree))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "digest", "run", "--config", str(config), "--out", str(out),
                           "--now", NOW, "--deadline", deadline, "--quiet"],
                          capture_output=True, text=True, env=env, cwd=folder, check=False)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    stop.set()
    httpd.shutdown()
    httpd.server_close()
    sources = []
    if (out / "digest.json").exists():
        doc = json.loads((out / "digest.json").read_text(encoding="utf-8"))
        sources = [(s["name"], s["status"], s["items"], s["error"]) for s in doc["sources"]]
    return {"case": case, "tree": str(tree), "deadline": deadline, "wall_s": round(wall, 2),
            # ru_maxrss of children is the largest child so far: only meaningful when it grew
            "peak_rss_mb": round(peak / 1024) if peak > before else f"<= {round(before / 1024)}",
            "exit": proc.returncode, "sources": sources, "stderr": proc.stderr.strip()[-300:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="a tree with older code to run first")
    parser.add_argument("--case", choices=("links", "huge", "both"), default="both")
    args = parser.parse_args()
    cases = ["huge", "links"] if args.case == "both" else [args.case]
    trees = ([args.baseline.resolve()] if args.baseline else []) + [HERE]
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            for tree in trees:
                print(json.dumps(run_case(case, tree, Path(tmp)), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
