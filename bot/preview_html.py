"""`newsbot preview --html FILE`: one self-contained page showing each post as it would look on each platform."""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from .models import Part
from .preview import ArticlePreview, PreviewReport

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f3f4f6;margin:0;padding:24px;color:#111}
h1{font-size:20px;margin:0 0 16px} .article{background:#fff;border-radius:12px;padding:16px 20px;margin:0 0 24px;
box-shadow:0 1px 3px rgba(0,0,0,.1)} .article h2{font-size:18px;margin:0 0 4px} .source{color:#6b7280;font-size:13px}
.platforms{display:flex;gap:16px;flex-wrap:wrap;margin-top:12px} .platform{flex:1 1 300px;min-width:280px}
.platform h3{font-size:15px;margin:0 0 8px} .when{font-weight:normal;color:#6b7280;font-size:13px}
.post{border:1px solid #e5e7eb;border-radius:12px;padding:12px;margin:0 0 8px;background:#fff;white-space:pre-wrap;
word-wrap:break-word;font-size:15px;line-height:1.4} .reply{margin-left:18px;border-left:3px solid #d1d5db}
.x .post{border-color:#cfd9de} .bluesky .post{border-color:#c7dbf5} .mastodon .post{border-color:#d9d2f5}
.count{display:block;text-align:right;font-size:12px;color:#059669;margin-top:6px;white-space:normal}
.count.over{color:#dc2626;font-weight:bold} a{color:#1d4ed8;text-decoration:none}
.card{border:1px solid #e5e7eb;border-radius:10px;margin-top:8px;overflow:hidden;white-space:normal}
.card .img{background:#e5e7eb;color:#6b7280;font-size:12px;padding:24px 8px;text-align:center}
.card .body{padding:8px 10px} .card .title{font-weight:600} .card .desc{color:#4b5563;font-size:13px}
.card .domain{color:#6b7280;font-size:12px} .error{color:#b91c1c} .hashtag{color:#1d4ed8}
"""

_NAMES = {"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon"}


def _linkify(part: Part) -> str:
    """Escape the text and turn links (the Bluesky facets, or any http URL) into anchors."""
    import re

    if part.facets:
        return _facets_html(part)
    out, last = [], 0
    for match in re.finditer(r"https?://\S+|(?<!\w)#\w+", part.text):
        out.append(html.escape(part.text[last : match.start()]))
        token = match.group(0)
        if token.startswith("#"):
            out.append(f'<span class="hashtag">{html.escape(token)}</span>')
        else:
            out.append(f'<a href="{html.escape(token)}">{html.escape(token)}</a>')
        last = match.end()
    out.append(html.escape(part.text[last:]))
    return "".join(out)


def _facets_html(part: Part) -> str:
    """A Bluesky post as Bluesky shows it: a link's text is shortened ("news.example/a/lo…") and its facet,
    in UTF-8 byte offsets, carries the full URL; the text alone has no http URL to find."""
    data = part.text.encode("utf-8")
    out, last = [], 0
    for facet in sorted(part.facets, key=lambda f: f.byte_start):
        if facet.byte_start < last:
            continue  # overlapping facets are invalid on Bluesky; show the first
        out.append(html.escape(data[last : facet.byte_start].decode("utf-8", "replace")))
        shown = html.escape(data[facet.byte_start : facet.byte_end].decode("utf-8", "replace"))
        if facet.kind == "link":
            out.append(f'<a href="{html.escape(facet.value)}">{shown}</a>')
        else:
            out.append(f'<span class="hashtag">{shown}</span>')
        last = facet.byte_end
    out.append(html.escape(data[last:].decode("utf-8", "replace")))
    return "".join(out)


def _part(platform: str, index: int, part: Part) -> str:
    over = part.length > part.limit
    classes = "post" + (" reply" if index else "")
    card = ""
    if part.card is not None:
        from urllib.parse import urlsplit

        image = (
            f'<div class="img">image: {html.escape(part.card.image_alt or part.card.image)}</div>'
            if part.card.image
            else ""
        )
        card = (
            f'<div class="card">{image}<div class="body"><div class="domain">{html.escape(urlsplit(part.card.url).netloc)}'
            f'</div><div class="title">{html.escape(part.card.title)}</div>'
            f'<div class="desc">{html.escape(part.card.description)}</div></div></div>'
        )
    images = "".join(f'<div class="card"><div class="img">image — alt: {html.escape(i.alt)}</div></div>'
                     for i in part.images)
    return (
        f'<div class="{classes}" data-platform="{platform}" data-index="{index}">{_linkify(part)}{card}{images}'
        f'<span class="count{" over" if over else ""}">{part.length} / {part.limit}</span></div>'
    )


def _article(a: ArticlePreview, tz: ZoneInfo) -> str:
    head = f'<h2>{html.escape(a.headline or a.source)}</h2><div class="source">{html.escape(a.source)}</div>'
    if a.error:
        return f'<section class="article failed">{head}<p class="error">{html.escape(a.error)}</p></section>'
    columns = []
    for draft in a.drafts:
        when = a.scheduled_at.get(draft.platform)
        when_text = when.astimezone(tz).strftime("%a %d %b %Y, %H:%M %Z") if when else a.schedule_notes.get(
            draft.platform, "not planned")
        posts = "".join(_part(draft.platform, i, p) for i, p in enumerate(draft.parts))
        columns.append(
            f'<div class="platform {draft.platform}"><h3>{_NAMES.get(draft.platform, draft.platform)} '
            f'<span class="when">· {html.escape(when_text)}</span></h3>{posts}</div>'
        )
    return f'<section class="article">{head}<div class="platforms">{"".join(columns)}</div></section>'


def render_html(report: PreviewReport) -> str:
    tz = ZoneInfo(report.timezone)
    body = "".join(_article(a, tz) for a in report.articles) or "<p>The queue is empty.</p>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>newsbot preview</title><style>{_STYLE}</style></head><body>"
        f"<h1>newsbot preview — nothing has been sent</h1>{body}</body></html>"
    )
