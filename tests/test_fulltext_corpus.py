"""trafilatura extraction on the real article pages of ../shared/corpus (skips cleanly without it).

The `*.trafilatura-eval.json` files list text segments that must appear in the main text ("with")
and segments that must not ("without").  Run with -s to see the scores.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from digest.encoding import decode_html
from digest.fulltext import extract_main_text

# Measured 78/84 and 94/99 (see docs/benchmarks/listing.md); floors a little below.
WITH_FLOOR, WITHOUT_FLOOR = 0.88, 0.90


def _norm(text: str) -> str:
    return " ".join(text.split())


def test_trafilatura_eval_segments(corpus: Path) -> None:
    files = sorted((corpus / "html" / "article").rglob("*.trafilatura-eval.json"))
    assert files
    with_ok = with_all = without_ok = without_all = 0
    print()
    for spec_file in files:
        spec = json.loads(spec_file.read_text(encoding="utf-8"))
        page = spec_file.with_name(spec_file.name.replace(".trafilatura-eval.json", ".html"))
        url = spec["url"] if str(spec.get("url", "")).startswith("http") else ""
        text = _norm(extract_main_text(decode_html(page.read_bytes(), None), url) or "")
        found = sum(_norm(s) in text for s in spec["with"])
        clean = sum(_norm(s) not in text for s in spec["without"])
        with_ok, with_all = with_ok + found, with_all + len(spec["with"])
        without_ok, without_all = without_ok + clean, without_all + len(spec["without"])
        print(f"{page.name:55} with {found}/{len(spec['with'])} without {clean}/{len(spec['without'])}")
    print(f"must-contain {with_ok}/{with_all} = {with_ok / with_all:.3f}; "
          f"must-not-contain {without_ok}/{without_all} = {without_ok / without_all:.3f}")
    assert with_ok / with_all >= WITH_FLOOR
    assert without_ok / without_all >= WITHOUT_FLOOR


def test_chinese_article_pages_give_chinese_text(corpus: Path) -> None:
    """Decoding + extraction on the Chinese pages (several mislabelled): real text, no mojibake."""
    pages = [p for p in sorted((corpus / "html" / "article").rglob("*.html"))
             if not p.name.endswith(".feed-snippet.html") and p.parent.name in ("gne", "gerapy", "rssant", "newspaper")]
    good = total = 0
    for page in pages:
        html = decode_html(page.read_bytes(), None)
        if len(re.findall(r"[\u4e00-\u9fff]", html)) < 500:
            continue  # an English page
        total += 1
        text = extract_main_text(html, "") or ""
        han = len(re.findall(r"[\u4e00-\u9fff]", text))
        assert "\ufffd" not in text, page.name
        good += han >= 200
    print(f"\n{good}/{total} Chinese article pages give at least 200 Han characters of main text")
    assert total >= 15 and good / total >= 0.75
