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
    peak = 0
    while True:
        if Path("/proc").is_dir():
            peak = max(peak, _tree_rss_kb(pid))
        ready, _, _ = select.select([sys.stdin], [], [], every)
        if ready:
            return peak


if __name__ == "__main__":
    print(_sample(int(sys.argv[1]), float(sys.argv[2])))
