"""Run dedup over every feed in ../shared/corpus/feeds/ as one window and list the clusters it forms.

    python -m bench.quality.dedup_corpus [--markdown]

Feeds are parsed here with feedparser (JSON Feed with json) and turned into Items directly, so
this does not depend on the pipeline's normalizer.  The output is what docs/benchmarks/dedup.md
quotes: every cluster with its representative and the others, rule and similarity.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from digest.config import DedupSettings
from digest.dedup import Decision, History, deduplicate
from digest.models import Item
from tests.support import paths

# ../shared next to the checkout, or next to the folder of worktrees
CORPUS = paths.CORPUS / "feeds"
FALLBACK_TIME = datetime(2024, 6, 5, tzinfo=UTC)
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def plain(value: str) -> str:
    """HTML to one line of text: enough for fingerprints (the real normalizer does better)."""
    return _SPACE.sub(" ", html.unescape(_TAGS.sub(" ", value or ""))).strip()


def language(text: str) -> str:
    sample = text[:400]
    return "zh" if sample and len(_CJK.findall(sample)) / len(sample) > 0.1 else "en"


def make_item(source: str, index: int, n: int, title: str, link: str, guid: str, body: str,
              published: datetime | None) -> Item:
    text = plain(body)
    title = plain(title)
    ident = guid or link or hashlib.sha1(f"{title}\n{text}".encode()).hexdigest()
    return Item(
        id=ident, url=link or f"urn:digest:{ident}", title=title, source=source, section=source,
        published=published or FALLBACK_TIME, dated=published is not None,
        language=language(title + " " + text), text=text, source_index=index,
    )


def parse_feed(path: Path, index: int) -> list[Item]:
    """All entries of one corpus file as Items; a file that is not a feed gives none."""
    import feedparser

    source = f"{path.parent.name}/{path.name}"
    raw = path.read_bytes()
    items: list[Item] = []
    if path.suffix == ".json":
        try:
            data = json.loads(raw)
        except ValueError:
            return []
        for n, entry in enumerate(data.get("items") or []):
            if not isinstance(entry, dict):
                continue
            when = _iso(entry.get("date_published"))
            body = entry.get("content_html") or entry.get("content_text") or entry.get("summary") or ""
            items.append(make_item(source, index, n, str(entry.get("title") or ""), str(entry.get("url") or ""),
                                   str(entry.get("id") or ""), str(body), when))
        return items
    parsed = feedparser.parse(raw)
    for n, entry in enumerate(parsed.entries):
        body = ""
        if entry.get("content"):
            body = entry["content"][0].get("value", "")
        body = body or entry.get("summary", "")
        when = None
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        if stamp:
            when = datetime(stamp[0], stamp[1], stamp[2], stamp[3], stamp[4], stamp[5], tzinfo=UTC)
        items.append(make_item(source, index, n, entry.get("title", ""), entry.get("link", ""),
                               entry.get("id", ""), body, when))
    return items


def _iso(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def load_corpus() -> list[Item]:
    items: list[Item] = []
    for index, path in enumerate(sorted(p for p in CORPUS.rglob("*") if p.is_file())):
        items.extend(parse_feed(path, index))
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print the cluster list as markdown")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"no corpus at {CORPUS}")
    items = load_corpus()
    settings = DedupSettings(text_threshold=0.7, title_threshold=0.75)  # the measured defaults
    started = time.perf_counter()
    result = deduplicate(items, settings=settings, history=History.empty())
    elapsed = time.perf_counter() - started
    by_rule: dict[str, int] = {}
    for made in result.decisions:
        by_rule[made.rule] = by_rule.get(made.rule, 0) + 1
    print(f"{len(items)} items from {len({i.source for i in items})} feeds -> {len(result.items)} stories, "
          f"{result.duplicates} merged ({', '.join(f'{k}: {v}' for k, v in sorted(by_rule.items()))}) "
          f"in {elapsed * 1000:.0f} ms")
    clusters = [item for item in result.items if item.also]
    clusters.sort(key=lambda item: (-len(item.also), item.source, item.title))
    reasons: dict[tuple[str, str], Decision] = {(d.item.url, d.item.source): d for d in result.decisions}
    for item in clusters:
        print(f"\n* {item.title[:90]!r} [{item.source}] {item.url}" if not args.markdown
              else f"\n- **{_md(item.title[:90])}** ({item.source})")
        for also in item.also:
            decision = reasons.get((also.url, also.source))
            why = f"{decision.rule} {decision.similarity:.2f}" if decision else f"{also.similarity:.2f}"
            line = f"{also.title[:80]!r} [{also.source}] {why}"
            print(f"    - {line}" if not args.markdown else f"  - {_md(also.title[:80])} ({also.source}; {why})")


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_") or "(no title)"


if __name__ == "__main__":
    main()
