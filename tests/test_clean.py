"""Boilerplate cleaning: every kind of web furniture goes, the body stays exactly as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.analyze.clean import clean_text

SAMPLE = Path(__file__).parent / "data" / "belarus-ties.txt"

BODY_1 = "The council voted on Tuesday to close the old bridge for repairs, the mayor said."
BODY_2 = "Work will start in March and last at least six months, according to the city."
BODY_3 = "Drivers will be sent along the river road while the bridge is closed to traffic."


def article(*middle: str) -> str:
    """Three real paragraphs with the given lines between the first and the second."""
    return "\n\n".join([BODY_1, *middle, BODY_2, BODY_3])


def assert_only_body(text: str) -> None:
    cleaned = clean_text(text)
    assert cleaned.paragraphs == (BODY_1, BODY_2, BODY_3)


@pytest.mark.parametrize(
    "line",
    [
        "27 February, 12:16 PM",
        "Updated 10:02 GMT, Monday 3 March 2025",
        "2023-02-27 12:16",
        "Veröffentlicht am 3. März 2024, 14:05 Uhr",
    ],
)
def test_dateline_and_timestamp_lines_are_dropped(line: str) -> None:
    assert_only_body(article(line))


@pytest.mark.parametrize(
    "line",
    [
        "Oleksiy Danilov (Photo:REUTERS/Anna Voitenko)",
        "The mayor at the bridge (Photo: City Hall)",
        "Photo: Jane Doe / Agency",
        "Anwohner vor der Brücke. Bild: dpa",
        "Commuters queue at the bridge on Monday (Getty Images)",
        "1 of 4. Commuters queue at the bridge on Monday.",
        "By Kevin Mazur/WireImage.",
        "In this photo released by the city, workers inspect the bridge.",
    ],
)
def test_photo_captions_and_credits_are_dropped(line: str) -> None:
    assert_only_body(article(line))


def test_a_long_caption_that_names_itself_goes_whatever_its_length() -> None:
    caption = (
        "In this image released by City Films, Ana Ruiz, left, and Tom Berg appear in a scene from \"The Bridge.\" "
        "Ruiz was nominated for a drama award for her role in the film on Thursday, Dec. 11. The awards will "
        "air on Sunday, Jan. 11, and the winners will be announced at the end of the night. "
        "(AP Photo/City Films, Jane Doe)AP2014"
    )
    assert len(caption) > 200
    assert_only_body(article(caption))


def test_a_share_bar_glued_into_the_first_line_is_cut_out_and_the_headline_before_it_kept() -> None:
    first = (
        "RIVERTON: Council closes the old bridge, mayor says Share Pin It More Galleries ADVERTISEMENT "
        "The old bridge seen from the river bank at dusk on Monday. CITY OF RIVERTON/CONTRIBUTED IMAGE "
        "Related article »"
    )
    cleaned = clean_text("\n\n".join([first, BODY_1, BODY_2, BODY_3]))
    assert cleaned.paragraphs == (BODY_1, BODY_2, BODY_3)
    assert cleaned.title_line == "RIVERTON: Council closes the old bridge, mayor says"
    assert "widget (glued)" in cleaned.reasons and "caption" in cleaned.reasons


def test_a_share_bar_glued_between_two_body_sentences_goes_and_both_stay() -> None:
    text = "\n\n".join([BODY_1, BODY_2 + " Share Tweet Email " + BODY_3])
    cleaned = clean_text(text)
    assert cleaned.paragraphs == (BODY_1, BODY_2, BODY_3)
    for para, (start, end) in zip(cleaned.paragraphs, cleaned.spans, strict=True):
        assert text[start:end] == para  # offsets still point into the given text


def test_share_words_in_a_sentence_are_not_a_share_bar() -> None:
    keep = "He posted the video on Facebook, Twitter and LinkedIn, and asked readers to share it."
    assert clean_text("\n\n".join([BODY_1, keep, BODY_2])).paragraphs == (BODY_1, keep, BODY_2)
    headline = "Facebook Twitter Merger Talks Collapse After Months"
    assert clean_text("\n\n".join([headline, BODY_1, BODY_2])).title_line == headline
    headline = "Facebook Share Price Falls After Earnings"
    assert clean_text("\n\n".join([headline, BODY_1, BODY_2])).title_line == headline
    for keep in (
        "Investors watched the Facebook Share price fall by 5% as the results came in, analysts said.",
        "The ADVERTISEMENT STANDARDS AUTHORITY banned the advert on Tuesday, the regulator said.",
    ):
        assert clean_text("\n\n".join([BODY_1, keep, BODY_2])).paragraphs == (BODY_1, keep, BODY_2)


def test_a_paragraph_about_a_photo_is_not_a_caption() -> None:
    fact_check = (
        "This photo shows a crowd at a cricket match in Mumbai in 2019, not a rally for the candidate as the "
        "post claims. A reverse image search finds that it was first published by a news agency four years ago."
    )
    assert len(fact_check) > 200
    assert_only_body_and(fact_check)


def assert_only_body_and(keep: str) -> None:
    assert clean_text("\n\n".join([BODY_1, keep, BODY_2, BODY_3])).paragraphs == (BODY_1, keep, BODY_2, BODY_3)


def test_a_teaser_that_repeats_a_later_quote_goes_and_the_quote_stays() -> None:
    teaser = "We are going to have to shovel more often."
    quote = '"We are going to have to shovel more often."'
    cleaned = clean_text("\n\n".join([BODY_1, teaser, BODY_2, quote, BODY_3]))
    assert cleaned.paragraphs == (BODY_1, BODY_2, quote, BODY_3)


def test_an_embedded_post_goes_and_the_quote_it_repeats_stays() -> None:
    embed = (
        "The storm was one of the worst we have seen in twenty years. Crews will work through the night to "
        "restore power to every home on the island, and some areas will wait for days. #Storm "
        "pic.twitter.com/abc123 — City Power (@citypower) December 22, 2018"
    )
    quote = '"Crews will work through the night to restore power to every home on the island," the utility said.'
    cleaned = clean_text("\n\n".join([BODY_1, embed, BODY_2, quote, BODY_3]))
    assert cleaned.paragraphs == (BODY_1, BODY_2, quote, BODY_3)
    assert "embedded post" in cleaned.reasons


def test_a_short_caption_with_a_photo_by_credit_goes() -> None:
    assert_only_body(article("Firefighters at the old bridge on Tuesday. (Photo by Jane Doe/Getty Images)"))


def test_a_bulleted_list_inside_the_body_stays_and_one_at_the_end_goes() -> None:
    items = ["• Income tax falls by two points for low earners", "• Pensions rise in line with inflation"]
    cleaned = clean_text("\n\n".join([BODY_1, "\n".join(items), BODY_2]))
    assert cleaned.paragraphs == (BODY_1, *items, BODY_2)
    numbered = ["1. Close the bridge in March", "2. Reopen it in September"]
    assert clean_text("\n\n".join([BODY_1, "\n".join(numbered), BODY_2])).paragraphs == (BODY_1, *numbered, BODY_2)
    menu = clean_text("\n\n".join([BODY_1, BODY_2, "• Home\n• News\n• Sport"]))
    assert menu.paragraphs == (BODY_1, BODY_2)


def test_a_section_label_does_not_hide_the_headline_after_it() -> None:
    cleaned = clean_text("\n\n".join(["Politics", "Council closes the old bridge", BODY_1, BODY_2]))
    assert cleaned.title_line == "Council closes the old bridge"
    assert cleaned.paragraphs == (BODY_1, BODY_2)


def test_markup_left_around_paragraphs_is_trimmed_and_offsets_still_map() -> None:
    text = f"<p>{BODY_1}</p>\n<p class=\"x\">{BODY_2}</p>\n\n<div>{BODY_3}</div>"
    cleaned = clean_text(text)
    assert cleaned.paragraphs == (BODY_1, BODY_2, BODY_3)
    for para, (start, end) in zip(cleaned.paragraphs, cleaned.spans, strict=True):
        assert text[start:end] == para


def test_a_caption_repeated_twice_goes_both_times() -> None:
    caption = "The old bridge seen from the river bank at dusk"
    assert_only_body(article(caption, caption))


@pytest.mark.parametrize(
    "line",
    [
        "Video of day",
        "Show more news",
        "Read more: Council approves new budget",
        "Related: How the bridge was built",
        "READ MORE: Ten bridges that changed the city",
        "Advertisement",
        "To listen to the complete interview, click here.",
    ],
)
def test_widget_lines_are_dropped(line: str) -> None:
    assert_only_body(article(line))


@pytest.mark.parametrize(
    "line",
    [
        "We’re bringing you the news. Support us with a one-time donation, or become a Patron!",
        "Follow us on Twitter, Facebook and Google News",
        "Like us on Facebook",
        "Subscribe to our newsletter to get the top stories every morning.",
        "Sign up for the Morning Brief, our free daily email.",
        "Want more? Subscribe to the Herald today.",
        "Click here to sign up for the newsletter",
        "This article originally appeared on City Weekly.",
        "(Additional reporting by Jane Doe; Editing by John Roe)",
        "CORRECTIV ist spendenfinanziert!",
    ],
)
def test_donation_subscribe_follow_and_credit_lines_are_dropped(line: str) -> None:
    assert_only_body(article(line))


def test_a_newsletter_box_at_the_end_goes_as_a_block() -> None:
    text = "\n\n".join([BODY_1, BODY_2, BODY_3]) + (
        "\n\nCity Today\nFresh daily newsletter covering the top headlines\nDaily at 9am EST\nShow more news\n"
    )
    assert_only_body(text)


def test_a_call_to_action_inside_single_spaced_paragraphs_takes_no_short_sentence_with_it() -> None:
    # Paragraphs one a line and a blank line only after the headline: the whole body is one block, and the
    # newsletter line in it is no box of short lines - "The vote was close." is body.
    text = (
        "Council closes the old bridge\n\n"
        f"{BODY_1}\nThe vote was close.\nSign up for our daily newsletter\n{BODY_2}\nWork starts in March.\n{BODY_3}\n"
    )
    assert clean_text(text).paragraphs == (BODY_1, "The vote was close.", BODY_2, "Work starts in March.", BODY_3)


def test_a_related_links_list_goes_with_its_header() -> None:
    text = "\n\n".join([BODY_1, BODY_2, BODY_3, "Related stories", "Bridge closures across the region", "Mayor faces budget row"])
    assert_only_body(text)


def test_the_url_on_the_first_line_and_short_labels_go() -> None:
    text = "https://example.com/news/2024/bridge-closed\nFeatures\n\n" + "\n\n".join([BODY_1, BODY_2, BODY_3])
    assert_only_body(text)


def test_a_url_glued_before_the_first_paragraph_is_cut_off_and_offsets_still_map() -> None:
    # the page's address and its text on one line (a scraper that dropped the line break)
    text = "https://example.com/news/2024/bridge-closed " + BODY_1 + "\n\n" + "\n\n".join([BODY_2, BODY_3])
    cleaned = clean_text(text)
    assert cleaned.paragraphs == (BODY_1, BODY_2, BODY_3)
    assert text[cleaned.spans[0][0] : cleaned.spans[0][1]] == BODY_1


def test_a_paragraph_that_only_mentions_a_url_keeps_it() -> None:
    body = "Tickets are on sale at https://example.com/tickets from Monday, the council said."
    assert clean_text("\n\n".join([BODY_1, body, BODY_2])).paragraphs == (BODY_1, body, BODY_2)


def test_a_repeated_title_is_dropped_and_the_body_kept() -> None:
    title = "City to close old bridge for repairs"
    cleaned = clean_text("\n\n".join([title, BODY_1, title, BODY_2, BODY_3]), title=title)
    assert cleaned.paragraphs == (BODY_1, BODY_2, BODY_3)


def test_a_headline_like_first_line_becomes_the_title_line() -> None:
    cleaned = clean_text("City to close old bridge for repairs\n\n" + "\n\n".join([BODY_1, BODY_2, BODY_3]))
    assert cleaned.title_line == "City to close old bridge for repairs"
    assert cleaned.paragraphs == (BODY_1, BODY_2, BODY_3)


def test_one_sentence_per_line_text_has_no_title_line() -> None:
    # the eval files put one sentence per line: their first line is the lead, not a headline
    cleaned = clean_text("The council met on Tuesday\nIt voted to close the bridge.\nWork starts in March.")
    assert cleaned.title_line is None


def test_a_pull_quote_repeating_body_text_is_dropped() -> None:
    pull = "Work will start in March and last at least six months"
    assert_only_body(article(pull))


def test_a_pull_quote_cut_from_a_longer_sentence_is_dropped() -> None:
    pull = "Work will start in March and last at least six months."  # BODY_2 goes on after a comma
    assert_only_body(article(pull))
    quote = "“We are ready for the long closure ahead,” the engineer said."
    body = "Drivers were warned. “We are ready for the long closure ahead,” the engineer said. More follows."
    assert clean_text("\n\n".join([BODY_1, quote, body, BODY_3])).paragraphs == (BODY_1, body, BODY_3)


def test_a_run_of_glued_captions_reprinting_a_body_sentence_goes_and_the_body_sentence_stays() -> None:
    # Captions copied without punctuation run into one line that repeats body sentences without their
    # full stops; the body sentence is the original, not a pull quote of the caption run.
    lead = "A council engineer has become a local celebrity for his careful work on the old bridge."
    captions = (
        "Hard at work: A council engineer has become a local celebrity for his careful work on the old bridge "
        "Proud: The engineer poses with his team on Monday Closed: Drivers queue at the river road on the first "
        "morning of the works"
    )
    cleaned = clean_text("\n\n".join([lead, BODY_1, captions, BODY_2, BODY_3]))
    assert cleaned.paragraphs == (lead, BODY_1, BODY_2, BODY_3)
    assert cleaned.reasons == ("caption run",)


def test_a_paragraph_where_a_short_sentence_runs_on_into_a_name_is_not_taken_for_a_caption_run() -> None:
    body = "Officials said the president will visit Paris Saint-Germain's new stadium on Friday, the club said."
    cleaned = clean_text("\n\n".join([BODY_1, "The president will visit Paris.", body, BODY_3]))
    assert body in cleaned.paragraphs


def test_wire_preamble_before_the_dateline_lead_is_dropped() -> None:
    lead = "LONDON (Reuters) - The council voted on Tuesday to close the old bridge for repairs."
    cleaned = clean_text("\n\n".join(["The best pictures of the week.", lead, BODY_2, BODY_3]))
    assert cleaned.paragraphs == (lead, BODY_2, BODY_3)


@pytest.mark.parametrize("space", [" ", "\u00a0", "\t"])  # web copy has no-break spaces (&nbsp;)
def test_live_blog_time_stamps_and_trailing_credits_are_cut_off_paragraphs(space: str) -> None:
    cleaned = clean_text("\n\n".join([f"14.53{space}" + BODY_1, BODY_2 + f" (c)AFP/Jane{space}DOE", BODY_3]))
    assert cleaned.paragraphs == (BODY_1, BODY_2, BODY_3)


def test_a_video_teaser_glued_to_a_paragraph_is_cut_off_and_its_caption_label_goes() -> None:
    cleaned = clean_text("\n\n".join([BODY_1, "Scroll down for video Closed:", "Scroll down for video " + BODY_2, BODY_3]))
    assert cleaned.paragraphs == (BODY_1, BODY_2, BODY_3)


def test_real_body_lines_that_mention_furniture_words_are_kept() -> None:
    keep = [
        "He donated $5 million to the hospital in 2019, the records show, and later joined its board.",
        "The newsletter was sent to 5,000 residents last week, the council said in a statement.",
        "“We are ready,” said Smith, the city engineer, who has followed the project since 2010.",
        # "sign up for the" / "subscribe to the" as news, not as a call to action
        "Residents can sign up for the new bus pass at city hall.",
        "About 40,000 households subscribe to the service, twice as many as last year.",
    ]
    cleaned = clean_text("\n\n".join([BODY_1, *keep, BODY_2]))
    assert cleaned.paragraphs == (BODY_1, *keep, BODY_2)


def test_hard_wrapped_lines_join_into_one_paragraph() -> None:
    text = "The council voted on Tuesday to close the old\nbridge for repairs, the mayor said.\n\n" + BODY_2
    cleaned = clean_text(text)
    assert cleaned.paragraphs == (
        "The council voted on Tuesday to close the old bridge for repairs, the mayor said.",
        BODY_2,
    )


def test_one_sentence_a_line_text_keeps_its_line_breaks_as_sentence_boundaries() -> None:
    lines = [
        "The council voted on Tuesday to close the old bridge",  # no full stop, a capital follows: a caption
        "Work will start in March, the mayor said.",
        "Drivers will use the river road",
        "until the works end in the autumn.",  # lower case: the line above was cut mid-sentence
    ]
    cleaned = clean_text("\n".join(lines))
    assert cleaned.paragraphs == (lines[1], lines[2] + " " + lines[3])


@pytest.mark.parametrize(
    ("cut", "rest"),
    [
        ("The council will vote on the plan at", "City Hall on Tuesday, the mayor said."),  # a preposition
        ("The boyfriend, Army Spc.", "Caleb Barnes, was charged on Thursday, police said."),  # a title
        ('"Mr', 'Swinney said the budget would be cut by 4.2% next year."'),  # a quote mark and one word
    ],
)
def test_a_line_that_stops_where_no_sentence_can_joins_the_next_even_before_a_capital(cut: str, rest: str) -> None:
    cleaned = clean_text("\n".join([BODY_1, cut, rest, BODY_2]))
    assert cleaned.paragraphs == (BODY_1, cut + " " + rest, BODY_2)


def test_a_line_ending_in_a_word_that_can_end_a_sentence_is_not_joined() -> None:
    lines = ["They said the club had tried to frame her", "It was a last-minute decision to go out, she said."]
    cleaned = clean_text("\n".join([BODY_1, *lines, BODY_2]))
    assert lines[0] + " " + lines[1] not in cleaned.paragraphs


def test_thai_text_without_sentence_punctuation_is_not_taken_for_fragments() -> None:
    clause = "ผู้สื่อข่าวได้รับแจ้งจากนาย ต. บุตรชายของภูชนะ คนสนิทของนายสุรชัย แซ่ด่าน ที่หายไป"
    thai = " ".join([clause] * 3)  # a real paragraph: long, clauses separated by spaces, no full stops
    text = "\n\n".join([thai, thai.replace("ต.", "ว."), "เรื่องที่เกี่ยวข้อง", "ลืออุ้ม อ.สุรชัย ผู้ลี้ภัยหายจากที่พัก 12 วันแล้ว"])
    cleaned = clean_text(text)
    assert cleaned.paragraphs == (thai, thai.replace("ต.", "ว."))


def test_every_offset_maps_back_into_the_original_text() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    cleaned = clean_text(text)
    assert cleaned.paragraphs
    for para, start in zip(cleaned.paragraphs, cleaned.starts, strict=True):
        assert cleaned.text[start : start + len(para)] == para
        for offset in (start, start + len(para) // 2, start + len(para) - 1):
            assert text[cleaned.to_original(offset)] == cleaned.text[offset]


def test_the_sample_loses_all_its_boilerplate_and_keeps_its_body() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    cleaned = clean_text(text, title="Ukraine yet to sever diplomatic ties with Belarus")
    body = cleaned.text
    for furniture in (
        "27 February, 12:16 PM",
        "(Photo:REUTERS/Anna Voitenko)",
        "Video of day",
        "one-time donation",
        "Follow us on Twitter",
        "Ukraine Today",
        "newsletter",
        "Daily at 9am EST",
        "Show more news",
        "Ukraine yet to sever diplomatic ties with Belarus",
    ):
        assert furniture not in body
    assert len(cleaned.paragraphs) == 11
    assert cleaned.paragraphs[0].startswith("Ukraine has not yet severed diplomatic relations with Belarus")
    assert cleaned.paragraphs[-1].startswith("However, he emphasized that Ukraine should not underestimate")
