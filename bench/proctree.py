"""Peak memory of a process together with its descendants (digest's parser processes), from /proc.

ru_maxrss covers one process: the parser workers are children of multiprocessing's forkserver,
so a benchmark that reports only the main process's peak would hide them.  This samples the
summed RSS of the whole tree every 100 ms (a scan of /proc costs a few ms) (Linux only; 0 elsewhere).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


def _tree_rss_kb(root: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        parents[pid] = int(fields.get("PPid", "0").strip() or 0)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


class TreePeak:
    """`with TreePeak(pid) as peak: ...` then `peak.mb`: the highest summed RSS seen meanwhile."""

    def __init__(self, pid: int | None = None, every: float = 0.1) -> None:
        self.pid = pid or os.getpid()
        self.every = every
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            if Path("/proc").is_dir():
                self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid))
            self._stop.wait(self.every)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def mb(self) -> float:
        return self.peak_kb / 1024
