"""Composition: what each platform gets for an article — texts, threads, links, cards, images."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import pytest
from compose_samples import (
    HEADLINE,
    QUOTE_ORDERS,
    QUOTE_PROVOKE,
    SUMMARY,
    URL,
    compose_settings,
    sample_analysis,
    sample_article,
)

from bot.compose import compose
from bot.compose.length import rule_for
from bot.compose.render import builtin_templates_dir
from bot.models import Draft, Priority, Quote

GOLDEN = Path(__file__).parent / "golden"
PLATFORMS = ("x", "bluesky", "mastodon")


def _by_platform(drafts: list[Draft]) -> dict[str, Draft]:
    return {d.platform: d for d in drafts}


def _compose(**settings: object) -> dict[str, Draft]:
    return _by_platform(compose(sample_article(), sample_analysis(), compose_settings(**settings), PLATFORMS))


# --- golden files --------------------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_sample_article_posts_match_the_golden_files(platform: str) -> None:
    """The finished posts for the sample article. Regenerate with UPDATE_GOLDEN=1 and review the diff."""
    draft = _compose()[platform]
    got = json.dumps(asdict(draft), ensure_ascii=False, indent=2, default=str) + "\n"
    path = GOLDEN / f"belarus-ties.{platform}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
        readable = "\n\n---- reply ----\n\n".join(p.text for p in draft.parts) + "\n"
        path.with_suffix(".txt").write_text(readable, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")


# --- what the default templates produce ---------------------------------------------------------


def test_x_post_is_headline_key_quote_with_speaker_and_link() -> None:
    (part,) = _compose()["x"].parts
    assert part.text.startswith(HEADLINE + "\n\n“We have no desire")
    assert "” — Oleksiy Danilov" in part.text
    assert URL in part.text
    assert SUMMARY not in part.text  # a post, not a data dump
    assert part.length <= part.limit == 280


def test_quote_keeps_its_words_but_not_the_trailing_comma_of_the_source_sentence() -> None:
    (part,) = _compose()["x"].parts
    assert "“" + QUOTE_ORDERS.rstrip(",") + "”" in part.text


@pytest.mark.parametrize("platform", ["bluesky", "mastodon"])
def test_thread_platforms_get_headline_summary_link_then_one_reply_per_key_quote(platform: str) -> None:
    draft = _compose(hashtags=[])[platform]
    main, *replies = draft.parts
    assert main.kind == "main"
    assert main.text.startswith(HEADLINE + "\n\n")
    assert "We have no desire" not in main.text  # the quotes get their own replies
    assert [r.kind for r in replies] == ["quote", "quote"]
    assert replies[0].text.startswith("“" + QUOTE_ORDERS.rstrip(","))
    assert replies[1].text.startswith("“" + QUOTE_PROVOKE)
    assert all("— Oleksiy Danilov, secretary of Ukraine’s" in r.text for r in replies)


def test_mastodon_main_post_has_the_whole_summary_and_the_full_link() -> None:
    main = _compose()["mastodon"].parts[0]
    assert SUMMARY in main.text
    assert URL in main.text
    assert "#news #Ukraine #Belarus" in main.text


def test_thread_length_is_capped_by_max_thread_length() -> None:
    drafts = _compose(max_thread_length=2)
    assert [p.kind for p in drafts["bluesky"].parts] == ["main", "quote"]
    assert len(_compose(max_thread_length=1)["mastodon"].parts) == 1


def test_without_threads_the_key_quote_goes_into_the_main_post() -> None:
    drafts = _compose(threads=[])
    for platform in PLATFORMS:
        (part,) = drafts[platform].parts
        assert "We have no desire" in part.text, platform
        assert rule_for(platform).fits(part.text)


def test_x_can_be_threaded_too() -> None:
    x = _compose(threads=["x"])["x"]
    assert [p.kind for p in x.parts] == ["main", "quote", "quote"]
    assert "We have no desire" not in x.parts[0].text


def test_breaking_news_is_marked() -> None:
    drafts = compose(
        sample_article(priority=Priority.BREAKING), sample_analysis(), compose_settings(), ["mastodon"]
    )
    assert drafts[0].parts[0].text.startswith("BREAKING: " + HEADLINE)


def test_article_without_quotes_posts_headline_summary_and_link() -> None:
    drafts = _by_platform(compose(sample_article(), sample_analysis(quotes=()), compose_settings(), PLATFORMS))
    assert all(len(d.parts) == 1 for d in drafts.values())
    assert SUMMARY[:60] in drafts["x"].parts[0].text


def test_article_without_url_posts_without_a_link() -> None:
    drafts = _by_platform(compose(sample_article(url=None), sample_analysis(), compose_settings(), PLATFORMS))
    for d in drafts.values():
        assert "http" not in d.parts[0].text
        assert d.parts[0].card is None


# --- links: UTM, Bluesky display form and facets ---------------------------------------------------


def test_utm_parameters_name_each_platform_when_enabled() -> None:
    drafts = _compose(utm=True)
    assert f"{URL}?utm_source=x&utm_medium=social&utm_campaign=newsbot" in drafts["x"].parts[0].text
    assert "utm_source=mastodon" in drafts["mastodon"].parts[0].text
    card = drafts["bluesky"].parts[0].card
    assert card is not None and card.url.endswith("utm_source=bluesky&utm_medium=social&utm_campaign=newsbot")


def test_no_utm_parameters_by_default() -> None:
    assert all("utm_" not in p.text for d in _compose().values() for p in d.parts)


def test_bluesky_shows_a_short_link_whose_facet_opens_the_full_url() -> None:
    main = _compose(utm=True)["bluesky"].parts[0]
    (link,) = [f for f in main.facets if f.kind == "link"]
    shown = main.text.encode("utf-8")[link.byte_start : link.byte_end].decode("utf-8")
    assert shown == "news.example.com/2022/02/27/u…"
    assert link.value == URL + "?utm_source=bluesky&utm_medium=social&utm_campaign=newsbot"


def test_bluesky_hashtags_are_tag_facets_over_exactly_the_tag() -> None:
    main = compose(
        sample_article(), sample_analysis(summary="Short.", summary_sentences=("Short.",)), compose_settings(), ["bluesky"]
    )[0].parts[0]
    data = main.text.encode("utf-8")
    tags = [(data[f.byte_start : f.byte_end].decode(), f.value) for f in main.facets if f.kind == "tag"]
    assert tags == [("#news", "news"), ("#Ukraine", "Ukraine"), ("#Belarus", "Belarus")]


def test_hashtags_come_from_settings_then_article_tags_normalised_and_deduplicated() -> None:
    article = sample_article(tags=("Russia-Ukraine war", "NEWS", "2022", "Belarus"))
    drafts = compose(article, sample_analysis(), compose_settings(hashtags=["#News"]), ["mastodon"])
    assert drafts[0].parts[0].text.endswith("#News #RussiaUkraineWar #Belarus")


def test_other_platforms_have_no_facets() -> None:
    drafts = _compose()
    assert all(not p.facets for name in ("x", "mastodon") for p in drafts[name].parts)


# --- link card and images -------------------------------------------------------------------------


def test_bluesky_first_part_carries_the_link_card_with_image_and_alt_text() -> None:
    main, *replies = _compose()["bluesky"].parts
    card = main.card
    assert card is not None
    assert card.url == URL
    assert card.title == HEADLINE
    assert card.description == SUMMARY
    assert card.image == "https://news.example.com/img/danilov.jpg"
    assert card.image_alt == "Oleksiy Danilov at a news conference in Kyiv"
    assert main.images == ()
    assert all(r.card is None for r in replies)


def test_x_and_mastodon_let_the_link_unfurl_instead_of_attaching_the_image() -> None:
    drafts = _compose()
    assert drafts["x"].parts[0].images == () and drafts["mastodon"].parts[0].images == ()


def test_without_a_link_the_image_is_attached_with_alt_text_everywhere() -> None:
    drafts = _by_platform(
        compose(sample_article(url=None, image_alt=None), sample_analysis(), compose_settings(), PLATFORMS)
    )
    for d in drafts.values():
        (image,) = d.parts[0].images
        assert image.source.endswith("danilov.jpg")
        assert image.alt == HEADLINE  # no alt text given: the headline describes the story


def test_long_summaries_are_shortened_in_the_card_description() -> None:
    long = "Word " * 200 + "end."
    draft = compose(sample_article(), sample_analysis(summary=long, summary_sentences=(long,)), compose_settings(), ["bluesky"])[0]
    card = draft.parts[0].card
    assert card is not None and len(card.description) <= 300 and card.description.endswith("…")


def test_a_long_thai_summary_without_spaces_is_cut_in_the_card_description_not_left_out() -> None:
    long = "ฝนตกหนักทำให้น้ำท่วมถนนหลายสายในเมือง" * 12  # 432 code points, no space to cut at
    analysis = sample_analysis(summary=long, summary_sentences=(long,), language="th")
    card = compose(sample_article(), analysis, compose_settings(), ["bluesky"])[0].parts[0].card
    assert card is not None and card.description.endswith("…") and long.startswith(card.description[:-1])
    assert 250 < len(card.description) <= 300


# --- limits ---------------------------------------------------------------------------------------


def test_a_mastodon_instance_limit_overrides_the_default() -> None:
    drafts = compose(sample_article(), sample_analysis(), compose_settings(threads=[]), ["mastodon"], {"mastodon": 250})
    part = drafts[0].parts[0]
    assert part.limit == 250
    assert part.length <= 250
    assert HEADLINE in part.text and URL in part.text


def test_mastodon_default_limit_comes_from_settings() -> None:
    drafts = compose(sample_article(), sample_analysis(), compose_settings(mastodon_max_characters=1000), ["mastodon"])
    assert drafts[0].parts[0].limit == 1000


def test_draft_carries_the_language() -> None:
    assert {d.language for d in _compose().values()} == {"en"}


def test_builtin_templates_exist_for_every_platform() -> None:
    names = {p.name for p in builtin_templates_dir().glob("*.j2")}
    assert {"x.j2", "bluesky.j2", "mastodon.j2", "quote.j2"} <= names


def test_the_sample_article_through_the_real_analysis_composes_within_every_limit() -> None:
    from bot.analyze import analyze

    article = sample_article()
    drafts = _by_platform(compose(article, analyze(article, summary_sentences=1), compose_settings(), PLATFORMS))
    for platform, draft in drafts.items():
        main = draft.parts[0]
        assert main.text.startswith(HEADLINE), platform
        assert "Danilov" in "\n".join(p.text for p in draft.parts), platform  # a quote with its speaker
        assert all(rule_for(platform).fits(p.text) and p.length <= p.limit for p in draft.parts)


def test_composing_twice_gives_byte_identical_posts() -> None:
    """X recognises a resend only by identical text, so composition must be deterministic."""
    assert _compose(utm=True) == _compose(utm=True)


def test_a_summary_that_repeats_the_headline_is_not_posted_twice() -> None:
    analysis = sample_analysis(summary=HEADLINE, summary_sentences=(HEADLINE,), quotes=())
    (draft,) = compose(sample_article(), analysis, compose_settings(), ["mastodon"])
    assert draft.parts[0].text.count(HEADLINE) == 1


@pytest.mark.parametrize(
    ("headline", "lede"),
    [
        # no title: the headline is the lede without its full stop
        ("The call came while Hal Finney was ill", "The call came while Hal Finney was ill."),
        # ... or the lede cut short at a word boundary
        (
            "Say what you will about the actor, who proved to be a pretty great guest when she…",
            "Say what you will about the actor, who proved to be a pretty great guest when she stopped by.",
        ),
        # ... or the lede without its wire dateline
        ("Countries around Asia offered help", "JAKARTA (Reuters) - Countries around Asia offered help."),
        # ... or cut inside a run of Japanese text, which has no spaces
        ("少女を使った自爆攻撃が起き、31人が死…", "少女を使った自爆攻撃が起き、31人が死亡した。"),
    ],
)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_lede_that_became_the_headline_is_not_posted_again_as_summary(platform: str, headline: str, lede: str) -> None:
    analysis = sample_analysis(headline=headline, summary=lede, summary_sentences=(lede,), quotes=())
    (draft,) = compose(sample_article(title=None), analysis, compose_settings(), [platform])
    text = draft.parts[0].text
    assert text.startswith(headline)
    assert lede.rstrip(".。") not in text.replace(headline, "", 1)
    if platform == "bluesky" and headline.endswith("…"):  # the card may show the whole lede
        assert draft.parts[0].card is not None and draft.parts[0].card.description == lede


def test_a_summary_that_only_begins_like_the_headline_is_kept() -> None:
    headline = "Council approves budget"
    lede = "Council approves budget with cuts to libraries after a four-hour debate."
    analysis = sample_analysis(headline=headline, summary=lede, summary_sentences=(lede,), quotes=())
    (draft,) = compose(sample_article(), analysis, compose_settings(), ["mastodon"])
    assert lede in draft.parts[0].text


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_quote_interrupted_by_its_attribution_names_the_speaker_once(platform: str) -> None:
    # The analysis keeps an interrupted quote whole, attribution included, straight marks as typed.
    words = 'It is a good day for the town," said Maria Lopez, the mayor. "We have waited a decade for this.'
    quote = Quote(words, 0, len(words) + 2, "Maria Lopez", "the mayor", 0.9, key=True)
    analysis = sample_analysis(quotes=(quote,))
    (draft,) = compose(sample_article(), analysis, compose_settings(), [platform])
    text = "\n".join(p.text for p in draft.parts)
    # its straight marks become the post's curly ones: never "…," said … "…” mixed
    assert "“It is a good day for the town,” said Maria Lopez, the mayor. “We have waited a decade for this.”" in text
    assert '"' not in text
    assert text.count("Maria Lopez") == 1


def test_an_interrupted_quote_too_long_for_x_is_cut_back_to_its_first_half_with_the_speaker() -> None:
    words = (
        "By and large, conservation here is seen as an elitist thing,” says Natalya Lawrence, a coordinator with "
        "the non-profit Environmental Awareness Group, which oversees the island's restoration project. “If you "
        "have money, you can be concerned with trees and lizards. But if you need a dollar today to feed your "
        "children today, you don't really have time to see the long-term effects."
    )
    quote = Quote(words, 0, len(words) + 2, "Natalya Lawrence", "a coordinator", 0.9, key=True)
    (draft,) = compose(sample_article(), sample_analysis(quotes=(quote,)), compose_settings(), ["x"])
    text = draft.parts[0].text
    assert "“By and large, conservation here is seen as an elitist…” — Natalya Lawrence" in text
    assert "says Natalya" not in text  # never cut inside the attribution ("…which oversees the…”")
    assert draft.parts[0].length <= 280


def test_a_quote_interrupted_by_someone_else_keeps_its_speaker() -> None:
    words = "We will rebuild,” he told reporters outside the town hall on Monday. “All of it."
    quote = Quote(words, 0, len(words) + 2, "Maria Lopez", "the mayor", 0.9, key=True)
    (draft,) = compose(sample_article(), sample_analysis(quotes=(quote,)), compose_settings(), ["mastodon"])
    assert "— Maria Lopez, the mayor" in draft.parts[1].text


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_quote_the_summary_already_gives_is_not_repeated_in_the_main_post(platform: str) -> None:
    summary = f"“{QUOTE_PROVOKE}” Danilov asked."
    provoke = next(q for q in sample_analysis().quotes if q.text == QUOTE_PROVOKE)
    analysis = sample_analysis(summary=summary, summary_sentences=(summary,), quotes=(provoke,))
    (draft,) = compose(sample_article(), analysis, compose_settings(), [platform])
    text = "\n".join(p.text for p in draft.parts)
    assert text.count(QUOTE_PROVOKE[:40]) == 1


def test_a_quote_the_summary_already_gives_is_not_repeated_in_the_thread() -> None:
    summary = f"“{QUOTE_PROVOKE}” Danilov asked."
    analysis = sample_analysis(summary=summary, summary_sentences=(summary,))
    (draft,) = compose(sample_article(), analysis, compose_settings(), ["bluesky"])
    assert QUOTE_PROVOKE[:40] in draft.parts[0].text
    replies = [p.text for p in draft.parts[1:]]
    assert replies and not any(QUOTE_PROVOKE[:40] in r for r in replies)
    assert any(QUOTE_ORDERS[:40] in r for r in replies)


def test_a_long_japanese_quote_is_cut_short_on_x_not_dropped() -> None:
    quote = (
        "市長は記者会見で、橋の修理は春までに終わらせると述べ、住民の皆さんにはご不便をおかけしますが、"
        "もうしばらくお待ちくださいと語った。工事は来月から始まり、通行止めは三か月続く見込みだ。"
        "市は迂回路を設ける。さらに市は、工事期間中の交通安全対策として警備員を配置する方針を示した。"
    )
    body = f"市は橋の修理を発表した。「{quote}」"
    start = body.index("「")
    analysis = sample_analysis(
        headline="橋の修理、春までに完了へ",
        summary="市は橋の修理を発表した。",
        summary_sentences=("市は橋の修理を発表した。",),
        quotes=(Quote(quote, start, start + len(quote) + 2, "田中市長", None, 1.0, key=True),),
        text=body,
        language="ja",
    )
    (x,) = compose(sample_article(title=None), analysis, compose_settings(), ["x"])
    (part,) = x.parts
    assert "「市長は記者会見で、橋の修理は" in part.text and "…」 — 田中市長" in part.text
    assert part.length <= 280


def test_a_quote_the_article_gives_twice_gets_one_reply_not_two_identical_ones() -> None:
    # An article may repeat its strongest quote (in the lede and again further down, or as a pull quote),
    # and the analysis then finds it twice. X refuses a second identical post; elsewhere it reads as a glitch.
    body = f"“{QUOTE_PROVOKE}” Danilov said. Later: “{QUOTE_PROVOKE}” he repeated. “{QUOTE_ORDERS}”"
    first, second = body.index(QUOTE_PROVOKE) - 1, body.rindex(QUOTE_PROVOKE) - 1
    orders = body.index(QUOTE_ORDERS) - 1
    quotes = (
        Quote(QUOTE_PROVOKE, first, first + len(QUOTE_PROVOKE) + 2, "Oleksiy Danilov", None, 0.9, key=True),
        Quote(QUOTE_PROVOKE, second, second + len(QUOTE_PROVOKE) + 2, "Danilov", None, 0.9, key=True),
        Quote(QUOTE_ORDERS, orders, orders + len(QUOTE_ORDERS) + 2, "Oleksiy Danilov", None, 0.5, key=True),
    )
    analysis = sample_analysis(quotes=quotes, text=body)
    drafts = _by_platform(compose(sample_article(), analysis, compose_settings(threads=list(PLATFORMS)), PLATFORMS))
    for platform, draft in drafts.items():
        replies = [p.text for p in draft.parts[1:]]
        assert len(replies) == 2, (platform, replies)
        assert sum(QUOTE_PROVOKE[:40] in r for r in replies) == 1 and QUOTE_ORDERS[:40] in replies[1]


def test_a_quote_is_not_taken_for_given_by_a_summary_that_only_has_its_words_inside_longer_ones() -> None:
    quote = "It is over"  # the summary's "it is overwhelming" does not say it
    summary = "The mayor said it is overwhelming to see the town rebuilt."
    body = f"{summary} “{quote},” she added."
    start = body.index("“")
    q = Quote(quote, start, start + len(quote) + 2, "Maria Lopez", None, 0.9, key=True)
    analysis = sample_analysis(summary=summary, summary_sentences=(summary,), quotes=(q,), text=body)
    drafts = _by_platform(compose(sample_article(), analysis, compose_settings(), PLATFORMS))
    for platform, draft in drafts.items():
        assert any("“It is over”" in p.text and "Maria Lopez" in p.text for p in draft.parts), platform
    # while a summary that does quote it still keeps it from being posted twice, in any script
    given = sample_analysis(summary=f"She said “{quote}.”", summary_sentences=(f"She said “{quote}.”",), quotes=(q,))
    (x,) = compose(sample_article(), given, compose_settings(), ["x"])
    assert x.parts[0].text.count("It is over") == 1
