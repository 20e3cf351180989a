"""The small text rules composition relies on: cleaning, safe cut points, hashtags, link forms."""

from __future__ import annotations

import regex

from bot.compose.facets import facets_for
from bot.compose.text import PHRASE_SLACK, clean_inline, cut_points, display_url, hashtag, hashtags, shortenings, with_utm
from bot.models import Facet


def test_clean_inline_normalises_and_removes_what_breaks_posts() -> None:
    assert clean_inline("  Kyiv\n\tsays  no \ufeff\x07") == "Kyiv says no"
    # a no-break space is the writer's choice and stays: "10 000", "« Oui »"
    assert clean_inline("10\u00a0000 soldats, «\u202fOui\u202f»") == "10\u00a0000 soldats, «\u202fOui\u202f»"
    assert clean_inline("e\u0301") == "\u00e9"  # NFC
    assert clean_inline("bad\ud800surrogate") == "badsurrogate"
    assert clean_inline(None) == ""


def test_shortenings_never_cut_at_a_no_break_space_nor_leave_an_opening_mark_before_the_ellipsis() -> None:
    cuts = shortenings("Les pertes atteignent 10\u00a0000\u00a0soldats selon «les sources» ici")
    assert "Les pertes atteignent 10…" not in cuts and "Les pertes atteignent 10\u00a0000\u00a0soldats…" in cuts
    assert not any(c.endswith(("«…", "„…", "“…", "(…")) for c in cuts)
    spaced = shortenings("Les pertes sont lourdes selon « les sources » ici")
    assert "Les pertes sont lourdes selon…" in spaced and not any(c.endswith("«…") for c in spaced)


def test_with_utm_appends_to_the_query_as_written() -> None:
    assert with_utm("https://ex.com/index.php?/archives/123", "x") == (
        "https://ex.com/index.php?/archives/123&utm_source=x&utm_medium=social&utm_campaign=newsbot"
    )
    assert with_utm("https://ex.com/a?utm_source=rss&id=5", "bluesky") == (
        "https://ex.com/a?utm_source=rss&id=5&utm_medium=social&utm_campaign=newsbot"
    )


def test_shortenings_end_at_word_boundaries_with_an_ellipsis() -> None:
    assert shortenings("We will not, under any circumstances, give up") == [
        "We will not, under any circumstances, give…",
        "We will not, under any circumstances…",
        "We will not, under any…",
        "We will not, under…",
        "We will not…",
        "We will…",
        "We…",
    ]
    assert shortenings("one two three four five", min_words=4) == ["one two three four…"]


def test_no_cut_inside_urls_tags_mentions_or_grapheme_clusters() -> None:
    text = "see https://example.org/a b #big tag @x@y.z ok"
    allowed = cut_points(text)
    assert text.index("https") + 5 not in allowed
    assert all(text[p - 1] != " " and (p == len(text) or text[p] == " ") for p in allowed)
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert cut_points(f"{family}{family} 日本") == [len(family) * 2 + 2, len(family) * 2]


def test_hashtags_from_words_and_phrases() -> None:
    assert hashtag("Russia-Ukraine war") == "RussiaUkraineWar"
    assert hashtag("#news") == "news"
    assert hashtag("Україна") == "Україна"
    assert hashtag("2022") is None
    assert hashtag("!!!") is None
    assert hashtag("x" * 65) is None  # longer than Bluesky allows
    assert hashtags(["news", "#News"], ["Belarus", "NEWS"]) == ["#news", "#Belarus"]


def test_utm_parameters_are_added_to_existing_queries_and_keep_the_fragment() -> None:
    assert with_utm("https://ex.am/a?id=7#top", "x") == (
        "https://ex.am/a?id=7&utm_source=x&utm_medium=social&utm_campaign=newsbot#top"
    )
    assert with_utm("https://ex.am/a?utm_source=rss", "bluesky").count("utm_source") == 1


def test_display_url_is_short_and_recognisable() -> None:
    assert display_url("https://www.example.com/") == "example.com"
    assert display_url("https://ex.am/p?id=1") == "ex.am/p?id=1"
    shown = display_url("https://news.example.com/2022/02/27/ukraine-yet-to-sever-ties")
    assert shown == "news.example.com/2022/02/27/u…"
    assert len(shown) == 30


def test_facets_use_utf8_byte_offsets_end_exclusive() -> None:
    text = "Київ 🇺🇦 #Україна ex.am/p… #2022 #ok."
    facets = facets_for(text, {"ex.am/p…": "https://ex.am/p?id=1"})
    data = text.encode("utf-8")
    assert facets == (
        Facet(data.index(b"#"), data.index(b"#") + len("#Україна".encode()), "tag", "Україна"),
        Facet(data.index(b"ex.am"), data.index(b"ex.am") + len("ex.am/p…".encode()), "link", "https://ex.am/p?id=1"),
        Facet(data.rindex(b"#ok"), data.rindex(b"#ok") + 3, "tag", "ok"),  # trailing punctuation is not the tag
    )


def test_written_out_links_in_the_text_are_linked_too() -> None:
    (facet,) = facets_for("More: https://ex.am/report.")
    assert (facet.kind, facet.value) == ("link", "https://ex.am/report")


def test_a_quote_in_a_script_without_spaces_is_shortened_at_character_boundaries_too() -> None:
    # Japanese and Chinese put no spaces between words, so "at least four words" cannot mean four
    # space-separated pieces: the whole quote is one such piece, and it could never be shortened.
    cuts = shortenings("橋の修理は春までに終わらせる", min_words=4)
    assert cuts[0] == "橋の修理は春までに終わらせ…"
    assert cuts[-1] == "橋の修理…"
    assert shortenings("市长说 桥梁将在春季修复", min_words=4)[-1] == "市长说 桥…"


def test_a_written_out_link_ends_before_an_ellipsis_or_closing_mark_but_keeps_balanced_parentheses() -> None:
    def linked(text: str) -> list[str]:
        return [f.value for f in facets_for(text)]

    # a summary cut right after a link ends "…/1234…": the "…" is the cut's, not the link's
    assert linked("The ruling is at https://ex.am/rulings/1234…") == ["https://ex.am/rulings/1234"]
    assert linked("« https://ex.am/a » et «https://ex.am/b»") == ["https://ex.am/a", "https://ex.am/b"]
    assert linked("See https://en.wikipedia.org/wiki/Mercury_(planet) now") == [
        "https://en.wikipedia.org/wiki/Mercury_(planet)"
    ]
    assert linked("(see https://ex.am/a_(b)).") == ["https://ex.am/a_(b)"]
    assert linked("Read it (https://ex.am/a).") == ["https://ex.am/a"]


def test_display_url_counts_and_cuts_whole_graphemes() -> None:
    # An IRI written in its own script: "मं" is two code points, one character; cut between them the
    # display form would show another letter (and a family emoji cut at a joiner shows other people).
    shown = display_url("https://hi.example.com/समाचार/प्रधानमंत्री-ने-संसद-में-कहा")
    assert shown == "hi.example.com/समाचार/प्रधानमंत्री-ने-सं…"  # 30 characters as a reader counts them
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    assert display_url(f"https://ex.am/{family * 25}") == f"ex.am/{family * 23}…"


def test_the_article_link_is_not_found_inside_a_longer_link_written_in_the_text() -> None:
    # A summary may cite a page under the article's own address: that page links to itself, whole.
    text = "Updates at https://ex.am/live/updates and more.\n\nex.am/live"
    facets = facets_for(text, {"https://ex.am/live": "https://ex.am/live", "ex.am/live": "https://ex.am/live"})
    data = text.encode("utf-8")
    assert [(data[f.byte_start : f.byte_end].decode(), f.value) for f in facets] == [
        ("https://ex.am/live/updates", "https://ex.am/live/updates"),
        ("ex.am/live", "https://ex.am/live"),
    ]


def test_thai_lao_khmer_and_myanmar_without_spaces_are_cut_between_grapheme_clusters() -> None:
    for text in ("นายกรัฐมนตรีกล่าวว่ารัฐบาลจะเร่งซ่อมแซมถนน", "ນະຄອນຫຼວງວຽງຈັນ", "ក្រុងភ្នំពេញ", "မြန်မာနိုင်ငံ"):
        cuts = shortenings(text)
        assert cuts, text  # a long unspaced text is never left without a shorter form
        clusters = regex.findall(r"\X", text)
        ends = {len("".join(clusters[:k])) for k in range(1, len(clusters))}
        for cut in cuts:
            head = cut.removesuffix("…")
            assert cut.endswith("…") and text.startswith(head) and len(head) in ends, (text, cut)
    # a tone mark or vowel sign stays on its consonant; a vowel written before its consonant is not left
    # alone at the end ("…เ…"); a vowel written after it as a letter of its own, the repetition mark and a
    # Myanmar consonant killed by asat are not cut off from the syllable before them
    thai = shortenings("เร่งซ่อมแซมกันไปเรื่อยๆ")
    assert "เร่…" in thai and "เร่งซ่อม…" in thai
    assert not any(c.endswith(("เ…", "แ…")) for c in thai)
    assert "เรื่อย…" not in thai and "เรื่อยๆ…" not in thai  # the last cut is the full text, never offered
    assert "กำลังรอค…" not in shortenings("กำลังรอคาราวาน") and "กำลังรอคา…" in shortenings("กำลังรอคาราวาน")
    assert "မြ…" not in shortenings("မြန်မာ") and "မြန်…" in shortenings("မြန်မာ")
    assert shortenings("日本語の記事") == ["日本語の記…", "日本語の…", "日本語…", "日本…", "日…"]  # as before


def test_thai_is_cut_inside_a_clause_only_well_after_its_space() -> None:
    first, second = "รัฐบาลสั่งเร่งซ่อมถนน", "ประชาชนในพื้นที่ยังคงต้องใช้เส้นทางอื่นไปอีกหลายสัปดาห์"
    cuts = shortenings(f"{first} {second}")
    inside_second = [c.removesuffix("…").removeprefix(first + " ") for c in cuts if c.startswith(first + " ")]
    assert inside_second and min(len(regex.findall(r"\X", c)) for c in inside_second) >= PHRASE_SLACK
    assert first + "…" in cuts


def test_a_thai_quote_keeps_at_least_as_many_pieces_as_a_chinese_one_keeps_ideographs() -> None:
    # Without a dictionary a Thai word cannot be told from the next: each piece a cut could end is counted,
    # as each ideograph is in Chinese ("รั ฐ บา ล" are four).
    assert shortenings("รัฐบาลจะซ่อมถนน", min_words=4)[-1] == "รัฐบาล…"


def test_a_zero_width_space_between_words_is_where_khmer_or_myanmar_text_is_cut() -> None:
    # Khmer typed for line breaking: an invisible U+200B after each word ("city Phnom-Penh has rain falling hard")
    text = "\u200b".join(["ក្រុង", "ភ្នំពេញ", "មាន", "ភ្លៀង", "ធ្លាក់", "ខ្លាំង"])
    cuts = shortenings(text)
    assert cuts[:3] == [
        "ក្រុង\u200bភ្នំពេញ\u200bមាន\u200bភ្លៀង\u200bធ្លាក់…",
        "ក្រុង\u200bភ្នំពេញ\u200bមាន\u200bភ្លៀង…",
        "ក្រុង\u200bភ្នំពេញ\u200bមាន…",
    ]
    assert not any("ធ្លា…" in c or c.endswith("\u200b…") for c in cuts)  # never inside a marked word


def test_myanmar_and_khmer_are_cut_after_their_sentence_marks_though_no_space_follows() -> None:
    # "It rains. The roads are closed. The schools are closed" / "Rain falls. Road closed"
    assert shortenings("မိုးရွာသည်။လမ်းများပိတ်ထားသည်။ကျောင်းများပိတ်သည်")[:2] == [
        "မိုးရွာသည်။လမ်းများပိတ်ထားသည်။…",
        "မိုးရွာသည်။…",
    ]
    assert shortenings("ភ្លៀងធ្លាក់។ផ្លូវបិទ")[0] == "ភ្លៀងធ្លាក់។…"
