"""Extractive summary: central sentences, no repeats, article order, and one-liners that stand alone."""

from __future__ import annotations

import pytest

from bot.analyze import summary
from bot.analyze.summary import quoted_share, stands_alone, summarize, summary_text

BRIDGE = [
    "The city council voted on Tuesday to close the old river bridge for repairs next spring.",
    "The weather was mild and several residents walked their dogs along the promenade.",
    "Engineers told the council that the river bridge has cracks in two of its steel supports.",
    "A local bakery announced a new seasonal menu with pumpkin bread and apple pies.",
    "Closing the river bridge will send drivers on a detour of about four miles, the council said.",
    "The council expects the bridge repairs to cost 12 million dollars and to last six months.",
]


def test_the_summary_is_about_what_the_article_is_about() -> None:
    (only,) = summarize(BRIDGE, 1)
    assert "bridge" in BRIDGE[only]


def test_an_off_topic_opening_loses_to_the_central_sentence() -> None:
    text = [BRIDGE[1], *BRIDGE[:1], *BRIDGE[2:]]  # the weather first
    (only,) = summarize(text, 1)
    assert "bridge" in text[only]


def test_n_sentences_come_back_in_article_order() -> None:
    picked = summarize(BRIDGE, 3)
    assert len(picked) == 3
    assert picked == sorted(picked)


def test_more_sentences_than_the_article_has_returns_them_all() -> None:
    assert summarize(BRIDGE[:2], 5) == [0, 1]
    assert summarize(BRIDGE, 0) == []
    assert summarize([], 1) == []


def test_a_near_duplicate_is_not_picked_twice() -> None:
    text = [
        "The city council voted on Tuesday to close the old river bridge for repairs next spring.",
        "On Tuesday the city council voted to close the old river bridge for repairs next spring.",
        "Engineers found cracks in two steel supports of the river bridge during an inspection.",
        "Drivers face a detour of four miles while the river bridge is closed, the council said.",
    ]
    picked = summarize(text, 2)
    assert picked != [0, 1]


def test_the_title_pulls_the_summary_towards_its_topic() -> None:
    text = [
        "The mayor opened the annual food festival in the main square on Saturday morning.",
        "Thousands of visitors tasted dishes from forty local restaurants and farms.",
        "Separately, the council confirmed that the old river bridge will close for repairs in May.",
        "The festival continues on Sunday with a cooking contest for children.",
    ]
    assert summarize(text, 1, title="River bridge to close for repairs in May") == [2]


def test_a_one_sentence_summary_does_not_open_by_leaning_on_an_earlier_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = [
        "But the city council approved the river bridge repair budget on Tuesday after a long debate.",
        "The city council approved the river bridge repair budget on Tuesday.",
        "The river bridge repair budget is 12 million dollars, the council said after the debate.",
        "The river bridge will close in May for the repairs, the city council said on Tuesday.",
    ]
    assert summarize(text, 1) == [1]
    # the rule is what decides here: without it the leaning sentence would win on score
    monkeypatch.setattr(summary, "STANDALONE_MARGIN", 10.0)
    assert summarize(text, 1) == [0]


def test_a_leaning_sentence_is_still_fine_inside_a_longer_summary() -> None:
    text = [
        "The city council approved the river bridge repair budget on Tuesday after a long debate.",
        "He said the river bridge repair budget of 12 million dollars was the largest in a decade.",
        "The bakery on the corner sold out of bread early on Tuesday.",
    ]
    assert summarize(text, 2) == [0, 1]


@pytest.mark.parametrize(
    ("sentence", "alone"),
    [
        ("He said the bridge would close.", False),
        ("This is the largest repair in a decade.", False),
        ("But the council disagreed.", False),
        ("However, the council disagreed.", False),
        ("“It will close in May,” he said.", False),
        ("The council said the bridge would close.", True),
        ("“It will close in May,” the mayor said.", True),
        ("Thousands of drivers use the bridge every day.", True),
    ],
)
def test_stands_alone(sentence: str, alone: bool) -> None:
    assert stands_alone(sentence) is alone


def test_quoted_share_measures_direct_speech() -> None:
    assert quoted_share("“We are ready,” she said.") > 0.5
    assert quoted_share("The council met on Tuesday.") == 0.0
    assert quoted_share("“An opening that never closes") == 1.0


def test_summary_text_drops_wire_datelines() -> None:
    assert summary_text(["LONDON (Reuters) - The council closed the old bridge on Tuesday."]) == (
        "The council closed the old bridge on Tuesday."
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "(CNN)The council closed the old bridge on Tuesday.",
        "Boston (CNN)The council closed the old bridge on Tuesday.",
        "(Reuters) - The council closed the old bridge on Tuesday.",
    ],
)
def test_summary_text_drops_an_agency_tag_glued_to_the_lead(sentence: str) -> None:
    assert summary_text([sentence]) == "The council closed the old bridge on Tuesday."


def test_an_agency_named_inside_a_sentence_stays() -> None:
    sentence = "The report by the news agency (AP) was corrected on Tuesday evening."
    assert summary_text([sentence]) == sentence


def test_japanese_text_is_summarised_by_character_bigrams() -> None:
    text = [
        "ナイジェリア北東部で自爆攻撃が起き、31人が死亡した。",
        "天気は晴れで、市場には多くの人がいた。",
        "地元当局者は、自爆攻撃で31人が死亡したと述べた。",
    ]
    (only,) = summarize(text, 1)
    assert only in (0, 2)
