"""The words the renderers print, per digest language, so templates stay language-neutral."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ..models import language_of

EN: Final[Mapping[str, str]] = {
    "toc": "In this issue",
    "also": "Also: ",
    "more_stories": "More stories",
    "view_in_browser": "View this digest in your browser",
    "unsubscribe": "Unsubscribe",
    "unsubscribe_text": "To stop getting it, reply with the word “unsubscribe”.",
    "empty": "No new stories in this window.",
    "feed": "Subscribe to the Atom feed",
    "archive": "Past digests",
    "stories_count": "stories",
    "back": "↑ Back to contents",
    "sponsored": "Sponsored",
    "more_count": "{n} more stories did not fit in this e-mail.",
    "more_link": "See every story in the web archive",
    "why": "You get this e-mail because you subscribed to {title}.",
    "footer_unsubscribe": "Unsubscribe",
    "to_site": "on",
    "preview_empty": "No new stories in this window. Try a longer one: --since 7d",
    "preview_window": "{since} → {until} · {count} stories",
    "beginning": "the beginning",
    "failed": "failed",
}

ZH: Final[Mapping[str, str]] = {
    "toc": "本期目录",
    "also": "另见：",
    "more_stories": "更多报道",
    "view_in_browser": "在浏览器中查看本期",
    "unsubscribe": "退订",
    "unsubscribe_text": "如需退订，请回复“退订”。",
    "empty": "这段时间没有新的报道。",
    "feed": "订阅 Atom 源",
    "archive": "往期摘要",
    "stories_count": "篇",
    "back": "↑ 返回目录",
    "sponsored": "赞助内容",
    "more_count": "另有 {n} 篇报道未能收入本期。",
    "more_link": "在网页存档中查看全部报道",
    "why": "您收到这封邮件，是因为订阅了“{title}”。",
    "footer_unsubscribe": "退订",
    "to_site": "链接至",
    "preview_empty": "这段时间没有新的报道。可以试试更长的时间窗口：--since 7d",
    "preview_window": "{since} → {until} · {count} 篇报道",
    "beginning": "最早",
    "failed": "失败",
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
    return ZH if language_of(language) == "zh" else EN


def long_date(year: int, month: int, day: int, weekday: int, language: str) -> str:
    """'Monday, 3 June 2024' or '2024年6月3日 星期一', without relying on the machine's locale."""
    if language_of(language) == "zh":
        return f"{year}年{month}月{day}日 {_WEEKDAYS_ZH[weekday]}"
    return f"{_WEEKDAYS_EN[weekday]}, {day} {_MONTHS_EN[month - 1]} {year}"
