"""A post quotes in its article's typography: the article's own marks, else its language's usual ones."""

from __future__ import annotations

from compose_samples import compose_settings, sample_article, sample_analysis

from bot.compose import compose
from bot.compose.marks import breaking_label, language_marks, quote_marks, typographic_inside
from bot.models import Priority, Quote


def _post(body: str, words: str, language: str, platform: str = "mastodon", **article: object) -> str:
    start = body.index(words) - 1  # the span covers the marks around the words
    quote = Quote(words, start, start + len(words) + 2, "Anna Weber", None, 0.9, key=True)
    analysis = sample_analysis(text=body, quotes=(quote,), language=language, summary="", summary_sentences=())
    settings = compose_settings(threads=[])
    (draft,) = compose(sample_article(text=body, **article), analysis, settings, [platform])
    return draft.parts[0].text


def test_a_german_quote_keeps_its_low_high_marks() -> None:
    body = "Die Brücke bleibt gesperrt. „Wir reparieren sie im Frühjahr“, sagte Anna Weber."
    text = _post(body, "Wir reparieren sie im Frühjahr", "de")
    assert "„Wir reparieren sie im Frühjahr“ — Anna Weber" in text


def test_straight_marks_take_the_languages_usual_pair() -> None:
    body = 'Die Brücke bleibt gesperrt. "Wir reparieren sie im Frühjahr", sagte Anna Weber.'
    assert "„Wir reparieren sie im Frühjahr“" in _post(body, "Wir reparieren sie im Frühjahr", "de")
    spanish = 'El puente sigue cerrado. "Lo repararemos en primavera", dijo Anna Weber.'
    assert "«Lo repararemos en primavera»" in _post(spanish, "Lo repararemos en primavera", "es")


def test_an_article_in_english_style_marks_keeps_them_whatever_its_language() -> None:
    body = "Die Brücke bleibt gesperrt. “Wir reparieren sie im Frühjahr”, sagte Anna Weber."
    assert "“Wir reparieren sie im Frühjahr”" in _post(body, "Wir reparieren sie im Frühjahr", "de")


def test_a_quotation_inside_a_curly_quote_keeps_its_straight_marks() -> None:
    body = 'The bridge is closed. “They call it "the old lady" here,” said Anna Weber.'
    assert '“They call it "the old lady" here” — Anna Weber' in _post(body, 'They call it "the old lady" here,', "en")


def test_a_german_quote_interrupted_by_its_attribution_names_the_speaker_once() -> None:
    words = "Wir haben lange gewartet“, sagte Anna Weber am Montag. „Jetzt ist die Brücke fertig."
    body = f"Die Brücke ist offen. „{words}“"
    text = _post(body, words, "de")
    assert f"„{words}“" in text
    assert text.count("Anna Weber") == 1


def test_japanese_corner_brackets_stay() -> None:
    body = "橋は閉鎖された。市長は「春に修理する」と述べた。"
    assert "「春に修理する」" in _post(body, "春に修理する", "ja")


def test_breaking_news_is_labelled_in_the_articles_language() -> None:
    body = "Die Brücke bleibt gesperrt. „Wir reparieren sie im Frühjahr“, sagte Anna Weber."
    text = _post(body, "Wir reparieren sie im Frühjahr", "de", priority=Priority.BREAKING)
    assert text.startswith("EILMELDUNG: ")
    assert breaking_label("en") == "BREAKING" and breaking_label("xx") == "BREAKING"


def test_the_rules_on_their_own() -> None:
    assert quote_marks("«", "»", "de") == ("«", "»")  # the article's own typographic marks win
    assert quote_marks('"', '"', "de") == ("„", "“")
    assert quote_marks("", "", "pt-BR") == ("“", "”")
    assert language_marks("fr") == ("«\u202f", "\u202f»")
    interrupted = 'We waited," said the mayor. "It is done'
    assert typographic_inside(interrupted, ("“", "”")) == "We waited,” said the mayor. “It is done"
    assert typographic_inside(interrupted, ("«\u202f", "\u202f»")) == "We waited,\u202f» said the mayor. «\u202fIt is done"
