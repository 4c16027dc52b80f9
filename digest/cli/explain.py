"""`digest explain URL` and `digest preview --explain`: why an item was merged or dropped.

A reader who misses a story, or sees two, asks "why?"; the answer is the other item, the rule,
the similarity and the threshold it was held against, so a threshold in feeds.yaml can be
tuned from what this prints.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from ..dedup import Decision
from ..dedup.terms import EVENT_KINDS_ZH, event_words_of, numbers_of

KINDS = frozenset(word for line in EVENT_KINDS_ZH for word in line.split())

_RULES = {
    "same-url": "the same canonical URL",
    "same-id": "the same id (GUID) and title",
    "full-text": "the same article text, fetched from both links",
    "text": "text: {similarity:.0%} of the shorter lead's terms are in the other "
    "(threshold {threshold:.0%}, dedup.text_threshold)",
    "title": "title: the headlines' terms, weighted by rarity, overlap {similarity:.0%} "
    "(threshold {threshold:.0%}, dedup.title_threshold / title_threshold_zh)",
    "pieces": "pieces: the Chinese headlines share three or more separate rare pieces (runs of rare characters in "
    "the same order, such as a name or a place, or an event word and its synonym), one of them besides the longest "
    "run and the event word, and overlap {similarity:.0%} (at least {threshold:.0%}, 0.3 of dedup.title_threshold_zh)",
    "events": "events: the Chinese headlines name different events ({details}; event words of digest/dedup/terms.py), "
    "so the overlap of {similarity:.0%} is who and where, not what happened",
    "numbers": "numbers: the titles name different numbers ({details}; Han numerals read as digits)",
    "time": "time: published {similarity:.0f} hours apart (one story is reported within {threshold:.0f})",
    "series": "series: two titles of one source that differ only in a slot between a shared beginning and end",
}


def _reason(rule: str, decision: Decision) -> str:
    """The rule's sentence; for numbers and events, what each title holds, as the rule compared it."""
    details = ""
    if rule in ("numbers", "events"):
        found = numbers_of if rule == "numbers" else lambda title: [w for w in event_words_of(title) if w in KINDS]
        details = "; ".join(f"{which}: {', '.join(found(title)) or 'none'}"
                            for which, title in (("this one", decision.item.title), ("the other", decision.other_title)))
    return _RULES.get(rule, rule).format(similarity=decision.similarity, threshold=decision.threshold, details=details)


def _matches(decision: Decision, url: str) -> bool:
    wanted = url.strip().rstrip("/")
    return wanted in (decision.item.url.rstrip("/"), decision.other_url.rstrip("/"))


def show_decisions(decisions: Sequence[Decision], console: Console, url: str | None = None) -> bool:
    """Print why each item (or the ones involving `url`) was merged or dropped; False if `url` matches none."""
    chosen = [d for d in decisions if (url is None and d.merged) or (url is not None and _matches(d, url))]
    if url is not None and not chosen:
        console.print(f"{escape(url)} was neither merged nor dropped in this run: it is its own story "
                      "(or it was not in the window).", highlight=False)
        return False
    if not chosen:
        console.print("No item was merged or dropped.", highlight=False)
        return True
    for decision in chosen:
        item = decision.item
        verb = "Dropped" if decision.dropped else "Merged" if decision.merged else "Kept apart"
        console.print(f"[bold]{verb}:[/] {escape(item.title or '(no title)')} [dim]({escape(item.source)})[/]",
                      highlight=False)
        console.print(f"  {escape(item.url)}", style="dim", highlight=False)
        other = f"{escape(decision.other_title or '(no title)')} [dim]({escape(decision.other_source)})[/]"
        if decision.dropped:
            when = f" on {decision.sent_at:%Y-%m-%d}" if decision.sent_at else ""
            console.print(f"  already sent{when} as: {other}", highlight=False)
            reason = _reason(decision.matched_by, decision)
        elif not decision.merged:
            console.print(f"  from the closest other story: {other}", highlight=False)
            reason = _reason(decision.rule, decision)
        else:
            console.print(f"  shown under: {other}", highlight=False)
            reason = _reason(decision.rule, decision)
        if decision.other_url:
            console.print(f"  {escape(decision.other_url)}", style="dim", highlight=False)
        console.print(f"  because: {escape(reason)}", highlight=False)
    return True
