"""The summary metric of ../shared/eval/README.md, and the baselines it is compared with.

Metric, exactly as the README defines it: ROUGE-1 / ROUGE-2 / ROUGE-Lsum F1 from PyPI
``rouge-score`` with ``use_stemmer=True``; the reference sentences are joined by a newline (and so
are the predicted sentences: ROUGE-Lsum reads one sentence per line); the mean over articles,
times 100. CNN/DM is scored with 3-sentence summaries, XSum with 1 sentence.

Baselines:
* lead-N - the first N lines of ``text`` (the files hold one sentence per line, as distributed);
* sumy LexRank and TextRank (sumy 0.13). sumy's default tokenizer needs NLTK's punkt data, which
  cannot be downloaded here, so sumy is given ``SentenceTokenizer`` below: sentences from
  ``bot.analyze.sentences`` (sentencex), words as sumy's default makes them. sumy accepts any object
  with ``to_sentences`` / ``to_words``. Each line of the file is given to sumy as a paragraph
  (see ``sumy_summarizer``), which reproduces the README's sumy numbers to within a few tenths.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from rouge_score import rouge_scorer

from bot.analyze.sentences import split_sentences

METRICS = ("rouge1", "rouge2", "rougeLsum")
SENTENCES_FOR = {"cnndm": 3, "xsum": 1}
DEFAULT_DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "summaries-dev.jsonl"

_scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)


def dataset_of(row: dict[str, Any]) -> str:
    """"cnndm" or "xsum" (from ``source_dataset``, else from the id's prefix)."""
    src = str(row.get("source_dataset", "")) + " " + str(row.get("id", ""))
    return "xsum" if "xsum" in src.lower() else "cnndm"


def load(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def rouge(prediction: Sequence[str], reference: Sequence[str]) -> dict[str, float]:
    """F1 of one prediction against one reference, both given as lists of sentences."""
    scores = _scorer.score("\n".join(reference), "\n".join(s.strip() for s in prediction))
    return {m: scores[m].fmeasure for m in METRICS}


def mean_rouge(pairs: Iterable[tuple[Sequence[str], Sequence[str]]]) -> dict[str, float]:
    """Mean F1 x 100 over (prediction, reference) pairs."""
    totals = dict.fromkeys(METRICS, 0.0)
    n = 0
    for prediction, reference in pairs:
        for m, v in rouge(prediction, reference).items():
            totals[m] += v
        n += 1
    return {m: round(100 * totals[m] / n, 2) if n else 0.0 for m in METRICS}


def rouge_rows(pairs: Iterable[tuple[Sequence[str], Sequence[str]]]) -> list[dict[str, float]]:
    """F1 x 100 of each (prediction, reference) pair: what ``resample`` needs."""
    return [{m: 100 * v for m, v in rouge(p, r).items()} for p, r in pairs]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def resample(
    scores: Sequence[float],
    baseline: Sequence[float] | None = None,
    resamples: int = 2000,
    seed: int = 13,
) -> dict[str, float]:
    """How much a dev-set mean can be trusted: a bootstrap over articles.

    The dev split holds only ~100 articles per source and the judged split is a different, larger
    sample of the same sources, so a mean is a noisy estimate. Returns the mean, the standard
    deviation of the bootstrap means (``sd``) and their 5th percentile (``p05``); with a
    ``baseline`` (per-article scores of another system on the same articles, paired), also the mean
    difference, its spread and the share of resamples in which this system wins (``p_win``).
    Also the two halves of a fixed random split (``half_a``/``half_b``): a choice tuned on one
    half should hold on the other.
    """
    n = len(scores)
    if not n:
        return {}
    rnd = random.Random(seed)
    means, diffs = [], []
    for _ in range(resamples):
        idx = [rnd.randrange(n) for _ in range(n)]
        means.append(_mean([scores[i] for i in idx]))
        if baseline is not None:
            diffs.append(means[-1] - _mean([baseline[i] for i in idx]))
    means.sort()
    order = list(range(n))
    random.Random(seed).shuffle(order)
    half_a, half_b = sorted(order[: n // 2]), sorted(order[n // 2 :])
    out = {
        "mean": _mean(scores),
        "sd": (sum((m - _mean(means)) ** 2 for m in means) / max(1, resamples - 1)) ** 0.5,
        "p05": means[int(0.05 * resamples)],
        "half_a": _mean([scores[i] for i in half_a]),
        "half_b": _mean([scores[i] for i in half_b]),
    }
    if baseline is not None:
        d_mean = _mean(diffs)
        out.update(
            {
                "diff": _mean(scores) - _mean(baseline),
                "diff_sd": (sum((d - d_mean) ** 2 for d in diffs) / max(1, resamples - 1)) ** 0.5,
                "p_win": sum(1 for d in diffs if d > 0) / resamples,
            }
        )
    return {k: round(v, 3) for k, v in out.items()}


def reference_of(row: dict[str, Any]) -> list[str]:
    refs = row.get("reference_sentences")
    return list(refs) if refs else [row["reference_summary"]]


# --- baselines ---------------------------------------------------------------------------------
def lead(text: str, n: int) -> list[str]:
    return [line for line in (ln.strip() for ln in text.splitlines()) if line][:n]


class SentenceTokenizer:
    """A sumy tokenizer that needs no NLTK data: sentences from our splitter; words as sumy's own
    default makes them (NLTK's Treebank word tokenizer, which needs no downloaded data, then sumy's
    filter keeping alphabetic words only), so only the sentence splitting differs from sumy's."""

    _is_word = re.compile(r"^[^\W\d_](?:[^\W\d_]|['-])*$", re.UNICODE)  # sumy's Tokenizer._WORD_PATTERN

    def __init__(self, language: str = "en") -> None:
        from nltk.tokenize import TreebankWordTokenizer

        self.language = language
        self._words = TreebankWordTokenizer()

    def to_sentences(self, paragraph: str) -> list[str]:
        return [s.text for s in split_sentences(paragraph, self.language)]

    def to_words(self, sentence: str) -> list[str]:
        return [w for w in self._words.tokenize(sentence) if self._is_word.match(w)]


def sumy_summarizer(kind: str) -> Callable[[str, int], list[str]]:
    """A function (text, n) -> n sentences by sumy's LexRank or TextRank."""
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    cls = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer}[kind]
    summarizer = cls(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    tokenizer = SentenceTokenizer()

    def run(text: str, n: int) -> list[str]:
        # Each line its own paragraph: sumy would otherwise glue the file's one-sentence lines into
        # one string before splitting. This way sumy, lead-N and our pipeline (which reads a line
        # as a paragraph) all see the same sentence boundaries; it also reproduces the README's
        # sumy baselines to within noise (LexRank CNN/DM 36.22 vs 36.20).
        doc = PlaintextParser.from_string("\n\n".join(text.splitlines()), tokenizer).document
        return [str(s) for s in summarizer(doc, n)]

    return run
