"""The analysis entry points: analyze(article) and analyze_text(text) - headline, summary, quotes
with offsets, language - on the project's sample and on short texts of our own."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.analyze import analyze, analyze_text
from bot.analyze.headline import clean_title, make_headline, shorten
from bot.analyze.language import detect_language
from bot.errors import AnalyzeError
from bot.models import Article

SAMPLE = Path(__file__).parent / "data" / "belarus-ties.txt"
SHARED_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "articles"

QUOTE_MARKS = "\"“”„«»‚‘’'「」『』"


@pytest.fixture(scope="module")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


# --- the sample ---------------------------------------------------------------------------------
def test_sample_headline_summary_and_language(sample_text: str) -> None:
    result = analyze(Article(source="belarus-ties.txt", text=sample_text))
    assert result.headline == "Ukraine yet to sever diplomatic ties with Belarus"
    assert result.language == "en"
    assert len(result.summary_sentences) == 1
    assert result.summary == result.summary_sentences[0]
    assert result.summary in result.text
    assert result.text == "\n\n".join(result.paragraphs)


def test_no_boilerplate_line_of_the_sample_survives(sample_text: str) -> None:
    result = analyze(Article(source="belarus-ties.txt", text=sample_text))
    for furniture in (
        "27 February, 12:16 PM",
        "Oleksiy Danilov (Photo:REUTERS/Anna Voitenko)",
        "Video of day",
        "We’re bringing the voice of Ukraine to the world.",
        "Support us with a one-time donation, or become a Patron!",
        "Follow us on Twitter, Facebook and Google News",
        "Ukraine Today",
        "Fresh daily newsletter covering the top headlines and developments in Ukraine",
        "Daily at 9am EST",
        "Show more news",
    ):
        assert furniture not in result.text
    assert result.paragraphs[0].startswith("Ukraine has not yet severed diplomatic relations")
    assert "the enemy and the situation could change at any moment." in result.paragraphs[-1]


def test_sample_has_at_least_three_quotes_by_oleksiy_danilov(sample_text: str) -> None:
    result = analyze(Article(source="belarus-ties.txt", text=sample_text))
    danilov = [q for q in result.quotes if q.speaker == "Oleksiy Danilov"]
    assert len(danilov) >= 3
    for q in result.quotes:  # offsets point at the quotation, marks included, in Analysis.text
        span = result.text[q.start : q.end]
        assert span[0] in QUOTE_MARKS and span[-1] in QUOTE_MARKS
        assert q.text in span
    assert 1 <= len(result.key_quotes) <= 3


def test_summary_sentences_is_configurable(sample_text: str) -> None:
    result = analyze(Article(source="s", text=sample_text), summary_sentences=3)
    assert len(result.summary_sentences) == 3
    positions = [result.text.index(s) for s in result.summary_sentences]
    assert positions == sorted(positions)  # in article order


def test_the_article_title_wins_over_the_first_line(sample_text: str) -> None:
    article = Article(source="s", text=sample_text, title="Ukraine keeps ties with Belarus | Kyiv Post")
    result = analyze(article)
    assert result.headline == "Ukraine keeps ties with Belarus"


# --- analyze_text: offsets into the given text -------------------------------------------------------
def test_analyze_text_reports_quote_offsets_into_the_given_text(sample_text: str) -> None:
    result = analyze_text(sample_text)
    assert result.text == sample_text
    assert result.headline == "Ukraine yet to sever diplomatic ties with Belarus"
    assert len([q for q in result.quotes if q.speaker == "Oleksiy Danilov"]) >= 3
    for q in result.quotes:
        span = sample_text[q.start : q.end]
        assert span[0] in QUOTE_MARKS and span[-1] in QUOTE_MARKS
        assert " ".join(q.text.split()) in " ".join(span.split())


def test_analyze_text_maps_offsets_across_dropped_lines_and_wrapped_lines() -> None:
    text = (
        "Bridge to close for repairs\n\n"
        "12 March, 09:30 AM\n"
        "The old bridge at dusk (Photo: City Hall)\n\n"
        "The city council voted on Tuesday to close the old bridge for repairs next spring.\n\n"
        "“We have no choice. The steel is\ncracking,” said Anna Berg, the city engineer.\n\n"
        "Video of day\n\n"
        "“Drivers will have to be patient,” Berg said.\n"
    )
    result = analyze_text(text)
    assert result.text == text
    assert result.headline == "Bridge to close for repairs"
    assert len(result.quotes) == 2
    first, second = result.quotes
    assert text[first.start : first.end] == "“We have no choice. The steel is\ncracking,”"
    assert text[second.start : second.end] == "“Drivers will have to be patient,”"
    assert first.speaker == second.speaker == "Anna Berg"


BRIDGE = (
    "Bridge to close for repairs\n\n"
    "The city council voted on Tuesday to close the old bridge for repairs next spring.\n\n"
    "“We have no choice. The steel is cracking,” said Anna Berg, the city engineer.\n\n"
    "Share this article\n\n"
    "Mayor Tom Reed disagreed with the council and the engineer.\n\n"
    "“Drivers will have to be patient,” he said.\n"
)


# A JSON record's text may break its lines the old Mac way (CR), or with the Unicode line and paragraph
# separators of text that went through JavaScript; read as one line, "he said" went to Anna Berg.
@pytest.mark.parametrize("newline", ["\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"])
def test_any_line_break_character_breaks_lines_and_offsets_still_point_into_the_given_text(newline: str) -> None:
    text = BRIDGE.replace("\n", newline)
    result = analyze_text(text)
    assert result.text == text
    assert result.headline == "Bridge to close for repairs"
    assert result.summary == "The city council voted on Tuesday to close the old bridge for repairs next spring."
    assert not any("Share" in p for p in result.paragraphs)
    assert [(text[q.start : q.end], q.speaker) for q in result.quotes] == [
        ("“We have no choice. The steel is cracking,”", "Anna Berg"),
        ("“Drivers will have to be patient,”", "Tom Reed"),
    ]


def test_an_article_without_a_usable_body_is_an_analyze_error() -> None:
    with pytest.raises(AnalyzeError, match="no usable body"):
        analyze(Article(source="empty.txt", text="   \n\n "))
    with pytest.raises(AnalyzeError, match="boilerplate"):
        analyze_text("https://example.com/a\n\nVideo of day\n\nShow more news\n\nFollow us on Twitter", source="x")


# --- headline -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Ukraine yet to sever diplomatic ties with Belarus | Kyiv Independent", "Ukraine yet to sever diplomatic ties with Belarus"),
        ("Storm hits the coast - BBC News", "Storm hits the coast"),
        ("Brexit: what happens now? | Politics | The Guardian", "Brexit: what happens now?"),
        ("Apple &amp; Google sued — nytimes.com", "Apple & Google sued"),
        ("BREAKING: Quake hits northern Japan", "Quake hits northern Japan"),
        ("Ukraine - Russia talks fail", "Ukraine - Russia talks fail"),  # not a site name: kept
        ("Man bites dog - report", "Man bites dog - report"),
    ],
)
def test_clean_title(title: str, expected: str) -> None:
    assert clean_title(title) == expected


def test_clean_title_knows_the_outlet() -> None:
    assert clean_title("Rates rise again - the daily herald", outlet="The Daily Herald") == "Rates rise again"


def test_a_lead_that_is_only_a_wire_dateline_is_still_a_headline() -> None:
    # cut off, the dateline leaves nothing: the headline is the lead as it stands, never empty
    assert make_headline(None, None, ["JAKARTA (Reuters) -."]) == "JAKARTA (Reuters) -"
    assert analyze_text("JAKARTA (Reuters) -.").headline == "JAKARTA (Reuters) -"


def test_lines_of_marks_before_the_lead_do_not_leave_the_headline_empty() -> None:
    assert analyze_text("!「\n\n。.X").headline == "X"
    assert analyze_text("***\n\n—\n\n•\n\n|\n\nThe council voted on Tuesday to close the bridge.").headline == (
        "The council voted on Tuesday to close the bridge"
    )


def test_headline_falls_back_to_the_lead_sentence_cut_at_a_word_boundary() -> None:
    lead = (
        "JAKARTA (Reuters) - Countries around Asia on Tuesday stepped up the search for an AirAsia plane "
        "carrying 162 people that is presumed to have crashed."
    )
    headline = make_headline(None, None, lead)
    assert headline.startswith("Countries around Asia on Tuesday")
    assert headline.endswith("…") and len(headline) <= 110
    assert lead.replace("JAKARTA (Reuters) - ", "").startswith(headline[:-1])


def test_headline_skips_a_short_lede_and_drops_the_dateline_of_a_first_line() -> None:
    leads = ["GREEN BAY, Wis. -- Here we go again.", "The council voted on Tuesday to close the old bridge."]
    assert make_headline(None, None, leads) == "The council voted on Tuesday to close the old bridge"
    assert make_headline(None, "RIVERTON: Council closes the old bridge", leads) == "Council closes the old bridge"
    assert make_headline(None, None, ["Short one."]) == "Short one"  # nothing better: still a headline
    news = ["Pope Francis has died.", "The Vatican said in a statement that he died peacefully at his residence."]
    assert make_headline(None, None, news) == "Pope Francis has died"  # short, and it is the news
    # a hyphen inside a word is no dateline
    assert make_headline(None, "COVID-19 Cases Surge in Texas Hospitals", leads) == "COVID-19 Cases Surge in Texas Hospitals"
    assert make_headline(None, "NATO-Russia Council Meets in Brussels", leads) == "NATO-Russia Council Meets in Brussels"


def test_headline_prefers_a_headline_like_first_line() -> None:
    assert make_headline(None, "Bridge to close", "The council voted.") == "Bridge to close"
    assert shorten("short enough") == "short enough"


# --- language -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The council said on Tuesday that the bridge will be closed for repairs in the spring.", "en"),
        ("Der Stadtrat hat am Dienstag beschlossen, dass die Brücke im Frühjahr für die Reparatur gesperrt wird.", "de"),
        ("El ayuntamiento dijo el martes que el puente se cerrará por obras en la primavera.", "es"),
        ("市議会は火曜日、橋を春に修理のため閉鎖すると発表した。", "ja"),
        ("สภาเมืองประกาศว่าสะพานจะปิดซ่อมแซมในฤดูใบไม้ผลิ", "th"),
        # a Japanese word in kana inside English or German prose does not make the article Japanese
        ("The word ありがとう means thank you, the teacher told the class in Osaka on Monday as the year began.", "en"),
        ("Die Schüler lernen das Wort ありがとう, sagte die Lehrerin am Montag, und es ist nicht das einzige Wort.", "de"),
    ],
)
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_the_articles_own_language_wins() -> None:
    text = "The council voted on Tuesday to close the old bridge for repairs next spring."
    assert analyze(Article(source="s", text=text, language="nl")).language == "nl"


# --- optional: the shared multilingual samples, when this checkout sits beside them -----------------
@pytest.mark.skipif(not SHARED_SAMPLES.is_dir(), reason="optional: ../shared/samples not present")
def test_every_shared_sample_analyses_with_a_headline_and_summary() -> None:
    for path in sorted(SHARED_SAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        result = analyze_text(text, source=path.name)
        expected_language = path.name.split("_")[1]
        assert result.language == expected_language, path.name
        assert result.headline and result.summary, path.name
        assert not result.headline.startswith("http"), path.name
        for q in result.quotes:
            assert text[q.start] in QUOTE_MARKS, path.name


# --- any text at all ------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("ab XY.,:!?“”\"'«»「」。\n") + ["said", " Mr. ", "Photo:", "http://x.y/z", "\n\n"]),
        max_size=120,
    ).map("".join)
)
def test_analyze_text_never_crashes_and_offsets_stay_in_the_given_text(text: str) -> None:
    try:
        result = analyze_text(text)
    except AnalyzeError:
        return
    assert result.text == text
    assert result.headline and result.summary
    for q in result.quotes:
        assert 0 <= q.start < q.end <= len(text)
        assert text[q.start] in QUOTE_MARKS


# The awkward pieces of newsroom input: every quotation-mark style, line breaks of every kind, no-break and
# zero-width spaces, attributions, furniture (share words, captions, credits, datelines, markup), scripts
# without spaces or capitals, a lone surrogate and a NUL.
PIECES = [
    "“", "”", '"', "'", "‘", "’", "«", "»", "„", "‚", "「", "」", "『", "』", "''", "’’",
    "\n", "\n\n", "\r\n", "\r", "\u2028", " ", " ", "\t", "\u00a0", "\u200b",
    "said", "says", "told Reuters", "according to", "Jane Smith", "Mr. Tom Berg", "he", "she", "they", "it",
    "The mayor", "the company", ",", ".", "!", "?", ":", "…", "—", "-", "(", ")",
    "We will win", "don't", "the players'", "Share", "Photo:", "http://x.y/z", "(c)AFP/Jane DOE",
    "<p>", "</p>", "&quot;", "JAKARTA (Reuters) -", "ผู้ว่าฯ กล่าวว่า", "と述べた", "は", "dijo", "sagte",
    "Él", "ß", "\ud800", "\x00", "\x85", "12:30", "1.", "•", "A", "b", "Z",
]


def _flat(s: str) -> str:
    return " ".join(s.replace("\ud800", "\ufffd").split())


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.lists(st.sampled_from(PIECES), max_size=120).map("".join), st.text(max_size=300)),
    st.integers(min_value=1, max_value=4),
)
def test_any_text_gives_a_headline_a_summary_from_the_text_and_quotes_covered_by_their_offsets(text: str, n: int) -> None:
    try:
        result = analyze_text(text, summary_sentences=n, max_key_quotes=2)
    except AnalyzeError:
        return  # no usable body: the one failure there is
    assert result.text == text
    assert result.headline.strip() and result.summary.strip()
    assert 1 <= len(result.summary_sentences) <= n
    for sentence in result.summary_sentences:
        # from the text (a wire dateline cut off and the rest capitalised: its first letter may differ)
        assert _flat(sentence)[2:] in _flat(text)
    previous_end = 0
    for q in result.quotes:
        assert previous_end <= q.start < q.end <= len(text)  # in text order, never overlapping
        assert text[q.start] in QUOTE_MARKS
        # Verbatim, whitespace aside, paragraph by paragraph (a caption or credit that cleaning dropped
        # between two paragraphs of one quote lies inside its span, not in its text).
        for paragraph in q.text.split("\n\n"):
            assert _flat(paragraph) in _flat(text[q.start : q.end])
        previous_end = q.end
    assert sum(q.key for q in result.quotes) <= 2


def test_a_lone_surrogate_is_read_as_a_replacement_character_and_offsets_still_hold() -> None:
    text = 'The mayor said "We\ud800 are ready," on Monday. The council voted on Tuesday to close the bridge.'
    analysis = analyze_text(text)
    [quote] = analysis.quotes
    assert (text[quote.start], text[quote.end - 1]) == ('"', '"')
    assert quote.text == "We\ufffd are ready,"


def test_text_that_is_not_a_string_is_a_clear_error() -> None:
    with pytest.raises(AnalyzeError, match="must be a string"):
        analyze_text(None)  # type: ignore[arg-type]
