"""Zero-config listing detection against the feedless expected-items files in ../shared/corpus.

Run: python bench/listing_detect.py   (one line per page, then the totals)
Recall = expected links found / expected links; precision = found links that are expected / found links.
Links compare as canonical URLs (digest.urls.canonical_url), duplicates counted once.  The time per
page is wall time of parse_listing (decode + lxml parse + detection + extraction), one run.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.encoding import decode_html  # noqa: E402
from digest.errors import ParseError  # noqa: E402
from digest.sources.listing import parse_html, parse_listing  # noqa: E402
from digest.urls import canonical_url  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "html" / "listing"
# The page URLs the upstream (feedless) tests pass with each file; links resolve against them.
PAGE_URLS: dict[str, str] = json.loads((ROOT / "tests" / "data" / "listing" / "feedless_page_urls.json").read_text())
UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class Score:
    page: str
    expected: int
    found: int
    hit: int
    selector: str
    seconds: float
    baseline: float  # decode + lxml parse of the same bytes, measured in the same run

    @property
    def recall(self) -> float:
        return self.hit / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.hit / self.found if self.found else 0.0


def score_page(html_path: Path, expected_path: Path) -> Score:
    stem = html_path.stem
    expected = {canonical_url(u) for u in json.loads(expected_path.read_text())}
    started = time.perf_counter()
    try:
        result = parse_listing(html_path.read_bytes(), {}, PAGE_URLS[stem], None, tz=UTC, now=datetime.now(UTC))
        found = {canonical_url(e.link or "") for e in result.entries}
        selector = result.selector
    except ParseError as exc:
        found, selector = set(), f"(none: {exc})"
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    parse_html(decode_html(html_path.read_bytes(), None))
    baseline = time.perf_counter() - started
    return Score(stem, len(expected), len(found), len(found & expected), selector, elapsed, baseline)


def corpus_pages() -> list[tuple[Path, Path]]:
    pairs = []
    for expected in sorted(CORPUS.rglob("*.feedless-expected.json")):
        page = expected.with_name(expected.name.replace(".feedless-expected.json", ".html"))
        if page.exists():
            pairs.append((page, expected))
    return pairs


def main() -> None:
    rows = [score_page(p, e) for p, e in corpus_pages()]
    if not rows:
        print(f"no corpus at {CORPUS}")
        return
    for r in rows:
        print(f"{r.page:30} recall {r.recall:.2f} precision {r.precision:.2f} "
              f"({r.hit}/{r.expected} expected, {r.found} found, {r.seconds * 1000:.0f} ms = "
              f"{r.seconds / r.baseline:.1f}x parsing alone)  {r.selector[:60]}")
    hit, expected, found = sum(r.hit for r in rows), sum(r.expected for r in rows), sum(r.found for r in rows)
    macro_r = sum(r.recall for r in rows) / len(rows)
    macro_p = sum(r.precision for r in rows) / len(rows)
    print(f"\n{len(rows)} pages: micro recall {hit / expected:.3f} precision {hit / found if found else 0:.3f}; "
          f"macro recall {macro_r:.3f} precision {macro_p:.3f}")
    total, base = sum(r.seconds for r in rows), sum(r.baseline for r in rows)
    print(f"time: {total:.2f} s for all pages = {total / base:.1f}x decoding and parsing them alone ({base:.2f} s)")


if __name__ == "__main__":
    main()
