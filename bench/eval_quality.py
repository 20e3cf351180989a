"""Quality and speed of the analysis, with exactly the metrics of ../shared/eval/README.md.

    .venv/bin/python bench/eval_quality.py [SUMMARIES.jsonl] [--quotes QUOTES.jsonl] [--json]
                                           [--no-sumy] [--split-bench] [--resamples N]

Summaries (``bench/summary_metric.py``): ROUGE-1/2/Lsum F1 (rouge-score, use_stemmer=True,
references joined by newline), 3 sentences for CNN/DM and 1 for XSum, for
* ``analyze_text`` - the real pipeline (cleaning, sentences, summary) on the given text,
* lead-N - the file's first N lines (one sentence per line, as distributed),
* the summary step alone on the file's own lines (no cleaning, no splitting): not a baseline but
  a check of the pipeline - the gap to ``analyze_text`` is what cleaning and splitting cost or
  gain (captions the references reuse, lines joined or dropped; paired in the stability report),
* sumy LexRank and TextRank in the same run. sumy's default tokenizer needs NLTK's punkt data,
  which cannot be downloaded here, so sumy gets ``summary_metric.SentenceTokenizer`` (our
  sentence splitter plus a word regex; sumy accepts any object with to_sentences/to_words).

Stability (``--resamples``, default 2000; 0 turns it off): the dev split is ~100 articles per
source, so each ROUGE-1 mean comes with a bootstrap over articles - its spread, its 5th
percentile, the means of two fixed random halves, and the paired difference to lead-N and to
sumy TextRank with the share of resamples in which ours wins. How the summary's configuration
was chosen under that noise: ``bench/tune_summary.py``.

Quotes (``bench/quote_metric.py``, from the quotes work): P/R/F1 and speaker accuracy per corpus,
for ``analyze_text`` (what ``newsbot analyze --jsonl`` reports: cleaned text, offsets mapped back
into the given text), for bare ``extract_quotes`` on the raw text, and the README's naive regex.

Speed: articles per second for the whole ``analyze_text`` (clean, split, headline, summary,
quotes, language) against sumy LexRank alone on the same texts, one process, one core; and the
CPU time of each stage (cleaning, language, sentence splitting, summary, quotes) on its own.
``--split-bench`` also times the candidate sentence splitters (pysbd, blingfire, sentencex) when
they are installed - the measurement behind the choice in ``bot/analyze/sentences.py``.
Defaults read ../shared/eval/*-dev.jsonl when present.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import summary_metric as SM  # noqa: E402

from bot.analyze import analyze_text  # noqa: E402
from bot.analyze.summary import summarize, summary_text  # noqa: E402
from bot.errors import AnalyzeError  # noqa: E402

DEFAULT_QUOTES = HERE.parents[1] / "shared" / "eval" / "quotes-dev.jsonl"


def _ours(text: str, n: int) -> list[str]:
    try:
        return list(analyze_text(text, summary_sentences=n).summary_sentences)
    except AnalyzeError:
        return []


ON_LINES = "summary on given lines"


def _on_lines(text: str, n: int) -> list[str]:
    """The summary step fed the file's own lines, as distributed (one sentence a line)."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    return [summary_text([lines[i]]) for i in summarize(lines, n)]


def evaluate_summaries(rows: list[dict[str, Any]], use_sumy: bool = True) -> dict[str, Any]:
    systems: dict[str, Any] = {"ours (analyze_text)": _ours, ON_LINES: _on_lines, "lead-N": SM.lead}
    if use_sumy:
        systems["sumy LexRank"] = SM.sumy_summarizer("lexrank")
        systems["sumy TextRank"] = SM.sumy_summarizer("textrank")
    results: dict[str, Any] = {}
    for name, fn in systems.items():
        results[name] = {}
        for ds in ("cnndm", "xsum"):
            subset = [r for r in rows if SM.dataset_of(r) == ds]
            if not subset:
                continue
            n = SM.SENTENCES_FOR[ds]
            per = SM.rouge_rows((fn(r["text"], n), SM.reference_of(r)) for r in subset)
            means = {m: round(sum(p[m] for p in per) / len(per), 2) for m in SM.METRICS}
            results[name][ds] = {**means, "articles": len(subset), "sentences": n, "per_article": per}
    return results


def stability(summ: dict[str, Any], resamples: int) -> dict[str, Any]:
    """Bootstrap spread of our ROUGE-1 and R2 per source, paired with each baseline."""
    ours = summ.get("ours (analyze_text)", {})
    out: dict[str, Any] = {}
    for ds, res in ours.items():
        out[ds] = {}
        for metric in ("rouge1", "rouge2"):
            mine = [p[metric] for p in res["per_article"]]
            out[ds][metric] = {"ours": SM.resample(mine, resamples=resamples)}
            for base in ("lead-N", "sumy TextRank", "sumy LexRank", ON_LINES):
                if ds in summ.get(base, {}):
                    other = [p[metric] for p in summ[base][ds]["per_article"]]
                    out[ds][metric][f"vs {base}"] = SM.resample(mine, other, resamples=resamples)
    return out


def measure_speed(texts: list[str], use_sumy: bool = True, repeat: int = 3) -> dict[str, Any]:
    """Best of ``repeat`` runs (CPU time of this process) over all texts."""

    def best(fn: Any) -> float:
        times = []
        for _ in range(repeat):
            c0 = time.process_time()
            for t in texts:
                fn(t)
            times.append(time.process_time() - c0)
        return min(times)

    for t in texts[:5]:  # warm-up: imports, regex compilation
        _ours(t, 1)
    ours = best(lambda t: _ours(t, 1))
    out: dict[str, Any] = {
        "articles": len(texts),
        "ours_seconds": round(ours, 4),
        "ours_articles_per_s": round(len(texts) / ours, 1) if ours else None,
        "ours_seconds_per_100": round(100 * ours / len(texts), 4),
    }
    if use_sumy:
        lex = SM.sumy_summarizer("lexrank")
        lexrank = best(lambda t: lex(t, 1)) if repeat else 0.0
        out.update(
            {
                "lexrank_seconds": round(lexrank, 4),
                "lexrank_articles_per_s": round(len(texts) / lexrank, 1) if lexrank else None,
                "lexrank_seconds_per_100": round(100 * lexrank / len(texts), 4),
                "speedup_vs_lexrank": round(lexrank / ours, 1) if ours else None,
            }
        )
    return out


def stage_times(texts: list[str], repeat: int = 3) -> dict[str, float]:
    """CPU ms per 100 articles of each stage of ``analyze_text`` (best of ``repeat``), so a
    slowdown can be pinned on its stage. Each stage is timed on the previous stage's output."""
    import bot.analyze as A
    from bot.analyze.clean import clean_text
    from bot.analyze.language import detect_language
    from bot.analyze.sentences import split_sentences

    def best(fn: Any) -> float:
        times = []
        for _ in range(repeat):
            c0 = time.process_time()
            fn()
            times.append(time.process_time() - c0)
        return round(100_000 * min(times) / len(texts), 1)

    bodies = []
    for t in texts:
        try:
            bodies.append(A._body(t, None, None, "bench"))
        except AnalyzeError:
            pass
    cleans = [b.clean for b in bodies]
    paragraphs = [(p, b.language) for b in bodies for p in b.clean.paragraphs]
    sentences = [[s.text for s in b.sentences] for b in bodies]
    return {
        "clean": best(lambda: [clean_text(t) for t in texts]),
        "language": best(lambda: [detect_language(c.text) for c in cleans]),
        "sentences": best(lambda: [split_sentences(p, lang) for p, lang in paragraphs]),
        "summary (1 sentence)": best(lambda: [summarize(s, 1) for s in sentences]),
        "quotes (extract + rank)": best(lambda: [A._quotes(c.text, 3) for c in cleans]),
        "whole analyze_text": best(lambda: [_ours(t, 1) for t in texts]),
    }


def evaluate_quotes(path: Path) -> dict[str, Any] | None:
    try:
        import quote_metric as QM
        from bot.analyze.quotes import extract_quotes
    except ImportError as exc:  # the quotes module or its metric is not there yet
        return {"error": f"quote evaluation unavailable: {exc}"}
    rows = SM.load(path)
    preds: dict[str, list[list[dict[str, Any]]]] = {"ours (analyze_text)": [], "extract_quotes (raw text)": []}
    preds["naive regex"] = []
    for row in rows:
        text = row["text"]
        try:
            quotes = analyze_text(text).quotes
        except AnalyzeError:
            quotes = ()
        preds["ours (analyze_text)"].append([{"start": q.start, "end": q.end, "speaker": q.speaker} for q in quotes])
        preds["extract_quotes (raw text)"].append(
            [{"start": q.start, "end": q.end, "speaker": q.speaker} for q in extract_quotes(text)]
        )
        preds["naive regex"].append(QM.naive_quotes(text))
    corpora = sorted({row.get("corpus", "all") for row in rows})
    out: dict[str, Any] = {}
    for system, plist in preds.items():
        out[system] = {}
        for corpus in [*corpora, "all"]:
            idx = [i for i, r in enumerate(rows) if corpus == "all" or r.get("corpus", "all") == corpus]
            s = QM.score_quotes([plist[i] for i in idx], [rows[i]["gold"] for i in idx], [rows[i]["text"] for i in idx])
            out[system][corpus] = {k: round(v, 2) if isinstance(v, float) else v for k, v in s.items()}
    return out


def split_bench(texts: list[str]) -> dict[str, Any]:
    from bot.analyze.sentences import split_sentences

    candidates: dict[str, Any] = {"bot.analyze.sentences (sentencex + repairs)": lambda t: split_sentences(t, "en")}
    try:
        import sentencex

        candidates["sentencex"] = lambda t: list(sentencex.segment("en", t))
    except ImportError:
        pass
    try:
        import blingfire

        candidates["blingfire"] = lambda t: blingfire.text_to_sentences_and_offsets(t)[1]
    except ImportError:
        pass
    try:
        import pysbd

        seg = pysbd.Segmenter(language="en", clean=False, char_span=False)
        candidates["pysbd"] = seg.segment
    except ImportError:
        pass
    out = {}
    for name, fn in candidates.items():
        c0 = time.process_time()
        n = sum(len(fn(t)) for t in texts)
        dt = time.process_time() - c0
        out[name] = {"ms_per_100": round(100_000 * dt / len(texts), 1), "sentences": n}
    return out


def _print_stability(stab: dict[str, Any]) -> None:
    print("Stability over articles (bootstrap): mean, sd of the mean, 5th percentile, halves A/B;")
    print("paired with a baseline: difference, its sd, share of resamples where ours wins")
    for ds, by_metric in stab.items():
        for metric, rows in by_metric.items():
            o = rows["ours"]
            print(
                f"  {ds:<6} {metric:<7} ours {o['mean']:6.2f} sd {o['sd']:4.2f} p05 {o['p05']:6.2f} "
                f"halves {o['half_a']:6.2f} / {o['half_b']:6.2f}"
            )
            for name, r in rows.items():
                if name != "ours":
                    print(f"  {'':<14} {name:<26} {r['diff']:+6.2f} sd {r['diff_sd']:4.2f}  wins {100 * r['p_win']:5.1f}%")


def _print_table(summ: dict[str, Any], speed: dict[str, Any], quotes: dict[str, Any] | None, split: Any) -> None:
    print("Summaries: ROUGE F1 x100 (R1 / R2 / RLsum); CNN/DM 3 sentences, XSum 1 sentence")
    print(f"{'system':<24} {'CNN/DM':>24} {'XSum':>24}")
    for name, res in summ.items():
        cells = []
        for ds in ("cnndm", "xsum"):
            r = res.get(ds)
            cells.append(f"{r['rouge1']:6.2f} / {r['rouge2']:5.2f} / {r['rougeLsum']:5.2f}" if r else "-")
        print(f"{name:<24} {cells[0]:>24} {cells[1]:>24}")
    print()
    print(
        f"Speed over {speed['articles']} articles (CPU, one core): ours {speed['ours_articles_per_s']} articles/s "
        f"({speed['ours_seconds_per_100']:.3f} s per 100, whole analysis incl. quotes)"
    )
    if "lexrank_seconds" in speed:
        print(
            f"  sumy LexRank {speed['lexrank_articles_per_s']} articles/s ({speed['lexrank_seconds_per_100']:.3f} s per 100)"
            f" -> ours is {speed['speedup_vs_lexrank']}x faster"
        )
    if "stages_ms_per_100" in speed:
        stages = speed["stages_ms_per_100"]
        print("  by stage (CPU ms per 100 articles): " + ", ".join(f"{k} {v}" for k, v in stages.items()))
    if quotes:
        print()
        if "error" in quotes:
            print(quotes["error"])
        else:
            print("Quotes: precision / recall / F1, speaker accuracy")
            for system, by_corpus in quotes.items():
                for corpus, s in by_corpus.items():
                    print(
                        f"{system:<28} {corpus:<8} P {s['precision']:5.1f}  R {s['recall']:5.1f}  "
                        f"F1 {s['f1']:5.1f}  speaker {s['speaker_accuracy']:5.1f} "
                        f"({s['speaker_right']}/{s['speaker_total']})"
                    )
    if split:
        print()
        print("Sentence splitters (ms per 100 articles, sentences found):")
        for name, s in split.items():
            print(f"  {name:<46} {s['ms_per_100']:8.1f} ms  {s['sentences']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("summaries", nargs="?", type=Path, default=SM.DEFAULT_DEV)
    ap.add_argument("--quotes", type=Path, default=DEFAULT_QUOTES if DEFAULT_QUOTES.exists() else None)
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout instead of a table")
    ap.add_argument("--no-sumy", action="store_true", help="skip the sumy baselines (and their timing)")
    ap.add_argument("--split-bench", action="store_true", help="also time the candidate sentence splitters")
    ap.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples for the stability report (0: off)")
    args = ap.parse_args(argv)
    if not args.summaries.exists():
        print(f"no summaries file at {args.summaries}; pass a jsonl file (fields id, text, reference_summary)")
        return 2
    rows = SM.load(args.summaries)
    summ = evaluate_summaries(rows, use_sumy=not args.no_sumy)
    stab = stability(summ, args.resamples) if args.resamples > 0 else None
    speed = measure_speed([r["text"] for r in rows], use_sumy=not args.no_sumy)
    speed["stages_ms_per_100"] = stage_times([r["text"] for r in rows])
    quotes = evaluate_quotes(args.quotes) if args.quotes and args.quotes.exists() else None
    split = split_bench([r["text"] for r in rows]) if args.split_bench else None
    for res in summ.values():
        for r in res.values():
            r.pop("per_article", None)
    if args.json:
        print(json.dumps({"summaries": summ, "stability": stab, "speed": speed, "quotes": quotes, "splitters": split}, indent=2))
    else:
        _print_table(summ, speed, quotes, split)
        if stab:
            print()
            _print_stability(stab)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
