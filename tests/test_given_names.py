"""The built-in list of common given names of one gender (bot/analyze/given_names.py)."""

from __future__ import annotations

import pytest

from bot.analyze.given_names import FEMALE_NAMES, MALE_NAMES, given_name_gender


@pytest.mark.parametrize(
    ("name", "gender"),
    [
        ("Tom Reed", "m"),
        ("Anna Berg", "f"),
        ("José María Aznar", "m"),  # the first given name decides
        ("María José Pérez", "f"),
        ("Jose Garcia", "m"),  # with or without its accent
        ("JÉRÔME DUPONT", "m"),
        ("Olena Zelenska", "f"),
        ("Volodymyr Zelensky", "m"),
        ("Fatima Hassan", "f"),
        ("Jean-Marie Le Pen", "m"),  # a compound listed as itself
    ],
)
def test_a_listed_given_name_gives_the_gender(name: str, gender: str) -> None:
    assert given_name_gender(name) == gender


@pytest.mark.parametrize(
    "name",
    [
        "Jordan Reed", "Alex Berg", "Sam Lee", "Robin Hood", "Kim Jones", "Taylor Swift", "Morgan Kay",
        "Andrea Rossi", "Nicola Sturgeon", "Jean Dupont", "Simone Veil", "Joan Laporta", "Karen Karapetyan",
        "Oluwaseun Adeyemi",  # not listed
        "Martin",  # one word: as likely a surname
        "",
        None,
    ],
)
def test_a_unisex_unlisted_or_one_word_name_tells_nothing(name: str | None) -> None:
    assert given_name_gender(name) is None


def test_no_name_is_listed_under_both_genders() -> None:
    assert not MALE_NAMES & FEMALE_NAMES
    assert len(MALE_NAMES) >= 300 and len(FEMALE_NAMES) >= 300
