"""The summary metric of ../shared/eval/README.md, and the baselines it is compared with.

Metric, exactly as the README defines it: ROUGE-1 / ROUGE-2 / ROUGE-Lsum F1 from PyPI
``rouge-score`` with ``use_stemmer=True``; the reference sentences are joined by a newline (and so
are the predicted sentences: ROUGE-Lsum reads one sentence per line); the mean over articles,
times 100. CNN/DM is scored with 3-sentence summaries, XSum with 1 sentence.

Baselines:
* lead-N - the first N lines of ``text`` (the files hold one sentence per line, as distributed);
* sumy LexRank and TextRank (sumy 0.13). sumy's default tokenizer needs NLTK's punkt data, which
  cannot be downloaded here, so sumy is given ``SentenceTokenizer`` below: sentences from
  ``bot.analyze.sentences`` (sentencex), words from a Unicode regex. sumy accepts any object with
  ``to_sentences`` / ``to_words``. This is why our sumy numbers differ slightly from the README's.
"""

from __future__ import annotations

import json
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


def reference_of(row: dict[str, Any]) -> list[str]:
    refs = row.get("reference_sentences")
    return list(refs) if refs else [row["reference_summary"]]


# --- baselines ---------------------------------------------------------------------------------
def lead(text: str, n: int) -> list[str]:
    return [line for line in (ln.strip() for ln in text.splitlines()) if line][:n]


class SentenceTokenizer:
    """A sumy tokenizer that needs no NLTK data: our sentence splitter plus a word regex."""

    _word = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)

    def __init__(self, language: str = "en") -> None:
        self.language = language

    def to_sentences(self, paragraph: str) -> list[str]:
        # line by line: the eval files hold one sentence per line, and our pipeline reads a
        # line as a paragraph too, so both systems see the same sentence boundaries
        return [s.text for line in paragraph.splitlines() for s in split_sentences(line, self.language)]

    def to_words(self, sentence: str) -> list[str]:
        return self._word.findall(sentence)


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
        doc = PlaintextParser.from_string(text, tokenizer).document
        return [str(s) for s in summarizer(doc, n)]

    return run
