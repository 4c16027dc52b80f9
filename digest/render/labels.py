"""The words the renderers print, per digest language, so templates stay language-neutral."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

EN: Final[Mapping[str, str]] = {
    "toc": "In this issue",
    "also": "Also: ",
    "more_stories": "More stories",
    "view_in_browser": "View this digest in your browser",
    "unsubscribe": "Unsubscribe",
    "unsubscribe_text": "You get this digest because you subscribed to it. To stop, reply with the word “unsubscribe”.",
    "empty": "No new stories in this window.",
    "feed": "Subscribe to the Atom feed",
    "archive": "Past digests",
    "stories_count": "stories",
}

ZH: Final[Mapping[str, str]] = {
    "toc": "本期目录",
    "also": "另见：",
    "more_stories": "更多报道",
    "view_in_browser": "在浏览器中查看本期",
    "unsubscribe": "退订",
    "unsubscribe_text": "您收到这封邮件是因为订阅了本摘要。如需退订，请回复“退订”。",
    "empty": "这段时间没有新的报道。",
    "feed": "订阅 Atom 源",
    "archive": "往期摘要",
    "stories_count": "篇",
}

_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def labels(language: str) -> Mapping[str, str]:
    """Chinese labels for a Chinese digest, English otherwise."""
    return ZH if language.startswith("zh") else EN


def long_date(year: int, month: int, day: int, weekday: int, language: str) -> str:
    """'Monday, 3 June 2024' or '2024年6月3日 星期一', without relying on the machine's locale."""
    if language.startswith("zh"):
        return f"{year}年{month}月{day}日 {_WEEKDAYS_ZH[weekday]}"
    return f"{_WEEKDAYS_EN[weekday]}, {day} {_MONTHS_EN[month - 1]} {year}"


def short_date(month: int, day: int, language: str) -> str:
    """'3 Jun' or '6月3日', for stories older than a week."""
    if language.startswith("zh"):
        return f"{month}月{day}日"
    return f"{day} {_MONTHS_EN[month - 1][:3]}"
