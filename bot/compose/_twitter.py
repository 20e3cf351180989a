"""Import twitter-text-parser fast: without ``pkg_resources``, and with its patterns precompiled.

twitter-text-parser 3.0 reads its emoji list with ``pkg_resources.resource_string`` at import time, and
importing ``pkg_resources`` scans every installed distribution (about 70 ms of every cold start). While
twitter_text is imported, a stand-in that reads the file next to the module is put in place, then removed
again, so nothing else ever sees it.

Its import also compiles its URL and emoji patterns with the standard ``re`` module, whose parser and
compiler are Python code: about 150 ms, a third of a cold ``newsbot preview``. ``twitter_re_cache.pickle``
holds each of those patterns' compiled programs (what ``re._compiler.compile`` hands to ``_sre.compile``),
keyed by (pattern source, flags), for one interpreter version and ``_sre`` format. While twitter_text is
imported, a pattern found there is built straight from its program; anything else (a pattern changed by a
twitter-text upgrade, another Python, no cache file) is compiled as usual. So a stale cache costs start-up
time, never correctness. Regenerate it after upgrading twitter-text-parser or Python (``tests/test_twitter_cache.py``
fails while it is stale)::

    .venv/bin/python -c "from bot.compose import _twitter; _twitter.main()"

Import this module before importing anything from ``twitter_text``.
"""

from __future__ import annotations

import pickle
import re
import sys
import types
import warnings
from pathlib import Path
from typing import Any

CACHE_FILE = Path(__file__).with_name("twitter_re_cache.pickle")

Program = tuple[Any, int, list[int], int, dict[str, int], tuple[str | None, ...]]

used = False  # whether this process imported twitter_text through the cache
misses: list[tuple[Any, int]] = []  # patterns compiled from source meanwhile (a stale cache)


def _resource_string(module: str, name: str) -> bytes:
    file = sys.modules[module].__file__
    assert file is not None
    return (Path(file).parent / name).read_bytes()


def _build() -> tuple[Any, ...] | None:
    """What a compiled program depends on: the interpreter and its ``_sre`` engine's format. None where the
    internals this relies on are missing (then nothing is cached)."""
    try:
        import _sre
        from re import _constants  # type: ignore[attr-defined]
    except ImportError:
        return None
    return (*sys.version_info[:2], _constants.MAGIC, _sre.CODESIZE, _sre.MAXREPEAT)


def _program(pattern: Any, flags: int) -> Program:
    """``re._compiler.compile`` up to the ``_sre.compile`` call, as its arguments."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    # plain ints: the opcodes are named int constants that refuse to be pickled
    return (pattern, int(flags | parsed.state.flags), [int(c) for c in code], parsed.state.groups - 1, groupindex,
            tuple(indexgroup))


def _load(path: Path = CACHE_FILE) -> dict[tuple[Any, int], Program]:
    build = _build()
    if build is None:
        return {}
    try:
        stored, table, _written_with = pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - whatever is wrong with the file, compile from source
        return {}
    return table if stored == build and isinstance(table, dict) else {}


def _import_twitter_text(record: dict[tuple[Any, int], Program] | None = None) -> None:
    """Import twitter_text (once). With ``record``, compile every pattern from source and keep its program."""
    global used
    if "twitter_text" in sys.modules:
        return
    stand_in = None
    if "pkg_resources" not in sys.modules:
        stand_in = types.ModuleType("pkg_resources")
        stand_in.resource_string = _resource_string  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = stand_in
    table = {} if record is not None else _load()
    compiler: Any = None
    real: Any = None
    if table or record is not None:
        import _sre
        from re import _compiler  # type: ignore[attr-defined]

        compiler, real = _compiler, _compiler.compile

        def compile_cached(pattern: Any, flags: int = 0) -> Any:
            if isinstance(pattern, (str, bytes)):
                if record is not None:
                    record[(pattern, flags)] = made = _program(pattern, flags)
                    return _sre.compile(*made)
                found = table.get((pattern, flags))
                if found is not None:
                    return _sre.compile(*found)
                misses.append((pattern, flags))
            return real(pattern, flags)

        compiler.compile = compile_cached  # re._compile looks it up on every call
        used = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import twitter_text  # noqa: F401
            from twitter_text import extract_urls, has_invalid_characters  # noqa: F401  (what compose uses)
    finally:
        if compiler is not None:
            compiler.compile = real
        if stand_in is not None and sys.modules.get("pkg_resources") is stand_in:
            del sys.modules["pkg_resources"]


def write_cache(path: Path = CACHE_FILE) -> int:
    """Import twitter_text afresh, recording every pattern's program, and write the cache. Returns how many."""
    for name in [m for m in sys.modules if m == "twitter_text" or m.startswith("twitter_text.")]:
        del sys.modules[name]
    re.purge()  # re's own cache would answer without compiling, and the pattern would go unrecorded
    table: dict[tuple[Any, int], Program] = {}
    _import_twitter_text(record=table)
    from importlib.metadata import version

    # which twitter-text wrote it: only for the freshness test (the patterns themselves are the keys)
    written_with = version("twitter-text-parser")
    path.write_bytes(pickle.dumps((_build(), table, written_with), protocol=pickle.HIGHEST_PROTOCOL))
    return len(table)


def main() -> None:
    print(f"{write_cache()} twitter-text patterns written to {CACHE_FILE}")


_import_twitter_text()
