"""Tokens, shingles and title terms: what "the same words" means for English and Chinese."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.dedup import minhash, streams
from digest.dedup.fingerprint import fingerprint, split_lead
from digest.dedup.text import joined_tokens, stem, term_hashes, title_hashes, title_terms, tokens
from digest.models import Item


def item(title: str, text: str = "", language: str = "en") -> Item:
    return Item(id=title, url="https://example.com/" + title, title=title, source="s", section="s",
                published=datetime(2024, 6, 5, tzinfo=UTC), dated=True, language=language, text=text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, World! It's 2024.", ["hello", "world", "it", "s", "2024"]),
        ("ＡＢＣ　１２３", ["abc", "123"]),  # full-width folds to ASCII (NFKC)
        ("小米SU7正式发布", ["小", "米", "su7", "正", "式", "发", "布"]),
        ("ChatGPT、Claude同时“罢工”", ["chatgpt", "claude", "同", "时", "罢", "工"]),
        ("Café au lait", ["café", "au", "lait"]),
        ("snake_case and-dash", ["snake", "case", "and", "dash"]),
        ("", []),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Hello, World! It's 2024.", "ＡＢＣ　１２３ 小米SU7正式发布", "ChatGPT、Claude同时“罢工”", "Café 🙂 naïve", "a\u00a0b\tc", ""],
)
def test_bulk_hashing_splits_like_tokens(text: str) -> None:
    """streams.py hashes tokens without building them; the boundaries must be those of tokens()."""
    words = tokens(text)
    hashes, offsets = streams.token_hashes([streams.normalize_fast(text)])
    assert offsets.tolist() == [0, len(words)]
    # the same token hashes the same wherever it stands, and different tokens differ
    by_word: dict[str, int] = {}
    for word, value in zip(words, hashes.tolist(), strict=True):
        assert by_word.setdefault(word, value) == value
    assert len(set(by_word.values())) == len(by_word)


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [("releases", "releas"), ("released", "releas"), ("release", "releas"), ("outages", "outag"),
     ("outage", "outag"), ("stories", "story"), ("class", "class"), ("news", "new"), ("ios", "ios"), ("b1078", "b1078")],
)
def test_stem_folds_title_inflections(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed


@pytest.mark.parametrize(
    ("title", "terms"),
    [
        ("Apple Releases iOS 17.5.1 to Fix Bug", ["appl", "releas", "ios", "17.5.1", "fix", "bug"]),
        ("Microsoft lays off 1,900 employees", ["microsoft", "lay", "1900", "employ"]),
        ("Real Madrid win 15th title", ["real", "madrid", "win", "15", "titl"]),
        ("ChatGPT、Perplexity、Claude同时“罢工”", ["chatgpt", "perplexity", "claud", "同时", "罢工"]),
        ("ChatGPT、Perplexity、Claude同时大崩溃", ["chatgpt", "perplexity", "claud", "同时", "时大", "大崩", "崩溃"]),
        ("36氪早报｜6月05日", ["36", "氪早", "早报", "6", "月", "5", "日"]),
        ("腾讯Q1营收1595亿元", ["腾讯", "q1", "营收", "1595", "亿元"]),
        ("华为Pura70系列的新机", ["华为", "pura70", "系列", "列的", "的新", "新机"]),
    ],
)
def test_title_terms(title: str, terms: list[str]) -> None:
    assert title_terms(title) == terms
    assert title_hashes(title) == term_hashes(terms)


def test_shingles_are_title_plus_lead_and_skip_a_repeated_title() -> None:
    body = " ".join(f"w{i}" for i in range(200))
    with_repeat = item("Big news today", "Big news today. " + body)
    without = item("Big news today", body)
    assert split_lead(with_repeat) == split_lead(without)
    title, lead = split_lead(without)
    assert title == ["big", "news", "today"] and len(lead) == 60
    fp = fingerprint([with_repeat, without])
    assert fp.containment(0, 1) == 1.0
    assert fp.size(0) == 3 + 60 - 2  # word 3-shingles of the 63-token stream


@pytest.mark.parametrize(
    ("text", "language", "has_body"),
    [("", "en", False), ("one two three four five", "en", False), (" ".join(["w"] * 25), "en", True),
     ("短讯" * 10, "zh", False), ("这是一段足够长的中文正文，" * 5, "zh", True)],
)
def test_headline_only_below_min_body(text: str, language: str, has_body: bool) -> None:
    assert bool(fingerprint([item("A title here", text, language)]).has_body[0]) is has_body


def test_minhash_estimates_jaccard() -> None:
    """b-bit MinHash estimates agree with the exact Jaccard within a few standard errors."""
    rng = np.random.default_rng(3)
    for target in (0.2, 0.5, 0.8):
        common = rng.integers(0, 2**32, 200, dtype=np.uint64).astype(np.uint32)
        extra = int(200 / target - 200) // 2
        a = np.unique(np.r_[common, rng.integers(0, 2**32, extra, dtype=np.uint64).astype(np.uint32)])
        b = np.unique(np.r_[common, rng.integers(0, 2**32, extra, dtype=np.uint64).astype(np.uint32)])
        sigs = minhash.signatures(np.r_[a, b], np.array([0, len(a), len(a) + len(b)], dtype=np.int64))
        exact = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
        estimate = float(minhash.estimate(minhash.bbit(sigs[:1]), minhash.bbit(sigs[1:]))[0])
        assert abs(estimate - exact) < 4 * (exact * (1 - exact) / minhash.NUM_PERM) ** 0.5 + 0.01


TITLE_ALPHABET = list("abcXYZ0123456789.,.. -_'") + list("的了是一二十百千两中国新闻发布同时罢工第期") + [
    "１", "．", "፩", "²", "①", "ꀀ", "ㄅ", "가", "🙂", "ß", "İ", "Ⅻ", "〇", "·", "\u3099", "٣", "꘡", "\u00a0", "\t", "é", "𠀀"]


@pytest.mark.parametrize(
    "title",
    ["iOS 17.5.1 fixes 1,234,567 bugs", "Daily update for June 05", "浅谈 Golang 中数据的并发同步问题（二）", "6.8级地震",
     "ChatGPT、Perplexity、Claude同时“罢工”", "第十二期 Part Two", "a1.2.3b 1.2. .5", "ꀀ1s ㄅㄆ", "Ethiopic ፩ digit",
     "𠀀 beyond the BMP", "", "the of and", "小米SU7正式发布：售价21.59万元"],
)
def test_bulk_title_terms_equal_the_per_title_ones(title: str) -> None:
    terms, offsets = streams.title_terms([title, "Plain words between", title])
    for k in (0, 2):
        assert tuple(terms[offsets[k] : offsets[k + 1]].tolist()) == title_hashes(title)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from(TITLE_ALPHABET), max_size=30), min_size=1, max_size=20))
def test_bulk_title_terms_equal_the_per_title_ones_on_any_text(titles: list[str]) -> None:
    terms, offsets = streams.title_terms(titles)
    assert [tuple(terms[offsets[k] : offsets[k + 1]].tolist()) for k in range(len(titles))] == [
        title_hashes(t) for t in titles]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.sampled_from([*TITLE_ALPHABET, "\0", "Ä", "ﬁ"]), max_size=30), max_size=20))
def test_joined_tokens_of_many_texts_equal_those_of_each(texts: list[str]) -> None:
    """exact.py keys a batch by these; one text's tokens never run into the next's."""
    assert joined_tokens(texts) == [" ".join(tokens(t)) for t in texts]
