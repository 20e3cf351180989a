"""Composition speed: one article composed for X, Bluesky and Mastodon (threads on), warm templates.

Two inputs: the sample article (little fitting needed) and a hard case that makes every platform fit
hard (long CJK + emoji summary, three long quotes, many tags), which exercises the re-render/measure
loop most.
"""

from __future__ import annotations

import time
from typing import Any

from bench._common import Result

PLATFORMS = ("x", "bluesky", "mastodon")


def _inputs() -> dict[str, tuple[Any, Any]]:
    from datetime import UTC, datetime

    from bot.models import Analysis, Article, Quote

    sample = Article(source="sample", text="", title="Ukraine yet to sever diplomatic ties with Belarus",
                     url="https://news.example.com/2022/02/27/ukraine-yet-to-sever-diplomatic-ties-with-belarus",
                     published=datetime(2022, 2, 27, tzinfo=UTC), tags=("Ukraine", "Belarus"))
    lede = ("Ukraine has not yet severed diplomatic relations with Belarus as not to provoke Belarusian dictator "
            "Alexander Lukashenko, Oleksiy Danilov told RFE/RL on Feb. 24.")
    quote = "We have no desire for the orders to be given from the territory of Belarus to invade our territory"
    sample_analysis = Analysis(sample.title or "", lede, (lede,),
                               (Quote(quote, 0, 1, "Oleksiy Danilov", "NSDC secretary", 1.0, key=True),), lede, ())
    long_words = ("乌克兰尚未与白俄罗斯断绝外交关系 👨‍👩‍👧‍👦 🇺🇦 officials said on Thursday " * 12).strip()
    hard = Article(source="hard", text="", title="Headline " * 12, url=sample.url,
                   tags=tuple(f"topic number {i}" for i in range(8)))
    quotes = tuple(Quote(long_words, 0, 1, "A Speaker With A Long Name", "a role " * 10, 1.0, key=True)
                   for _ in range(3))
    hard_analysis = Analysis(hard.title or "", long_words, (long_words,), quotes, long_words, ())
    return {"sample article": (sample, sample_analysis), "hard fitting case": (hard, hard_analysis)}


def run(quick: bool = False) -> Result:
    from bot.compose import compose, load_templates
    from bot.config import Settings

    res = Result("compose", "Composition: time to compose one article for three platforms")
    settings = Settings(_env_file=None, hashtags=["news"], threads=list(PLATFORMS))  # type: ignore[call-arg]
    templates = load_templates(None)
    rounds = 20 if quick else 200
    for name, (article, analysis) in _inputs().items():
        compose(article, analysis, settings, PLATFORMS, templates=templates)  # warm up
        start = time.perf_counter()
        for _ in range(rounds):
            compose(article, analysis, settings, PLATFORMS, templates=templates)
        res.add(f"{name}: time per article (3 platforms)", round(1000 * (time.perf_counter() - start) / rounds, 2), "ms")
    return res


if __name__ == "__main__":
    import json

    print(json.dumps(run(quick=True).as_json(), ensure_ascii=False, indent=2))
