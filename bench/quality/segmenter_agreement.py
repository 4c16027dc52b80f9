"""Does another segmenter cut the corpus's Chinese text as jieba does? (issue 20, dependencies)

    pip install jieba==0.42.1 && python -m bench.quality.segmenter_agreement   # jieba is the reference; not a dependency
    DIGEST_CORPUS=/work/shared/corpus python -m bench.quality.segmenter_agreement --dump zh.json   # from a git worktree

Reads every zh-Hans/zh-Hant feed and page listed in ../shared/corpus/SOURCES.md, takes their text
(feed titles, summaries and content; page text without script/style), splits it into sentences with
digest's splitter and cuts each Chinese sentence with jieba (`lcut`, HMM on, as
digest.summarize.tokenizer did) and with the candidate (`rjieba.cut`, HMM on). Reports:
sentences cut identically, word-boundary F1 (jieba as reference) and the same over Chinese
characters only. The naive baseline is a cut after every character. `--dump FILE` also writes the
summary of every Chinese article page and feed entry as this checkout makes them: run it on two
checkouts (jieba, rjieba) and compare the files.
"""

from __future__ import annotations

import json
import re
import sys
import time
import warnings
from pathlib import Path

import feedparser
import lxml.html
from lxml import etree

from digest.summarize import summarize
from digest.summarize.sentences import has_cjk, split_sentences
from digest.summarize.tokenizer import words
from tests.support import paths

# ../shared/corpus beside the checkout (DIGEST_CORPUS points elsewhere, e.g. from a git worktree)
CORPUS = paths.CORPUS
WORDLIKE = re.compile(r"[^\W_]")
ROW = re.compile(r"^\| `([^`]+)` \|.*\| (zh-Hans|zh-Hant) \|")


def zh_files() -> list[Path]:
    rows = (ROW.match(line) for line in (CORPUS / "SOURCES.md").read_text(encoding="utf-8").splitlines())
    return [CORPUS / m.group(1) for m in rows if m]


def html_text(markup: str) -> str:
    if not markup.strip():
        return ""
    try:
        tree = lxml.html.fromstring(markup)
    except (etree.ParserError, etree.XMLSyntaxError):  # a fragment lxml cannot read adds no text
        return ""
    for bad in tree.xpath("//script|//style"):
        bad.drop_tree()
    return str(tree.text_content())


def texts(path: Path) -> list[str]:
    if "html" in path.parts:
        return [html_text(path.read_bytes().decode("utf-8", "replace"))]
    feed = feedparser.parse(path.read_bytes())
    out = []
    for e in feed.entries:
        out.append(e.get("title", ""))
        out.append(html_text(e.get("summary", "")))
        out.extend(html_text(c.get("value", "")) for c in e.get("content", []))
    return out


def boundaries(tokens: list[str]) -> set[int]:
    cuts, at = set(), 0
    for t in tokens:
        at += len(t)
        cuts.add(at)
    return cuts


def main() -> None:
    import rjieba

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
    jieba.setLogLevel(60)
    files = zh_files()
    sentences = [s.text for f in files for t in texts(f) for s in split_sentences(t) if has_cjk(s.text)]
    same = same_zh = same_words = tp = n_ref = n_cand = 0
    bigram_tp = bigram_n = 0
    t_jieba = t_rjieba = 0.0
    for s in sentences:
        t0 = time.perf_counter()
        a = jieba.lcut(s)
        t1 = time.perf_counter()
        b = rjieba.cut(s, True)
        t_jieba += t1 - t0
        t_rjieba += time.perf_counter() - t1
        same += a == b
        old_words = [w for w in (t.strip() for t in a) if w and WORDLIKE.search(w)]
        same_words += words(s) == old_words  # digest's words() now vs with jieba
        same_zh += [t for t in a if not t.isascii()] == [t for t in b if not t.isascii()]  # Chinese words
        ba, bb = boundaries(a), boundaries(b)
        tp += len(ba & bb)
        n_ref += len(ba)
        n_cand += len(bb)
        bg = set(range(1, len(s) + 1))  # bigrams: a boundary after every character
        bigram_tp += len(ba & bg)
        bigram_n += len(bg)
    p, r = tp / n_cand, tp / n_ref
    bp, br = bigram_tp / bigram_n, bigram_tp / n_ref
    print(f"{len(files)} Chinese files, {len(sentences)} sentences, {sum(map(len, sentences))} characters")
    print(f"rjieba: identical sentences {same / len(sentences):.4f}, boundary F1 {2 * p * r / (p + r):.4f}"
          f" (P {p:.4f} R {r:.4f}); {t_jieba:.2f}s jieba vs {t_rjieba:.2f}s rjieba (after warm-up of neither)")
    print(f"rjieba: sentences whose Chinese words (tokens that are not ASCII) are identical {same_zh / len(sentences):.4f}")
    print(f"digest words(): identical to jieba's in {same_words / len(sentences):.4f} of sentences")
    print(f"naive (a cut after every character): boundary F1 {2 * bp * br / (bp + br):.4f}")

    if len(sys.argv) > 1:  # --dump FILE: every Chinese text's summary, to compare two checkouts
        dump(files, Path(sys.argv[-1]))


def dump(files: list[Path], target: Path) -> None:
    """Summaries of each Chinese article page and feed entry, as this checkout's tokenizer makes them."""
    out = []
    for f in files:
        if "article" in f.parts:
            out.append(summarize(html_text(f.read_bytes().decode("utf-8", "replace")), title="", language="zh").sentences)
            continue
        if "html" in f.parts:
            continue
        for e in feedparser.parse(f.read_bytes()).entries:
            body = " ".join([html_text(e.get("summary", "")), *(html_text(c.get("value", "")) for c in e.get("content", []))])
            out.append(summarize(body, title=e.get("title", ""), language="zh").sentences)
    target.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    print(f"{len(out)} summaries written to {target}")

if __name__ == "__main__":
    sys.exit(main())
