"""BCP 47 language tags for the HTML (`en`, `zh-Hans`, `zh-Hant`) and the font stack each one wants.

The tag decides how browsers and mail apps pick fonts and set punctuation: inside a Chinese digest,
an English story tagged `en` gets a Latin font first, so ’ and · are not set full-width, and a
Traditional Chinese story tagged `zh-Hant` gets Traditional glyph forms.  Simplified versus
Traditional is told by hanzidentifier (characters that exist in only one of the two scripts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Final

from ..models import Item, language_of

# The inline fallbacks for mail apps that drop <head> styles; digest-head.css has the same stacks per lang.
FONTS: Final[Mapping[str, str]] = {
    "en": '-apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "PingFang SC", "Microsoft YaHei", sans-serif',
    "zh-Hans": '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
    "zh-Hant": '"PingFang TC", "Microsoft JhengHei", "Noto Sans CJK TC", -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
}


def script_tag(text: str) -> str:
    """'zh-Hant' for text in Traditional characters, else 'zh-Hans' (also for text valid in both)."""
    import hanzidentifier

    return "zh-Hant" if hanzidentifier.identify(text) == hanzidentifier.TRADITIONAL else "zh-Hans"


def item_tag(item: Item) -> str:
    """The story's own tag: 'en' for English, 'zh-Hans' or 'zh-Hant' by its title and summary."""
    if language_of(item.language) != "zh":
        return "en"
    return script_tag(f"{item.title} {item.summary or item.text[:400]}")


def digest_tag(language: str, item_tags: Iterable[str]) -> str:
    """The page's tag: 'en', or the Chinese script most of the Chinese stories use."""
    if language_of(language) != "zh":
        return "en"
    counts = Counter(tag for tag in item_tags if language_of(tag) == "zh")
    return "zh-Hant" if counts["zh-Hant"] > counts["zh-Hans"] else "zh-Hans"
