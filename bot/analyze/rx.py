"""The analysis's ``regex`` patterns, loaded already compiled.

The ``regex`` module parses a pattern in Python, about 2.5 µs per character of source, and the
attribution patterns are big (a name, a speech verb, a noun phrase and a role in one): compiling
them took ~200 ms of every process start, more than the rest of ``newsbot preview`` together.
A compiled ``regex`` pattern pickles as its compiled program (``Pattern._pickled_data``: the very
arguments of ``_regex.compile``), so unpickling skips the parser and gives the identical pattern.

``compile(pattern, flags)`` returns the precompiled pattern from ``rx_cache.pickle`` when it holds
exactly that (pattern source, flags) for exactly this ``regex`` build; anything else - a pattern
edited since the cache was written, another ``regex`` version, no cache file - is compiled as
usual. So a stale cache costs start-up time, never correctness. Regenerate it after editing a
pattern (``tests/test_rx.py`` fails while it is stale)::

    .venv/bin/python -c "from bot.analyze import rx; rx.main()"
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import regex
from regex import _regex  # only for its build identity (MAGIC, CODE_SIZE); see _build()

__all__ = ["compile", "write_cache", "main", "CACHE_FILE"]

CACHE_FILE = Path(__file__).with_name("rx_cache.pickle")

# Every pattern compiled through this module, and the keys that were not in the cache.
compiled: dict[tuple[str, int], regex.Pattern[str]] = {}
misses: list[tuple[str, int]] = []


def _build() -> tuple[str, int, int, int, int]:
    """What a compiled program depends on: the regex release and its engine's format, and the
    interpreter (pickles of the engine's objects are not promised to travel further)."""
    return (regex.__version__, _regex.MAGIC, _regex.CODE_SIZE, *sys.version_info[:2])


def _load(path: Path = CACHE_FILE) -> dict[tuple[str, int], regex.Pattern[str]]:
    # The patterns are pickled separately (``blob``) so that a cache from another build is
    # rejected before any of its programs reaches the engine.
    try:
        build, blob = pickle.loads(path.read_bytes())
        if build != _build():
            return {}
        table = pickle.loads(blob)
    except Exception:  # noqa: BLE001 - whatever is wrong with the file, compile from source
        return {}
    return table if isinstance(table, dict) else {}


_table = _load()


def compile(pattern: str, flags: int = 0) -> regex.Pattern[str]:
    """``regex.compile(pattern, flags)``, from the cache when it holds exactly this pattern."""
    key = (pattern, flags)
    found = _table.get(key)
    if found is None:
        found = regex.compile(pattern, flags)
        misses.append(key)
    compiled[key] = found
    return found


def write_cache(path: Path = CACHE_FILE) -> int:
    """Write every pattern compiled so far (import ``bot.analyze`` first); returns how many."""
    blob = pickle.dumps(dict(compiled), protocol=pickle.HIGHEST_PROTOCOL)
    path.write_bytes(pickle.dumps((_build(), blob), protocol=pickle.HIGHEST_PROTOCOL))
    return len(compiled)


def main() -> int:
    """Rewrite the cache from the patterns the analysis compiles now."""
    import bot.analyze.quotes  # noqa: F401 - compiles (or loads) every analysis pattern

    n = write_cache()
    print(f"{CACHE_FILE}: {n} patterns for regex {regex.__version__}")
    return 0
