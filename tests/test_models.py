"""One definition of "is this Chinese": every step reads a language tag through models.language_of."""

from __future__ import annotations

import pytest

from digest.models import language_of
from digest.render.labels import labels
from digest.summarize.tokenizer import SumyTokenizer


@pytest.mark.parametrize(("tag", "expected"), [
    ("zh", "zh"), ("zh-CN", "zh"), ("ZH-Hant", "zh"), ("en", "en"), ("en-GB", "en"), ("", "en"), ("ja", "en"),
])
def test_a_tag_becomes_one_of_the_two_languages(tag: str, expected: str) -> None:
    assert language_of(tag) == expected


def test_every_step_agrees_on_a_regional_chinese_tag() -> None:
    # before: the summarizer's tokenizer read only "zh" as Chinese, while the labels took any zh-* tag
    assert labels("zh-CN") is labels("zh")
    assert SumyTokenizer("zh-CN").language == "chinese"
    assert SumyTokenizer("zh-TW").language == SumyTokenizer("zh").language
