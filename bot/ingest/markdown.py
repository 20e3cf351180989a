"""Markdown article files: YAML front matter for the metadata, the body lightly stripped to plain text.

"Lightly": the words stay exactly as written; only the syntax goes (heading marks, emphasis, link targets,
list bullets, code fences, quote marks). Pure functions, no I/O.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..errors import IngestError
from ..models import Article
from .fields import article_from_fields, normalise_keys

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_BULLET = re.compile(r"^(\s*)(?:[-*+]|\d{1,9}[.)])\s+")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+.*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)|!\[([^\]]*)\]\[[^\]]*\]")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)|\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_FOOTNOTE = re.compile(r"\[\^[^\]]+\]")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_CODE = re.compile(r"(`+)(.+?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_EM_UNDER = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a timestamp ``datetime`` refuses (2024-02-30, hour 24, an offset
    past a day) stays the text it was: the field's own check then says which field is wrong and how."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)  # type: ignore[arg-type]
        except (ValueError, OverflowError):
            return self.construct_scalar(node)  # type: ignore[arg-type]


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _FrontMatterLoader.construct_yaml_timestamp)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The YAML front matter (between a first line '---' and the next '---' or '...') and the rest.

    A file that does not start with '---' has no front matter: ``({}, text)``.
    """
    lines = text.split("\n")
    blank = 0
    while blank < len(lines) - 1 and not lines[blank].strip():
        blank += 1  # blank lines above the opening '---' (pasted in) do not make the fields body text
    lines = lines[blank:]
    if lines and lines[0].strip() == "+++" and any(line.rstrip() == "+++" for line in lines[1:]):
        raise IngestError(
            "broken front matter: TOML front matter (between '+++' lines) is not read; write the fields as "
            "YAML between '---' lines (title: …, published: …) or they would be posted as article text"
        )
    if not lines or lines[0].strip() != "---":
        return {}, text
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            break
    else:
        raise IngestError(
            "broken front matter: it opens with '---' on line 1 but is never closed; "
            "add a line with just '---' after the last field"
        )
    block = "\n".join(lines[1:index])
    try:
        data = yaml.load(block, Loader=_FrontMatterLoader)  # noqa: S506 (a SafeLoader)
    except RecursionError:
        raise IngestError("broken front matter: nested too deeply to be article fields; write 'field: value' lines") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2 + blank}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise IngestError(
            f"broken front matter: not valid YAML{where} ({problem}); "
            "put quotes around values that contain ': ' or start with a special character"
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise IngestError(
            f"broken front matter: expected 'field: value' lines, got {type(data).__name__} "
            "(see queue/README.md for the fields)"
        )
    return data, "\n".join(lines[index + 1 :])


def _inline(line: str) -> str:
    line = _IMAGE.sub("", line)
    line = _LINK.sub(lambda m: m.group(1) or m.group(2), line)
    line = _AUTOLINK.sub(r"\1", line)
    line = _FOOTNOTE.sub("", line)
    line = _CODE.sub(lambda m: m.group(2).strip(), line)
    line = _TAG.sub("", line)
    line = _STRONG.sub(r"\2", line)
    line = _EM_STAR.sub(r"\1", line)
    line = _EM_UNDER.sub(r"\1", line)
    line = _STRIKE.sub(r"\1", line)
    line = _ESCAPE.sub(r"\1", line)
    return re.sub(r"(?<=\S) {2,}(?=\S)", " ", line)  # the gap a removed image leaves


def strip_markdown(markdown: str) -> str:
    """Plain text from Markdown: syntax removed, words, paragraphs and line breaks kept."""
    out: list[str] = []
    in_fence: str | None = None
    for raw in markdown.split("\n"):
        fence = _FENCE.match(raw)
        if fence:
            marker = fence.group(1)[0]
            if in_fence is None:
                in_fence = marker
                continue
            if marker == in_fence:
                in_fence = None
                continue
        if in_fence is not None:
            out.append(raw)  # code is kept verbatim
            continue
        line = raw
        while _QUOTE.match(line):
            line = _QUOTE.sub("", line, count=1)
        if _REF_DEF.match(line):
            continue
        if _SETEXT.match(line) and out and out[-1].strip():
            continue  # underline of a setext heading: the heading text above is already kept
        if _RULE.match(line):
            out.append("")
            continue
        heading = _ATX.match(line)
        if heading:
            line = heading.group(2)
        else:
            line = _BULLET.sub(r"\1", line)
        out.append(_inline(line).rstrip())
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _leading_heading(body: str) -> tuple[str | None, str]:
    """A first-level heading at the very top of the body (ATX '# …' or setext '…\\n==='), and the rest."""
    lines = body.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None, body
    atx = _ATX.match(lines[first])
    if atx and len(atx.group(1)) == 1:
        return _inline(atx.group(2)).strip() or None, "\n".join(lines[first + 1 :])
    if first + 1 < len(lines) and re.match(r"^\s{0,3}=+\s*$", lines[first + 1]):
        return _inline(lines[first]).strip() or None, "\n".join(lines[first + 2 :])
    return None, body


def parse_markdown(text: str, *, source: str) -> Article:
    """An Article from a Markdown file: front matter fields, else the leading '# heading' as the title."""
    data, body = split_front_matter(text)
    data = normalise_keys(data)
    heading, rest = _leading_heading(body)
    title = data.get("title")
    same = isinstance(title, str | int | float) and str(title).strip() == heading  # not str() of a list: see fields
    if heading is not None and (title in (None, "") or same):
        if data.get("title") in (None, ""):
            data["title"] = heading
        body = rest
    plain = strip_markdown(body)
    if not plain:
        what = "front matter" if data else "a heading"
        raise IngestError(f"no body: the file has {what} but no article text after it; add the text below")
    return article_from_fields(data, source=source, text=plain)
