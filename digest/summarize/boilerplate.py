"""Sentences that are page furniture, not news: never chosen for a blurb.

Bylines, datelines-only lines, "Read more", share prompts, copyright and reprint notices,
disclaimers, photo credits, newsletter pitches, and (from a trailer heading such as "About Acme",
"Forward-Looking Statements" or "相关阅读" on) everything after it.  Patterns are anchored or length-
bounded so that a real sentence that merely mentions a word ("By 2025, ...", "记者从教育部获悉") stays.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..furniture import is_furniture

# Tried at the start of the sentence (stripped of list dashes and bullets).
_STARTS = [
    # English
    r"\(?(?:additional\s+)?(?:reporting|writing|editing|edited|compiled|produced)\s+by\b",
    r"(?:read|see)\s+(?:more|also|next|the full)\b",
    r"continue\s+reading\b",
    r"(?:related|recommended|more from|more on this|most read|popular|trending)(?:\s+\w+){0,2}\s*:",
    r"(?:share|tweet|email|print|save|comment)(?:\s+(?:this|on|via|the|article|story|post|link)){0,3}\s*[:!.]?\s*$",
    r"(?:share|link)\s+this\b",
    r"(?:twitter|facebook|linkedin|whatsapp|reddit|email|x|telegram|weibo|wechat)(?:\s*[|/·,]\s*\w+)+\s*$",
    r"(?:photo|image|picture|illustration|video|graphic|lead image|top image|header image)s?(?:\s+(?:credit|courtesy))?\s*:",
    r"\(?(?:getty images|ap photo|reuters|afp|shutterstock|bloomberg|epa)[^)]*\)?\.?$",
    r"disclosure\s*:",
    r"(?:click|tap)\s+here\b",
    r"news provided by\b",
    r"source\s*:",
    r"for more information,?\s+(?:visit|contact|see|go to)\b",
    r"(?:media|press|investor)\s+contacts?\b",
    r"(?:tags?|filed under|topics?|categories)\s*:",
    r"(?:advertisement|sponsored(?: content)?|ad|promoted)\s*$",
    r"(?:posted|published|updated|written|last updated)\s+(?:by|on|at)\b",
    r"(?:subscribe|sign up|follow us|join us|get the latest|don't miss)\b",
    # date / time stamps alone on a line
    r"[A-Za-z]{3,9}\.?\s+\d{1,2},\s+\d{4}(?:,?\s+\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4})?)?$",
    r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$",
    # Chinese
    r"[（(]?原标题\s*[:：]",
    r"[（(]?(?:本文)?(?:来源|稿源|出处|文章来源|转自|编译)\s*[:：]",
    r"(?:免责)?声明\s*[:：]",
    r"(?:风险提示|广告声明|特别声明|免责申明|法律声明)\s*[:：]",
    r"(?:配图|摄影)\s*[:：]|图为|图\s*[/丨|]|题图",
    r"(?:相关|延伸|推荐|拓展|往期)(?:阅读|推荐|新闻|报道|文章|回顾)\s*[:：]?",
    r"[（(]\s*完\s*[）)]$|字号$|打印$|分享$|收藏$",
    r"(?:发布|更新|发表)?时间\s*[:：]",
    r"文\s*[/丨|]\s*\S+(?:\s+[\u4e00-\u9fff·]{2,5})?$",
]

# Searched anywhere in the sentence.
_ANYWHERE = [
    r"\bthe post\b.*\bappeared first on\b",
    r"\bthis (?:article|story|post|piece|interview|content)\s+(?:was\s+)?(?:originally\s+|first\s+)?"
    r"(?:appeared|published|produced|edited for)\b",
    r"\bedited for (?:length|clarity)\b",
    r"\ball rights reserved\b|©|\(c\)\s*\d{4}|\bcopyright\s+(?:©\s*)?\d{4}",
    r"\bmay not be (?:published|reproduced|redistributed|rewritten|broadcast)\b",
    r"\bwe may earn (?:a )?(?:small )?commission\b|\baffiliate links?\b",
    r"\bforward-looking statements?\b|\bsafe harbor\b",
    r"\b\d+\s*(?:min|minute)s?\s+read\b",
    r"\bsign up for (?:our|the)\b.*\bnewsletter\b",
    r"本文来自|本文转载自|本文系.{0,12}(?:原创|授权)|转载请(?:注明|联系)|未经(?:授权|许可|同意)[，,]?(?:不得|禁止|请勿)",
    r"版权归.{0,12}所有|版权所有|如有侵权|侵删|联系删除|经授权发布",
    r"图片来源|图源\s*[:：]|视觉中国|资料图",
    r"扫码|扫描二维码|二维码|关注(?:我们|公众号|微信公众号|官方微博)|点击(?:关注|下方|上方|阅读原文)|长按识别|阅读原文|分享到",
]

# A short line wholly in brackets, with Chinese in it: "（央视新闻客户端）", "（作者系某大学教授）".
_BRACKETED_NOTE = re.compile(r"^[（(][^（）()]*[\u4e00-\u9fff][^（）()]*[）)]$")

# Headings after which the rest of an article is boilerplate (press-release and portal trailers).
_TRAILER_HEADING = re.compile(
    r"^(?:about\s+(?:the\s+)?[A-Z\w][\w&.,' -]{0,60}|forward[- ]looking statements?|safe harbor statement"
    r"|media contacts?|press contacts?|investor contacts?|related (?:articles|stories|coverage|reading)"
    r"|more (?:from|on) .{0,40}|recommended(?: for you)?|you (?:may|might) also like"
    r"|editors?[’']?s?[’']? (?:recommendations|picks)|read next|more stories"
    r"|关于.{1,20}|相关(?:阅读|推荐|新闻|报道|文章|链接|资讯)|延伸阅读|推荐阅读|往期回顾|热门(?:推荐|文章|阅读|新闻)|猜你喜欢)"
    r"\s*[:：]?$",
    re.IGNORECASE,
)

# Case matters for this, at the start: "SOURCE" is shouted.  (Bylines are in digest/furniture.py.)
_CASED = [
    r"SOURCE\s+[A-Z]",
]

# Every _ANYWHERE pattern contains one of these; a plain substring test skips the regex for
# almost every real sentence (the regex alone is most of the cost on a 2,000-sentence article).
_HINTS = (
    "appeared first", "this article", "this story", "this post", "this piece", "this interview",
    "this content", "edited for", "reserved", "©", "(c)", "copyright", "may not be", "commission",
    "affiliate", "forward-looking", "forward looking", "safe harbor", " read", "newsletter",
    "本文", "转载", "未经", "版权", "侵删", "侵权", "联系删除", "授权", "图片来源", "图源", "视觉中国",
    "资料图", "扫码", "扫描", "二维码", "关注", "点击", "长按", "阅读原文", "分享到",
)

_START = re.compile("|".join(f"(?:{p})" for p in _STARTS), re.IGNORECASE)
_FLOATING = re.compile("|".join(f"(?:{p})" for p in _ANYWHERE), re.IGNORECASE)
_CASED_START = re.compile("|".join(f"(?:{p})" for p in _CASED))
_BULLET = re.compile(r"^[\s\-–—•*·|>]+")
_MAX_NOTE = 60


def is_boilerplate(sentence: str) -> bool:
    """True for a byline, share prompt, copyright line, reprint notice, credit or the like."""
    text = _BULLET.sub("", sentence.strip())
    if not text or is_furniture(text):
        return True
    if len(text) < 400:
        if _START.match(text) or _CASED_START.match(text):
            return True
        lower = text.lower()
        if any(hint in lower for hint in _HINTS) and _FLOATING.search(text):
            return True
    return len(text) <= _MAX_NOTE and _BRACKETED_NOTE.match(text) is not None


def trailer_start(sentences: Sequence[str], terminated: Sequence[bool]) -> int | None:
    """Index of a trailer heading in the second half of the article, or None.

    Everything from there on ("About Acme Corp", "Forward-Looking Statements", "相关阅读：") is
    about the publisher, not the story.
    """
    half = len(sentences) // 2
    for index in range(max(half, 1), len(sentences)):
        text = _BULLET.sub("", sentences[index].strip())
        if (not terminated[index] or text.endswith((":", "："))) and _TRAILER_HEADING.match(text):
            return index
    return None
