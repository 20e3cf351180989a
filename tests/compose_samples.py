"""The sample article (tests/data/belarus-ties.txt) as composition input, and settings for compose tests.

The Analysis is built by hand here so composition is tested on its own; its headline, summary and
quotes are exactly what the article says.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.compose.render import builtin_templates_dir
from bot.config import Settings
from bot.models import Analysis, Article, Quote

SAMPLE = Path(__file__).parent / "data" / "belarus-ties.txt"
URL = "https://news.example.com/2022/02/27/ukraine-yet-to-sever-diplomatic-ties-with-belarus"
HEADLINE = "Ukraine yet to sever diplomatic ties with Belarus"
SUMMARY = (
    "Ukraine has not yet severed diplomatic relations with Belarus as not to provoke Belarusian dictator "
    "Alexander Lukashenko, Oleksiy Danilov, the secretary of Ukraine’s National Security and Defense "
    "Council, told U.S.-funded news outlet Radio Free Europe / Radio Liberty (RFE/RL) on Feb. 24."
)
ROLE = "secretary of Ukraine’s National Security and Defense Council"
QUOTE_ORDERS = (
    "We have no desire for the orders to be given from the territory of Belarus, namely to the "
    "Belarusian army, to invade our territory,"
)
QUOTE_PROVOKE = (
    "Do you want us to provoke the situation regarding certain processes on the territory of Belarus "
    "today? I don’t think so."
)


def _quote(text: str, body: str, score: float) -> Quote:
    start = body.index(text) - 1  # offsets include the quotation marks
    return Quote(text, start, start + len(text) + 2, "Oleksiy Danilov", ROLE, score, key=True)


def sample_article(**changes: Any) -> Article:
    body = SAMPLE.read_text(encoding="utf-8")
    values: dict[str, Any] = {
        "source": "belarus-ties.txt",
        "text": body,
        "title": HEADLINE,
        "url": URL,
        "published": datetime(2022, 2, 27, 10, 16, tzinfo=UTC),
        "tags": ("Ukraine", "Belarus"),
        "image": "https://news.example.com/img/danilov.jpg",
        "image_alt": "Oleksiy Danilov at a news conference in Kyiv",
        "outlet": "Example News",
    }
    values.update(changes)
    return Article(**values)


def sample_analysis(**changes: Any) -> Analysis:
    body = SAMPLE.read_text(encoding="utf-8")
    values: dict[str, Any] = {
        "headline": HEADLINE,
        "summary": SUMMARY,
        "summary_sentences": (SUMMARY,),
        "quotes": (_quote(QUOTE_ORDERS, body, 0.9), _quote(QUOTE_PROVOKE, body, 0.8)),
        "text": body,
        "paragraphs": tuple(p for p in body.split("\n\n") if p.strip()),
        "language": "en",
    }
    values.update(changes)
    return Analysis(**values)


def compose_settings(**overrides: Any) -> Settings:
    """Settings for composing, independent of the environment and of any ./templates folder."""
    values: dict[str, Any] = {"hashtags": ["news"], "templates_dir": builtin_templates_dir()}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]
