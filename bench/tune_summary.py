"""How the summary configuration was chosen, reproducibly: a grid, neighbourhood smoothing and
repeated split-half validation on the dev split.

    .venv/bin/python bench/tune_summary.py [SUMMARIES.jsonl] [--splits 200] [--quick]

Why not just take the best dev score: ~100 articles per source make every mean noisy (bootstrap
sd ~1 ROUGE-1 point, see ``eval_quality.py``), and with several knobs the highest of thousands of
settings is mostly luck. So this script
1. scores every setting of the grid below on every dev article (ROUGE-1/2 F1 computed from
   rouge-score's own tokenizer and stemmer - identical to ``summary_metric.rouge`` for R1/R2 -
   on the pipeline's own cleaned sentences, so the grid runs in minutes);
2. smooths: a setting's score is the mean over itself and its grid neighbours (each knob one step
   either way) - a sharp optimum is noise, a broad plateau is not;
3. validates the procedure itself: for ``--splits`` random halves, pick the best smoothed setting
   on half A and score it on half B, against the fixed configuration in ``bot/analyze/summary.py``
   on the same half B. If tuning on 100 articles generalised, it would win most splits.

The objective is CNN/DM ROUGE-1 (3 sentences) + XSum ROUGE-1 (1 sentence), the two targets.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import summary_metric as SM  # noqa: E402

import bot.analyze as A  # noqa: E402
from bot.analyze import summary as S  # noqa: E402
from bot.errors import AnalyzeError  # noqa: E402

GRID: dict[str, list[float]] = {
    "LEAD_TERM_BOOST": [1, 1.5, 2, 2.5, 3],
    "REFERENCE_WORDS": [26, 28, 30, 32, 34],
    "REFERENCE_GROWTH": [0.25, 0.3, 0.35, 0.4, 0.45],
    "POSITION_WEIGHT": [1, 1.25, 1.5, 1.75, 2],
    "POSITION_DECAY": [0.1, 0.125, 0.15, 0.2],
}
QUICK_GRID: dict[str, list[float]] = {
    "LEAD_TERM_BOOST": [1.5, 2, 2.5],
    "REFERENCE_WORDS": [28, 32, 36],
    "REFERENCE_GROWTH": [0.25, 0.3, 0.35],
    "POSITION_WEIGHT": [1.25, 1.5, 1.75],
    "POSITION_DECAY": [0.1, 0.125, 0.15],
}


def _f1(overlap: int, predicted: int, reference: int) -> float:
    if not overlap:
        return 0.0
    p, r = overlap / predicted, overlap / reference
    return 2 * p * r / (p + r)


class Article:
    """One dev article: the pipeline's sentences, each sentence's ROUGE tokens, the reference's n-grams."""

    def __init__(self, row: dict[str, Any]) -> None:
        tokenize = SM._scorer._tokenizer.tokenize  # rouge-score's own tokenizer + Porter stemmer
        self.dataset = SM.dataset_of(row)
        self.n = SM.SENTENCES_FOR[self.dataset]
        try:
            body = A._body(row["text"], None, None, "dev")
            self.sentences = [s.text for s in body.sentences]
            self.title = body.clean.title_line
        except AnalyzeError:
            self.sentences, self.title = [], None
        self.tokens = [tokenize(S.summary_text([s])) for s in self.sentences]
        ref = tokenize("\n".join(SM.reference_of(row)))
        self.ref1, self.ref2, self.ref_len = Counter(ref), Counter(zip(ref, ref[1:])), len(ref)

    def score(self, picked: list[int]) -> tuple[float, float]:
        toks = [t for i in sorted(picked) for t in self.tokens[i]]
        if not toks:
            return 0.0, 0.0
        o1 = sum(min(c, self.ref1[w]) for w, c in Counter(toks).items())
        o2 = sum(min(c, self.ref2[b]) for b, c in Counter(zip(toks, toks[1:])).items())
        return _f1(o1, len(toks), self.ref_len), _f1(o2, max(1, len(toks) - 1), max(1, self.ref_len - 1))


def run(articles: list[Article], setting: dict[str, float]) -> list[float]:
    """ROUGE-1 F1 of each article's summary under ``setting`` (module constants patched, restored)."""
    saved = {k: getattr(S, k) for k in setting}
    try:
        for k, v in setting.items():
            setattr(S, k, v)
        return [a.score(S.summarize(a.sentences, a.n, title=a.title))[0] if a.sentences else 0.0 for a in articles]
    finally:
        for k, v in saved.items():
            setattr(S, k, v)


def _mean(values: list[float]) -> float:
    return 100 * sum(values) / len(values) if values else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("summaries", nargs="?", type=Path, default=SM.DEFAULT_DEV)
    ap.add_argument("--splits", type=int, default=200)
    ap.add_argument("--quick", action="store_true", help="a 243-setting grid instead of 3,125")
    args = ap.parse_args(argv)
    if not args.summaries.exists():
        print(f"no summaries file at {args.summaries}")
        return 2
    articles = [Article(r) for r in SM.load(args.summaries)]
    grid = QUICK_GRID if args.quick else GRID
    keys = list(grid)
    current = tuple(getattr(S, k) for k in keys)
    settings = list(itertools.product(*grid.values()))
    if current not in settings:
        settings.append(current)
    scores = {s: run(articles, dict(zip(keys, s, strict=True))) for s in settings}
    index = {s: i for i, s in enumerate(settings)}

    def neighbours(s: tuple[float, ...]) -> list[tuple[float, ...]]:
        out = [s]
        for d, k in enumerate(keys):
            values = grid[k]
            if s[d] not in values:
                continue
            j = values.index(s[d])
            for jj in (j - 1, j + 1):
                if 0 <= jj < len(values):
                    out.append(s[:d] + (values[jj],) + s[d + 1 :])
        return [q for q in out if q in index]

    import numpy as np  # comes with rouge-score; only this bench script needs it

    matrix = np.array([scores[s] for s in settings]) * 100  # settings x articles
    is_cnn = np.array([a.dataset == "cnndm" for a in articles])
    nb_lists = [[index[q] for q in neighbours(s)] for s in settings]
    width = max(len(nb) for nb in nb_lists)
    nb_idx = np.array([nb + [nb[0]] * (width - len(nb)) for nb in nb_lists])
    nb_ok = np.array([[1.0] * len(nb) + [0.0] * (width - len(nb)) for nb in nb_lists])

    def by_source(mask: Any) -> tuple[Any, Any]:
        """Mean R1 of every setting on CNN/DM and on XSum articles within ``mask``."""
        return matrix[:, mask & is_cnn].mean(1), matrix[:, mask & ~is_cnn].mean(1)

    def smooth(values: Any) -> Any:
        return (values[nb_idx] * nb_ok).sum(1) / nb_ok.sum(1)

    everything = np.ones(len(articles), dtype=bool)
    c_all, x_all = by_source(everything)
    sm = smooth(c_all + x_all)
    cur = index[current]
    print(f"{len(settings)} settings x {len(articles)} articles; objective = CNN/DM R1 + XSum R1")
    print("best by neighbourhood-smoothed score on all of dev:")
    for i in np.argsort(-sm)[:5]:
        print(f"  {dict(zip(keys, settings[i], strict=True))}  CNN/DM {c_all[i]:.2f}  XSum {x_all[i]:.2f}  smoothed {sm[i]:.2f}")
    nb = nb_lists[cur][1:]
    print(
        f"configured {dict(zip(keys, current, strict=True))}  CNN/DM {c_all[cur]:.2f}  XSum {x_all[cur]:.2f}  "
        f"smoothed {sm[cur]:.2f}; its {len(nb)} neighbours: CNN/DM {c_all[nb].min():.2f}-{c_all[nb].max():.2f}, "
        f"XSum {x_all[nb].min():.2f}-{x_all[nb].max():.2f}"
    )
    rng = np.random.default_rng(3)
    cnn, xsum = np.flatnonzero(is_cnn), np.flatnonzero(~is_cnn)
    gains = []
    for _ in range(args.splits):
        half = np.zeros(len(articles), dtype=bool)
        half[rng.choice(cnn, len(cnn) // 2, replace=False)] = True
        half[rng.choice(xsum, len(xsum) // 2, replace=False)] = True
        ca, xa = by_source(half)
        cb, xb = by_source(~half)
        tuned = int(np.argmax(smooth(ca + xa)))
        gains.append((cb[tuned] + xb[tuned]) - (cb[cur] + xb[cur]))
    if gains:
        g = np.array(gains)
        print(
            f"split-half: best-smoothed setting of one half, scored on the other, minus the configured "
            f"setting there: {g.mean():+.2f} +- {g.std():.2f} (CNN/DM + XSum R1); tuning wins "
            f"{100 * (g > 0).mean():.0f}% of {len(g)} splits"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
