"""Link cards and attached images: what accompanies the first post of a thread.

Decision: Bluesky shows a link preview only when the post carries an external embed, so the bot sends a
card (title, description, thumbnail from the article image). X and Mastodon build their own preview
card from the link's page — and attaching media suppresses that card on both — so there the article
image is attached only when the article has no link. Alt text is always set: the article's own, else
the headline.
"""

from __future__ import annotations

from ..models import Article, Image, LinkCard
from .text import clean_inline, shortenings

CARD_DESCRIPTION_MAX = 300  # characters; Bluesky's app shows about two lines of it anyway


def _alt(article: Article, headline: str) -> str:
    return clean_inline(article.image_alt) or headline


def link_card(article: Article, url: str, headline: str, summary: str) -> LinkCard:
    description = summary
    if len(description) > CARD_DESCRIPTION_MAX:
        shorter = [s for s in shortenings(description) if len(s) <= CARD_DESCRIPTION_MAX]
        description = shorter[0] if shorter else ""
    return LinkCard(
        url=url,
        title=headline,
        description=description,
        image=article.image or None,
        image_alt=_alt(article, headline) if article.image else None,
    )


def attachments(
    platform: str, article: Article, url: str | None, headline: str, summary: str
) -> tuple[LinkCard | None, tuple[Image, ...]]:
    """The card and images for the first part on ``platform``."""
    if platform == "bluesky" and url:
        return link_card(article, url, headline, summary), ()
    if article.image and not url:
        return None, (Image(source=article.image, alt=_alt(article, headline)),)
    return None, ()
