"""Dedup cost at a large user's scale: 50,000 items in a window against 500,000 stored fingerprints.

    python -m bench.speed.dedup [--window 50000] [--history 500000] [--state PATH]

Items are synthetic but shaped like feeds: Zipf-distributed English-like words and common
Chinese characters (70/30), titles of 6-12 words (without the most common words, as titles
are after stopwords), texts of 40-250 words, and planted copies (wire copies, truncated
summaries, headline-only re-lists; 15% of the window, and 2% re-listing sent items).
The history is written once into a real SQLite state file with record_sent (kept in
bench/out/ and reused) and read back with load_history, as the pipeline does.

Baseline, measured in the same run on the same items: every pair compared (match.compare) on a
subsample, scaled by n², which is what the candidate search saves.  Timings are the best of
--repeat runs, after one first run with the memos of terms.py emptied (what a fresh process
pays); peak memory is tracemalloc's peak over a separate run.
Another checkout's `digest` package is measured by putting it first on the path (for before/after
numbers; give it its own --state, as the state layout may differ):
`PYTHONPATH=/path/to/checkout:. python -P -m bench.speed.dedup --state bench/out/before.sqlite`.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

import digest
from digest.config import DedupSettings
from digest.dedup import deduplicate, terms
from digest.dedup.match import Weights, compare, features
from digest.models import Item
from digest.state import open_state
from digest.state.history import load_history, record_sent
from tests.support import paths

NOW = datetime(2024, 6, 20, 7, tzinfo=UTC)
_LETTERS = "etaoinshrdlcumwfgypbvkjxqz"
_HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 3500)]


class Writer:
    """A seeded generator of feed-like items: every text is drawn afresh, so unrelated items share
    only what Zipf-distributed words share by chance (common words, the odd common phrase)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        self.words = list(dict.fromkeys(self._word() for _ in range(40000)))
        self.en_cdf = self._cdf(len(self.words), 1.05)
        self.zh_cdf = self._cdf(len(_HAN), 0.9)

    @staticmethod
    def _cdf(size: int, exponent: float) -> npt.NDArray[np.float64]:
        weights = 1 / np.arange(1, size + 1) ** exponent
        cdf: npt.NDArray[np.float64] = np.cumsum(weights) / weights.sum()
        return cdf

    def _word(self) -> str:
        return "".join(self.rng.choice(_LETTERS) for _ in range(self.rng.randint(2, 10)))

    def _draw(self, cdf: npt.NDArray[np.float64], n: int, skip: int = 0) -> list[int]:
        """n ranks from the distribution; `skip` drops the most common ranks (titles hold few of them)."""
        low = cdf[skip - 1] if skip else 0.0
        ranks: list[int] = np.searchsorted(cdf, low + (1 - low) * self.np.random(n)).tolist()
        return ranks

    def item(self, n: int, source: str, day: float) -> Item:
        zh = self.rng.random() < 0.3
        if zh:
            title = "".join(_HAN[i] for i in self._draw(self.zh_cdf, self.rng.randint(10, 24), skip=100))
            text = "".join(_HAN[i] for i in self._draw(self.zh_cdf, self.rng.randint(60, 400)))
        else:
            title = " ".join(self.words[i] for i in self._draw(self.en_cdf, self.rng.randint(6, 12), skip=200))
            text = " ".join(self.words[i] for i in self._draw(self.en_cdf, self.rng.randint(40, 250))) + "."
        published = NOW - timedelta(days=day, seconds=self.rng.randint(0, 86400))
        return Item(id=f"{source}-{n}", url=f"https://{source}.example/{n}", title=title.capitalize(), source=source,
                    section=source, published=published, dated=True, language="zh" if zh else "en", text=text)

    def window(self, count: int, day: float, prefix: str, offset: int = 0,
               repeats: list[Item] | None = None) -> list[Item]:
        """`count` items from 200 sources; about 15% copy an item of this window (wire copy,
        truncated summary, headline-only re-list) and, given `repeats`, 2% re-list a sent one."""
        items: list[Item] = []
        for k in range(count):
            n = offset + k
            source = f"{prefix}{self.rng.randrange(200)}"
            roll = self.rng.random()
            if repeats and roll < 0.02:
                original = self.rng.choice(repeats)
            elif items and roll < 0.17:
                original = items[self.rng.randrange(len(items))]
            else:
                items.append(self.item(n, source, day))
                continue
            kind = self.rng.choice(("wire", "truncated", "headline"))
            text = {"wire": original.text, "truncated": original.text[: len(original.text) * 2 // 3],
                    "headline": ""}[kind]
            items.append(Item(id=f"{source}-{n}", url=f"https://{source}.example/{n}", title=original.title,
                              source=source, section=source, published=NOW - timedelta(days=day), dated=True,
                              language=original.language, text=text))
        return items


def build_history(path: Path, count: int, writer: Writer) -> list[Item]:
    """Write `count` sent items over the last 14 days into a state file (reused when it has them).

    Returns a sample of the sent items, for the window to re-list.
    """
    state = open_state(path)
    have = state.conn.execute("SELECT count(*) FROM history").fetchone()[0]
    sample: list[Item] = []
    batch = 25000
    started = time.perf_counter()
    for start in range(0, count, batch):
        n = min(batch, count - start)
        day = 0.5 + 13 * start / max(1, count)
        items = writer.window(n, day, prefix="h", offset=start)
        sample.extend(items[:: max(1, count // 2000)][:200])
        if start >= have:
            with state.transaction() as conn:
                record_sent(conn, items, now=NOW - timedelta(days=day))
            print(f"  history: {start + n:,} of {count:,} written ({time.perf_counter() - started:.0f} s)", flush=True)
    state.close()
    return sample


CPU: dict[float, float] = {}  # wall time -> CPU time of the same run (the machine is shared: CPU is what one core pays)


def best_of(repeat: int, func: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        started, cpu = time.perf_counter(), time.process_time()
        result = func()
        wall = time.perf_counter() - started
        CPU[wall] = time.process_time() - cpu
        best = min(best, wall)
    return best, result


def peak_memory(func: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def allpairs_baseline(items: list[Item], settings: DedupSettings) -> int:
    """Every pair compared: the quadratic baseline the candidate search avoids."""
    feats = [features(item) for item in items]
    weights = Weights((f.title for f in feats), (f.source for f in feats))
    found = 0
    for i in range(len(feats)):
        for j in range(i + 1, len(feats)):
            found += compare(feats[i], feats[j], weights, settings).same
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=int, default=50000)
    parser.add_argument("--history", type=int, default=500000)
    parser.add_argument("--state", type=Path, default=paths.REPO / "bench" / "out" / "dedup-state.sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=2000, help="items in the all-pairs baseline")
    parser.add_argument("--decisions", type=Path, help="write every decision of the runs here (to diff two versions)")
    args = parser.parse_args()
    settings = DedupSettings(history_days=14)
    writer = Writer(seed=7)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
          f"{platform.processor() or platform.platform()}, digest from {Path(digest.__file__).parent}")
    path = args.state.with_name(f"{args.state.stem}-{args.history}{args.state.suffix}")
    path.parent.mkdir(parents=True, exist_ok=True)
    sample = build_history(path, args.history, writer)
    window = writer.window(args.window, 0.2, prefix="w", repeats=sample)
    state = open_state(path, readonly=True)
    rows: list[tuple[str, float, str]] = []

    terms._TOKEN_HASHES.clear()  # as in a fresh process: no token seen yet
    t_first, _ = best_of(1, lambda: deduplicate(window, settings=settings,
                                                 history=load_history(state.conn, now=NOW, settings=settings)))
    rows.append(("first run in the process: load_history + deduplicate", t_first, "memos of terms.py empty"))
    t_fp, _ = best_of(args.repeat, lambda: [features(item) for item in window])
    rows.append(("features of the window (title and lead terms)", t_fp, ""))
    t_load, history = best_of(args.repeat, lambda: load_history(state.conn, now=NOW, settings=settings))
    rows.append((f"load_history ({len(history):,} fingerprints)", t_load, ""))
    t_window, alone = best_of(args.repeat, lambda: deduplicate(window, settings=settings, history=type(history).empty()))
    rows.append(("deduplicate, empty history", t_window, f"{alone.duplicates:,} merged"))
    t_all, result = best_of(args.repeat, lambda: deduplicate(window, settings=settings, history=history))
    rows.append(("deduplicate against history", t_all, f"{result.duplicates:,} merged, "
                 f"{result.dropped_history:,} dropped as already sent"))
    rows.append(("load_history + deduplicate (what a run pays)", t_load + t_all, ""))
    CPU[t_load + t_all] = CPU[t_load] + CPU[t_all]
    if args.decisions:
        args.decisions.write_text("".join(f"{line!r}\n" for r in (result, alone) for line in _decisions(r)))

    small = window[: args.sample]
    t_pairs, _ = best_of(1, lambda: allpairs_baseline(small, settings))
    scaled = t_pairs * (len(window) / len(small)) ** 2
    rows.append((f"baseline: every pair compared, {len(small):,} items, scaled by n² to the window", scaled,
                 f"{scaled / t_window:.0f}x digest's window dedup (measured {t_pairs:.2f} s)"))

    peak = peak_memory(lambda: deduplicate(window, settings=settings,
                                           history=load_history(state.conn, now=NOW, settings=settings)))
    state.close()
    print(f"\n{len(window):,} items in the window, {len(history):,} fingerprints in history "
          f"(state file {path.stat().st_size / 2**20:.0f} MiB)\n")
    print("| step | seconds (wall) | seconds (CPU) | note |\n|---|---:|---:|---|")
    for name, seconds, note in rows:
        cpu = f"{CPU[seconds]:.2f}" if seconds in CPU else ""
        print(f"| {name} | {seconds:.2f} | {cpu} | {note} |")
    print(f"\npeak traced memory of load_history + deduplicate: {peak / 2**20:.0f} MiB "
          f"(process max RSS {_max_rss_mib():.0f} MiB, including item generation)")


def _decisions(result: Any) -> list[tuple[object, ...]]:
    """What a run decided, item by item, in a form two versions of digest can be compared by."""
    lines: list[tuple[object, ...]] = [(item.id, tuple((a.url, a.source, a.similarity) for a in item.also))
                                       for item in result.items]
    lines.extend((d.item.id, d.rule, round(d.similarity, 9), d.threshold, d.other_url, d.matched_by, str(d.sent_at))
                 for d in result.decisions)
    lines.append((result.duplicates, result.dropped_history))
    return lines


def _max_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
