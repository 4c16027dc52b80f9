"""A loopback feed server for the benchmarks: N feeds on H loopback hosts, fixed added latency.

Run it as a separate process (so it does not share a GIL with what is measured):

    python -m bench.harness.feedserver --latency 0.1 --hosts 100 FILE...

It prints one JSON line {"port": P, "hosts": [...]} and serves until killed:
  GET http://<host>:P/feed/<i>   the i-th file (modulo the list), gzip'd when asked, with ETag and
                                 Last-Modified, 304 to a matching conditional GET; each request
                                 waits `latency` seconds before answering (a remote server's RTT).
  GET http://127.0.0.1:P/__stats {"requests", "bytes", "statuses"} since the last /__reset
  GET http://127.0.0.1:P/__reset
Linux routes all of 127.0.0.0/8 to loopback, so 127.0.0.2 … are distinct hosts for a client's
per-host limit.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import socket
import sys
from collections import Counter
from pathlib import Path

LAST_MODIFIED = "Wed, 05 Jun 2024 07:00:00 GMT"


class Feeds:
    def __init__(self, files: list[Path]) -> None:
        self.bodies = [f.read_bytes() for f in files]
        self.gzipped = [gzip.compress(b, 6) for b in self.bodies]
        self.types = ["application/feed+json" if f.suffix == ".json" else "text/html; charset=utf-8"
                      if f.suffix in (".html", ".htm") else "application/xml" for f in files]
        self.etags = [f'"{hashlib.sha1(b).hexdigest()[:16]}"' for b in self.bodies]
        self.requests = 0
        self.bytes = 0
        self.statuses: Counter[int] = Counter()


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, feeds: Feeds, latency: float) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            _, path, _ = lines[0].split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            if path.startswith("/__"):
                if path == "/__reset":
                    feeds.requests, feeds.bytes, feeds.statuses = 0, 0, Counter()
                body = json.dumps({"requests": feeds.requests, "bytes": feeds.bytes,
                                   "statuses": dict(feeds.statuses)}).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(body), body))
                await writer.drain()
                continue
            await asyncio.sleep(latency)
            index = int(path.rsplit("/", 1)[1].split("?")[0]) % len(feeds.bodies)
            etag = feeds.etags[index]
            extra = f"ETag: {etag}\r\nLast-Modified: {LAST_MODIFIED}\r\n"
            if headers.get("if-none-match") == etag or headers.get("if-modified-since") == LAST_MODIFIED:
                status, reason, body = 304, "Not Modified", b""
                response = f"HTTP/1.1 304 Not Modified\r\n{extra}\r\n".encode()
            else:
                status, reason = 200, "OK"
                if "gzip" in headers.get("accept-encoding", ""):
                    body = feeds.gzipped[index]
                    extra += "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n"
                else:
                    body = feeds.bodies[index]
                response = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {feeds.types[index]}\r\n"
                            f"Content-Length: {len(body)}\r\n{extra}\r\n").encode() + body
            feeds.requests += 1
            feeds.bytes += len(response)
            feeds.statuses[status] += 1
            writer.write(response)
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--hosts", type=int, default=100)
    args = parser.parse_args()
    feeds = Feeds(args.files)
    hosts = ["127.0.0.1", *(f"127.0.{(i + 2) // 256}.{(i + 2) % 256}" for i in range(args.hosts))]
    # one port on every host (port=0 would give each host its own)
    for _ in range(20):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        try:
            server = await asyncio.start_server(lambda r, w: handle(r, w, feeds, args.latency), host=hosts,
                                                port=port, backlog=1024, limit=1 << 16)
            break
        except OSError:
            continue
    else:
        raise SystemExit("no free port found")
    print(json.dumps({"port": port, "hosts": hosts[1:]}), flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
