"""What a sentence's own wording says about its fitness for a blurb, apart from its topic.

An editor skips a sentence that leans on the one before it ("This…", "But…", "此外…", "这…"):
shown alone it means nothing, or the opposite of the article.  An opening quotation is colour
rather than news, and a sentence much longer than the blurb's
share is usually background (a career, a chronology) and crowds out the news.  A blog post or a
paper that says what it is about ("I'll be discussing…", "Here we report…") has said its point.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from .pacsum import PacSumParams

# A sentence opening with one of these points back at something said before it.
_LEANING_EN = re.compile(
    r"^[\"'“‘(]*(?:this|that|these|those|it|its|they|their|them|he|she|his|her|but|however|also|and|so|thus|"
    r"still|yet|meanwhile|instead|moreover|furthermore|in addition|additionally|as a result|such|there|"
    r"then|later|even so|nevertheless|nonetheless|otherwise|likewise|similarly|besides|again|another|"
    r"the (?:former|latter|same)|both|neither|either|here(?!,? (?:we|I)\b)|for starters|first of all|secondly|finally|"
    r"that said|in other words|in short|on the other hand|at the same time|as such)\b",
    re.IGNORECASE,
)
# Chinese: demonstratives and "besides" openers only.  Contrastive and causal openers (但/而/然而/因此)
# often start the sentence that carries a Chinese story's point (然而，在这份亮丽的成绩单背后…), and
# penalising them cost precision on the dev half.
_LEANING_ZH = re.compile(r"^[“‘「『（(]*(?:这|此|该|其|它|他们|她们|它们|对此|为此|此外|另外|除此之外|与此同时)")
# Names and numbers: the facts of a story ("JPMorgan Chase earned $4.9 billion", "2019年…8.8%").
_FACT = re.compile(r"(?<=\s)[A-Z][\w.&'’-]+|\d+(?:[.,]\d+)*%?|《[^》]{1,30}》")
_QUOTE_START = re.compile(r"^[\"“「『]")
_QUESTION_END = re.compile(r"[?？][\"'”’」』)）]*$")
_COLON_END = re.compile(r"[:：]\s*$")
# A sentence that says what the piece is about: "I'll be discussing…", "In this post, we…".  The
# writer speaks in their own voice at the start of the sentence (after at most "Today," or "In this
# talk"), never inside a quotation (“We will explore all options,” the minister said) or reported
# speech (The minister said we will look…); "in this series" is a sports page's, not a post's.
_PIECE = r"(?:post|article|piece|essay|guide|tutorial|talk|paper|video|episode)"
_VOICE_START = rf"^(?:(?:today|now|so|first|next|below|here|in this {_PIECE}),?\s+)?"
_ANNOUNCE_EN = re.compile(
    r"^(?!.*[\"“”‘])(?:"
    r"in this (?:post|article|piece|essay|guide|tutorial)\b|"
    rf"{_VOICE_START}here,? (?:we|I) (?:report|present|show|describe|investigate|propose|demonstrate|introduce|examine)|"
    rf"{_VOICE_START}(?:I|we)(?:['’]ll| will| am going to| are going to) (?:be )?(?:discuss|show|explain|describe|"
    r"look at|walk|cover|explore|take a look|go over|introduce)|"
    rf"{_VOICE_START}this {_PIECE} (?:is about|will|explains|describes|looks at|shows|covers|explores))",
    re.IGNORECASE)


def leans_back(sentence: str) -> bool:
    """True when the sentence opens with a word that needs an earlier sentence to make sense."""
    text = sentence.lstrip(" -–—•*·")
    return bool(_LEANING_ZH.match(text) or _LEANING_EN.match(text))


def leaning_sentences(texts: Sequence[str]) -> set[int]:
    """The sentences after the first that lean on an earlier one (a blurb must not open with them)."""
    return {i for i in range(1, len(texts)) if leans_back(texts[i])}


def introducing_sentences(texts: Sequence[str]) -> set[int]:
    """The sentences that end in a colon: they introduce the next (a quote, a list, code)."""
    return {i for i, text in enumerate(texts) if _COLON_END.search(text)}


def cue_penalties(texts: Sequence[str], budget: int, params: PacSumParams) -> npt.NDArray[np.float64]:
    """A penalty per sentence (0 = none), in the units of PacSum's scores."""
    out = np.zeros(len(texts), dtype=np.float64)
    for i, text in enumerate(texts):
        penalty = 0.0
        if params.announce and _ANNOUNCE_EN.search(text):
            penalty -= params.announce
        if params.leaning and i > 0 and leans_back(text):
            penalty += params.leaning
        if params.quote and _QUOTE_START.match(text):
            penalty += params.quote
        if params.question and _QUESTION_END.search(text):
            penalty += params.question
        if params.facts:
            penalty -= params.facts * min(1.0, len(_FACT.findall(text)) / 4)
        if params.long and budget > 0:
            excess = len(text) / budget - params.long_share
            if excess > 0:
                penalty += params.long * excess
        out[i] = penalty
    return out
