"""(e) ``newsbot preview`` of one article, cold, against a bare ``python -c pass``.

Both run as fresh processes, interleaved (preview, bare, preview, bare …) so a busy machine slows both
alike; the figure is the difference of the medians. ``python -X importtime`` then names the imports that
cost the most, which is where the time goes.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench._common import PYTHON, ROOT, Result, clean_env, timed_process, wall

TARGET_EXTRA_S = 0.5
SAMPLE = ROOT / "tests" / "data" / "belarus-ties.txt"
PREVIEW = [PYTHON, "-m", "bot", "preview", "story.txt"]


def import_profile(cwd: Path, env: dict[str, str], top: int = 10) -> list[tuple[str, float]]:
    """The packages that take longest to import during a preview: (name, ms cumulative), largest first.

    Counted for every top-level package, wherever it is imported from; a package that imports another
    includes it (typer includes rich), so the figures overlap and do not add up.
    """
    proc = subprocess.run([PYTHON, "-X", "importtime", *PREVIEW[1:]], cwd=cwd, env=env, capture_output=True, text=True)
    costs: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
        if m and "." not in m.group(3) and m.group(3) != "bot":
            costs[m.group(3)] = int(m.group(2)) / 1000
    return sorted(costs.items(), key=lambda kv: -kv[1])[:top]


def run(quick: bool = False) -> Result:
    runs = 5 if quick else 11
    res = Result("e", "newsbot preview of one article, cold, vs a bare python -c pass")
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as work:
        shutil.copy(SAMPLE, Path(work) / "story.txt")
        env = clean_env()
        wall(PREVIEW, env=env, cwd=Path(work))  # warm the OS file cache (.pyc files), as on a machine in use
        preview, bare, preview_cpu, bare_cpu = [], [], [], []
        for _ in range(runs):
            seconds, cpu = timed_process(PREVIEW, env=env, cwd=Path(work))
            preview.append(seconds)
            preview_cpu.append(cpu)
            seconds, cpu = timed_process([PYTHON, "-c", "pass"], env=env, cwd=Path(work))
            bare.append(seconds)
            bare_cpu.append(cpu)
        profile = import_profile(Path(work), env)
    extra = statistics.median(preview) - statistics.median(bare)
    res.add(f"newsbot preview story.txt, median of {runs}", round(statistics.median(preview), 3), "s")
    res.add(f"python -c pass, median of {runs}", round(statistics.median(bare), 3), "s")
    res.add("preview minus bare interpreter (medians)", round(extra, 3), "s")
    res.add("preview minus bare interpreter (fastest runs)", round(min(preview) - min(bare), 3), "s")
    res.add("preview minus bare interpreter, CPU time (medians)",
            round(statistics.median(preview_cpu) - statistics.median(bare_cpu), 3), "s")
    res.target("cold preview ≤ 0.5 s more than python -c pass", f"≤ {TARGET_EXTRA_S:g} s", f"{extra:.2f} s",
               extra <= TARGET_EXTRA_S)
    res.notes.append("slowest imports during the preview (cumulative ms): "
                     + ", ".join(f"{name} {ms:.0f}" for name, ms in profile))
    return res
