"""Tokens for both scripts: the one place that decides what "the same words" means.

English is compared by words and Chinese by single characters, in one token stream (a Latin
word or a CJK character is one token).  Chinese is not segmented with jieba on purpose: it
costs a second to load, and a segmentation choice that differs between two copies of a
sentence would make identical text look different; character n-grams need no dictionary.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import zlib
from collections.abc import Sequence

# Han (with extension A and compatibility ideographs), kana and hangul: one token per character.
_CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(f"[{_CJK_RANGES}]|[^\\W_{_CJK_RANGES}]+")
# In titles a number is one token with its decimals ("17.5.1"); "q1", "b1078" and "pura70" are
# names, which the word alternative takes whole before a number could start inside them.
_TITLE_TOKEN = re.compile(f"\\d+(?:\\.\\d+)*|[{_CJK_RANGES}]+|[^\\W_{_CJK_RANGES}]+")
_THOUSANDS = re.compile(r"(\d),(\d{3})(?!\d)")

# Words that carry no story on their own; title overlap is computed without them.
STOPWORDS_EN = frozenset(
    """a an the and or but nor of to in on at by for from with without into onto over under about
    after before as is are was were be been being am it its this that these those he she they we you
    i his her their our your my me him them us will would can could should may might must shall do
    does did has have had not no yes so if than then there here what which who whom whose when where
    why how all any some more most other such only own same too very just also now up down out off
    again new says said say via vs amid per report reports video live update updates watch
    st nd rd th""".split()  # noqa: SIM905 - a word list reads best as words
)
# Function characters that begin or end a Chinese title pair without naming anything.
STOPCHARS_ZH = frozenset("的了是在和与及等将把被对为也都就而或之其这那个们吗呢吧啊着过于从向")

_HASHES: dict[str, int] = {}


def normalize(text: str) -> str:
    """NFKC folds full-width letters, digits and punctuation (common in Chinese text) to ASCII."""
    return unicodedata.normalize("NFKC", text).casefold()


# ASCII text (most English) takes a path five times faster than the regex, with the same result.
_ASCII_WORDS = bytes(c if chr(c).isalnum() else 32 for c in range(256))


def tokens(text: str) -> list[str]:
    """Latin words (letters and digits) and single CJK characters, in order; punctuation dropped."""
    if text.isascii():
        return text.lower().encode("ascii").translate(_ASCII_WORDS).decode("ascii").split()
    return _TOKEN.findall(normalize(text))


# tokens()' ASCII table, but NUL stays NUL: it separates the texts of a batch
_ASCII_WORDS_NUL = bytes(c if chr(c).isalnum() or c == 0 else 32 for c in range(256))
_TOKEN_OR_NUL = re.compile("\0|" + _TOKEN.pattern)


def joined_tokens(texts: Sequence[str]) -> list[str]:
    """" ".join(tokens(text)) of many texts, in a few passes of str and re methods over all of them."""
    found = [""] * len(texts)
    plain = [i for i, text in enumerate(texts) if text.isascii() and "\0" not in text]
    joined = "\0".join(texts[i] for i in plain).lower().encode("ascii").translate(_ASCII_WORDS_NUL).decode("ascii")
    for i, words in zip(plain, joined.split("\0") if plain else [], strict=True):
        found[i] = " ".join(words.split())
    other = sorted(set(range(len(texts))).difference(plain))
    clean = [i for i in other if "\0" not in texts[i]]
    # NUL ends each text and is no token; tokens hold no space
    words = " ".join(_TOKEN_OR_NUL.findall(normalize("\0".join(texts[i] for i in clean) + "\0")))
    for i, part in zip(clean, words.split("\0"), strict=False):
        found[i] = part.strip()
    for i in set(other).difference(clean):
        found[i] = " ".join(tokens(texts[i]))
    return found


def is_cjk(token: str) -> bool:
    return len(token) == 1 and token >= "\u3040"


def token_hash(token: str) -> int:
    """A 32-bit hash stable across runs (history is compared with yesterday's hashes)."""
    value = _HASHES.get(token)
    if value is None:
        value = zlib.crc32(token.encode("utf-8"))
        if len(_HASHES) < 1_000_000:  # a memo, not a leak: bounded vocabulary
            _HASHES[token] = value
    return value


def stem(word: str) -> str:
    """Folds the English inflections that titles vary in ("releases"/"released", "outages").

    Consistency is all the title rule needs; a real stemmer (nltk's Snowball) costs over a
    second to import for what these few suffixes do here.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ied", "y"), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: len(word) - len(suffix)] + repl
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def title_terms(title: str) -> list[str]:
    """The significant terms of a title in order: stemmed English words, Chinese character pairs, numbers.

    Chinese pairs are adjacent characters within a run of Han text, so "同时'罢工'" gives
    同时 and 罢工 but never 时罢; a lone character stays a term of its own.  A number is one
    term ("17.5.1"), so "iOS 17.5" and "iOS 17.5.1" differ in a term rather than sharing two.
    """
    terms: list[str] = []
    for token in _TITLE_TOKEN.findall(_THOUSANDS.sub(r"\1\2", normalize(title))):
        if token[0] >= "\u3040" and is_cjk(token[0]):
            if len(token) == 1:
                if token not in STOPCHARS_ZH:
                    terms.append(token)
            else:
                terms.extend(a + b for a, b in itertools.pairwise(token) if not (a in STOPCHARS_ZH and b in STOPCHARS_ZH))
        elif token[0].isdecimal():
            terms.append(".".join(str(int(part)) for part in token.split(".")))  # "05" and "5" are one day
        elif token not in STOPWORDS_EN and len(token) > 1:
            terms.append(stem(token))
    return terms


NUMBER_BIT = 0x8000_0000


def is_number(term: str) -> bool:
    """Digits ("17.5.1") or Chinese numerals standing alone ("（二）" in a series title)."""
    return term[0].isdigit() or term.isnumeric()


def term_hashes(terms: list[str]) -> tuple[int, ...]:
    """32-bit hashes of title terms in order; numbers get the top bit set so the number rule finds them."""
    return tuple((token_hash(t) | NUMBER_BIT) if is_number(t) else (token_hash(t) & ~NUMBER_BIT) for t in terms)


_ASCII_TITLE = re.compile(r"\d+(?:\.\d+)*|[a-z0-9]+")
_TERMS: dict[str, int | None] = {}  # raw token or character pair -> term hash, None when not a term


def drop_thousands(text: str) -> str:
    """Titles' "1,000" as "1000", so that it is one number."""
    return _THOUSANDS.sub(r"\1\2", text) if "," in text else text


def _term_hash(token: str) -> int | None:
    """The hash of what title_terms makes of one raw token (a word, number, CJK character or pair)."""
    parts = token.split(".")
    if all(part.isdecimal() for part in parts):  # not "፩" (a digit int() refuses) nor "1s" (a pair cut from "ꀀ1s")
        return token_hash(".".join(str(int(part)) for part in parts)) | NUMBER_BIT
    if token.isnumeric():
        return token_hash(token) | NUMBER_BIT
    if is_cjk(token[0]):
        if all(c in STOPCHARS_ZH for c in token):
            return None
        return token_hash(token) & ~NUMBER_BIT
    if token in STOPWORDS_EN or len(token) < 2:
        return None
    return token_hash(stem(token)) & ~NUMBER_BIT


def title_hashes(title: str) -> tuple[int, ...]:
    """term_hashes(title_terms(title)), memoized per token: titles are hashed for every item of a window."""
    if title.isascii():
        text = title.lower()
        raw = _ASCII_TITLE.findall(_THOUSANDS.sub(r"\1\2", text) if "," in text else text)
    else:
        raw = []
        for token in _TITLE_TOKEN.findall(_THOUSANDS.sub(r"\1\2", normalize(title))):
            if len(token) > 1 and token[0] >= "\u3040" and is_cjk(token[0]):
                raw.extend(token[k : k + 2] for k in range(len(token) - 1))
            else:
                raw.append(token)
    memo = _TERMS
    found: list[int] = []
    for token in raw:
        value = memo.get(token, -1)
        if value == -1:
            value = _term_hash(token)
            if len(memo) < 2_000_000:
                memo[token] = value
        if value is not None:
            found.append(value)
    return tuple(found)
