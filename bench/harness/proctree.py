"""Peak memory of a process together with its descendants (digest's parser processes), from /proc.

ru_maxrss covers one process: the parser workers are children of multiprocessing's forkserver,
so a benchmark that reports only the main process's peak would hide them.  This samples the
summed RSS of the whole tree every 100 ms from a separate process (Linux only; 0 elsewhere).
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4


def _tree_rss_kb(root: int) -> int:
    """Summed RSS of `root` and its descendants, reading only their own /proc entries.

    Each scan competes for the CPUs with what is measured, so it must be cheap: 0.17 ms of CPU
    for a four-process tree, against 6 ms for parsing the status file of every process on the
    machine (the fallback, for kernels without /proc/PID/task/TID/children)."""
    total, stack, me = 0, [root], os.getpid()
    try:
        while stack:
            pid = stack.pop()
            if pid == me:
                continue  # the sampler itself, a child of the process it measures
            try:
                with open(f"/proc/{pid}/statm", "rb") as statm:
                    total += int(statm.read().split()[1]) * _PAGE_KB
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children", "rb") as children:
                        stack.extend(int(child) for child in children.read().split())
            except (FileNotFoundError, ProcessLookupError):
                if pid == root:
                    raise
                continue  # a process (or thread) that ended meanwhile
    except FileNotFoundError:
        return _tree_rss_kb_by_scan(root)
    return total


def _tree_rss_kb_by_scan(root: int) -> int:
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
        if pid == os.getpid():
            continue  # the sampler itself, a child of the process it measures
        total += rss.get(pid, 0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


class TreePeak:
    """`with TreePeak(pid) as peak: ...` then `peak.mb`: the highest summed RSS seen meanwhile.

    The sampling runs in a process of its own: a thread would take the measured process's GIL
    for every scan (measured: 0.7 s of extra CPU in a 6 s collection, and a slower wall time).
    """

    def __init__(self, pid: int | None = None, every: float = 0.1) -> None:
        self.pid = pid or os.getpid()
        self.every = every
        self.peak_kb = 0
        self._sampler: subprocess.Popen[str] | None = None

    def __enter__(self) -> TreePeak:
        self._sampler = subprocess.Popen([sys.executable, __file__, str(self.pid), str(self.every)],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self._sampler.stdout is not None
        self._sampler.stdout.readline()  # its start-up (~0.1 s of CPU) must not fall inside the timed block
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._sampler is not None
        out, _ = self._sampler.communicate("")  # closing stdin tells it to report
        self.peak_kb = int(out.strip() or 0)

    @property
    def mb(self) -> float:
        return self.peak_kb / 1024


def _sample(pid: int, every: float) -> int:
    """Scan until stdin closes; the peak in kB."""
    print("ready", flush=True)
    peak = 0
    while True:
        if Path("/proc").is_dir():
            peak = max(peak, _tree_rss_kb(pid))
        ready, _, _ = select.select([sys.stdin], [], [], every)
        if ready:
            return peak


if __name__ == "__main__":
    print(_sample(int(sys.argv[1]), float(sys.argv[2])))
