"""Invariants of every summary (hypothesis): input sentences, input order, within budget."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.summarize import DEFAULT_MAX_CHARS, summarize
from digest.summarize.blurb import join
from digest.summarize.sentences import split_sentences

_EN = [
    "The U.S. economy grew 2.5% in the first quarter.",
    "Dr. Smith said the results were better than expected.",
    "Revenue rose to $1.13bn, up from $0.9bn a year earlier.",
    '"We are not seeing any slowdown," the chief executive said.',
    "Shares rose 11% in early trading.",
    "The company (founded in 2001) employs 4,000 people.",
    "Read more: our coverage of the chip industry",
    "By Laura Chen",
    "Analysts expect the trend to continue into next year.",
    "It was late.",
    "A heading without a full stop",
    "Supply of advanced packaging remains tight across the industry, suppliers warned on Monday.",
    "LOS ANGELES (Reuters) - The studio said on Sunday that it would open a new lot.",
    "The shares were sold at an average ...",
    "This got me thinking about bandwidth. […]",
]
_ZH = [
    "海关总署7日发布数据显示，前5个月我国进出口增长6.3%。",
    "其中，出口增长6.1%；",
    "进口增长6.5%。",
    "他说：“我们没有看到放缓。”",
    "东盟继续保持我国第一大贸易伙伴地位！",
    "真的吗?",
    "责任编辑：刘洋",
    "本文来自微信公众号“硬科技观察”。",
    "业绩会突现业主维权插曲",
    "预计下半年外贸有望继续保持稳中向好态势……",
    "搭载V6发动机的新车型售价30万元",
    "新华社巴黎12月9日电（记者唐霁）法国总统马克龙9日宣布提高最低工资。",
    "摩根大通(115.395, 2.79, 2.47%)周二公布的财报显示净利润增长。",
    "如何种好一棵树最先出现在老郭种树。",
]
_SEPARATORS = [" ", "\n", "\n\n", ""]


def _articles(pool: list[str]) -> st.SearchStrategy[str]:
    piece = st.tuples(st.sampled_from(pool), st.sampled_from(_SEPARATORS))
    return st.lists(piece, max_size=25).map(lambda pieces: "".join(s + sep for s, sep in pieces))


def _check(text: str, language: str, count: int, max_chars: int | None, algorithm: str) -> None:
    summary = summarize(text, title="Trade and chips", language=language, sentences=count,
                        max_chars=max_chars, algorithm=algorithm)
    budget = DEFAULT_MAX_CHARS[language] if max_chars is None else max_chars
    all_sentences = [s.text for s in split_sentences(text)]
    assert len(summary.sentences) <= count
    # every one is (what is left of) a sentence of the input, furniture cut off: its own words
    position = -1
    for chosen in summary.sentences:  # in input order, no repeats: the earliest sentence it can be
        later = range(position + 1, len(all_sentences))
        position = next(i for i in later if all_sentences[i] == chosen or _within(chosen, all_sentences[i]))
    assert len(summary.text) <= budget
    assert bool(summary.text) == bool(summary.sentences) or (not summary.text and len(summary.sentences) == 1)
    if len(summary.sentences) > 1:  # more than one sentence is only taken when all of them fit whole
        assert "…" not in summary.text[-1:] or summary.text.endswith(summary.sentences[-1])
    if summary.text and not summary.text.endswith("…"):
        assert summary.text == join(summary.sentences)


def _within(chosen: str, sentence: str) -> bool:
    """`chosen` is `sentence`, or the sentence with furniture taken out: its characters in order
    (a trailing "…" marks a sentence the feed cut short)."""
    rest = iter(sentence)
    return all(c in rest for c in chosen.removesuffix("…"))


_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_articles(_EN), st.integers(1, 5), st.one_of(st.none(), st.integers(1, 600)),
       st.sampled_from(["auto", "lead", "textrank", "luhn", "kl"]))
def test_english_invariants(text: str, count: int, max_chars: int | None, algorithm: str) -> None:
    _check(text, "en", count, max_chars, algorithm)


@_SETTINGS
@given(_articles(_ZH), st.integers(1, 5), st.one_of(st.none(), st.integers(1, 400)),
       st.sampled_from(["auto", "lead", "lexrank", "sumbasic", "edmundson"]))
def test_chinese_invariants(text: str, count: int, max_chars: int | None, algorithm: str) -> None:
    _check(text, "zh", count, max_chars, algorithm)


@_SETTINGS
@given(_articles(_EN + _ZH), st.integers(1, 4))
def test_mixed_text_invariants(text: str, count: int) -> None:
    _check(text, "zh", count, None, "auto")
    _check(text, "en", count, None, "auto")
