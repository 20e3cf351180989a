"""Bluesky link facets for the article's own link: where its short visible form ends in the text."""

from __future__ import annotations

import pytest

from bot.compose.facets import facets_for


@pytest.mark.parametrize("after", ["。", "、", "—more", "）", "！", " ", "", ". More", ")", "…"])
def test_the_article_link_keeps_its_facet_before_any_character_no_link_goes_on_with(after: str) -> None:
    # A template ending a Japanese sentence, or running a dash, straight after {{ url }}: the link stays clickable.
    text = f"詳しくは ex.am/news/a{after}"
    facets = facets_for(text, {"https://ex.am/news/a": "https://ex.am/news/a", "ex.am/news/a": "https://ex.am/news/a"})
    data = text.encode("utf-8")
    assert [(data[f.byte_start : f.byte_end].decode(), f.value) for f in facets] == [
        ("ex.am/news/a", "https://ex.am/news/a")
    ]


@pytest.mark.parametrize("after", ["-b", "/b", "b", "ï", "_b", "%20", "#top", "?p=1", "~x", ".html", "/"])
def test_the_article_link_is_not_found_at_the_start_of_a_longer_address(after: str) -> None:
    text = f"See ex.am/news/a{after} for more"
    facets = facets_for(text, {"ex.am/news/a": "https://ex.am/news/a"})
    assert facets == ()
