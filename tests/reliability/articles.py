"""Good articles for the reliability suite: short, breaking (due at once), each with quoted speakers, so Bluesky
and Mastodon get threads (a post and its quote replies) and X a single post. Every headline and every quote
carries the article's number: no two posts anywhere have the same text, so a duplicate is always a bug."""

from __future__ import annotations

from pathlib import Path

PLACES = ["Harbour Street", "the old mill", "North Park", "the river bridge", "Station Square", "the town hall",
          "the market hall", "Elm Road", "the ferry pier", "the sports ground"]
NAMES = [("Anna", "Kovalenko", "the mayor"), ("Jonas", "Petraitis", "the fire chief"),
         ("Maria", "Novak", "a local teacher"), ("Piotr", "Lindqvist", "the harbour master"),
         ("Ieva", "Berzina", "a shop owner"), ("Tomas", "Rossi", "the council's engineer")]


def article_text(i: int) -> str:
    place = PLACES[i % len(PLACES)]
    first, last, role = NAMES[i % len(NAMES)]
    first2, last2, role2 = NAMES[(i + 3) % len(NAMES)]
    return (
        f"---\ntitle: Work at {place} finished early, report {i} says\n"
        f"url: https://news.example.org/reliability/{i}\npriority: breaking\n---\n\n"
        f"Repairs at {place} were finished on Tuesday, two weeks ahead of plan, according to report number {i}. "
        f"The works had closed the area to traffic since the spring.\n\n"
        f"\u201cWe kept promise number {i} to the people who live around {place},\u201d said {first} {last}, {role}.\n\n"
        f"Residents had complained about the noise for months. The council will review the costs in May.\n\n"
        f"{first2} {last2}, {role2}, said: \u201cThe crews worked in all weathers, and it shows in report {i}.\u201d\n"
    )


def write_articles(queue: Path, start: int, count: int) -> list[Path]:
    """Write articles ``start`` … ``start + count - 1`` as Markdown files into ``queue``."""
    queue.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + count):
        path = queue / f"report-{i:04d}.md"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(article_text(i), encoding="utf-8")
        tmp.rename(path)  # appear whole: the daemon must never read a half-written file
        paths.append(path)
    return paths
