"""Which stories lead, what a brief says, and the honest details around them (sponsored, destination site).

Pure functions over the Digest and the `layout:` settings; `view.build_view` applies them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from email.utils import parseaddr
from urllib.parse import quote, urlsplit

from ..config import LayoutSettings
from ..models import Digest, Item, language_of
from ..sanitize import is_wide
from .wrap import char_width

BRIEF_CELLS = 60  # a brief's one line, in display cells (CJK = 2): with the source, two lines on a phone

# Marks publishers put on paid posts: "[Sponsor] …", "Sponsored: …", "【广告】…", "（赞助）".
_SPONSORED_TITLE = re.compile(
    r"^\s*[\[【(（]\s*(?:sponsor(?:ed)?|ad|advert(?:isement)?|partner content|广告|赞助|推广)\s*[\]】)）]"
    r"|[\[【(（]\s*(?:sponsor(?:ed)?|广告|赞助|推广)\s*[\]】)）]\s*$"
    r"|^\s*(?:sponsored|sponsor|advertisement|广告|赞助|推广)\s*[:：|｜]"
    r"|\bsponsored\b",
    re.IGNORECASE,
)
_SPONSORED_TEXT = re.compile(r"^\s*(?:[\[【(（]\s*)?(?:sponsored|sponsor|advertisement|广告|赞助)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“])|(?<=[。！？])")
_SECOND_LEVEL = {"co", "com", "net", "org", "gov", "edu", "ac"}  # example.co.uk, example.com.cn


def is_sponsored(item: Item) -> bool:
    """A paid post, as its publisher marks it in the title (or at the very start of its text)."""
    return bool(_SPONSORED_TITLE.search(item.title) or _SPONSORED_TEXT.match(item.text[:40]))


def site(url: str) -> str:
    """The registrable part of a URL's host ('theverge.com', 'bbc.co.uk'); '' for file: and odd URLs."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    labels = [part for part in host.split(".") if part]
    if len(labels) < 2 or host.replace(".", "").isdigit():
        return host
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def destination(item_url: str, source_url: str) -> str:
    """The site a story links to when it is not the source's own (link blogs, aggregators); else ''."""
    target, home = site(item_url), site(source_url)
    return target if target and home and target != home else ""


def brief_line(item: Item, cells: int = BRIEF_CELLS) -> str:
    """One short line for a brief: the summary's first sentence, cut at a word (or CJK character) with '…'."""
    first = item.summary_sentences[0] if item.summary_sentences else _SENTENCE_END.split(item.summary.strip(), 1)[0]
    text = " ".join(first.split()) or " ".join(item.summary.split())
    used, cut = 0, len(text)
    for index, char in enumerate(text):
        used += char_width(char)
        if used > cells - 1:
            cut = index
            break
    if cut >= len(text):
        return text
    head = text[:cut]
    space = head.rfind(" ")
    if space > cut * 0.6 and not is_wide(head[-1]):
        head = head[:space]
    return head.rstrip(" ,;:，、；：") + "…"


def leads(digest: Digest, layout: LayoutSettings) -> set[str]:
    """Ids of the stories shown as full cards: the best-ranked ones that are not sponsored."""
    if layout.lead is None:
        return {item.id for item in digest.items}
    if layout.lead_per == "section":
        return {
            item.id
            for section in digest.sections
            for item in [i for i in section.items if not is_sponsored(i)][: layout.lead]
        }
    by_id = {item.id: item for item in digest.items}
    chosen: list[str] = []
    for item_id in ranking(digest):
        if len(chosen) >= layout.lead:
            break
        if not is_sponsored(by_id[item_id]):
            chosen.append(item_id)
    return set(chosen)


def ranking(digest: Digest) -> list[str]:
    """The digest's ids best first: its recorded ranking, then any others round-robin over the sections.

    A digest read back from digest.json by an older writer has no ranking; round-robin over the
    sections (every section's first story, then every second) is the fairest stand-in.
    """
    known = {item.id for item in digest.items}
    ordered = [item_id for item_id in dict.fromkeys(digest.ranking) if item_id in known]
    placed = set(ordered)
    rest = sorted(
        ((position, index, item.id) for index, section in enumerate(digest.sections)
         for position, item in enumerate(section.items) if item.id not in placed),
    )
    return ordered + [item_id for _, _, item_id in rest]


def left_out(digest: Digest) -> tuple[Item, ...]:
    """The stories a cap left out, of this digest's sections only (a subscriber's copy has fewer)."""
    names = {section.name for section in digest.sections}
    return tuple(item for item in digest.left_out if item.section in names)


def quiet_sources(digest: Digest, shown: Iterable[Item]) -> list[str]:
    """Sources that answered but have no story in this digest (nor in its "More stories")."""
    with_stories = {item.source for item in shown} | {item.source for item in left_out(digest)}
    return [s.name for s in digest.sources if s.status != "error" and s.name not in with_stories]


def unsubscribe_link(unsubscribe_url: str, sender: str) -> str | None:
    """The footer's unsubscribe link: the configured URL, else a mailto: to the sender with a subject.

    A per-subscriber URL ({id}, {address}) belongs in the List-Unsubscribe header, not in the body
    every subscriber shares, so the body then gets the mailto: link too.  None when neither is set.
    """
    if unsubscribe_url and "{" not in unsubscribe_url:
        return unsubscribe_url
    address = parseaddr(sender)[1] if sender else ""
    if "@" not in address:
        return None
    return f"mailto:{quote(address, safe='@')}?subject=unsubscribe"


def source_urls(digest: Digest) -> dict[str, str]:
    return {s.name: s.url for s in digest.sources}


def names_line(names: Sequence[str], language: str, limit: int = 8) -> str:
    """'A, B and 3 more' (or 'A、B 等 5 个'), so a long list of quiet sources stays one line."""
    zh = language_of(language) == "zh"
    shown = list(names[:limit])
    more = len(names) - len(shown)
    if zh:
        return "、".join(shown) + (f" 等 {len(names)} 个" if more else "")
    return ", ".join(shown) + (f" and {more} more" if more else "")
