"""Each platform's length rule, measured the way that platform measures it."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.compose.length import (
    bluesky_length,
    grapheme_count,
    mastodon_length,
    rule_for,
    utf8_length,
    x_length,
    x_valid,
)
from bot.errors import ComposeError

DATA = Path(__file__).parent / "data"
CONFORMANCE = yaml.safe_load((DATA / "twitter-text-weighted-v3.yml").read_text(encoding="utf-8"))["tests"]
CASES = [case for section in CONFORMANCE.values() for case in section]

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one ZWJ sequence, 7 code points
FLAG_UA = "\U0001f1fa\U0001f1e6"
E_ACUTE_DECOMPOSED = "e\u0301"


# --- X: twitter-text v3 ----------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c["description"] for c in CASES])
def test_x_weighted_length_matches_the_twitter_text_conformance_suite(case: dict) -> None:
    assert x_length(case["text"]) == case["expected"]["weightedLength"]
    assert x_valid(case["text"]) is case["expected"]["valid"]


def test_x_counts_every_url_as_23_however_long() -> None:
    short, long = "https://t.co/a", "https://example.com/" + "a" * 200
    assert x_length(short) == x_length(long) == 23
    assert x_length("see example.com") == 4 + 23  # bare domains are links too


def test_x_weighs_cjk_ellipsis_and_emoji_as_two() -> None:
    assert x_length("日本") == 4
    assert x_length("…") == 2
    assert x_length(FAMILY) == 2
    assert x_length("abc") == 3


def test_x_weighs_each_code_point_of_thai_lao_and_myanmar_as_one_and_of_khmer_as_two() -> None:
    # twitter-text v3 weighs U+0000-U+10FF as 1: Thai (U+0E00), Lao (U+0E80) and Myanmar (U+1000) are inside,
    # Khmer (U+1780) is not. Code points, not clusters: "กล่าว" is 5, its tone mark included.
    assert x_length("กล่าว") == 5
    assert x_length("ລາວ") == 3
    assert x_length("မြန်") == 4
    assert x_length("ក្រុង") == 10


def test_x_limit_is_280_weighted() -> None:
    assert x_valid("a" * 280)
    assert not x_valid("a" * 281)
    assert x_valid("日" * 140)
    assert not x_valid("日" * 141)
    assert not x_valid("")


# --- Bluesky: 300 graphemes and 3000 bytes -----------------------------------------------------


def test_bluesky_counts_grapheme_clusters() -> None:
    assert bluesky_length(FAMILY) == 1
    assert bluesky_length(FLAG_UA) == 1
    assert bluesky_length(E_ACUTE_DECOMPOSED) == 1
    assert bluesky_length("שלום") == 4
    assert bluesky_length("https://example.com/" + "a" * 100) == 120  # links are not discounted


def test_bluesky_limit_is_300_graphemes() -> None:
    rule = rule_for("bluesky")
    assert rule.fits("a" * 300)
    assert not rule.fits("a" * 301)
    assert rule.fits(E_ACUTE_DECOMPOSED * 300)  # 600 code points, 300 graphemes


def test_bluesky_byte_limit_applies_even_under_300_graphemes() -> None:
    rule = rule_for("bluesky")
    text = FAMILY * 200  # 200 graphemes, 25 bytes each
    assert bluesky_length(text) == 200
    assert utf8_length(text) == 5000
    assert not rule.fits(text)
    assert "5000/3000 UTF-8 bytes" in rule.describe(text)


# --- Mastodon: graphemes, URLs 23, @user@domain as @user ----------------------------------------


def test_mastodon_counts_urls_as_23() -> None:
    assert mastodon_length("read https://example.com/" + "a" * 200) == 5 + 23
    assert mastodon_length("http://x.io") == 23


def test_mastodon_link_paths_end_where_mastodon_ends_them() -> None:
    # Mastodon's own URL pattern lets no path end in "=" (config/initializers/twitter_regex.rb), so base64
    # padding at the end of a path is text to it, beyond the 23: twitter-text (and Mastodon.py) take it into
    # the link, and Mastodon would refuse a post fitted to exactly 500 as too long.
    assert mastodon_length("https://ex.am/story/MTIzNA==") == 23 + 2
    assert mastodon_length("read https://ex.am/a_(b)=.") == 5 + 23 + 2
    assert mastodon_length("https://ex.am/a?id=MTIzNA==") == 23  # a query may end in "="


def test_mastodon_does_not_shorten_bare_domains() -> None:
    assert mastodon_length("example.com") == 11


def test_mastodon_counts_remote_mentions_by_user_part() -> None:
    assert mastodon_length("@alice@example.social hi") == len("@alice hi")
    assert mastodon_length("@alice hi") == 9


def test_mastodon_counts_graphemes() -> None:
    assert mastodon_length(FAMILY + FLAG_UA + E_ACUTE_DECOMPOSED) == 3


def test_mastodon_limit_comes_from_the_instance() -> None:
    assert rule_for("mastodon").limit == 500
    rule = rule_for("mastodon", 1000)
    assert rule.fits("a" * 1000)
    assert not rule.fits("a" * 1001)


def _mastodon_py_length(text: str) -> int:
    """Mastodon.py's own counter, given our grapheme counter (its optional `grapheme` dependency is absent)."""
    from mastodon import utility

    saved = (utility.IMPL_HAS_GRAPHEME, getattr(utility, "grapheme", None))
    utility.IMPL_HAS_GRAPHEME = True
    utility.grapheme = SimpleNamespace(length=grapheme_count)  # type: ignore[attr-defined]
    try:
        return utility.Mastodon.get_status_length(text)
    finally:
        utility.IMPL_HAS_GRAPHEME, utility.grapheme = saved[0], saved[1]  # type: ignore[attr-defined]


_piece = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=8),
    st.sampled_from(
        [
            "https://example.com/path?q=1",
            "http://news.example.org/a/b/c/very-long-slug-for-a-story",
            "@alice@example.social",
            "@bob",
            "example.com",
            FAMILY,
            FLAG_UA,
        ]
    ),
)


@settings(deadline=None)  # the first example pays for importing Mastodon.py
@given(st.lists(_piece, max_size=12).map(" ".join))
def test_mastodon_length_agrees_with_mastodon_py(text: str) -> None:
    assert mastodon_length(text) == _mastodon_py_length(text)


def test_unknown_platform_has_no_rule() -> None:
    with pytest.raises(ComposeError, match="x, bluesky, mastodon"):
        rule_for("myspace")
