"""(a) Analysis quality and speed beside lead-N and sumy LexRank/TextRank, on the same texts in the same run.

Texts: ``../shared/eval/summaries-dev.jsonl`` (and ``quotes-dev.jsonl``) when present — the README's
metric via ``bench.summary_metric`` / ``bench.quote_metric`` — else a generated corpus (``bench.corpus``),
where only speed is measured (there are no reference summaries to score against).

Speed compares our *whole* analysis (cleaning, sentences, headline, summary, quotes with speakers, language)
with sumy producing a summary only: the comparison is in sumy's favour.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench._common import Result

EVAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval"
SPEED_TARGET = 10.0  # ours must be at least this many times faster than sumy LexRank


def _texts(quick: bool) -> tuple[str, list[dict[str, Any]]]:
    path = EVAL_DIR / "summaries-dev.jsonl"
    if path.exists():
        from bench.summary_metric import load

        rows = load(path)
        return f"{path.name} ({len(rows[:60] if quick else rows)} articles)", rows[:60] if quick else rows
    from bench.corpus import generate

    articles = generate(40 if quick else 200, seed=11)
    rows = [{"id": a.slug, "text": a.text, "title": a.title} for a in articles]
    return f"generated corpus ({len(rows)} articles; no references, speed only)", rows


def _timed(fn: Callable[[str, int], list[str]], rows: list[dict[str, Any]], n_of: Callable[[dict[str, Any]], int]
           ) -> tuple[list[list[str]], float]:
    # CPU time, not wall time: on a shared machine another process's burst would skew one system only.
    out = []
    started = time.process_time()
    for row in rows:
        out.append(fn(row["text"], n_of(row)))
    return out, time.process_time() - started


def ours(text: str, n: int) -> list[str]:
    from bot.analyze import analyze_text
    from bot.errors import AnalyzeError

    try:
        return list(analyze_text(text, summary_sentences=n).summary_sentences)
    except AnalyzeError:
        return []


def summary_only(text: str, n: int) -> list[str]:
    """The part of our analysis that does what sumy does: split sentences, rank, pick (no cleaning, quotes)."""
    from bot.analyze.sentences import split_sentences
    from bot.analyze.summary import summarize

    sentences = [s.text for s in split_sentences(text, "en")]
    return [sentences[i] for i in summarize(sentences, n)]


def run(quick: bool = False) -> Result:
    from bench.summary_metric import SENTENCES_FOR, dataset_of, lead, mean_rouge, reference_of, sumy_summarizer

    res = Result("a", "Analysis: quality and speed beside lead-N and sumy LexRank/TextRank")
    label, rows = _texts(quick)
    res.notes.append(f"texts: {label}")
    scored = "reference_summary" in rows[0] or "reference_sentences" in rows[0]

    def n_of(row: dict[str, Any]) -> int:
        return SENTENCES_FOR[dataset_of(row)] if scored else 1

    ours("warm up the imports and compiled patterns. \u201cLike this,\u201d she said.", 1)
    systems: dict[str, Callable[[str, int], list[str]]] = {
        "newsbot analyze": ours,
        "newsbot summary step only": summary_only,
        "lead-N": lead if scored else (lambda text, n: [text.split("\n\n")[0]]),
        "sumy LexRank": sumy_summarizer("lexrank"),
        "sumy TextRank": sumy_summarizer("textrank"),
    }
    seconds: dict[str, float] = {}
    predictions: dict[str, list[list[str]]] = {}
    for name, fn in systems.items():
        predictions[name], seconds[name] = _timed(fn, rows, n_of)
        res.add(f"{name}: CPU time per article", round(1000 * seconds[name] / len(rows), 2), "ms")
    whole = seconds["sumy LexRank"] / seconds["newsbot analyze"]
    like = seconds["sumy LexRank"] / seconds["newsbot summary step only"]
    res.add("speed: sumy LexRank / newsbot summary step (both: split sentences, rank, pick)", round(like, 1), "x")
    res.add("speed: sumy LexRank / newsbot whole analysis (+ cleaning, quotes, speakers, language)",
            round(whole, 1), "x")
    res.add("speed: sumy TextRank / newsbot whole analysis",
            round(seconds["sumy TextRank"] / seconds["newsbot analyze"], 1), "x")
    res.target("summarising ≥ 10× faster than sumy LexRank (same texts, same sentence splitter)",
               f"≥ {SPEED_TARGET:g}×", f"{like:.1f}×", like >= SPEED_TARGET)
    res.notes.append(f"the whole analysis, which does far more than LexRank, is {whole:.1f}× faster than LexRank's "
                     "summary alone")

    if scored:
        for dataset in ("cnndm", "xsum"):
            idx = [i for i, r in enumerate(rows) if dataset_of(r) == dataset]
            if not idx:
                continue
            for name in systems:
                score = mean_rouge((predictions[name][i], reference_of(rows[i])) for i in idx)
                res.add(f"{dataset} ROUGE-1/2/Lsum: {name}",
                        f"{score['rouge1']:.2f} / {score['rouge2']:.2f} / {score['rougeLsum']:.2f}")
        _quotes(res, quick)
    return res


def _quotes(res: Result, quick: bool) -> None:
    path = EVAL_DIR / "quotes-dev.jsonl"
    if not path.exists():
        return
    from bench.quote_metric import _load, naive_quotes, score_quotes
    from bot.analyze.quotes import extract_quotes

    rows = _load(path)[: 40 if quick else None]
    started = time.process_time()
    ours_q = [[{"start": q.start, "end": q.end, "speaker": q.speaker} for q in extract_quotes(r["text"])] for r in rows]
    took = time.process_time() - started
    naive = [naive_quotes(r["text"]) for r in rows]
    gold = [r["gold"] for r in rows]
    texts = [r["text"] for r in rows]
    for name, preds in (("newsbot quotes", ours_q), ("naive regex", naive)):
        s = score_quotes(preds, gold, texts)
        res.add(f"quotes F1 / speaker accuracy ({len(rows)} articles): {name}",
                f"{s['f1']:.1f} / {s['speaker_accuracy']:.1f}")
    res.add("quotes: time per article (newsbot)", round(1000 * took / len(rows), 2), "ms")
