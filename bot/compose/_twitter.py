"""Import twitter-text-parser without loading ``pkg_resources`` (about 70 ms of every cold start).

twitter-text-parser 3.0 reads its emoji list with ``pkg_resources.resource_string`` at import time, and
importing ``pkg_resources`` scans every installed distribution. While twitter_text is imported, a stand-in
that reads the file next to the module is put in place, then removed again, so nothing else ever sees it.
Import this module before importing anything from ``twitter_text``.
"""

from __future__ import annotations

import sys
import types
import warnings
from pathlib import Path


def _resource_string(module: str, name: str) -> bytes:
    file = sys.modules[module].__file__
    assert file is not None
    return (Path(file).parent / name).read_bytes()


def _import_twitter_text() -> None:
    if "twitter_text" in sys.modules or "pkg_resources" in sys.modules:
        return
    stand_in = types.ModuleType("pkg_resources")
    stand_in.resource_string = _resource_string  # type: ignore[attr-defined]
    sys.modules["pkg_resources"] = stand_in
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import twitter_text  # noqa: F401
    finally:
        if sys.modules.get("pkg_resources") is stand_in:
            del sys.modules["pkg_resources"]


_import_twitter_text()
