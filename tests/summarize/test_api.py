"""summarize(): the contract the pipeline relies on, edge cases, and the known sumy traps."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

from digest.summarize import (
    ALGORITHMS,
    DEFAULT_MAX_CHARS,
    SUMMARY_VERSION,
    Summary,
    SumyTokenizer,
    summarize,
)
from digest.summarize.blurb import join, trim
from digest.summarize.candidates import candidates
from digest.summarize.sentences import split_sentences
from digest.summarize.tokenizer import words

EN = """Nordvik Semiconductor raised its full-year revenue forecast on Tuesday after orders for its data-centre chips more than doubled.

The company now expects 2024 revenue of 4.2 billion to 4.5 billion euros, up from a previous range of 3.6 billion to 3.9 billion euros.

"Customers are building AI clusters faster than anyone planned for," Chief Executive Ingrid Solberg said. Shares rose 11% in early trading.

Nordvik will add a second production line at its plant in Dresden by early 2025 to meet demand for its data-centre chips."""

ZH = """海关总署7日发布数据显示，今年前5个月，我国货物贸易进出口总值17.5万亿元，同比增长6.3%。

其中，出口9.95万亿元，增长6.1%；进口7.55万亿元，增长6.5%。

前5个月，我国对东盟进出口2.72万亿元，增长10.4%，东盟继续保持我国第一大贸易伙伴地位。

吕大良表示，预计下半年外贸有望继续保持稳中向好态势。"""

REAL_ALGORITHMS = [a for a in ALGORITHMS if a != "auto"]


def test_public_constants() -> None:
    assert ALGORITHMS == ("auto", "pacsum", "lead", "lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic", "edmundson")
    assert isinstance(SUMMARY_VERSION, str) and SUMMARY_VERSION
    assert DEFAULT_MAX_CHARS == {"zh": 200, "en": 320}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize(("text", "language"), [(EN, "en"), (ZH, "zh")])
def test_every_algorithm_gives_sentences_of_the_text_in_order(text: str, language: str, algorithm: str) -> None:
    summary = summarize(text, title="Trade data", language=language, sentences=2, max_chars=10_000, algorithm=algorithm)
    all_sentences = [s.text for s in split_sentences(text)]
    assert 1 <= len(summary.sentences) <= 2
    positions = [all_sentences.index(s) for s in summary.sentences]
    assert positions == sorted(positions)
    joiner = "" if language == "zh" else " "
    assert summary.text == joiner.join(summary.sentences)


def test_result_is_frozen_and_deterministic() -> None:
    first = summarize(EN, title="Nordvik", language="en")
    assert first == summarize(EN, title="Nordvik", language="en")
    with pytest.raises(AttributeError):
        first.text = "x"  # type: ignore[misc]
    assert isinstance(first, Summary)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_empty_text_with_a_title_gives_an_empty_summary(language: str) -> None:
    assert summarize("", title="A headline", language=language) == Summary((), "")
    assert summarize("  \n\n ", title="A headline", language=language) == Summary((), "")


@pytest.mark.parametrize(
    ("text", "title", "language"),
    [
        ("Apple releases iOS 18", "Apple releases iOS 18", "en"),
        ("Apple releases iOS 18.", "Apple releases iOS 18 to all iPhones", "en"),
        ("苹果发布iOS 18", "苹果发布iOS 18", "zh"),
    ],
)
def test_a_text_that_only_repeats_the_title_gives_an_empty_summary(text: str, title: str, language: str) -> None:
    assert summarize(text, title=title, language=language).sentences == ()


def test_title_echo_is_skipped_but_the_rest_is_kept() -> None:
    text = "Nordvik raises forecast\n\n" + EN
    summary = summarize(text, title="Nordvik raises forecast", language="en", sentences=3, max_chars=10_000)
    assert "Nordvik raises forecast" not in summary.sentences
    assert summary.sentences


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Council approves new cycle lanes on the ring road", "en", ("Council approves new cycle lanes on the ring road",)),
        ("国务院常务会议部署进一步稳外贸措施", "zh", ("国务院常务会议部署进一步稳外贸措施",)),
        ("New this week\n- Dark mode for the dashboard\n- Faster CSV export\n- Two-factor login", "en",
         ("- Dark mode for the dashboard", "- Faster CSV export", "- Two-factor login")),
    ],
)
def test_text_without_a_sentence_end_still_gets_a_summary(text: str, language: str, expected: tuple[str, ...]) -> None:
    summary = summarize(text, title="Weekly update", language=language, sentences=3, max_chars=10_000)
    assert summary.sentences == expected


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_repeated_paragraph_is_never_chosen_twice(algorithm: str) -> None:
    """No sumy summarizer removes duplicates; four of them returned the same sentence twice."""
    repeated = "The company now expects 2024 revenue of 4.2 billion to 4.5 billion euros, well above forecasts."
    text = "\n\n".join([repeated, EN, repeated, repeated])
    summary = summarize(text, title="Nordvik", language="en", sentences=4, max_chars=10_000, algorithm=algorithm)
    assert len(summary.sentences) == len(set(summary.sentences))


def test_edmundson_works_without_configured_words() -> None:
    """sumy's Edmundson raises unless bonus, stigma and null words are set; ours sets them."""
    assert summarize(ZH, title="", language="zh", algorithm="edmundson").sentences
    assert summarize(EN, title="", language="en", algorithm="edmundson").sentences


def test_sumy_tokenizer_adapter_keeps_digits_and_trailing_text() -> None:
    tokenizer = SumyTokenizer("zh")
    assert tokenizer.to_sentences("它配备V6发动机。售价30万元…") == ("它配备V6发动机。", "售价30万元…")
    assert "V6" in tokenizer.to_words("它配备V6发动机。")
    assert SumyTokenizer("en").to_words("The U.S. grew 2.5% in Q1.") == ("The", "U.S", "grew", "2.5", "in", "Q1")


@pytest.mark.parametrize(("language", "budget"), [("en", 320), ("zh", 200)])
def test_default_budget_per_language(language: str, budget: int) -> None:
    text = EN if language == "en" else ZH
    long_text = "\n\n".join(text.replace("20", f"2{i}") for i in range(5))
    summary = summarize(long_text, title="x", language=language, sentences=10)
    assert 0 < len(summary.text) <= budget


@pytest.mark.parametrize(
    ("text", "max_chars", "expected"),
    [
        ("Short enough.", 50, "Short enough."),
        ("The committee said inflation was falling faster than forecast, and that cuts could come.", 70,
         "The committee said inflation was falling faster than forecast…"),
        ("Supercalifragilisticexpialidocious is one word", 30, ""),  # nothing whole fits: no blurb
        ("海关总署发布数据显示，今年前5个月，我国货物贸易进出口总值17.5万亿元，同比增长6.3%。", 25, "海关总署发布数据显示，今年前5个月…"),
    ],
)
def test_trim_at_clause_or_word_boundary(text: str, max_chars: int, expected: str) -> None:
    assert trim(text, max_chars) == expected
    assert len(trim(text, max_chars)) <= max_chars


@pytest.mark.parametrize(
    ("sentences", "expected"),
    [
        (["One.", "Two."], "One. Two."),
        (["第一句。", "第二句。"], "第一句。第二句。"),
        (["第一句。", "Then English."], "第一句。Then English."),
        (["English first.", "然后中文。"], "English first.然后中文。"),
        (["真的吗?", "By Laura Chen."], "真的吗? By Laura Chen."),
        (["A line\nwrapped.", "  Next.  "], "A line wrapped. Next."),
    ],
)
def test_join_spaces_only_between_latin_sentences(sentences: list[str], expected: str) -> None:
    assert join(sentences) == expected


def test_trim_never_cuts_a_word() -> None:
    text = "Supercalifragilistic words never get cut in the middle of anything whatsoever"
    for limit in range(2, len(text)):
        cut = trim(text, limit)
        assert len(cut) <= limit
        if cut:
            assert cut.endswith("…")
            assert text.startswith(cut[:-1]) and text[len(cut) - 1] in " ", (limit, cut)


def test_trim_chinese_keeps_words_whole() -> None:
    text = "国产手机品牌启元正式推出新一代折叠屏手机启元Fold5起售价七千九百九十九元"  # no punctuation at all
    for limit in range(4, len(text)):
        cut = trim(text, limit)
        assert len(cut) <= limit
        assert not cut[:-1].endswith(("F", "Fo", "Fol", "Fold")), cut


def test_an_overlong_single_sentence_is_trimmed_with_an_ellipsis() -> None:
    sentence = ("The operator of the Texas power grid asked residents on Sunday to cut back on electricity use, "
                "as a heat wave pushed demand to an all-time high, and said it might call on reserves.")
    summary = summarize(sentence, title="Grid", language="en", max_chars=80)
    assert summary.sentences == (sentence,)
    assert summary.text.endswith("…") and len(summary.text) <= 80


def test_sentence_count_and_budget_zero() -> None:
    assert summarize(EN, title="x", language="en", sentences=0) == Summary((), "")
    assert summarize(EN, title="x", language="en", max_chars=0) == Summary((), "")


def test_unknown_algorithm_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown summary algorithm 'bert'"):
        summarize(EN, title="x", language="en", algorithm="bert")


@pytest.mark.parametrize("algorithm", REAL_ALGORITHMS)
def test_candidate_cap_bounds_every_ranker(algorithm: str) -> None:
    from digest.summarize import CANDIDATE_CAP

    sentences = [f"Sentence number {i} talks about topic {i % 7} and widget {i * 3}." for i in range(2000)]
    text = "\n\n".join(" ".join(sentences[i : i + 5]) for i in range(0, 2000, 5))
    limit = CANDIDATE_CAP[algorithm]
    pool = candidates(text, "Widgets", "en", limit)
    assert len(pool) == limit
    assert pool[: limit // 2] == [s for s in split_sentences(text)][: limit // 2]  # the opening is always kept
    summary = summarize(text, title="Widgets", language="en", algorithm=algorithm)
    assert summary.sentences and set(summary.sentences) <= {s.text for s in pool}


def test_import_is_light() -> None:
    """`digest --help` must stay fast: nothing heavy is imported with the package."""
    code = "import sys, digest.summarize; print(sorted(m for m in ('sumy', 'jieba', 'rjieba', 'numpy', 'punkt', 'nltk') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_chinese_words_are_jiebas() -> None:
    """rjieba replaced jieba; words() still cuts Chinese, and Latin inside it, as jieba 0.42 did."""
    text = "他用C++和C#重写了java.lang里的some_string函数，bit-wise运算快了3.5%，版本V6于2024年发布"
    assert words(text) == ["他", "用", "C++", "和", "C#", "重写", "了", "java", "lang", "里", "的", "some", "string",
                           "函数", "bit", "wise", "运算", "快", "了", "3.5%", "版本", "V6", "于", "2024", "年", "发布"]


@pytest.mark.parametrize(("algorithm", "loaded"), [("auto", set()), ("lead", set()),
                                                   ("lexrank", {"sumy.summarizers.lex_rank"})])
def test_only_a_chosen_sumy_algorithm_imports_sumy(algorithm: str, loaded: set[str]) -> None:
    """Summaries in both languages load neither jieba nor the deprecated pkg_resources, and sumy's
    summarizers only when one of them is the algorithm (its stop-word files are read as data)."""
    code = (
        "import sys, warnings\n"
        "warnings.simplefilter('error', DeprecationWarning)\n"
        "from digest.summarize import summarize\n"
        f"summarize('星河机器人发布新一代机械臂。售价下调四成。首批订单来自电子企业。', title='机械臂', language='zh', algorithm={algorithm!r})\n"
        f"summarize('Harbor Labs shipped a compiler. It is small. Farmers use it.', title='Compiler', language='en', algorithm={algorithm!r})\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jieba', 'pkg_resources')"
        " or m.startswith(('sumy.summarizers.', 'sumy.nlp'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    modules = set(ast.literal_eval(out.strip()))
    assert {m for m in modules if not m.startswith("sumy.")} == set()
    assert loaded <= modules
    if not loaded:
        assert modules == set()


_TIED = " ".join(f"{w.capitalize()} grow here." for w in (
    "apple banana cherry damson", "eagle falcon gannet heron", "iris jasmine kale lily", "mango nectar olive peach",
    "quince radish spinach tomato", "umber violet walnut yarrow", "zinnia acorn birch cedar", "dahlia elm fern ginger"))


def test_lsa_picks_the_same_sentences_in_every_process() -> None:
    """Sentences that score alike in the SVD: sumy's own row order followed the string hash, so each run
    (each PYTHONHASHSEED) chose other sentences; the blurb of a re-run must not change."""
    code = ("import sys; from digest.summarize import summarize; "
            "print(summarize(sys.argv[1], title='Garden', language='en', algorithm='lsa', max_chars=2000).text)")
    blurbs = {subprocess.run([sys.executable, "-c", code, _TIED], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in range(1, 6)}
    assert len(blurbs) == 1, blurbs
