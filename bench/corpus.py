"""A synthetic news corpus for the benchmarks: articles built from templates of our own, never copied text.

``generate(n, seed)`` gives ``n`` deterministic articles with a headline, a link, a dateline, 6-14
paragraphs, direct quotations with speakers ("…," said Mayor Anna Kovalenko.), numbers and names, so
analysis, composition and planning do the work they do on real news. ``write_queue`` drops them into a
queue folder as a mix of .txt, .md (front matter), .json and .html files, like a real inbox.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

CITIES = ["Kyiv", "Lviv", "Odesa", "Vilnius", "Riga", "Tallinn", "Warsaw", "Gdansk", "Krakow", "Brno",
          "Porto", "Leeds", "Bristol", "Malmo", "Aarhus", "Tampere", "Graz", "Ghent", "Lyon", "Turin"]
FIRST = ["Anna", "Oleksiy", "Maria", "Jonas", "Ieva", "Piotr", "Sofia", "Tomas", "Laura", "Mikko",
         "Ines", "David", "Olena", "Marek", "Hanna", "Lukas", "Clara", "Yusuf", "Nadia", "Erik"]
LAST = ["Kovalenko", "Petraitis", "Novak", "Lindqvist", "Berzina", "Kowalski", "Moreau", "Rossi",
        "Tamm", "Virtanen", "Schmidt", "Jansen", "Horvat", "Dubois", "Silva", "Nielsen", "Bauer", "Kask"]
ROLES = ["the mayor", "the city's transport director", "a spokesperson for the health ministry",
         "the head of the port authority", "a local shop owner", "the union's chairwoman",
         "an economist at the national bank", "the school's principal", "the fire chief", "a resident"]
TOPICS = [
    ("bridge", "reopens after two years of repairs", "The bridge carried {n} vehicles a day before it closed."),
    ("tram line", "extended to the northern suburbs", "The new section adds {n} stops and cost {m} million euros."),
    ("hospital", "opens a new emergency wing", "The wing has {n} beds and will employ {m} more nurses."),
    ("port", "reports record container traffic", "Traffic rose by {n} percent compared with last year."),
    ("council", "approves the city budget", "The budget sets aside {m} million euros for housing."),
    ("library", "doubles its opening hours", "Visits grew by {n} percent since the spring."),
    ("airport", "adds night flights despite protests", "About {n} residents signed a petition against the plan."),
    ("river", "floods the old town after heavy rain", "Water levels rose {n} centimetres overnight."),
    ("factory", "announces {n} new jobs", "Production is expected to start within {m} months."),
    ("school", "wins a national science prize", "Students built a sensor network with {n} stations."),
]
QUOTES = [
    "We promised the people of {city} that this would be finished, and today we kept that promise",
    "Nobody expected the numbers to rise so quickly, and we are still working out what it means",
    "This is not the end of the work but the beginning of a new chapter for the whole region",
    "Our staff have worked through the night, and I am proud of every single one of them",
    "If we do not act now, the costs will be far higher in five years",
    "I have lived here for forty years and I have never seen anything like it",
    "The plan is ambitious, but it is also realistic, and the money is already there",
    "We will keep listening to residents, because they know their streets better than anyone",
    "There are still questions that need answers before the next vote",
    "It is a good day for {city}, and a good day for everyone who uses the {topic}",
]
FILLER = [
    "Officials said the decision followed months of consultation with residents and businesses.",
    "The project was funded jointly by the city and a regional development fund.",
    "Critics have argued that the money could have been spent on smaller neighbourhood projects.",
    "Local media reported long queues on the first morning.",
    "The opposition said it would ask for an independent audit of the costs.",
    "Similar schemes in other cities have had mixed results, according to a recent study.",
    "A public meeting on the next phase is planned for {month}.",
    "Traffic police advised drivers to allow extra time during the first weeks.",
    "The announcement came a day after the regional government published its annual report.",
    "More details are expected to be released later this week.",
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "September", "October", "November"]


@dataclass(frozen=True)
class SyntheticArticle:
    slug: str
    title: str
    url: str
    paragraphs: tuple[str, ...]
    published: str  # ISO 8601

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def _person(rng: random.Random) -> tuple[str, str]:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(ROLES)


def generate(n: int, seed: int = 7) -> list[SyntheticArticle]:
    """``n`` distinct articles (each has its own URL and a unique sentence, so none is a duplicate)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        city = rng.choice(CITIES)
        topic, event, fact = rng.choice(TOPICS)
        nums = {"n": rng.randint(3, 900), "m": rng.randint(2, 90)}
        title = f"{city} {topic} {event.format(**nums)}"
        paragraphs = [
            f"{city.upper()}, {rng.randint(1, 28)} {rng.choice(MONTHS)} (Newsdesk) - The {topic} in {city} "
            f"{event.format(**nums)}, officials said on {rng.choice(['Monday', 'Tuesday', 'Friday'])}, "
            f"in a move that article {i} of this corpus describes in detail.",
            fact.format(**nums),
        ]
        for _ in range(rng.randint(2, 5)):
            name, role = _person(rng)
            quote = rng.choice(QUOTES).format(city=city, topic=topic)
            if rng.random() < 0.5:
                paragraphs.append(f"\u201c{quote},\u201d said {name}, {role}.")
            else:
                paragraphs.append(f"{name}, {role}, said: \u201c{quote}.\u201d")
            for _ in range(rng.randint(1, 2)):
                paragraphs.append(rng.choice(FILLER).format(month=rng.choice(MONTHS)))
        paragraphs.append(f"The {topic} project in {city} is expected to be reviewed again next year.")
        out.append(SyntheticArticle(
            slug=f"story-{i:05d}",
            title=title,
            url=f"https://news.example.org/{city.lower()}/{i:05d}-{topic.replace(' ', '-')}",
            paragraphs=tuple(paragraphs),
            published=f"2026-11-{1 + i % 25:02d}T{8 + i % 12:02d}:{i % 60:02d}:00+00:00",
        ))
    return out


def render(article: SyntheticArticle, fmt: str) -> tuple[str, str]:
    """(file name, file content) in one of the queue's formats: txt, md, json, html."""
    if fmt == "txt":
        return f"{article.slug}.txt", f"{article.title}\n{article.url}\n\n{article.text}\n"
    if fmt == "md":
        front = f"---\ntitle: \"{article.title}\"\nurl: {article.url}\npublished: {article.published}\ntags: [city, news]\n---\n\n"
        return f"{article.slug}.md", front + article.text + "\n"
    if fmt == "json":
        data = {"title": article.title, "url": article.url, "published": article.published, "text": article.text}
        return f"{article.slug}.json", json.dumps(data, ensure_ascii=False)
    if fmt == "html":
        body = "".join(f"<p>{p}</p>\n" for p in article.paragraphs)
        page = (
            f"<!doctype html><html><head><title>{article.title}</title>"
            f'<link rel="canonical" href="{article.url}"></head><body>'
            f"<nav><a href='/'>Home</a> | <a href='/news'>News</a></nav>"
            f"<article><h1>{article.title}</h1>\n{body}</article>"
            f"<footer>Subscribe to our newsletter. Copyright Newsdesk.</footer></body></html>"
        )
        return f"{article.slug}.html", page
    raise ValueError(f"unknown format {fmt!r}")


def write_queue(folder: Path, articles: list[SyntheticArticle], formats: tuple[str, ...] = ("txt", "md", "json", "html"),
                ) -> list[Path]:
    """Write the articles into ``folder``, cycling through ``formats``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, article in enumerate(articles):
        name, content = render(article, formats[i % len(formats)])
        path = folder / name
        path.write_text(content, encoding="utf-8")
        paths.append(path)
    return paths
