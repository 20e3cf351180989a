"""The precompiled-pattern cache of the analysis (``bot/analyze/rx.py``): a cached pattern is the
pattern its source compiles to, the cache is fresh, and a cache that does not fit is ignored."""

from __future__ import annotations

import pickle
from pathlib import Path

import regex

import bot.analyze.quotes  # noqa: F401 - compiles (loads) every analysis pattern
from bot.analyze import rx

SAMPLE = (Path(__file__).parent / "data" / "belarus-ties.txt").read_text(encoding="utf-8")


def test_every_pattern_is_the_one_its_source_compiles_to() -> None:
    assert len(rx.compiled) > 40
    for (source, flags), pattern in rx.compiled.items():
        fresh = regex.compile(source, flags)
        assert (pattern.pattern, pattern.flags, pattern.groupindex) == (fresh.pattern, fresh.flags, fresh.groupindex)
        for text in (SAMPLE, SAMPLE[:400] + "\n“We will see,” said Dr. Anna Ruiz, the ministry's spokeswoman.\n"):
            assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in fresh.finditer(text)]


def test_the_cache_is_fresh() -> None:
    build, _blob = pickle.loads(rx.CACHE_FILE.read_bytes())
    if build == rx._build():
        # An edited pattern misses the cache (still correct, only slow to start):
        # regenerate it with `.venv/bin/python -c "from bot.analyze import rx; rx.main()"`.
        assert rx.misses == []
    else:  # another regex build: the cache is ignored and every pattern compiled from its source
        assert len(rx.misses) == len(rx.compiled)


def test_a_cache_from_another_build_or_a_broken_file_is_ignored(tmp_path: Path) -> None:
    other = tmp_path / "other.pickle"
    blob = pickle.dumps({("x", 0): regex.compile("y")})
    other.write_bytes(pickle.dumps((("0.0", 0, 0, 3, 0), blob)))
    assert rx._load(other) == {}
    broken = tmp_path / "broken.pickle"
    broken.write_bytes(b"not a pickle")
    assert rx._load(broken) == {}
    assert rx._load(tmp_path / "missing.pickle") == {}
    mine = tmp_path / "mine.pickle"
    rx.write_cache(mine)
    loaded = rx._load(mine)
    assert set(loaded) == set(rx.compiled)
