"""What every benchmark shares: a result shape, child processes that report their own peak RSS, timing.

Each ``bench_*.py`` has ``run(quick: bool) -> Result``. Work that must start cold or whose memory is
measured runs in a fresh interpreter (``run_child``): the child prints one JSON line, including its own
peak RSS (``VmHWM``), so the figure is that process's and nobody else's.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
# The child's last line: its answer, as JSON, with its peak RSS in MB.
CHILD_FOOTER = """
import json as _json
_answer["peak_rss_mb"] = _peak_rss_mb()
print(_json.dumps(_answer, default=str))
"""
# VmHWM is this process's own high-water mark; ru_maxrss is not: Linux carries it over fork + exec, so a
# child started by a big parent would report the parent's peak.
PEAK_RSS = """
def _peak_rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    import resource
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
"""


@dataclass
class Metric:
    name: str
    value: float | str | None
    unit: str = ""


@dataclass
class Target:
    what: str
    target: str
    measured: str
    met: bool


@dataclass
class Result:
    key: str
    title: str
    metrics: list[Metric] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, value: float | str | None, unit: str = "") -> None:
        self.metrics.append(Metric(name, value, unit))

    def target(self, what: str, target: str, measured: str, met: bool) -> None:
        self.targets.append(Target(what, target, measured, met))

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the developer's newsbot settings or credentials, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "X_", "BLUESKY_", "MASTODON_"))}
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra)
    return env


def run_child(code: str, *, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 600) -> dict[str, Any]:
    """Run ``code`` (which fills a dict ``_answer``) in a fresh interpreter; return ``_answer``, with the
    child's peak RSS as ``peak_rss_mb``."""
    program = PEAK_RSS + "_answer = {}\n" + code + "\n" + CHILD_FOOTER
    proc = subprocess.run([PYTHON, "-c", program], env=env or clean_env(), cwd=cwd or ROOT, capture_output=True,
                          text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def timed_process(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
                  ) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one process run to completion (it must succeed).

    CPU time (user + system, from the children's rusage) hardly moves when the machine is busy; wall
    time does, so both are reported.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, timeout=120)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def wall(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    """Wall time of one process run to completion (it must succeed)."""
    return timed_process(argv, env=env, cwd=cwd)[0]


def summary(samples: list[float]) -> dict[str, float]:
    return {"min": min(samples), "median": statistics.median(samples), "max": max(samples)}


def machine() -> dict[str, Any]:
    """The machine the numbers come from: CPUs, memory, Python, load."""
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "python": sys.version.split()[0],
        "platform": sys.platform,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
