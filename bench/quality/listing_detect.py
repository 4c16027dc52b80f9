"""Zero-config listing detection against labelled listing pages of ../shared/corpus.

Run: python -m bench.quality.listing_detect   (one line per page, then the totals per set)

Two sets: the feedless pages (expected items ship with the corpus; page URLs in
tests/data/listing/feedless_page_urls.json) and Chinese portal / announcement pages labelled by hand
(tests/data/listing/zh_portal_labels.json: a hand-written selector for each page's main list).
Recall = expected links found / expected links; precision = found links that are expected / found
links, and 1.0 for a page where detection fails with its "no list of article links" error (an empty,
failed source sends nothing wrong).  Links compare as canonical URLs, duplicates once.  The naive
baseline takes every link on the page whose text looks like a title (>= 4 words or >= 8 Han
characters: the corpus's own N* heuristic).  Time per page: parse_listing (decode + lxml parse +
detection + extraction), with decode + lxml parse alone as the baseline, in the same run.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from digest.encoding import decode_html
from digest.errors import ParseError
from digest.sources.detect import link_url, text_of, text_units
from digest.sources.listing import parse_html, parse_listing
from digest.urls import canonical_url
from tests.support import paths

CORPUS = paths.CORPUS / "html" / "listing"
DATA = paths.DATA / "listing"
UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class Score:
    page: str
    expected: int
    found: int
    hit: int
    naive_found: int
    naive_hit: int
    selector: str
    seconds: float
    baseline: float  # decode + lxml parse of the same bytes, measured in the same run

    @property
    def recall(self) -> float:
        return self.hit / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.hit / self.found if self.found else 1.0  # failed and empty: nothing wrong sent


def labelled_pages() -> list[tuple[str, Path, str, set[str]]]:
    """(set, page, page URL, expected canonical links) for every labelled page present."""
    pages = []
    urls: dict[str, str] = json.loads((DATA / "feedless_page_urls.json").read_text())
    for expected in sorted(CORPUS.rglob("*.feedless-expected.json")):
        page = expected.with_name(expected.name.replace(".feedless-expected.json", ".html"))
        links = {canonical_url(u) for u in json.loads(expected.read_text())}
        pages.append(("feedless (en)", page, urls[page.stem], links))
    labels: dict[str, dict[str, str]] = json.loads((DATA / "zh_portal_labels.json").read_text())
    for name, label in labels.items():
        page = CORPUS / name
        if name.startswith("_") or not page.exists():
            continue
        root = parse_html(decode_html(page.read_bytes(), None))
        links = {canonical_url(a.get("href") or "", label["url"]) for a in root.cssselect(label["items"]) if text_of(a)}
        pages.append(("zh portals (hand-labelled)", page, label["url"], links - {""}))
    return pages


def score_page(page: Path, url: str, expected: set[str]) -> Score:
    body = page.read_bytes()
    started = time.perf_counter()
    try:
        result = parse_listing(body, {}, url, None, tz=UTC, now=datetime.now(UTC))
        found = {canonical_url(e.link or "") for e in result.entries}
        selector = result.selector
    except ParseError as exc:
        found, selector = set(), f"(failed: {exc})"
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    root = parse_html(decode_html(body, None))
    baseline = time.perf_counter() - started
    naive = {canonical_url(link, url) for a in root.iter("a")
             if (link := link_url(a, url)) and text_units(text_of(a)) >= 4}
    return Score(page.stem, len(expected), len(found), len(found & expected), len(naive), len(naive & expected),
                 selector, elapsed, baseline)


def main() -> None:
    pages = labelled_pages()
    if not pages:
        print(f"no corpus at {CORPUS}")
        return
    by_set: dict[str, list[Score]] = {}
    for name, page, url, expected in pages:
        by_set.setdefault(name, []).append(score_page(page, url, expected))
    all_rows = [r for rows in by_set.values() for r in rows]
    for name, rows in [*by_set.items(), ("all", all_rows)]:
        if name != "all":
            print(f"\n== {name}")
            for r in rows:
                naive_p = r.naive_hit / r.naive_found if r.naive_found else 1.0
                print(f"{r.page:32} recall {r.recall:.2f} precision {r.precision:.2f} ({r.hit}/{r.expected}, "
                      f"{r.found} found)  naive {r.naive_hit / r.expected:.2f}/{naive_p:.2f}  "
                      f"{r.seconds * 1000:.0f} ms  {r.selector[:50]}")
        hit, expected, found = sum(r.hit for r in rows), sum(r.expected for r in rows), sum(r.found for r in rows)
        nhit, nfound = sum(r.naive_hit for r in rows), sum(r.naive_found for r in rows)
        print(f"{name}: {len(rows)} pages: micro recall {hit / expected:.3f} precision {hit / found if found else 1:.3f}; "
              f"macro recall {sum(r.recall for r in rows) / len(rows):.3f} "
              f"precision {sum(r.precision for r in rows) / len(rows):.3f} | naive baseline micro recall "
              f"{nhit / expected:.3f} precision {nhit / nfound if nfound else 1:.3f}")
    total, base = sum(r.seconds for r in all_rows), sum(r.baseline for r in all_rows)
    print(f"time: {total:.2f} s for all pages = {total / base:.1f}x decoding and parsing them alone ({base:.2f} s)")


if __name__ == "__main__":
    main()
