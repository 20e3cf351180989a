"""The precompiled twitter-text patterns (``bot/compose/_twitter.py``): each cached program is the pattern its
source compiles to, the cache is fresh for this interpreter, and a cache that does not fit is ignored."""

from __future__ import annotations

import json
import pickle
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import _sre

from bot.compose import _twitter

TEXTS = [
    "Read https://example.com/a/b?c=1#d and www.news.example.co.uk/x now",
    "Emoji 👩‍👩‍👧‍👦 🇺🇦 👍🏽 and t.co/abc (see http://münchen.de/ü) — “quoted” #tag @someone",
    "Nothing to see here.\u200b\ufeff\u202e",
]


def test_every_cached_program_is_the_pattern_its_source_compiles_to() -> None:
    table = _twitter._load()
    assert len(table) > 20  # the URL, domain and emoji patterns of twitter-text
    for (source, flags), program in table.items():
        cached, fresh = _sre.compile(*program), re.compile(source, flags)
        assert (cached.pattern, cached.flags, cached.groupindex) == (fresh.pattern, fresh.flags, fresh.groupindex)
        for text in TEXTS:
            if isinstance(source, str):
                assert [m.span() for m in cached.finditer(text)] == [m.span() for m in fresh.finditer(text)]


def test_the_cache_is_fresh_for_this_interpreter() -> None:
    # In a process of its own: here twitter_text was imported long ago. A stale cache is only slow to start;
    # regenerate it with `.venv/bin/python -c "from bot.compose import _twitter; _twitter.main()"`.
    probe = ("import json, pickle, bot.compose._twitter as t; build, _, written = pickle.loads(t.CACHE_FILE.read_bytes()); "
             "print(json.dumps([t.used, len(t.misses), build == t._build(), written]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    used, misses, same_build, written_with = json.loads(done.stdout)
    if same_build:
        assert used
        if written_with == version("twitter-text-parser"):  # (a newer one may change its patterns: then only slow)
            assert misses == 0
    else:  # another Python: the cache is ignored and every pattern compiled from its source
        assert not used


def test_a_cache_from_another_build_or_a_broken_file_is_ignored(tmp_path: Path) -> None:
    other = tmp_path / "other.pickle"
    other.write_bytes(pickle.dumps(((2, 7, 0, 0, 0), {("x", 0): ("y", 0, [1], 0, {}, ())})))
    assert _twitter._load(other) == {}
    broken = tmp_path / "broken.pickle"
    broken.write_bytes(b"not a pickle")
    assert _twitter._load(broken) == {}
    assert _twitter._load(tmp_path / "missing.pickle") == {}
