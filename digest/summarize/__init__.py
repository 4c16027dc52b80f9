"""Extractive summaries: a few of the article's own sentences, in article order, within a budget.

    >>> summarize(text, title=item.title, language="en").sentences

Pure and deterministic (the pipeline caches results keyed by text, title, settings and
SUMMARY_VERSION).  sumy, rjieba and numpy are imported on first use, not at import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..models import language_of
from .algorithms import ALGORITHMS as _RANKERS
from .algorithms import Unit, dependents, rank
from .blurb import choose, render
from .candidates import apart, candidates
from .sentences import Sentence, split_sentences
from .tokenizer import SumyTokenizer

if TYPE_CHECKING:
    from .pacsum import PacSumParams

__all__ = [
    "ALGORITHMS",
    "AUTO_ALGORITHM",
    "DEFAULT_MAX_CHARS",
    "SUMMARY_VERSION",
    "Sentence",
    "Summary",
    "SumyTokenizer",
    "pick",
    "split_sentences",
    "summarize",
]

SUMMARY_VERSION = "13"  # 2: issue 16 (furniture list, cues, teasers); 3: line furniture, question cue; 4: only a whole headline is cut off a lede;
# 5: a filler that leans back never opens a blurb, a statement of the topic counts (English), app prompts,
# a filler ending in a colon comes only with the next sentence; (6: the reverted Chinese turn cue);
# 7: review fixes: a title cut with "…" drops only the sentences it holds whole, no headline is cut off a lede
# that goes on from it, a site's address and follow-us lines are furniture, a colon sentence and the next
# sentence of the article come as a pair, a waiting sentence's rank goes to the next one down (Chinese);
# 8: a feed's "[…]" at a sentence's start is cut off; 9: a Chinese headline glued before its lede is cut
# off again (the continuation test reads jieba's first word), the announcement cue only at a sentence's start;
# 10: a Weibo card's header (the poster, "今天 14:26 来自 微博视频号") is furniture; 11: the splitter glues a piece that
# opens with a comma and a line that ends in "，", splits after "n." before "When", code lines are furniture;
# 12: a second review took back 11's line join, letter split and code lines (they lost article text: "➜ 苹果…",
# "//@张三: …", "Texas v. New Mexico"), a comma piece goes on only after ？！…” or a quote, a card's client has no 的;
# 13: ... and after a closing bracket ("《我们为什么要读书？》，出版后…")
AUTO_ALGORITHM = "pacsum"  # the best in docs/benchmarks/summaries.md, in both languages
ALGORITHMS: tuple[str, ...] = ("auto", *_RANKERS)
DEFAULT_MAX_CHARS = {"zh": 200, "en": 320}
# A sentence that waits leaves its rank to the next one down (blurb.choose's refill) in Chinese only: on the dev
# halves of both batches it raised Chinese recall 0.513 -> 0.526 (batch 2 0.433 -> 0.467) and cost English
# precision 0.772 -> 0.744 (batch 1 0.806 -> 0.778: a third sentence that is not a reference).
REFILL = {"zh": True, "en": False}
# Each ranker sees at most this many candidates (see candidates._cap); measured in
# bench/speed/summarize.py to keep a 2,000-sentence article well under a second.
CANDIDATE_CAP = {
    "pacsum": 120, "lead": 120, "lexrank": 60, "textrank": 80, "lsa": 40,
    "luhn": 80, "kl": 30, "sumbasic": 40, "edmundson": 80,
}


@dataclass(frozen=True)
class Summary:
    """The chosen sentences exactly as they stand in the text (article order) and the blurb."""

    sentences: tuple[str, ...]
    text: str


def summarize(
    text: str,
    *,
    title: str,
    language: str,
    sentences: int = 3,
    max_chars: int | None = None,
    algorithm: str = "auto",
) -> Summary:
    """Pick up to `sentences` sentences of `text` that tell what it is about, within `max_chars`.

    `language` is "zh" or "en"; max_chars None means 200 for Chinese, 320 for English.
    An empty text (or one that only repeats the title or is all boilerplate) gives an empty Summary.
    """
    lang = language_of(language)
    budget = DEFAULT_MAX_CHARS[lang] if max_chars is None else max_chars
    name = AUTO_ALGORITHM if algorithm == "auto" else algorithm
    if name not in _RANKERS:
        raise ValueError(f"unknown summary algorithm {algorithm!r} (expected one of {', '.join(ALGORITHMS)})")
    if sentences <= 0 or budget <= 0:
        return Summary((), "")
    pool = candidates(text, title, lang, CANDIDATE_CAP.get(name))
    if not pool:
        return Summary((), "")
    order = rank(name, [Unit(s.text, s.paragraph) for s in pool], title, lang, budget)
    picked = tuple(pool[i].text for i in pick(order, pool, text, lang, name, sentences, budget))
    return Summary(picked, render(picked, budget))


def pick(order: Sequence[int], pool: Sequence[Sentence], text: str, language: str, algorithm: str,
         sentences: int, budget: int, *, params: PacSumParams | None = None, reach: int | None = None) -> list[int]:
    """The blurb's candidates (indices into `pool`, article order) from a ranking of them: what
    `summarize` shows, and what the benchmarks score, so both fill a blurb the same way.
    `params`/`reach`: another PacSum setting and a deeper look, for the weight search."""
    texts = [s.text for s in pool]
    leaning, introducing = dependents(algorithm, texts, language, params)
    return choose(order, texts, sentences, budget, reach=sentences if reach is None else reach, leaning=leaning,
                  introducing=introducing, apart=apart(text, pool) if introducing else (),
                  refill=REFILL[language_of(language)])
