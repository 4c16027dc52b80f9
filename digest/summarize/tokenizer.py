"""Words for scoring, and the sumy tokenizer adapter: jieba's cut for Chinese, a regex for Latin text.

Chinese is cut by rjieba (jieba-rs: jieba's dictionary and HMM, with wheels); it cuts every Chinese
run of the corpus exactly as jieba 0.42 did (bench/quality/segmenter_agreement.py); Latin runs inside a
Chinese sentence are split by jieba's own rule, so `words()` gives what it gave with jieba.
sumy's own `Tokenizer("english")` needs NLTK's punkt data from the network, and its Chinese one
drops text after the last 。 and every token with a digit ("V6"); this adapter avoids both.
rjieba and snowballstemmer are imported on first use so that `digest --help` stays fast.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from functools import cache, lru_cache

from ..models import language_of
from .sentences import CJK, has_cjk, split_sentences
from .stopwords import stop_words

_LATIN_WORD = re.compile(r"[^\W_]+(?:[.,'’\-][^\W_]+)*")
_WORDLIKE = re.compile(r"[^\W_]")
# jieba's rule for Latin inside Chinese text (its finalseg re_skip): letters and digits, a decimal
# part, a percent sign, plus its dictionary's "C++" and "C#"; "java.lang", "some_string" and
# "bit-wise" are two words each
_LATIN_IN_CJK = re.compile(r"[A-Za-z0-9]+(?:\.\d+)?(?:%|\+\+|#)?")
_CJK_RUN = re.compile(f"[{CJK}]+")


def rough_words(text: str) -> list[str]:
    """Cheap tokens for sizing and ranking a long article before the real tokenizer runs:
    lower-cased Latin words, and Chinese as character bigrams (no segmenter)."""
    out = [w.lower() for w in _LATIN_WORD.findall(_CJK_RUN.sub(" ", text))]
    for run in _CJK_RUN.findall(text):
        out.extend(run[i : i + 2] for i in range(max(len(run) - 1, 1)))
    return out


def words(text: str) -> list[str]:
    """Word tokens as they stand (case kept), punctuation dropped, digits kept."""
    if not has_cjk(text):
        return _LATIN_WORD.findall(text)
    out: list[str] = []
    for token in _cut()(text):
        if token.isascii():  # rjieba keeps "some_string" whole; jieba cut it, and so do we
            out.extend(_LATIN_IN_CJK.findall(token))
        elif _WORDLIKE.search(token):
            out.append(token.strip())
    return out


def terms(text: str, language: str) -> list[str]:
    """Content terms for similarity: lower-cased, stemmed (English), stop words removed."""
    stop = stop_words(language) | stop_words("en")
    stem = _stemmer()
    out: list[str] = []
    for word in words(text):
        lower = word.lower()
        if lower in stop or (len(lower) == 1 and lower.isascii()):
            continue
        out.append(stem(lower) if lower.isascii() and lower.isalpha() else lower)
    return out


def stem(word: str) -> str:
    """Snowball English stem of a lower-cased word (memoised; also handed to sumy's summarizers)."""
    return _stemmer()(word)


class SumyTokenizer:
    """What sumy's summarizers and parsers call: `to_sentences(paragraph)`, `to_words(sentence)`."""

    def __init__(self, language: str) -> None:
        self.language = "chinese" if language_of(language) == "zh" else "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(s.text for s in split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(words(sentence))


@cache
def _cut() -> Callable[[str], list[str]]:
    """rjieba's accurate mode with HMM (jieba's `lcut` default); its dictionary is built in."""
    import rjieba

    def cut(text: str) -> list[str]:
        return list(rjieba.cut(text, True))

    return cut


@cache
def _stemmer() -> Callable[[str], str]:
    """The Snowball English stemmer: from `snowballstemmer` (imports in 40 ms), else from NLTK
    (the same algorithm, but importing NLTK takes seconds where SciPy is installed)."""
    try:
        stem: Callable[[str], str] = importlib.import_module("snowballstemmer").stemmer("english").stemWord
    except ImportError:
        stem = importlib.import_module("nltk.stem.snowball").SnowballStemmer("english").stem
    # Both are pure Python and slow per call, and an article repeats its words.
    return lru_cache(maxsize=1 << 16)(stem)
