"""Extractive summary: pick the N sentences that best stand for the article.

Each candidate sentence is scored by
  * centrality - cosine similarity of its content words to the rest of the article (tf-idf over
    the article's own sentences, so no corpus or model is needed), plus similarity to the title
    when there is one;
  * position - news puts the point first, so earlier sentences get a prior that decays with depth;
  * fitness - very short sentences (labels, fragments) and very long ones (run-ons, lists) are
    discounted, and a sentence that opens by leaning on what came before ("He said", "This",
    "But") is discounted when it would have to stand alone.
N > 1 sentences are chosen greedily with a redundancy penalty (MMR) and returned in article order.
One configuration serves both the lead-heavy CNN/DailyMail style and the lead-less XSum style;
it is tuned on the dev split and measured by ``bench/eval_quality.py``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.analyze.headline import strip_wire_dateline

# --- the one configuration ------------------------------------------------------------------------
POSITION_WEIGHT = 0.6  # weight of the position prior against centrality
POSITION_DECAY = 0.35  # prior = 1 / (1 + decay * index)
TITLE_WEIGHT = 0.5  # weight of similarity to the title, when a title is known
MIN_WORDS = 6  # shorter sentences are labels or fragments
IDEAL_MAX_WORDS = 40  # longer ones are discounted gently
DEPENDENT_PENALTY = 0.6  # multiplier for a sentence that cannot stand alone (single sentence)
REDUNDANCY = 0.7  # MMR: penalty per unit of similarity to an already chosen sentence

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_CJK_CHAR = re.compile(r"[\u3040-\u30FF\u4E00-\u9FFF\uAC00-\uD7AF\u0E00-\u0E7F]")

_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves said says say told mr mrs ms one two new year years
    der die das und ist nicht zu den von mit sich des auf für im dem ein eine auch es sie wir nach bei
    hat wird el la de que y en los las del se por un una con para es al lo como más pero sus su fue ha
    le les des et est une du dans pour qui pas sur au avec il elle ce sont""".split()
)

# Openers that point back to an earlier sentence: fine inside a multi-sentence summary,
# wrong at the start of a one-line summary when a self-contained sentence exists.
_DEPENDENT_OPENING = re.compile(
    r"^(?:[\"“‘']?\s*)?(?:he|she|they|it|this|that|these|those|his|her|their|its|there|but|and|so|"
    r"however|also|yet|still|then|meanwhile|instead|moreover|furthermore|besides|thus|therefore|"
    r"otherwise|nevertheless|nonetheless|later|earlier|afterwards|such|both|another|the latter|the former|"
    r"in addition|in response|in that case|as a result|by contrast|on the other hand)\b",
    re.I,
)
_QUOTE_ONLY = re.compile(r"^[\"“‘'„«]")
_SPEECH_TAIL = re.compile(r"[,”\"]\s*(?:he|she|they)\s+(?:said|says|added|told)\b", re.I)


@dataclass(frozen=True)
class Candidate:
    index: int  # position among the article's sentences
    text: str


def _stem(word: str) -> str:
    # A prefix is a cheap, language-agnostic stand-in for a stemmer: "investigators"/"investigation"
    # meet at "investi"; short words stay whole.
    return word[:7]


def _terms(text: str) -> list[str]:
    lowered = text.casefold()
    words = [_stem(w) for w in _WORD.findall(lowered) if w not in _STOPWORDS and not w.isdigit()]
    if not words and _CJK_CHAR.search(text):
        # scripts without spaces: character bigrams carry the content
        chars = [c for c in lowered if not c.isspace()]
        words = [a + b for a, b in zip(chars, chars[1:], strict=False)]
    return words


def _word_count(text: str) -> int:
    n = len(text.split())
    if n <= 2 and _CJK_CHAR.search(text):
        n = len(text) // 2  # roughly two characters a word where words are not spaced
    return n


def _cosine(a: dict[str, float], b: dict[str, float], norm_a: float, norm_b: float) -> float:
    if not norm_a or not norm_b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items()) / (norm_a * norm_b)


def _norm(v: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in v.values()))


def stands_alone(sentence: str) -> bool:
    """False for a sentence that leans on an earlier one ("He said ...", "But ...", "This ...")."""
    s = sentence.strip()
    return not (_DEPENDENT_OPENING.match(s) or (_QUOTE_ONLY.match(s) and _SPEECH_TAIL.search(s)))


def summarize(
    sentences: Sequence[str],
    n: int = 1,
    title: str | None = None,
) -> list[int]:
    """Indices (in article order) of the ``n`` sentences that best summarise the article."""
    if n <= 0 or not sentences:
        return []
    bags = [Counter(_terms(s)) for s in sentences]
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    total = len(sentences)
    idf = {t: math.log(1.0 + total / d) for t, d in df.items()}
    vecs = [{t: (1.0 + math.log(c)) * idf[t] for t, c in bag.items()} for bag in bags]
    norms = [_norm(v) for v in vecs]
    doc: Counter[str] = Counter()
    for bag in bags:
        doc.update(bag)
    doc_w = {t: (1.0 + math.log(c)) * idf[t] for t, c in doc.items()}
    doc_sq = sum(w * w for w in doc_w.values())
    title_vec: dict[str, float] = {}
    if title:
        title_vec = {t: idf.get(t, math.log(1.0 + total)) for t in set(_terms(title))}
    title_norm = _norm(title_vec)

    scores: list[float] = []
    for i, (bag, vec, nrm) in enumerate(zip(bags, vecs, norms, strict=True)):
        # similarity to the rest of the article (its own words removed, so length is not rewarded);
        # only this sentence's terms change, so the rest's norm is the document's, corrected
        dot, sq = 0.0, doc_sq
        for t, c in bag.items():
            left = doc[t] - c
            w_rest = (1.0 + math.log(left)) * idf[t] if left > 0 else 0.0
            dot += vec[t] * w_rest
            sq += w_rest * w_rest - doc_w[t] * doc_w[t]
        centrality = dot / (nrm * math.sqrt(sq)) if nrm and sq > 1e-12 else 0.0
        if title_vec:
            centrality += TITLE_WEIGHT * _cosine(vec, title_vec, nrm, title_norm)
        position = 1.0 / (1.0 + POSITION_DECAY * i)
        score = centrality + POSITION_WEIGHT * position * max(centrality, 0.05)
        words = _word_count(sentences[i])
        if words < MIN_WORDS:
            score *= 0.3
        elif words > IDEAL_MAX_WORDS:
            score *= IDEAL_MAX_WORDS / words
        if sentences[i].rstrip().endswith("?"):
            score *= 0.7
        if n == 1 and not stands_alone(sentences[i]):
            score *= DEPENDENT_PENALTY
        scores.append(score)

    chosen: list[int] = []
    while len(chosen) < min(n, len(sentences)):
        best, best_value = -1, -math.inf
        for i, score in enumerate(scores):
            if i in chosen:
                continue
            overlap = max((_cosine(vecs[i], vecs[j], norms[i], norms[j]) for j in chosen), default=0.0)
            value = score - REDUNDANCY * overlap * score
            if value > best_value:
                best, best_value = i, value
        chosen.append(best)
    return sorted(chosen)


def summary_text(sentences: Sequence[str]) -> str:
    """The summary as one string: wire datelines stripped ("JAKARTA (Reuters) - ")."""
    return " ".join(strip_wire_dateline(s.strip()) for s in sentences)
