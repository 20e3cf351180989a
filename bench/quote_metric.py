"""The direct-quote metric of ../shared/eval/README.md, plus a runner for ``extract_quotes``.

Metric, exactly as the README defines it:

* both spans are trimmed of whitespace, quotation marks and edge punctuation;
* a prediction matches a gold span when their overlap covers >= 80% of the gold span and >= 50% of
  the prediction (one-to-one, largest overlap first);
* then, for what is still unmatched: a gold span is matched by several adjacent predictions that each
  lie mostly (>= 50%) inside it and together cover >= 80% of it (polnear's ``"A," he said. "B."``
  predicted as two quotes), and one prediction matches several gold spans lying inside it that
  together cover >= 50% of it (the converse: ggt's two spans predicted as one). In that converse
  rule a prediction already paired one-to-one with one of those gold spans still takes the others
  (otherwise one merged prediction would match only the larger half); ``strict_order=True``
  scores the narrower reading, and the runner prints both;
* precision = matched predictions / predictions, recall = matched gold / gold (micro, per corpus);
* speaker accuracy over matched gold whose speaker is a name (not a pronoun): the last word of a
  matching prediction's speaker equals the last word of the gold speaker, case-insensitively.
  (PolNeAR's gold speakers are annotated source spans and often carry an apposition - "Daryl
  Kimball, executive director of the Arms Control Association" - whose last word no name can
  match; the runner also prints, as a diagnostic only, the accuracy against the name part.)
  ``Quote.speaker`` stays the bare full name as first introduced, with the role in ``Quote.role``:
  that is what the issue and ``bot.models.Quote`` define, it is what GGT's gold is, and measured
  on dev "name, role" scores far worse on both corpora (ggt 32 %, polnear 60 %); only echoing
  PolNeAR's annotation of the source span as written at each attribution would gain there, which
  would be fitting one corpus's convention rather than naming the speaker - and measured, it loses
  on the whole: "name, role as written at this quote's attribution" scores ggt 77.4, polnear 88.0,
  all 82.6 (bare name: 94.1 / 74.1 / 84.1), because GGT's gold is the bare name at those very
  sites. With bare names the ceiling on dev is 485 of 536 (90.5 %): the 51 matched PolNeAR golds
  that end in an apposition cannot be matched by any name, so 90 % overall needs every other
  speaker right.

Run ``python bench/quote_metric.py [FILE.jsonl]`` (default: ../shared/eval/quotes-dev.jsonl when it
exists) to score ``bot.analyze.quotes.extract_quotes`` and the README's naive-regex baseline.
"""

from __future__ import annotations

import json
import re
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

GOLD_COVER = 0.8  # overlap must cover this share of the gold span
PRED_COVER = 0.5  # ... and this share of the predicted span

# Pronouns (and relative pronouns) that make a gold speaker "not a name" for speaker accuracy.
PRONOUNS = frozenset(
    "i me my we us our you your he him his she her it its they them their who whom which that "
    "this these those one someone somebody".split()
)

DEFAULT_DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "quotes-dev.jsonl"


def _is_trimmable(ch: str) -> bool:
    # Quotation marks are all Unicode punctuation (Pi/Pf/Po/Ps/Pe), so one test covers both.
    return ch.isspace() or unicodedata.category(ch).startswith("P")


def trim_span(start: int, end: int, span_text: str | None) -> tuple[int, int]:
    """Shrink [start, end) past leading/trailing whitespace, quotation marks and punctuation.

    ``span_text`` is the text of the span (``text[start:end]``); without it the span is kept as is.
    """
    if span_text is None or len(span_text) != end - start:
        return start, end
    lo, hi = 0, len(span_text)
    while lo < hi and _is_trimmable(span_text[lo]):
        lo += 1
    while hi > lo and _is_trimmable(span_text[hi - 1]):
        hi -= 1
    return start + lo, start + hi


def last_word(name: str | None) -> str:
    """The last word of a speaker, without edge punctuation, casefolded ('' when there is none)."""
    if not name:
        return ""
    words = [w for w in (_strip_edges(w) for w in name.split()) if w]
    return words[-1].casefold() if words else ""


def _strip_edges(word: str) -> str:
    lo, hi = 0, len(word)
    while lo < hi and _is_trimmable(word[lo]):
        lo += 1
    while hi > lo and _is_trimmable(word[hi - 1]):
        hi -= 1
    return word[lo:hi]


_APPOSITION = re.compile(r",|\s\(|\s(?:who|whose|of)\s")


def name_part(speaker: str | None) -> str | None:
    """Diagnostic only: a gold speaker without its apposition ("Daryl Kimball, executive director
    of …" -> "Daryl Kimball"). PolNeAR's source spans often include the role, whose last word then
    cannot match any speaker's name; the official score keeps the whole span."""
    if not speaker:
        return speaker
    return _APPOSITION.split(speaker, 1)[0].strip() or speaker


def is_name(speaker: str | None) -> bool:
    """A gold speaker counts for speaker accuracy unless it is empty or a pronoun."""
    words = [w for w in (_strip_edges(w) for w in (speaker or "").split()) if w]
    if not words:
        return False
    return not (len(words) == 1 and words[0].casefold() in PRONOUNS)


def _span(item: dict[str, Any], text: str | None) -> tuple[int, int]:
    start, end = int(item["start"]), int(item["end"])
    if text is not None:
        span_text: str | None = text[start:end]
    else:
        # Gold rows carry the span as "quote"; a prediction may too. ("text" is the words inside the
        # marks, which is not the span, so it cannot be used for trimming.)
        span_text = item.get("quote")
    return trim_span(start, end, span_text)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match_article(
    preds: list[tuple[int, int]], golds: list[tuple[int, int]], *, strict_order: bool = False
) -> tuple[dict[int, list[int]], set[int]]:
    """Match one article's trimmed spans. Returns (gold index -> matching prediction indices,
    set of matched prediction indices).

    ``strict_order``: a prediction paired one-to-one in step 1 cannot take further gold spans in
    step 3 (the narrower reading of the README; reported alongside for transparency)."""
    gold_to_preds: dict[int, list[int]] = defaultdict(list)
    matched_p: set[int] = set()
    matched_g: set[int] = set()
    plen = [max(1, p[1] - p[0]) for p in preds]
    glen = [max(1, g[1] - g[0]) for g in golds]

    # 1. One-to-one, largest overlap first.
    pairs = []
    for gi, g in enumerate(golds):
        for pi, p in enumerate(preds):
            ov = _overlap(p, g)
            if ov and ov >= GOLD_COVER * glen[gi] and ov >= PRED_COVER * plen[pi]:
                pairs.append((ov, gi, pi))
    pairs.sort(key=lambda x: (-x[0], x[1], x[2]))
    for _ov, gi, pi in pairs:
        if gi in matched_g or pi in matched_p:
            continue
        matched_g.add(gi)
        matched_p.add(pi)
        gold_to_preds[gi].append(pi)

    # 2. One gold span, several adjacent predictions mostly inside it that together cover it.
    for gi, g in enumerate(golds):
        if gi in matched_g:
            continue
        inside = [
            pi
            for pi, p in enumerate(preds)
            if pi not in matched_p and _overlap(p, g) >= PRED_COVER * plen[pi]
        ]
        if len(inside) >= 2 and sum(_overlap(preds[pi], g) for pi in inside) >= GOLD_COVER * glen[gi]:
            matched_g.add(gi)
            matched_p.update(inside)
            gold_to_preds[gi].extend(inside)

    # 3. One prediction, several gold spans inside it that together cover half of it. A prediction
    #    that step 1 paired with one of those gold spans still takes the others: `“A,” he said. “B.”`
    #    predicted as one span matches both of ggt's spans, as the README's rule intends.
    owner = {} if strict_order else {gi: pis[0] for gi, pis in gold_to_preds.items() if len(pis) == 1}
    for pi, p in enumerate(preds):
        if pi in matched_p and not any(owner.get(gi) == pi for gi in range(len(golds))):
            continue
        inside = [
            gi
            for gi, g in enumerate(golds)
            if (gi not in matched_g or owner.get(gi) == pi) and _overlap(p, g) >= GOLD_COVER * glen[gi]
        ]
        if len(inside) >= 2 and sum(_overlap(p, golds[gi]) for gi in inside) >= PRED_COVER * plen[pi]:
            matched_p.add(pi)
            for gi in inside:
                if gi not in matched_g:
                    matched_g.add(gi)
                    gold_to_preds[gi].append(pi)
    return dict(gold_to_preds), matched_p


def score_quotes(
    predictions: list[list[dict[str, Any]]],
    golds: list[list[dict[str, Any]]],
    texts: list[str] | None = None,
    *,
    strict_order: bool = False,
    gold_speaker_name_part: bool = False,
) -> dict[str, float]:
    """Score predicted quotes against gold, article by article (micro-averaged).

    Each prediction and gold item is a dict with ``start``, ``end`` (offsets including the quotation
    marks) and ``speaker``; spans are trimmed using ``texts[i]`` when given, else the item's
    ``quote`` field (the span's text) when present. Returns precision/recall/f1 in percent, counts,
    and speaker accuracy (percent, over matched gold speakers that are names).
    """
    if len(predictions) != len(golds):
        raise ValueError(f"{len(predictions)} prediction lists for {len(golds)} gold lists")
    n_pred = n_gold = m_pred = m_gold = 0
    sp_total = sp_right = 0
    for i, (plist, glist) in enumerate(zip(predictions, golds)):
        text = texts[i] if texts is not None else None
        pspans = [_span(p, text) for p in plist]
        gspans = [_span(g, text) for g in glist]
        gold_to_preds, matched_p = match_article(pspans, gspans, strict_order=strict_order)
        n_pred += len(plist)
        n_gold += len(glist)
        m_pred += len(matched_p)
        m_gold += len(gold_to_preds)
        for gi, pis in gold_to_preds.items():
            gold_speaker = glist[gi].get("speaker")
            if gold_speaker_name_part:
                gold_speaker = name_part(gold_speaker)
            if not is_name(gold_speaker):
                continue
            sp_total += 1
            want = last_word(gold_speaker)
            if any(last_word(plist[pi].get("speaker")) == want for pi in pis):
                sp_right += 1
    p = 100.0 * m_pred / n_pred if n_pred else 0.0
    r = 100.0 * m_gold / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": p,
        "recall": r,
        "f1": f,
        "predicted": n_pred,
        "gold": n_gold,
        "matched_predicted": m_pred,
        "matched_gold": m_gold,
        "speaker_accuracy": 100.0 * sp_right / sp_total if sp_total else 0.0,
        "speaker_total": sp_total,
        "speaker_right": sp_right,
    }


# The README's reference point: any double-quoted text of >= 10 characters, speaker from an
# adjacent "said X" / "X said". (This exact pattern reproduces the README's 77.6 / 53.5.)
_NAIVE_QUOTE = re.compile(r"[\"“]([^\"“”]{10,})[\"”]")
_NAME = r"((?:[A-Z][\w'’.-]*)(?:\s+[A-Z][\w'’.-]*){0,3})"
_NAIVE_AFTER = re.compile(r"\s*(?:said|says)\s+" + _NAME + r"|\s*" + _NAME + r"\s+(?:said|says)\b")
_NAIVE_BEFORE = re.compile(_NAME + r"\s+(?:said|says)[,:]?\s*$")


def naive_quotes(text: str) -> list[dict[str, Any]]:
    out = []
    for m in _NAIVE_QUOTE.finditer(text):
        speaker = None
        after = _NAIVE_AFTER.match(text, m.end())
        if after:
            speaker = after.group(1) or after.group(2)
        else:
            before = _NAIVE_BEFORE.search(text, max(0, m.start() - 60), m.start())
            if before:
                speaker = before.group(1)
        out.append({"start": m.start(), "end": m.end(), "speaker": speaker})
    return out


def _load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _row(name: str, s: dict[str, float]) -> str:
    return (
        f"{name:<22} P {s['precision']:5.1f}  R {s['recall']:5.1f}  F1 {s['f1']:5.1f}  "
        f"speaker {s['speaker_accuracy']:5.1f} ({s['speaker_right']}/{s['speaker_total']})  "
        f"[{s['matched_predicted']}/{s['predicted']} pred, {s['matched_gold']}/{s['gold']} gold]"
    )


_ONE_LINE_UNIT = (
    "John Smith went to the market. “We are ready for the vote today,” he said. "
    "Mary Jones agreed with the plan and said it would pass. "
)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bot.analyze.quotes import extract_quotes

    path = Path(argv[0]) if argv else DEFAULT_DEV
    if not path.exists():
        print(f"no eval file at {path}; pass a quotes jsonl file (fields id, corpus, text, gold)")
        return 2
    rows = _load(path)
    systems = {"extract_quotes": None, "naive regex": naive_quotes}
    preds: dict[str, list[list[dict[str, Any]]]] = {k: [] for k in systems}
    elapsed = cpu = 0.0
    for row in rows:
        t0, c0 = time.perf_counter(), time.process_time()
        quotes = extract_quotes(row["text"])
        elapsed += time.perf_counter() - t0
        cpu += time.process_time() - c0
        preds["extract_quotes"].append(
            [{"start": q.start, "end": q.end, "speaker": q.speaker} for q in quotes]
        )
        preds["naive regex"].append(naive_quotes(row["text"]))
    corpora = sorted({row.get("corpus", "all") for row in rows})
    for system in systems:
        print(f"== {system}")
        for corpus in [*corpora, "all"]:
            idx = [i for i, r in enumerate(rows) if corpus == "all" or r.get("corpus", "all") == corpus]
            s = score_quotes(
                [preds[system][i] for i in idx],
                [rows[i]["gold"] for i in idx],
                [rows[i]["text"] for i in idx],
            )
            print(_row(f"  {corpus}", s))
            if system == "extract_quotes":
                s2 = score_quotes(
                    [preds[system][i] for i in idx],
                    [rows[i]["gold"] for i in idx],
                    [rows[i]["text"] for i in idx],
                    strict_order=True,
                )
                print(_row(f"  {corpus} (strict)", s2))
                s3 = score_quotes(
                    [preds[system][i] for i in idx],
                    [rows[i]["gold"] for i in idx],
                    [rows[i]["text"] for i in idx],
                    gold_speaker_name_part=True,
                )
                print(
                    f"  {corpus:<20} speaker vs the gold speaker's name part (diagnostic): "
                    f"{s3['speaker_accuracy']:5.1f} ({s3['speaker_right']}/{s3['speaker_total']})"
                )
    # Hostile shapes must stay linear: many marks, many apostrophes, everything on one line.
    one_line = " ".join(r["text"] for r in rows).replace("\n", " ")
    for name, text in (
        ("all articles on one line", one_line),
        ("20k straight quotes", '"a ' * 20001),
        ("20k apostrophes", "'a " * 20000),
        # Prose pasted without line breaks, many named subjects and he-said quotes, a widget at the end:
        # "the line" and "the previous paragraph" are the whole text (quadratic until Nov 2026).
        ("one-line prose, 2k he-said quotes", _ONE_LINE_UNIT * 2000 + "Follow us on Twitter"),
    ):
        c0 = time.process_time()
        extract_quotes(text)
        print(f"stress: {name} ({len(text)} chars): {time.process_time() - c0:.2f} s CPU")
    # ... and so must cleaning on page furniture gone wrong (a share word before a long run of spaces).
    from bot.analyze import analyze_text
    from bot.errors import AnalyzeError

    lead = "The mayor said the road would reopen on Monday.\n\n"
    for name, text in (
        ("share word + 40k spaces", lead + "Share" + " " * 40000 + "this story."),
        ("40k spaces + 'Related article »'", lead + "a" + " " * 40000 + "Related article »"),
        ("20k share words", lead + "Share Tweet " * 10000),
        ("8k spaces after a capital", "A" + " " * 8000 + "b."),
    ):
        c0 = time.process_time()
        try:
            analyze_text(text)
        except AnalyzeError:
            pass
        print(f"stress: analyze_text, {name} ({len(text)} chars): {time.process_time() - c0:.2f} s CPU")
    n = max(1, len(rows))
    print(
        f"extract_quotes: {1000 * elapsed / n:.2f} ms/article wall, {1000 * cpu / n:.2f} ms/article CPU, "
        f"over {len(rows)} articles of {sum(len(r['text']) for r in rows) / n:.0f} characters on average"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
