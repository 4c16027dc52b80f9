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
    "events": "events: the Chinese headlines name different kinds of event (an appointment and a resignation, an arrest "
    "and a sentence, a landslide and a car crash: the event words of digest/dedup/terms.py) and share no kind, so the "
    "overlap of {similarity:.0%} is who and where, not what happened",
    "follow-up": "follow-up: one Chinese headline follows the other's event up (后续, 最新进展, 首次露面, or 回应 in its "
    "first clause: its next stage or a reply to it), so their overlap of {similarity:.0%} is one topic, not one story",
    "numbers": "numbers: the titles name different numbers",
    "time": "time: published {similarity:.0f} hours apart (one story is reported within {threshold:.0f})",
    "series": "series: two titles of one source that differ only in a slot between a shared beginning and end",
}


def _reason(rule: str, similarity: float, threshold: float) -> str:
    return _RULES.get(rule, rule).format(similarity=similarity, threshold=threshold)


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
            reason = _reason(decision.matched_by, decision.similarity, decision.threshold)
        elif not decision.merged:
            console.print(f"  from the closest other story: {other}", highlight=False)
            reason = _reason(decision.rule, decision.similarity, decision.threshold)
        else:
            console.print(f"  shown under: {other}", highlight=False)
            reason = _reason(decision.rule, decision.similarity, decision.threshold)
        if decision.other_url:
            console.print(f"  {escape(decision.other_url)}", style="dim", highlight=False)
        console.print(f"  because: {escape(reason)}", highlight=False)
    return True
