"""Run every benchmark and print the results side by side: ``.venv/bin/python -m bench.run``.

    python -m bench.run                 all five (a-e), about 2-3 minutes
    python -m bench.run --quick         smaller corpora and shorter windows, about a minute
    python -m bench.run --only a,e      some of them
    python -m bench.run --json          one JSON document (machine, results, targets) on stdout

Exit code 0 when every target is met, 1 otherwise. See bench/README.md for what each one measures.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # `python bench/run.py` as well as `python -m bench.run`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import Result, machine  # noqa: E402

BENCHMARKS = {
    "a": "bench.bench_analysis",
    "b": "bench.bench_pipeline",
    "c": "bench.bench_idle",
    "d": "bench.bench_restart",
    "e": "bench.bench_preview",
}


def _value(value: object, unit: str) -> str:
    if isinstance(value, float):
        text = f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 100 else f"{value:,.1f}"
    else:
        text = str(value)
    return f"{text} {unit}".rstrip()


def print_result(result: Result, seconds: float) -> None:
    print(f"\n({result.key}) {result.title}   [{seconds:.0f} s]")
    width = max((len(m.name) for m in result.metrics), default=20)
    for m in result.metrics:
        print(f"    {m.name:<{width}}  {_value(m.value, m.unit)}")
    for t in result.targets:
        print(f"    {'MET' if t.met else 'NOT MET':<8} {t.what}: {t.measured} (target {t.target})")
    for note in result.notes:
        print(f"    note: {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller corpora, shorter windows")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated subset of a,b,c,d,e")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of the table")
    args = parser.parse_args(argv)
    chosen = [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = [k for k in chosen if k not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}")

    info = machine()
    if not args.json:
        print(f"machine: {info['nproc']} CPU(s) ({info['cpu']}), {info['memory']} RAM, Python {info['python']}, "
              f"load average {info['load_average']}")
    results = []
    for key in chosen:
        module = importlib.import_module(BENCHMARKS[key])
        started = time.perf_counter()
        result: Result = module.run(quick=args.quick)
        took = time.perf_counter() - started
        results.append((result, took))
        if not args.json:
            print_result(result, took)
            sys.stdout.flush()
    met = all(t.met for r, _ in results for t in r.targets)
    if args.json:
        doc = {"machine": info, "quick": args.quick, "all_targets_met": met,
               "results": [{**r.as_json(), "seconds": round(s, 1)} for r, s in results]}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        missed = [f"({r.key}) {t.what}" for r, _ in results for t in r.targets if not t.met]
        print("\nall targets met" if met else "\ntargets not met: " + "; ".join(missed))
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
