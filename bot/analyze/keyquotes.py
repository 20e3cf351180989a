"""Which quotes are worth posting: score each one, mark the best few.

A good quote for a social post says something (content words, a claim, a number, a promise or a
warning) in its speaker's own words, has a named speaker, and fits a post (about 40-200
characters). Filler ("Thank you", "We'll see", "Yes, absolutely") and fragments that only make
sense in context ("That's what they said.") score low. When choosing the key quotes, a second
quote by the same speaker is worth less than the best quote of somebody else, so several voices
come before several quotes of one.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import regex

from bot.analyze import rx

from bot.models import Quote

IDEAL_MIN = 40
IDEAL_MAX = 200
SAME_SPEAKER_PENALTY = 1.5  # per key quote already chosen from that speaker

_WORD = rx.compile(r"[\p{L}\p{N}][\p{L}\p{N}'’\-]*")
_STOP = frozenset(
    """a an the and or but if so of to in on at by for with from as is are was were be been being am
    i me my we us our you your he him his she her it its they them their this that these those there
    here what which who whom whose when where why how not no yes do does did done have has had
    having will would shall should can could may might must just very really also too then than
    about into over out up down off again only even still well oh ok okay like going get got go
    there's it's that's i'm we're you're they're don't didn't can't won't i've we've i'll we'll
    thing things lot something anything everything say said says think know mean""".split()
)
_FILLER_START = rx.compile(
    r"^\W*(?:thank(?:s| you)|yes|no|yeah|well|ok(?:ay)?|sure|absolutely|of course|we'?ll see|"
    r"i don'?t know|no comment|hello|hi)\b",
    regex.IGNORECASE,
)
# Openings that lean on what came before ("That is why…", "It was…", "And then…").
_CONTEXT_START = rx.compile(r"^\W*(?:and|but|so|because|which|that|this|it|they|he|she|also)\b", regex.IGNORECASE)
_SUBSTANCE = rx.compile(
    r"\b(?:will|won'?t|must|never|always|need|needs|should|want|demand|warn|promise|risk|threat|"
    r"war|law|plan|million|billion|percent|per cent|%|\d)",
    regex.IGNORECASE,
)
_EMBEDDED_ATTRIBUTION = rx.compile(r"[”\"]\s*,?\s*(?:\S+\s+){0,6}?(?:said|says|added|told)\b")


def quote_score(q: Quote) -> float:
    """How good ``q`` is for a social post, on its own (higher is better)."""
    text = q.text
    words = _WORD.findall(text)
    n = len(words)
    if n == 0:
        return -10.0
    content = [w for w in words if w.casefold() not in _STOP and len(w) > 2]
    score = 0.0
    # Substance: enough distinct content words, saturating.
    score += min(3.0, 1.2 * math.log1p(len({w.casefold() for w in content})))
    score += 1.5 * (len(content) / n)
    if _SUBSTANCE.search(text):
        score += 0.5
    # Who said it.
    if q.speaker and q.speaker[:1].isupper():
        score += 2.0
    elif q.speaker:
        score += 0.7  # "a spokesperson", "the ministry"
    else:
        score -= 1.0
    # Fits a post.
    length = len(text)
    if length < IDEAL_MIN:
        score -= 1.5 * (IDEAL_MIN - length) / IDEAL_MIN
    elif length > IDEAL_MAX:
        score -= min(3.0, (length - IDEAL_MAX) / 100)
    # Filler and context-dependent openings; a merged quote carrying its attribution inside.
    if _FILLER_START.match(text):
        score -= 1.5
    if _CONTEXT_START.match(text):
        score -= 0.6
    if _EMBEDDED_ATTRIBUTION.search(text):
        score -= 0.8
    if text.rstrip("”\"’' ").endswith("?"):
        score -= 0.3
    return round(score, 3)


def rank_quotes(quotes: Sequence[Quote], max_key: int = 3) -> list[Quote]:
    """Copies of ``quotes`` (text order kept) with ``score`` set and ``key=True`` on the best
    ``max_key``, chosen greedily so that different speakers come before repeats of one."""
    scored = [dataclasses.replace(q, score=quote_score(q), key=False) for q in quotes]
    chosen: set[int] = set()
    per_speaker: dict[str, int] = {}
    while len(chosen) < max_key:
        best, best_value = None, -math.inf
        for i, q in enumerate(scored):
            if i in chosen:
                continue
            who = (q.speaker or "").casefold()
            value = q.score - SAME_SPEAKER_PENALTY * per_speaker.get(who, 0)
            if value > best_value:
                best, best_value = i, value
        if best is None or scored[best].score <= 0:
            break
        chosen.add(best)
        who = (scored[best].speaker or "").casefold()
        per_speaker[who] = per_speaker.get(who, 0) + 1
    return [dataclasses.replace(q, key=True) if i in chosen else q for i, q in enumerate(scored)]
