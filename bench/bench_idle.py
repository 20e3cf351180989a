"""(c) The daemon idle: ``newsbot run`` with an empty queue and nothing due — its RSS and CPU.

The daemon runs as it would in production (default ticks: publish every 10 s, ingest every 5 min), with
Mastodon configured (credentials that are never used: nothing is due, so nothing is sent). One article is
in the queue at start, so the first ingest job loads the whole pipeline (analysis, composition, planning)
as a real daemon has; its post is planned two hours ahead. After a warm-up that covers start-up and the
first jobs, RSS is sampled from
``/proc/<pid>/status`` and CPU time read from ``/proc/<pid>/stat`` over the window.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from bench._common import PYTHON, ROOT, Result, clean_env, run_child

RSS_TARGET_MB = 120.0
WARM_UP_S = 6.0
SAMPLE = ROOT / "tests" / "data" / "belarus-ties.txt"


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5), counted after the name
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def run(quick: bool = False) -> Result:
    window = 8.0 if quick else 20.0
    res = Result("c", f"Daemon idle: newsbot run, nothing to do, {window:g} s window")
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as work:
        env = clean_env(
            NEWSBOT_QUEUE_DIR=f"{work}/queue", NEWSBOT_DATA_DIR=f"{work}/data",
            MASTODON_API_BASE_URL="http://127.0.0.1:9", MASTODON_ACCESS_TOKEN="bench-unused-token",
            NEWSBOT_FILE_SETTLE_SECONDS="0", NEWSBOT_QUIET_HOURS="",
            NEWSBOT_SLOTS=f"0 {(time.gmtime().tm_hour + 2) % 24} * * *",
        )
        Path(work, "queue").mkdir()
        Path(work, "queue", "story.txt").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
        proc = subprocess.Popen([PYTHON, "-m", "bot", "run"], env=env, cwd=work, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(WARM_UP_S)
            if proc.poll() is not None:
                raise RuntimeError(f"newsbot run exited early ({proc.returncode}): {proc.stderr.read()[-2000:]}")
            samples = []
            cpu0, t0 = _cpu_s(proc.pid), time.perf_counter()
            while time.perf_counter() - t0 < window:
                samples.append(_rss_mb(proc.pid))
                time.sleep(0.5)
            cpu = _cpu_s(proc.pid) - cpu0
            elapsed = time.perf_counter() - t0
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                _, log = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, log = proc.communicate()
    if " planned " not in log:
        res.notes.append("the daemon did not log a planned post during the run; its log:\n" + log[-1500:])
    # Compare with a bare interpreter, to show how much of the RSS is Python itself.
    bare = run_child("pass")["peak_rss_mb"]
    peak = max(samples)
    res.add("RSS while idle (max of samples)", round(peak, 1), "MB")
    res.add("peak RSS of a bare python -c pass, for scale", bare, "MB")
    res.add("CPU while idle", round(100 * cpu / elapsed, 2), "% of one core")
    res.add("CPU time in the window", round(cpu, 3), "s")
    res.target("idle RSS ≤ 120 MB", f"≤ {RSS_TARGET_MB:g} MB", f"{peak:.1f} MB", peak <= RSS_TARGET_MB)
    return res
