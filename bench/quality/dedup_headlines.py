"""Story matching on real headline pairs, English and Chinese: tuned on the dev halves, reported on the test halves.

    python -m bench.quality.dedup_headlines            # add --dev for the dev halves only
    python -m bench.quality.dedup_headlines --pairs    # the dev pairs it gets wrong, with rule and number

English: ../shared/corpus/eval/sts-headlines-2016.tsv (SemEval 2016 STS headlines; score >= 4 is one
story, <= 1 two, the rest left out).  Chinese: bench/data/zh_headline_pairs.tsv (batch 1) and
zh_headline_pairs_2.tsv (batch 2, candidates from bench/quality/zh_pair_candidates.py), pairs of real
titles from the corpus's Chinese listing pages and feeds, each batch labelled by hand and committed
before any matcher ran on it (unsure pairs left out).  Each pair is split dev/test by a stable hash.

Each headline is an Item of the page or feed it came from, and term rarity is taken over every
headline of that language (for Chinese, all titles of the corpus's Chinese pages and feeds, read
from ../shared at run time), as a run takes it over its window.  The baseline is the naive rule the
issue names: share of shared words (of the shorter headline) >= 0.6, jieba's words (rjieba) for Chinese.
"""

from __future__ import annotations

import argparse
import hashlib
import re
from collections.abc import Callable

from digest.config import DedupSettings
from digest.dedup.keys import key_hash
from digest.dedup.match import Features, Verdict, Weights, compare
from digest.dedup.terms import event_words, hashes, joins, written
from tests.support import paths

CORPUS = paths.CORPUS
Pair = tuple[bool, str, str, str, str, str]  # same, split, title a, title b, source a, source b


def split_of(a: str, b: str) -> str:
    return "dev" if int(hashlib.sha1(f"{a}\t{b}".encode()).hexdigest(), 16) % 2 == 0 else "test"


def english() -> tuple[list[Pair], list[tuple[str, str]]]:
    pairs: list[Pair] = []
    for line in (CORPUS / "eval" / "sts-headlines-2016.tsv").read_text(encoding="utf-8").splitlines():
        score, a, b = line.split("\t")
        if 1 < float(score) < 4:
            continue
        pairs.append((float(score) >= 4, split_of(a, b), a, b, "outlet a", "outlet b"))
    return pairs, [(t, s) for p in pairs for t, s in ((p[2], p[4]), (p[3], p[5]))]


def _corpus_titles() -> dict[str, str]:
    """Every Chinese title of the corpus's listing pages and feeds, with the file it is on."""
    import feedparser
    import lxml.html

    found: dict[str, str] = {}
    for path in sorted((CORPUS / "html" / "listing").glob("*/*.html")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="ignore")
        text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
        for a in lxml.html.fromstring(text).iter("a"):
            title = " ".join(a.text_content().split())
            if len(re.findall(r"[\u4e00-\u9fff]", title)) >= 6 and len(title) < 90:
                found.setdefault(title, path.stem)
    for path in sorted((CORPUS / "feeds").glob("*/*")):
        if path.suffix in (".xml", ".atom", ".rss"):
            for entry in feedparser.parse(str(path)).entries:
                title = entry.get("title", "").strip()
                if re.search(r"[\u4e00-\u9fff]", title):
                    found.setdefault(title, path.stem)
    return found


ZH_BATCHES = ("zh_headline_pairs.tsv", "zh_headline_pairs_2.tsv", "zh_headline_pairs_3.tsv")


def chinese(batches: tuple[str, ...] = ZH_BATCHES) -> tuple[list[Pair], list[tuple[str, str]]]:
    corpus = _corpus_titles()
    pairs: list[Pair] = []
    for name in batches:
        for line in (paths.REPO / "bench" / "data" / name).read_text(encoding="utf-8").splitlines():
            if line.startswith(("#", "label\t")):
                continue
            label, split, a, b, where = line.split("\t")
            if label != "unsure":
                pairs.append((label == "same", split, a, b, corpus.get(a, where), corpus.get(b, where)))
    titles = dict(corpus)
    for p in pairs:
        titles.setdefault(p[2], p[4])
        titles.setdefault(p[3], p[5])
    return pairs, list(titles.items())


def judge(everything: list[tuple[str, str]], settings: DedupSettings) -> Callable[[Pair], Verdict]:
    """The verdict of `compare` on a pair, each title an item of its page, rarity over `everything`."""
    weights = Weights((written(t) or hashes(t) for t, _ in everything), (key_hash("source", s) for _, s in everything))

    def verdict(p: Pair) -> Verdict:
        zh = bool(re.search(r"[\u4e00-\u9fff]", p[2]))
        a = Features(hashes(p[2]), (), key_hash("source", p[4]), None, zh, event_words(p[2]), written(p[2]),
                     joins(p[2]))
        b = Features(hashes(p[3]), (), key_hash("source", p[5]), None, zh, event_words(p[3]), written(p[3]),
                     joins(p[3]))
        return compare(a, b, weights, settings)
    return verdict


def matcher(everything: list[tuple[str, str]], settings: DedupSettings) -> Callable[[Pair], bool]:
    verdict = judge(everything, settings)
    return lambda p: verdict(p).same


def show_dev_errors(name: str, pairs: list[Pair], everything: list[tuple[str, str]]) -> None:
    """The dev pairs the defaults get wrong, with the deciding rule and its number (never the test half)."""
    verdict = judge(everything, DedupSettings())
    for p in pairs:
        if p[1] == "dev" and (v := verdict(p)).same != p[0]:
            print(f"{name}\t{'missed' if p[0] else 'wrong merge'}\t{v.rule} {v.score:.3f} (at {v.threshold:.3f})"
                  f"\t{p[2]}\t{p[3]}")


def overlap_baseline(zh: bool) -> Callable[[Pair], bool]:
    import rjieba  # jieba's dictionary and cuts (bench/quality/segmenter_agreement.py)

    def words(text: str) -> set[str]:
        if zh:
            return {w for w in rjieba.cut(text.lower(), True) if re.search(r"\w", w)}
        return set(re.findall(r"\w+", text.lower()))

    def same(p: Pair) -> bool:
        a, b = words(p[2]), words(p[3])
        return bool(a and b) and len(a & b) / min(len(a), len(b)) >= 0.6
    return same


def score(pairs: list[Pair], split: str, rule: Callable[[Pair], bool]) -> tuple[float, float, int, int, int]:
    tp = fp = fn = 0
    for p in pairs:
        if p[1] != split:
            continue
        merged = rule(p)
        tp += merged and p[0]
        fp += merged and not p[0]
        fn += p[0] and not merged
    return (tp / (tp + fp) if tp + fp else 1.0), tp / (tp + fn), tp, fp, fn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="the dev halves only: what tuning may look at")
    parser.add_argument("--pairs", action="store_true",
                        help="only list the dev pairs the defaults get wrong (missed, wrong merge), tab-separated")
    args = parser.parse_args()
    if args.pairs:
        for name, (pairs, everything) in (("en", english()), ("zh", chinese())):
            show_dev_errors(name, pairs, everything)
        return
    splits = ("dev",) if args.dev else ("dev", "test")
    chosen = DedupSettings()
    print(f"defaults: title_threshold {chosen.title_threshold}, title_threshold_zh {chosen.title_threshold_zh}\n")
    print("| set | split | pairs (same / different) | rule | precision | recall | right / wrong / missed |")
    print("|---|---|---|---|---:|---:|---|")
    sets = (("en (STS 2016 headlines)", english()), ("zh batch 1", chinese(ZH_BATCHES[:1])),
            ("zh batches 1+2", chinese(ZH_BATCHES[:2])), ("zh batch 3", chinese(ZH_BATCHES[2:])),
            ("zh batches 1+2+3", chinese()))
    for name, (pairs, everything) in sets:
        for split in splits:
            same = sum(p[0] for p in pairs if p[1] == split)
            other = sum(not p[0] for p in pairs if p[1] == split)
            for label, rule in (("word overlap >= 0.6", overlap_baseline(name.startswith("zh"))),
                                ("digest", matcher(everything, chosen))):
                precision, recall, tp, fp, fn = score(pairs, split, rule)
                print(f"| {name} | {split} | {same} / {other} | {label} | {precision:.2f} | {recall:.2f} | "
                      f"{tp} / {fp} / {fn} |")
    print("\nSweep of title_threshold on the dev halves (zh: batches 1+2+3):\n")
    print("| title_threshold | en precision | en recall | zh precision | zh recall |\n|---:|---:|---:|---:|---:|")
    for threshold in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5):
        settings = DedupSettings(title_threshold=threshold, title_threshold_zh=threshold)
        cells = []
        for pairs, everything in (sets[0][1], sets[-1][1]):
            precision, recall, *_ = score(pairs, "dev", matcher(everything, settings))
            cells += [f"{precision:.2f}", f"{recall:.2f}"]
        print(f"| {threshold} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
