"""Sentence splitting: abbreviations, quotations over several sentences, CJK punctuation, offsets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.analyze.sentences import split_sentences


def texts(text: str, language: str = "en") -> list[str]:
    return [s.text for s in split_sentences(text, language)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Lt.-Gen. Serhiy Nayev in the U.S. on Feb. 24. They talked.",
            ["Mr. Smith met Lt.-Gen. Serhiy Nayev in the U.S. on Feb. 24.", "They talked."],
        ),
        (
            "Dr. Jones arrived at 10 a.m. on Jan. 5. She was late.",
            ["Dr. Jones arrived at 10 a.m. on Jan. 5.", "She was late."],
        ),
        ("It cost $3.5 million. That is a lot.", ["It cost $3.5 million.", "That is a lot."]),
        (
            "Sen. Smith, R-Ohio, agreed. Gov. Brown spoke. Maj.-Gen. Lee left.",
            ["Sen. Smith, R-Ohio, agreed.", "Gov. Brown spoke.", "Maj.-Gen. Lee left."],
        ),
        ("They met in the U.S. He left.", ["They met in the U.S.", "He left."]),
        (
            "Her boyfriend, Army Spc. Caleb Barnes, was charged. Pfc. Lee was not.",
            ["Her boyfriend, Army Spc. Caleb Barnes, was charged.", "Pfc. Lee was not."],
        ),
    ],
)
def test_abbreviations_do_not_end_sentences(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The meeting is at 5 p.m. Tuesday in Washington. It is open.", ["The meeting is at 5 p.m. Tuesday in Washington.", "It is open."]),
        ("Polls close at 8 p.m. ET and results follow.", ["Polls close at 8 p.m. ET and results follow."]),
        ("We met at 5 p.m. Tuesday was a long day.", ["We met at 5 p.m.", "Tuesday was a long day."]),
        ("The show starts at 9 p.m. The doors open at 8.", ["The show starts at 9 p.m.", "The doors open at 8."]),
    ],
)
def test_a_time_before_a_weekday_or_a_time_zone_ends_no_sentence(text: str, expected: list[str]) -> None:
    assert [s.text for s in split_sentences(text)] == expected


def test_a_quotation_over_several_sentences_stays_in_one_sentence() -> None:
    assert texts("“We are ready. We will win,” he said. Then he left.") == [
        "“We are ready. We will win,” he said.",
        "Then he left.",
    ]
    assert texts('He said: "It is over. Nobody can stop it." The crowd cheered.') == [
        'He said: "It is over. Nobody can stop it."',
        "The crowd cheered.",
    ]


def test_a_quoted_question_and_its_attribution_are_one_sentence() -> None:
    text = "“Do you want to hear the old tapes?” Karim Haddad asks as he drives. He keeps them in the car."
    assert [s.text for s in split_sentences(text)] == [
        "“Do you want to hear the old tapes?” Karim Haddad asks as he drives.",
        "He keeps them in the car.",
    ]
    # no speech verb after the name: the question ends its sentence
    two = "“Are you ready?” Nobody answered. The room stayed quiet."
    assert [s.text for s in split_sentences(two)][0] == "“Are you ready?”"
    # a common noun or "The ..." is not a name; a quote inside a longer sentence ends that sentence
    for text in ("“Is it over?” Officials said on Tuesday that talks would resume.",
                 "“Is it over?” The Council said on Tuesday that talks would resume.",
                 "The mayor asked: “Who will pay for it?” Jane Roe said the state would cover the cost."):
        assert len(split_sentences(text)) == 2, text


def test_cjk_terminators_split_but_not_inside_brackets() -> None:
    assert texts("攻撃は起きた。31人が死亡した！本当か？はい。", "ja") == ["攻撃は起きた。", "31人が死亡した！", "本当か？", "はい。"]
    assert texts("彼は「行く。帰らない。」と言った。次の日に出発した。", "ja") == [
        "彼は「行く。帰らない。」と言った。",
        "次の日に出発した。",
    ]


def test_german_ordinals_and_abbreviations() -> None:
    assert texts("Das ist z. B. gut. Am 3. März kam er. Er ging.", "de") == [
        "Das ist z. B. gut.",
        "Am 3. März kam er.",
        "Er ging.",
    ]


def test_spanish_angle_quotes() -> None:
    assert texts("«No lo sé», manifestó Castro. Declaró: «No estoy en la intención de ellos».", "es") == [
        "«No lo sé», manifestó Castro.",
        "Declaró: «No estoy en la intención de ellos».",
    ]


def test_thai_splits_at_the_spaces_between_clauses() -> None:
    clause = "ผู้สื่อข่าวได้รับแจ้งจากบุตรชายของคนสนิทของนายสุรชัยที่หายไป"
    assert texts(f"{clause} {clause}", "th") == [clause, clause]


@pytest.mark.parametrize("title", ["นาย", "นาง", "นางสาว"])
def test_thai_does_not_split_between_a_title_and_the_name_after_it(title: str) -> None:
    clause = "ผู้สื่อข่าวได้รับแจ้งจากบุตรชายของคนสนิทของนายสุรชัยที่หายไป"
    who = f"ผู้สื่อข่าวได้รับแจ้งจาก{title} ต.(ไม่ประสงค์เปิดเผยชื่อ)"  # "... from Mr T. (who asked not to be named)"
    assert texts(f"{who} {clause}", "th") == [who, clause]


def test_unknown_language_codes_fall_back_to_generic_rules() -> None:
    assert texts("First one here. Second one there.", "xx") == ["First one here.", "Second one there."]


def test_empty_text_has_no_sentences() -> None:
    assert split_sentences("   \n ") == []


@given(st.text(alphabet=st.sampled_from(list("abc XYZ.!?,“”\"'\n。「」")), max_size=200))
def test_offsets_always_point_at_the_sentence_text(text: str) -> None:
    previous_end = 0
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert s.start >= previous_end  # in order, never overlapping
        previous_end = s.end
