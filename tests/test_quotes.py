"""Direct quotations: which quoted strings are somebody's words, who said them, which to post.

The texts here are short ones of our own, one per quote style and attribution pattern, plus the
project's sample article (tests/data/belarus-ties.txt).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.analyze.quotes import extract_quotes, rank_quotes
from bot.models import Quote

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "belarus-ties.txt"


def _metric():
    """bench/quote_metric.py is a script, not a package: load it by path."""
    spec = importlib.util.spec_from_file_location("quote_metric", ROOT / "bench" / "quote_metric.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["quote_metric"] = module
    spec.loader.exec_module(module)
    return module


def only(text: str) -> Quote:
    quotes = extract_quotes(text)
    assert len(quotes) == 1, quotes
    return quotes[0]


def assert_verbatim(text: str, quotes: list[Quote]) -> None:
    for q in quotes:
        span = text[q.start : q.end]
        assert q.text and q.text in span, (q, span)
        # ’’ and '' are typed stand-ins for an opening double quote (see quotes.py)
        opens = span[0] in "\"“„«»‚‘'「『”" or span.startswith("’’")
        assert opens, span  # an unclosed quote may end at its paragraph's end


# --- quote styles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, words",
    [
        ('"We will cut taxes for every family," Jane Smith said.', "We will cut taxes for every family,"),
        ("“We will cut taxes for every family,” Jane Smith said.", "We will cut taxes for every family,"),
        ("«We will not back down from this fight,» said Marie Dubois.", "We will not back down from this fight,"),
        ("„We will win this war,“ said Olena Shevchenko.", "We will win this war,"),
        ("‚We will not give up on this team,‘ said Karl Braun.", "We will not give up on this team,"),
        ("「We are ready to talk at any time,」 Fumio Tanaka said.", "We are ready to talk at any time,"),
        ("'We have done nothing wrong,' the minister said.", "We have done nothing wrong,"),
        ("‘We have done nothing wrong,’ the minister said.", "We have done nothing wrong,"),
    ],
)
def test_every_quotation_mark_style_is_found_with_its_words_and_marks(text: str, words: str) -> None:
    q = only(text)
    assert q.text == words
    assert q.start == 0
    assert text[q.end - 1] in "\"”»“‘’'」"
    assert_verbatim(text, [q])


def test_apostrophes_are_not_single_quotes() -> None:
    text = "The players' union said the owners' offer wasn't enough and the '90s deal was better."
    assert extract_quotes(text) == []


def test_british_single_quotes_survive_apostrophes_inside() -> None:
    text = "'We don't accept that the players' union has a case,' said Tom Jones."
    q = only(text)
    assert q.text == "We don't accept that the players' union has a case,"
    assert q.speaker == "Tom Jones"


def test_a_single_quote_closes_after_punctuation_past_several_possessives() -> None:
    text = "'The players' union, the owners' group and the fans' trust all agree on this,' said Tom Jones."
    q = only(text)
    assert q.text == "The players' union, the owners' group and the fans' trust all agree on this,"
    assert q.speaker == "Tom Jones"


def test_a_flood_of_single_quoted_letters_is_no_quote() -> None:
    assert extract_quotes("'a' " * 2000) == []


def test_a_quote_running_over_several_sentences_is_one_quote() -> None:
    text = "“We are ready. We have always been ready. The question is whether they are,” Anna Berg said."
    q = only(text)
    assert q.text.startswith("We are ready.") and q.text.endswith("whether they are,")
    assert q.speaker == "Anna Berg"


def test_a_paragraph_that_does_not_close_its_quote_continues_in_the_next() -> None:
    text = (
        "The mayor spoke on Monday.\n\n"
        "“We have spent years preparing for this. The city is ready.\n\n"
        "“Nobody should doubt that we will deliver,” said Mayor Jane Porter."
    )
    q = only(text)
    # One quote from the first opening mark to the last closing mark (measured: scores better on
    # the evaluation set than one quote per paragraph); its words keep the paragraph break.
    assert (q.start, q.end) == (text.index("“We have"), len(text) - len(" said Mayor Jane Porter."))
    assert q.text == (
        "We have spent years preparing for this. The city is ready.\n\n"
        "“Nobody should doubt that we will deliver,"
    )
    # The first paragraph has no attribution of its own: the last one names the speaker.
    assert q.speaker == "Jane Porter"
    assert q.role == "Mayor"
    assert_verbatim(text, [q])


# --- attribution -------------------------------------------------------------------------------


def test_x_said_and_said_x() -> None:
    assert only("“The bridge will open in May,” Ravi Patel said.").speaker == "Ravi Patel"
    assert only("“The bridge will open in May,” said Ravi Patel.").speaker == "Ravi Patel"


@pytest.mark.parametrize("verb", ["remembers", "remembered"])
def test_a_quote_followed_by_remembers_x_is_xs_not_the_speaker_before(verb: str) -> None:
    # Unattributed, it went to the person quoted before: a wrong name, where the right one stood next to it.
    text = (
        "“The island was bare,” says Ana Ruiz, a coordinator with the project.\n\n"
        "The first step was moving the goats.\n\n"
        f"“Those goats were so smart,” {verb} Lena Berg, who ran the programme, with a laugh. "
        "“They would look at our snares, and jump over them.”"
    )
    first, *rest = extract_quotes(text)
    assert first.speaker == "Ana Ruiz"
    assert rest and all(q.speaker == "Lena Berg" for q in rest)


@pytest.mark.parametrize("verb", ["beams", "gushes", "shrugs", "enthuses", "deadpans", "echoes", "beamed"])
def test_a_verb_the_list_lacks_before_a_name_gives_that_name_not_the_speaker_before(verb: str) -> None:
    text = (
        "“The island was bare,” says Ana Ruiz, a coordinator with the project.\n\n"
        "The first step was moving the goats.\n\n"
        f"“Those goats were so smart,” {verb} Lena Berg, who ran the programme."
    )
    assert [q.speaker for q in extract_quotes(text)] == ["Ana Ruiz", "Lena Berg"]


def test_a_quote_named_by_a_verb_the_list_lacks_is_not_merged_into_the_quote_before() -> None:
    text = (
        "“We will win this fight,” Ms. Karen Lindsay said after the long meeting. "
        "“Nobody saw it coming,” Anna Berg beams."
    )
    assert [(q.text, q.speaker) for q in extract_quotes(text)] == [
        ("We will win this fight,", "Karen Lindsay"),
        ("Nobody saw it coming,", "Anna Berg"),
    ]


def test_a_reply_by_someone_described_is_not_merged_into_the_quote_before() -> None:
    text = "“We will win this fight,” Ms. Karen Lindsay said. “We will not let that happen,” the mayor said."
    assert [(q.text, q.speaker) for q in extract_quotes(text)] == [
        ("We will win this fight,", "Karen Lindsay"),
        ("We will not let that happen,", "the mayor"),
    ]


def test_a_reply_introduced_by_its_speaker_is_not_merged_into_the_quote_before() -> None:
    text = "“We will win this fight,” Tom Reed said. Anna Berg said: “Nobody saw it coming.”"
    assert [(q.text, q.speaker) for q in extract_quotes(text)] == [
        ("We will win this fight,", "Tom Reed"),
        ("Nobody saw it coming.", "Anna Berg"),
    ]


def test_x_said_colon_after_a_finished_quote_introduces_the_next_one() -> None:
    text = "“We will win this fight,” Tom Reed said. Anna Berg said: “Nobody saw it coming.” Tom Reed said: “We will.”"
    assert [(q.text, q.speaker) for q in extract_quotes(text)] == [
        ("We will win this fight,", "Tom Reed"),
        ("Nobody saw it coming.", "Anna Berg"),
        ("We will.", "Tom Reed"),
    ]


def test_a_sentence_after_a_full_stop_quote_is_no_attribution() -> None:
    text = "“We will rebuild the bridge this year,” said Tom Reed.\n\n“Nobody can stop us now.” Anna Berg resigned."
    assert [q.speaker for q in extract_quotes(text)] == ["Tom Reed", "Tom Reed"]


def test_a_verb_the_list_lacks_does_not_make_a_title_a_quote() -> None:
    # only who said a quote that is kept anyway: “Jaws” stars Roy Scheider is a film, not his words
    assert extract_quotes("Ana Ruiz went to see a film. “Jaws,” stars Roy Scheider.") == []


@pytest.mark.parametrize(
    ("attribution", "role"),
    [
        ("Anna Berg (Green Party) said.", None),
        ("Anna Berg (D-Mass.) said.", None),
        ("Anna Berg, 45, of Springfield, said.", "of Springfield"),
        ("Anna Berg, 45, a teacher, said.", "a teacher"),
    ],
)
def test_a_party_in_brackets_or_an_age_before_the_role_still_names_the_speaker(attribution: str, role: str | None) -> None:
    # Not recognised, the quote went to the person quoted before.
    text = f"“We will rebuild the bridge this year,” said Tom Reed, the mayor.\n\n“This plan will never work here,” {attribution}"
    quote = extract_quotes(text)[1]
    assert (quote.speaker, quote.role) == ("Anna Berg", role)


def test_a_company_with_inc_or_corp_is_the_speaker_not_the_person_quoted_before() -> None:
    text = (
        "“We will rebuild the bridge this year,” said Tom Reed, the mayor.\n\n"
        "“The deal is good for our shareholders,” Apple Inc. said in a statement."
    )
    assert [q.speaker for q in extract_quotes(text)] == ["Tom Reed", "Apple Inc"]


def test_said_x_with_a_role_in_apposition() -> None:
    q = only("“This is the kind of thing people predicted,” said Konrad Gajewski, a professor of geography.")
    assert q.speaker == "Konrad Gajewski"
    assert q.role == "a professor of geography"


def test_x_the_minister_of_something_said() -> None:
    q = only("“Hospitals will get the money this year,” Maria Lopez, the minister of health, said.")
    assert q.speaker == "Maria Lopez"
    assert q.role == "the minister of health"


def test_a_title_before_the_name_becomes_the_role() -> None:
    q = only("“Our army is ready,” said Belarusian Defense Minister Viktor Khrenin.")
    assert q.speaker == "Viktor Khrenin"
    assert q.role == "Belarusian Defense Minister"


def test_according_to_x() -> None:
    q = only("According to Serhiy Nayev, “Russia does not have the resources for an offensive.”")
    assert q.speaker == "Serhiy Nayev"


def test_x_told_reuters_names_the_speaker_not_the_agency() -> None:
    q = only("“They were firing at the elevator doors,” Hiram Macharia told Reuters outside the hotel.")
    assert q.speaker == "Hiram Macharia"


def test_colon_introduced_quote() -> None:
    q = only("In a statement, Oleksiy Danilov said: “We have no desire to provoke anyone.”")
    assert q.speaker == "Oleksiy Danilov"


def test_colon_on_the_previous_line_introduces_the_quote() -> None:
    text = "Jane Porter continued:\n\n“The budget is balanced for the first time in a decade.”"
    assert only(text).speaker == "Jane Porter"


def test_quote_split_around_its_attribution_gives_both_halves_the_speaker() -> None:
    text = "“We understand everything,” Danilov said. “Of course, this is a challenge for us.”"
    first, second = extract_quotes(text)
    assert first.text == "We understand everything,"
    assert second.text == "Of course, this is a challenge for us."
    assert first.speaker == second.speaker == "Danilov"


def test_a_long_interrupting_attribution_makes_one_span() -> None:
    # The corpora disagree on interrupted quotes; with a long attribution in the middle, one span
    # covering both halves scores better under the evaluation metric (see bench/quote_metric.py).
    text = (
        "“It was a spectacular deal for the company,” said Patrick McGinley, a law professor at the "
        "state university. “It has shed every liability of every kind.”"
    )
    q = only(text)
    assert (q.start, q.end) == (0, len(text))
    assert q.speaker == "Patrick McGinley"
    assert q.text.startswith("It was a spectacular deal") and q.text.endswith("of every kind.")


def test_a_paragraph_without_attribution_goes_to_the_nearest_preceding_named_speaker() -> None:
    text = (
        "“The border is calm today,” said Andriy Demchenko, a spokesperson for the border service.\n\n"
        "“We are watching every road and every field near the line.”"
    )
    first, second = extract_quotes(text)
    assert second.speaker == "Andriy Demchenko"
    assert second.role == "a spokesperson for the border service"


@pytest.mark.parametrize(
    "lead",
    [
        "Anna Berg, the city engineer, disagrees. ",
        "Anna Berg, the city engineer, is not convinced: ",
        "Engineer Anna Berg shook her head. ",
    ],
)
def test_an_unattributed_quote_after_a_named_subject_in_its_paragraph_is_that_persons(lead: str) -> None:
    text = (
        "“We will rebuild the bridge this year,” said Tom Reed, the mayor.\n\n"
        f"{lead}“This plan will never work in a city like ours.”"
    )
    assert [q.speaker for q in extract_quotes(text)] == ["Tom Reed", "Anna Berg"]


@pytest.mark.parametrize("after", ["I asked.", "I asked him.", "we told the council.", "We wrote back."])
def test_i_or_we_said_is_the_writers_never_the_person_quoted_before(after: str) -> None:
    text = "“We will rebuild the bridge this year,” said Tom Reed, the mayor.\n\n“Why would anyone change the plan now?” " + after
    assert [q.speaker for q in extract_quotes(text)] == ["Tom Reed", None]


@pytest.mark.parametrize("after", ["one wrote.", "another added.", "some argued.", "wrote one.", "said another."])
def test_one_or_another_of_a_group_said_is_not_the_named_speaker_before(after: str) -> None:
    text = (
        "“We will rebuild the bridge this year,” said Tom Reed, the mayor.\n\n"
        "Reed’s critics were quick to respond online.\n\n"
        f"“This plan will never work in a city like ours,” {after}"
    )
    assert [q.speaker for q in extract_quotes(text)] == ["Tom Reed", None]


def test_an_unattributed_quote_after_a_passive_sentence_is_not_its_subjects() -> None:
    text = (
        "“We will rebuild the bridge this year,” said Tom Reed, the mayor.\n\n"
        "Anna Berg was praised by the council. “She did a great job on the bridge design.”"
    )
    assert [q.speaker for q in extract_quotes(text)] == ["Tom Reed", "Tom Reed"]


def test_an_unattributed_quote_is_not_given_to_a_subject_earlier_in_its_paragraph() -> None:
    # Only the sentence just before counts: "U.S. Army Special Forces" opens no sentence that leads in to it.
    text = (
        "“We will rebuild the bridge this year,” said Tom Reed, the mayor.\n\n"
        "Soon he became an interpreter for a U.S. Army Special Forces unit that conducted 50 operations. "
        "He leased his car back to the unit. “I was making two salaries after that.”"
    )
    assert [q.speaker for q in extract_quotes(text)] == ["Tom Reed", "Tom Reed"]


def test_he_said_goes_to_the_nearest_preceding_named_speaker() -> None:
    text = (
        "Justin Trudeau told the crowd that cuts to education would not help the economy.\n\n"
        "“I'm also a parent who has three kids in the public school system,” he said."
    )
    assert only(text).speaker == "Justin Trudeau"


def test_she_said_skips_a_man_known_from_his_honorific() -> None:
    text = (
        "“We will appeal the decision,” said Ms. Karen Lindsay, the union's lawyer.\n\n"
        "“The ruling is final,” said Mr. Paul Roberts, the city solicitor.\n\n"
        "“We are not giving up,” she said."
    )
    assert [q.speaker for q in extract_quotes(text)] == ["Karen Lindsay", "Paul Roberts", "Karen Lindsay"]


def test_she_said_never_goes_to_a_man_known_from_his_honorific_even_when_nobody_else_is_named() -> None:
    text = "“We will rebuild the bridge this year,” said Mr. Tom Reed.\n\n“I am not convinced by the plan at all,” she said."
    assert [q.speaker for q in extract_quotes(text)] == ["Tom Reed", None]
    text = "“We will rebuild the bridge this year,” said Ms. Ann Reed.\n\n“I am not convinced by the plan at all,” he said."
    assert [q.speaker for q in extract_quotes(text)] == ["Ann Reed", None]


def test_an_honorific_outweighs_a_guess_from_the_first_pronoun_after_a_name() -> None:
    # "his" after Ms. Ann Reed is her colleague's: the honorific says who she is
    text = (
        "“We will rebuild the bridge this year,” said Ms. Ann Reed, who took over from his predecessor.\n\n"
        "“I am not convinced by the plan at all,” he said."
    )
    assert [q.speaker for q in extract_quotes(text)] == ["Ann Reed", None]


@pytest.mark.parametrize(
    ("after", "speaker"),
    [
        ("according to police.", "police"),
        ("according to the police report.", "the police report"),
        ("according to a statement from the company.", "a statement from the company"),
        ("read a sign held by protesters.", "a sign held by protesters"),
    ],
)
def test_a_quote_given_to_something_not_named_is_not_the_named_speaker_before(after: str, speaker: str) -> None:
    text = f"“We will rebuild the bridge this year,” said Tom Reed, the mayor.\n\n“No more tolls on our bridge, ever,” {after}"
    assert [q.speaker for q in extract_quotes(text)] == ["Tom Reed", speaker]


def test_the_speaker_is_the_full_name_as_first_introduced() -> None:
    text = (
        "Oleksiy Danilov spoke to reporters on Friday.\n\n"
        "“A person who has certain powers there thinks he controls the whole situation,” Danilov said."
    )
    assert only(text).speaker == "Oleksiy Danilov"


def test_a_definite_description_resolves_to_the_person_with_that_title() -> None:
    text = (
        "Mayor Doug McCallum defended the plan on Monday.\n\n"
        "“We have had a decline in ice use for years,” the mayor told reporters."
    )
    q = only(text)
    assert q.speaker == "Doug McCallum"
    assert q.role == "Mayor"


def test_the_official_is_the_one_described_since_not_a_named_official_quoted_before() -> None:
    text = (
        "“We will reopen the bridge,” said Jane Doe, a spokeswoman for the ministry.\n\n"
        "The police were less sure.\n\n"
        "A spokeswoman for the police said the road would stay closed for weeks.\n\n"
        "“Nobody can drive there,” the spokeswoman said."
    )
    first, second = extract_quotes(text)
    assert first.speaker == "Jane Doe"
    assert second.speaker != "Jane Doe" and second.speaker is not None and "spokeswoman" in second.speaker
    text = (
        "“We lost everything,” says Naseem Akbar, a former official in the government.\n\n"
        "“Has corruption become the glue?” one Western official asks.\n\n"
        "“There is corruption for oneself,” the same official explains."
    )
    assert [q.speaker for q in extract_quotes(text)][1:] == ["one Western official", "the same official"]


def test_an_unnamed_speaker_keeps_its_noun_phrase() -> None:
    assert only("“Stephen really needs a kidney,” says one of the players in the video.").speaker == (
        "one of the players"
    )


# --- what is not a quote -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Belarusian officials claimed that 100,000 Belarusians could join the “people’s militia.”",
        "He called the proposal a “disaster” and said it was “dead on arrival” in the Senate.",
        "Her memoir, “Becoming,” sold ten million copies in its first year.",
        "She wrote “The Long Road Home” in 2010 and “Fox News Sunday” invited her on air.",
        "The word “yeet” made the list of banished words, along with “platform” and “optics.”",
        "Trump described the incident as a “terrible situation,” but stopped short of blaming anyone.",
    ],
)
def test_scare_quotes_titles_and_terms_are_not_quotes(text: str) -> None:
    assert extract_quotes(text) == []


def test_a_fragment_woven_into_a_sentence_is_dropped_but_a_whole_quote_kept() -> None:
    text = (
        "The prime minister said he was “deeply concerned” about the cuts.\n\n"
        "“We are also working with the unions to save that plant,” he said."
    )
    assert [q.text for q in extract_quotes(text)] == ["We are also working with the unions to save that plant,"]


# --- the sample article ------------------------------------------------------------------------


def test_sample_article_quotes_are_danilovs_and_the_militia_is_not_a_quote() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    quotes = extract_quotes(text)
    assert_verbatim(text, quotes)
    danilov = [q for q in quotes if q.speaker == "Oleksiy Danilov"]
    assert len(danilov) >= 3
    assert any(q.text.startswith("Do you want us to provoke") for q in danilov)
    assert all("militia" not in q.text for q in quotes)
    assert any(q.role and "National Security and Defense Council" in q.role for q in danilov)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["“", "”", '"', "'", "‘", "’", "«", "»", "„", "「", "」", "\n\n", " ", "said", "Jane Smith",
             "he", ",", ".", "We will win", "don't", "the players'", ":", "according to"]
        ),
        max_size=40,
    ).map("".join)
)
def test_any_text_gives_verbatim_quotes_in_text_order(text: str) -> None:
    quotes = extract_quotes(text)
    assert_verbatim(text, quotes)
    assert [q.start for q in quotes] == sorted(q.start for q in quotes)
    assert all(0 <= q.start < q.end <= len(text) for q in quotes)


# --- key quotes --------------------------------------------------------------------------------


def _q(text: str, speaker: str | None, start: int) -> Quote:
    return Quote(text=text, start=start, end=start + len(text) + 2, speaker=speaker)


def test_rank_quotes_prefers_substance_a_named_speaker_and_post_length() -> None:
    substance = _q("We will spend $2 billion on new hospitals before the next election.", "Maria Lopez", 0)
    filler = _q("Thank you.", "Maria Lopez", 100)
    anonymous = _q("We will spend $2 billion on new hospitals before the next election.", None, 200)
    too_long = _q("We will spend money on hospitals " * 20, "Maria Lopez", 300)
    ranked = rank_quotes([substance, filler, anonymous, too_long], max_key=1)
    by_start = {q.start: q for q in ranked}
    assert by_start[0].score > by_start[200].score > by_start[100].score
    assert by_start[0].score > by_start[300].score
    assert [q.start for q in ranked if q.key] == [0]


def test_rank_quotes_puts_several_speakers_before_several_quotes_of_one() -> None:
    a1 = _q("Our army will defend every metre of the border with Belarus.", "Oleksiy Danilov", 0)
    a2 = _q("We have no desire for orders to be given from Belarusian territory.", "Oleksiy Danilov", 100)
    a3 = _q("We are doing everything possible to prevent an invasion from the north.", "Oleksiy Danilov", 200)
    b1 = _q("There is no strike group in Belarus capable of a new offensive.", "Andriy Demchenko", 300)
    ranked = rank_quotes([a1, a2, a3, b1], max_key=2)
    keys = [q for q in ranked if q.key]
    assert len(keys) == 2
    assert {q.speaker for q in keys} == {"Oleksiy Danilov", "Andriy Demchenko"}


def test_rank_quotes_returns_copies_in_text_order() -> None:
    quotes = [_q("We will build the bridge by next spring.", "Ravi Patel", s) for s in (50, 10, 90)]
    ranked = rank_quotes(quotes, max_key=3)
    assert [q.start for q in ranked] == [50, 10, 90]  # the order it was given (text order)
    assert all(q.score != 0.0 for q in ranked)
    assert all(not q.key and q.score == 0.0 for q in quotes)  # inputs untouched (frozen copies)


def test_rank_quotes_on_nothing() -> None:
    assert rank_quotes([]) == []


# --- the evaluation metric itself ----------------------------------------------------------------


def _gold(text: str, quote: str, speaker: str) -> dict:
    start = text.index(quote)
    return {"start": start, "end": start + len(quote), "quote": quote, "speaker": speaker}


def _pred(text: str, quote: str, speaker: str | None) -> dict:
    start = text.index(quote)
    return {"start": start, "end": start + len(quote), "speaker": speaker}


def test_metric_trims_marks_and_punctuation_and_matches_by_overlap() -> None:
    qm = _metric()
    text = 'A long introduction to the story. "We will build it, and it will be great," said Jo Smith. The end.'
    gold = [_gold(text, '"We will build it, and it will be great,"', "Jo Smith")]
    # Same words without the marks and the comma: a full match after trimming.
    s = qm.score_quotes([[_pred(text, "We will build it, and it will be great", "Smith")]], [gold], [text])
    assert (s["precision"], s["recall"], s["speaker_accuracy"]) == (100.0, 100.0, 100.0)
    # Too short a prediction (< 80% of the gold span): no match.
    s = qm.score_quotes([[_pred(text, "We will build it", "Jo Smith")]], [gold], [text])
    assert (s["matched_predicted"], s["matched_gold"]) == (0, 0)
    # A prediction that is mostly outside the gold span (< 50% of it inside): no match.
    s = qm.score_quotes([[{"start": 0, "end": len(text), "speaker": "Jo Smith"}]], [gold], [text])
    assert s["matched_gold"] == 0 and s["precision"] == 0.0


def test_metric_is_one_to_one_largest_overlap_first() -> None:
    qm = _metric()
    text = '"We will build the bridge and the road." Later: "We will build the bridge."'
    gold = [_gold(text, '"We will build the bridge and the road."', "A")]
    preds = [_pred(text, '"We will build the bridge and the road."', "A"), _pred(text, "We will build the bridge and the road", "A")]
    s = qm.score_quotes([preds], [gold], [text])
    assert (s["matched_predicted"], s["predicted"], s["matched_gold"]) == (1, 2, 1)
    assert s["precision"] == 50.0 and s["recall"] == 100.0
    assert round(s["f1"], 2) == 66.67


def test_metric_several_predictions_may_match_one_interrupted_gold_span_and_vice_versa() -> None:
    qm = _metric()
    text = "“We understand everything that is happening,” he said. “It is a challenge for all of us.”"
    whole = {"start": 0, "end": len(text), "quote": text, "speaker": "he"}
    first = _gold(text, "“We understand everything that is happening,”", "Danilov")
    second = _gold(text, "“It is a challenge for all of us.”", "Danilov")
    halves = [_pred(text, first["quote"], "Danilov"), _pred(text, second["quote"], "Danilov")]
    # polnear-style gold (one span), ggt-style prediction (two): both predictions match.
    s = qm.score_quotes([halves], [[whole]], [text])
    assert (s["matched_predicted"], s["matched_gold"]) == (2, 1)
    assert s["speaker_total"] == 0  # a pronoun gold speaker is not scored
    # ggt-style gold (two spans), one prediction covering both: both gold spans match.
    one = [{"start": 0, "end": len(text), "speaker": "Oleksiy Danilov"}]
    s = qm.score_quotes([one], [[first, second]], [text])
    assert (s["matched_predicted"], s["matched_gold"]) == (1, 2)
    assert s["speaker_accuracy"] == 100.0  # last word, case-insensitive
    # When one half alone is most of the prediction, step 1 pairs them; the README's converse rule
    # still gives the prediction the other half, the narrower reading does not.
    text = "“We understand everything that is happening in Belarus and on the border,” he said. “It is hard.”"
    first = _gold(text, "“We understand everything that is happening in Belarus and on the border,”", "Danilov")
    second = _gold(text, "“It is hard.”", "Danilov")
    one = [{"start": 0, "end": len(text), "speaker": "Danilov"}]
    assert qm.score_quotes([one], [[first, second]], [text])["matched_gold"] == 2
    assert qm.score_quotes([one], [[first, second]], [text], strict_order=True)["matched_gold"] == 1


def test_metric_speaker_is_the_last_word_and_wrong_speakers_count_against() -> None:
    qm = _metric()
    text = "“The plan will work,” said Mr. Obama."
    gold = [_gold(text, "“The plan will work,”", "Mr. Obama")]
    right = qm.score_quotes([[_pred(text, "“The plan will work,”", "Barack Obama")]], [gold], [text])
    wrong = qm.score_quotes([[_pred(text, "“The plan will work,”", "Joe Biden")]], [gold], [text])
    none = qm.score_quotes([[_pred(text, "“The plan will work,”", None)]], [gold], [text])
    assert right["speaker_accuracy"] == 100.0
    assert wrong["speaker_accuracy"] == 0.0 and none["speaker_accuracy"] == 0.0
    assert wrong["f1"] == 100.0  # speakers do not affect span matching


def test_metric_naive_baseline_finds_double_quoted_text() -> None:
    qm = _metric()
    text = 'He said "no." Then: "We will not sign this agreement," Ana Silva said.'
    found = qm.naive_quotes(text)
    assert [text[p["start"] : p["end"]] for p in found] == ['"We will not sign this agreement,"']
    assert found[0]["speaker"] == "Ana Silva"


def test_she_said_never_goes_to_a_man_known_only_by_his_given_name() -> None:
    # Nothing in the text says Tom Reed is a man, but "Tom" does: a wrong name is worse than none.
    text = "Tom Reed met Anna Berg on Monday. “We will win the vote next week,” she said."
    assert [q.speaker for q in extract_quotes(text)] == [None]
    text = "Anna Berg met Tom Reed on Monday. “We will win the vote next week,” he said."
    assert [q.speaker for q in extract_quotes(text)] == [None]


def test_she_said_skips_a_nearer_man_known_by_his_given_name() -> None:
    text = (
        "Anna Berg said the union would appeal the ruling.\n\n"
        "Tom Reed, the city solicitor, defended the ruling on Monday.\n\n"
        "“We are not giving up,” she said."
    )
    assert [q.speaker for q in extract_quotes(text)] == ["Anna Berg"]
    # ... and the same in Spanish, German or Ukrainian names, accents or none
    text = (
        "Olena Kovalenko said the union would appeal the ruling.\n\n"
        "Jose Garcia, the city solicitor, defended the ruling on Monday.\n\n"
        "“We are not giving up,” she said."
    )
    assert [q.speaker for q in extract_quotes(text)] == ["Olena Kovalenko"]


def test_a_given_name_never_outweighs_an_honorific_before_the_full_name() -> None:
    text = "“The ruling is final,” said Ms. Michael Reed, the city solicitor.\n\n“We will not appeal,” she said."
    assert [q.speaker for q in extract_quotes(text)] == ["Michael Reed", "Michael Reed"]


def test_an_honorific_before_a_surname_alone_that_the_given_name_contradicts_is_a_namesake() -> None:
    # "Mrs Cruz" is Ted Cruz's wife: she does not make him a "she" (and so nobody's "he").
    text = (
        "“We will cut taxes for every family,” said Ted Cruz.\n\n"
        "Mrs Cruz, his wife, has taken leave from her job at the bank.\n\n"
        "“We will win in Texas, and then we will win the country,” he said."
    )
    assert [q.speaker for q in extract_quotes(text)] == ["Ted Cruz", "Ted Cruz"]


def test_a_he_or_she_after_a_name_that_its_given_name_contradicts_is_someone_elses() -> None:
    # The first "he" after Anna Berg is the quote's own attribution: it does not make her a "he".
    text = "Tom Reed met Anna Berg on Monday. Anna Berg said the deal was good. “We will win the vote,” he said."
    assert [q.speaker for q in extract_quotes(text)] == ["Tom Reed"]
    # ... while the guess still decides for a name the list does not know
    text = "Tom Reed met Jordan Berg on Monday. Jordan Berg said she liked the deal. “We will win the vote,” she said."
    assert [q.speaker for q in extract_quotes(text)] == ["Jordan Berg"]


@pytest.mark.parametrize("name", ["Jordan Reed", "Andrea Rossi", "Nicola Bianchi", "Oluwaseun Adeyemi"])
def test_a_unisex_or_unlisted_given_name_rules_nobody_out(name: str) -> None:
    for pronoun in ("he", "she"):
        text = (
            "Paul Berg said the union would appeal the ruling.\n\n"
            f"{name}, the city solicitor, defended the ruling on Monday.\n\n"
            f"“We are not giving up,” {pronoun} said."
        )
        assert [q.speaker for q in extract_quotes(text)] == [name], pronoun


def test_she_said_skips_a_man_the_text_calls_he() -> None:
    text = (
        "“We will appeal the decision,” said Karen Lindsay, the union's lawyer.\n\n"
        "Paul Roberts said he expects the ruling to stand.\n\n"
        "“We are not giving up,” she said."
    )
    assert [q.speaker for q in extract_quotes(text)] == ["Karen Lindsay", "Karen Lindsay"]


def test_an_apposition_without_its_closing_comma() -> None:
    text = (
        "“You need to move quickly,” Erik van Sebille, an oceanographer at the University of "
        "New South Wales in Sydney told Reuters."
    )
    q = only(text)
    assert q.speaker == "Erik van Sebille"
    assert q.role == "an oceanographer at the University of New South Wales in Sydney"


def test_japanese_quotes_reported_with_to_and_their_speaker() -> None:
    text = "地元当局者は「死傷者の大半は町の外から発射されたロケット弾によるものだった」と述べた。イスラム過激派組織「ボコ・ハラム」の犯行とみられる。"
    q = only(text)
    assert q.text == "死傷者の大半は町の外から発射されたロケット弾によるものだった"
    assert q.speaker == "地元当局者"
    assert_verbatim(text, [q])


def test_he_or_she_never_goes_to_an_organisation() -> None:
    text = (
        "Sister Sharon Holland, the head of the LCWR, who was the only sister on stage without a "
        "habit, told reporters that there were still hard feelings. "
        "“I’m concerned about those who may still be angry,” she said."
    )
    assert only(text).speaker == "Sharon Holland"


DEV = ROOT.parent / "shared" / "eval" / "quotes-dev.jsonl"


@pytest.mark.skipif(not DEV.exists(), reason="optional: the team's evaluation file is not here")
def test_dev_set_targets_hold() -> None:
    """Regression guard on the external dev set (not copied into the project): the issue's
    targets, F1 >= 90 on ggt and >= 75 on polnear, with the metric of bench/quote_metric.py."""
    import json

    qm = _metric()
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    for corpus, target in (("ggt", 90.0), ("polnear", 75.0)):
        sel = [r for r in rows if r["corpus"] == corpus]
        preds = [
            [{"start": q.start, "end": q.end, "speaker": q.speaker} for q in extract_quotes(r["text"])]
            for r in sel
        ]
        score = qm.score_quotes(preds, [r["gold"] for r in sel], [r["text"] for r in sel])
        assert score["f1"] >= target, (corpus, score)


@pytest.mark.skipif(not DEV.exists(), reason="optional: the team's evaluation file is not here")
def test_dev_set_speaker_accuracy_holds() -> None:
    """Regression guard on speaker accuracy: the README's metric on ggt (whose gold is the resolved
    name), and, over both corpora, against the gold speaker's name part (PolNeAR's gold is the
    source span as written, apposition included, whose last word no name can match - see the
    bench's diagnostic)."""
    import json

    qm = _metric()
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    preds = [[{"start": q.start, "end": q.end, "speaker": q.speaker} for q in extract_quotes(r["text"])] for r in rows]
    ggt = [i for i, r in enumerate(rows) if r["corpus"] == "ggt"]
    score = qm.score_quotes([preds[i] for i in ggt], [rows[i]["gold"] for i in ggt], [rows[i]["text"] for i in ggt])
    assert score["speaker_accuracy"] >= 92.0, score
    both = qm.score_quotes(preds, [r["gold"] for r in rows], [r["text"] for r in rows], gold_speaker_name_part=True)
    assert both["speaker_accuracy"] >= 91.0, both


# --- scripts without capitals ------------------------------------------------------------------


@pytest.mark.parametrize("open_, close", [('"', '"'), ("“", "”")])
def test_a_thai_quote_is_kept_with_the_name_before_its_speech_verb(open_: str, close: str) -> None:
    # "Mr Anan Sukjai, the transport minister, said that '…' at a press conference on Friday."
    text = (
        f"นายอนันต์ สุขใจ รัฐมนตรีว่าการกระทรวงคมนาคม กล่าวว่า {open_}รถไฟสายใหม่จะเปิดให้บริการภายในปีหน้าอย่างแน่นอน{close} "
        "ในการแถลงข่าวเมื่อวันศุกร์"
    )
    q = only(text)
    assert q.text == "รถไฟสายใหม่จะเปิดให้บริการภายในปีหน้าอย่างแน่นอน"
    assert (q.speaker, q.role) == ("นายอนันต์ สุขใจ", "รัฐมนตรีว่าการกระทรวงคมนาคม")
    assert_verbatim(text, [q])


def test_a_thai_speaker_without_an_honorific_is_the_description_and_a_pronoun_goes_back() -> None:
    # "The airport spokesperson said that '…'" / "… and he said that '…'"
    described = only("โฆษกท่าอากาศยาน กล่าวว่า “เที่ยวบินทั้งหมดจะกลับมาตามปกติในคืนนี้”")
    assert (described.speaker, described.role) == ("โฆษกท่าอากาศยาน", None)
    text = "นางสาวมาลี ดีงาม กล่าวว่า “เราพร้อมแล้ว” และเขากล่าวว่า “ทุกคนจะได้รับความช่วยเหลืออย่างทั่วถึง”"
    assert [q.speaker for q in extract_quotes(text)] == ["นางสาวมาลี ดีงาม", "นางสาวมาลี ดีงาม"]


@pytest.mark.parametrize(
    "text, words",
    [
        ('قال الوزير: "نحن مستعدون للحوار مع الجميع".', "نحن مستعدون للحوار مع الجميع"),
        ('השר אמר: "אנחנו מוכנים לדבר עם כולם".', "אנחנו מוכנים לדבר עם כולם"),
        ('मंत्री ने कहा: "हम सभी से बात करने के लिए तैयार हैं"।', "हम सभी से बात करने के लिए तैयार हैं"),
    ],
)
def test_a_quote_in_a_script_without_capitals_is_sentence_like(text: str, words: str) -> None:
    assert only(text).text == words


def test_a_japanese_quote_with_spaces_inside_is_still_japanese() -> None:
    text = "田中社長は３日、決算会見で「ＡＩ 関連の投資を 来年は倍増させる」と語った。"
    q = only(text)
    assert (q.text, q.speaker) == ("ＡＩ 関連の投資を 来年は倍増させる", "田中社長")


@pytest.mark.parametrize(
    "before",
    [
        "山田知事は", "山田知事は、", "山田知事は定例会見で", "山田知事は２日、定例会見で", "山田知事は議会に対し",
        "山田知事が県庁で", "山田知事は記者が見守る中で",
    ],
)
def test_a_japanese_speaker_is_the_topic_even_with_a_phrase_before_the_quote(before: str) -> None:
    # "Governor Yamada [on the 2nd, at a press conference] said '…'"
    q = only(before + "「来年度から子育て支援を拡充する」と述べた。")
    assert (q.text, q.speaker) == ("来年度から子育て支援を拡充する", "山田知事")
