"""Boilerplate removal: a web-copied article becomes clean paragraphs.

Generic rules, never one site's strings: each line is judged by patterns (datelines, photo
credits, widget and call-to-action phrases in several languages) and by structural signals
(a line without sentence punctuation, a line repeated elsewhere, a trailing block of link titles,
the preamble before a wire dateline such as "JAKARTA (Reuters) -").

Every kept paragraph is a slice of the input with at most same-length substitutions (a newline
inside a paragraph becomes a space), so an offset into the cleaned text maps back to an offset into
the given text exactly (``CleanText.to_original``). That is what lets ``newsbot analyze --jsonl``
report quote offsets into the text it was given.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from bot.analyze import patterns as P

PARAGRAPH_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class CleanText:
    """The cleaned body. ``spans[i]`` is where ``paragraphs[i]`` came from in the original text."""

    paragraphs: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    title_line: str | None  # a headline found as the text's first line (dropped from the body)
    dropped: tuple[str, ...]  # the boilerplate lines removed, for debugging and tests
    reasons: tuple[str, ...] = ()  # why each of ``dropped`` went

    @property
    def text(self) -> str:
        return PARAGRAPH_SEPARATOR.join(self.paragraphs)

    @property
    def starts(self) -> tuple[int, ...]:
        """Offset of each paragraph in ``text``."""
        out, pos = [], 0
        for p in self.paragraphs:
            out.append(pos)
            pos += len(p) + len(PARAGRAPH_SEPARATOR)
        return tuple(out)

    def to_original(self, offset: int, starts: tuple[int, ...] | None = None) -> int:
        """Map an offset into ``text`` to the matching offset in the original text."""
        starts = starts if starts is not None else self.starts
        if not starts:
            return offset
        i = max(0, bisect.bisect_right(starts, offset) - 1)
        delta = offset - starts[i]
        s, e = self.spans[i]
        return min(s + delta, e) if delta <= len(self.paragraphs[i]) else e


@dataclass
class _Line:
    start: int
    end: int
    block: int  # lines between blank lines share a block number
    text: str
    drop: str | None = None  # why it was dropped
    cut_after: bool = False  # a glued share bar was cut off its end: it stands alone like a line of its own


def _lines(text: str) -> list[_Line]:
    """Non-blank lines with their spans. Lines between blank lines share a block; in a text with
    no blank lines at all every line is its own block (one paragraph per line). A line that does
    not end a sentence and is followed, in its block, by one starting in lower case is
    hard-wrapped, and so is a line that stops where no sentence can ("... at" / "Wembley ...",
    "Army Spc." / "Caleb Barnes"): the two become one logical line (newline read as a space).
    Otherwise a line break is a sentence boundary, as in text distributed one sentence a line."""
    raw: list[tuple[int, int, bool]] = []  # start, end, preceded by a blank line
    blank_before = False
    pos = 0
    for physical in text.split("\n"):
        s, e = pos, pos + len(physical)
        pos = e + 1
        stripped = physical.strip()
        if not stripped:
            blank_before = True
            continue
        s += len(physical) - len(physical.lstrip())
        raw.append((s, s + len(stripped), blank_before))
        blank_before = False
    has_blank_lines = any(b for _, _, b in raw[1:])
    out: list[_Line] = []
    block = 0
    for i, (s, e, blank) in enumerate(raw):
        if i and (blank or not has_blank_lines):
            block += 1
        if (
            out
            and (out[-1].block == block or not has_blank_lines)
            and (
                (not P.ends_sentence(out[-1].text) and P.STARTS_LOWER.match(text[s:e]))
                or P.ends_mid_sentence(out[-1].text)
            )
        ):
            prev = out[-1]
            prev.end = e
            prev.text = _flat(text[prev.start : e])
            continue
        out.append(_Line(s, e, block, _flat(text[s:e])))
    return out


def _flat(s: str) -> str:
    """Line breaks, tabs and no-break spaces read as spaces (same length: offsets survive).
    Most lines have none, and four ``in`` tests are cheaper than a regex pass."""
    if "\n" in s or "\r" in s or "\t" in s or "\u00a0" in s:
        return P.LINE_BREAKS.sub(" ", s)
    return s


def _norm(s: str) -> str:
    return P.NON_WORD.sub(" ", s.casefold()).strip()


def clean_text(text: str, title: str | None = None) -> CleanText:
    """Remove boilerplate from ``text``; ``title`` (when known) is dropped where it repeats."""
    lines = _split_at_widgets(text, [ln for ln in (_trimmed(text, ln) for ln in _lines(text)) if ln.start < ln.end])
    title_line = None
    norm_title = _norm(title) if title else ""

    for ln in lines:
        ln.drop = ln.drop or P.line_boilerplate(ln.text)

    body = [ln for ln in lines if not ln.drop]
    # The text's own first line is its headline when it looks like one (no sentence punctuation,
    # short) and more body follows; a repeated title anywhere is dropped. A section label before it
    # ("Politics", "World news") does not hide it.
    if len(body) > 2 and not title and _LABEL.match(body[0].text) and P.looks_like_headline(body[1].text):
        body[0].drop = "section label"
        body = body[1:]
    if body:
        first = body[0]
        if norm_title and _norm(first.text) == norm_title:
            first.drop = "repeated headline"
        elif (
            not title
            and P.looks_like_headline(first.text)
            and len(body) > 1
            and (first.cut_after or (body[1].block != first.block and _blank_line_after(text, first.end)))
        ):
            first.drop = "headline"
            title_line = first.text
    if norm_title or title_line:
        head = norm_title or _norm(title_line or "")
        for ln in body:
            if not ln.drop and _norm(ln.text) == head:
                ln.drop = "repeated headline"

    _drop_blocks_around_boilerplate(lines)
    _drop_tail_after_cta(lines)
    _drop_related_tail(lines)
    _drop_wire_preamble(lines)
    _drop_fragments(lines)
    _drop_repeats(lines)

    kept = [ln for ln in lines if not ln.drop]
    paragraphs, spans = _paragraphs(text, kept)
    return CleanText(
        paragraphs=tuple(paragraphs),
        spans=tuple(spans),
        title_line=title_line,
        dropped=tuple(ln.text for ln in lines if ln.drop and ln.drop != "headline"),
        reasons=tuple(ln.drop for ln in lines if ln.drop and ln.drop != "headline"),
    )


def _split_at_widgets(text: str, lines: list[_Line]) -> list[_Line]:
    """Cut share bars and ad labels glued inside a line out of it: what stands on either side is judged on
    its own (a headline before "Share Pin It ... ADVERTISEMENT", a caption after it). Spans only move,
    so offsets still map back."""
    out: list[_Line] = []
    for ln in lines:
        spans = P.inline_widgets(ln.text)
        if not spans:
            out.append(ln)
            continue
        pos = 0
        for a, b in spans:
            piece = ln.text[pos:a]
            if piece.strip():
                lead = len(piece) - len(piece.lstrip())
                s, e = ln.start + pos + lead, ln.start + pos + len(piece.rstrip())
                out.append(_Line(s, e, ln.block, ln.text[s - ln.start : e - ln.start], cut_after=True))
            a += len(ln.text[a:b]) - len(ln.text[a:b].lstrip())
            out.append(_Line(ln.start + a, ln.start + b, ln.block, ln.text[a:b], drop="widget (glued)"))
            pos = b
        rest = ln.text[pos:]
        if rest.strip():
            lead = len(rest) - len(rest.lstrip())
            s = ln.start + pos + lead
            out.append(_Line(s, ln.start + pos + len(rest.rstrip()), ln.block, rest.strip()))
    return out


def _blank_line_after(text: str, end: int) -> bool:
    """A headline stands apart: a blank line follows it (one-sentence-per-line text has none)."""
    return re.match(r"[ \t\r]*\n[ \t\r]*\n", text[end:]) is not None


_BOX_MAX_LINES = 6


def _drop_blocks_around_boilerplate(lines: list[_Line]) -> None:
    """A call-to-action line takes the short, unpunctuated lines of its block with it
    (a newsletter box: its name, its pitch, "Daily at 9am EST")."""
    by_block: dict[int, list[_Line]] = {}
    for ln in lines:
        by_block.setdefault(ln.block, []).append(ln)
    for group in by_block.values():
        if len(group) > 1 and any(ln.drop and ln.drop.startswith("cta") for ln in group):
            short = [ln for ln in group if not ln.drop and (P.is_fragment(ln.text) or len(ln.text) < 80)]
            # A box is a few short lines. A block with a paragraph in it, or with many lines, is body with
            # single line breaks between its paragraphs (a blank line only after the headline, say), and
            # its short lines are sentences.
            if len(group) <= _BOX_MAX_LINES and all(ln.drop or ln in short for ln in group):
                for ln in short:
                    ln.drop = "cta block"


def _drop_tail_after_cta(lines: list[_Line]) -> None:
    """Once a call to action shows up in the last third of the article, the short unpunctuated
    lines after it are the page's footer (newsletter boxes, share bars) - until a sentence
    resumes the body. (In-body "READ MORE:" teasers do not trigger this: they are not footers.)"""
    first_tail = len(lines) - max(3, len(lines) // 3)
    for i, ln in enumerate(lines):
        if i < first_tail or not ln.drop or not ln.drop.startswith("cta"):
            continue
        for nxt in lines[i + 1 :]:
            if nxt.drop:
                continue
            if len(nxt.text) > 60 and P.ends_sentence(nxt.text, strict=True):
                break
            nxt.drop = "footer"
        return


def _drop_related_tail(lines: list[_Line]) -> None:
    """After a "Related"/"Read more" header, the link titles that follow are not body."""
    for i, ln in enumerate(lines):
        if ln.drop == "related header":
            for nxt in lines[i + 1 :]:
                if nxt.drop:
                    continue
                if len(nxt.text) > 200 or P.ends_sentence(nxt.text, strict=True):
                    break
                nxt.drop = "related link"


def _drop_wire_preamble(lines: list[_Line]) -> None:
    """Short lines before a wire dateline lead ("JAKARTA (Reuters) - ...") are teasers and captions."""
    alive = [ln for ln in lines if not ln.drop][:6]
    for k, ln in enumerate(alive):
        if P.wire_dateline(ln.text):
            for prev in alive[:k]:
                if len(prev.text) < 120:
                    prev.drop = "preamble"
            return


def _drop_fragments(lines: list[_Line]) -> None:
    """Short lines without sentence punctuation (captions, section labels, subheads, link titles).

    Only applied to text that uses sentence punctuation at all (Thai does not), and never to a
    line that is the only body there is.
    """
    alive = [ln for ln in lines if not ln.drop]
    punctuated = sum(1 for ln in alive if P.ends_sentence(ln.text))
    if punctuated < max(1, len(alive) // 3):
        return
    listed = _list_items(alive)
    for ln in alive:
        if P.is_fragment(ln.text) and id(ln) not in listed:
            ln.drop = "fragment"
    # a trailing run of link-like or very short lines after the body
    tail = [ln for ln in lines if not ln.drop]
    for ln in reversed(tail):
        if len(ln.text) < 60 and not P.ends_sentence(ln.text, strict=True):
            ln.drop = "trailing fragment"
        else:
            break


_LABEL = re.compile(r"^[\w&'’-]+(?: [\w&'’-]+)?$")  # one or two words, no punctuation: "Politics", "World news"
_PULL_QUOTE_SCAN_LIMIT = 300_000  # characters; news articles are a few thousand

_BULLET = re.compile(r"^(?:[•·▪●◦‣∙*–—-]|\d{1,2}[.)])\s+\S")


def _list_items(alive: list[_Line]) -> set[int]:
    """Lines of a bulleted or numbered list inside the body: two or more items in a row, after a line of
    body. Short and unpunctuated, they are body all the same ("• Pensions rise in line with inflation").
    A list at the very end stays subject to the trailing-links rule."""
    out: set[int] = set()
    run: list[_Line] = []
    for i, ln in enumerate([*alive, None]):
        if ln is not None and _BULLET.match(ln.text):
            run.append(ln)
            continue
        if len(run) >= 2 and i - len(run) > 0:
            out.update(id(item) for item in run)
        run = []
    return out


def _drop_repeats(lines: list[_Line]) -> None:
    """A line seen before is dropped (repeated caption); a short line whose words all appear
    inside a longer paragraph is a pull quote and is dropped too - unless the longer line holds
    that sentence without its full stop, run on into the next: then the longer line is captions
    glued together by copy-paste, reprinting the body, and it goes instead."""
    seen: dict[str, _Line] = {}
    alive = [ln for ln in lines if not ln.drop]
    norms = [_norm(ln.text) for ln in alive]
    for ln, n in zip(alive, norms, strict=True):
        first = seen.get(n)
        if first is None:
            seen[n] = ln
        elif _quoted(ln.text) and not _quoted(first.text):
            # The words as a teaser first ("We're going to have to shovel more often."), then in the body
            # as the quote they are: the teaser is the copy.
            first.drop = "pull quote"
            seen[n] = ln
        else:
            ln.drop = "repeated"
    joined = "\x00".join(n for ln, n in zip(alive, norms, strict=True) if not ln.drop)
    if len(joined) > _PULL_QUOTE_SCAN_LIMIT:
        return  # a book, not an article: looking for pull quotes would cost time quadratic in its size
    for i, (ln, n) in enumerate(zip(alive, norms, strict=True)):
        if ln.drop or len(n) < 30 or len(n) > 400:  # pull quotes are short
            continue
        if joined.count(n) < 2:  # only itself: no longer paragraph contains it (the common case)
            continue
        for j, other in enumerate(norms):
            if j != i and len(other) > len(n) + 10 and n in other and not alive[j].drop:
                if _lost_its_sentence_end(ln.text, alive[j].text):
                    alive[j].drop = "caption run"
                else:
                    ln.drop = "pull quote"
                break


def _quoted(text: str) -> bool:
    """A paragraph that opens with a quotation mark."""
    return text.lstrip()[:1] in "\"“„«「‘"


def _lost_its_sentence_end(sentence: str, longer: str) -> bool:
    """Is ``sentence`` (a full sentence) reprinted in ``longer`` without its full stop, run on
    into a new capitalised sentence or the line's end? Then ``longer`` is the copy - captions
    glued together, which copy-paste leaves without punctuation ("Getting into the groove: A fan
    has become ... skills Smile for the camera: ...") - and ``sentence`` is the body it was taken
    from: it stays. A real pull quote is the other way round: the body paragraph holds the
    sentence with its punctuation, or goes on after a comma ("..., ranging from", "...,” she says")."""
    if not P.ends_sentence(sentence, strict=True):
        return False
    core = sentence.rstrip().rstrip(P.CLOSERS).rstrip().rstrip(P.ENDERS)
    if len(core.split()) < 8:  # a short phrase may well run on into a name ("... visit Paris Saint-Germain")
        return False
    at = longer.find(core)  # verbatim: a copy, not a paraphrase ...
    if at < 0:  # ... though glued on after a dash it may have lost its capital ("... -she even has")
        at = longer.find(core[0].lower() + core[1:])
    if at < 0:
        return False
    after = longer[at + len(core) :].lstrip(P.CLOSERS)
    return not after.strip() or _RUN_ON.match(after) is not None


_RUN_ON = re.compile(r"\s+[\"'“‘]?[A-ZÀ-Ý]")  # whitespace, then a capital: no punctuation in between


def _paragraphs(text: str, kept: list[_Line]) -> tuple[list[str], list[tuple[int, int]]]:
    """Each kept logical line is a paragraph (web copy puts one paragraph on a line)."""
    paragraphs: list[str] = []
    spans: list[tuple[int, int]] = []
    for ln in kept:
        spans.append((ln.start, ln.end))
        # same-length substitution: offsets into the paragraph stay offsets into the text
        paragraphs.append(_flat(text[ln.start : ln.end]))
    return paragraphs, spans


def _trimmed(text: str, ln: _Line) -> _Line:
    start, end = _trim(text, ln)
    if (start, end) != (ln.start, ln.end):
        ln.start, ln.end = start, end
        ln.text = _flat(text[start:end])
    return ln


def _trim(text: str, ln: _Line) -> tuple[int, int]:
    """Cut a live-blog time stamp or a glued page address at the start ("14.53 These images ...",
    "https://x.y/story The council ...") and a trailing photo credit ("... (c)AFP/Aminu ABUBAKAR")
    off a paragraph - by moving its span, not editing it."""
    start, end = ln.start, ln.end
    m = P.LEADING_WIDGET.match(text, start, end)
    if m:
        start = m.end()
    if "<" in ln.text:  # markup left around a paragraph by copy-paste: "<p>The mayor said …</p>"
        m = P.LEADING_TAGS.match(text, start, end)
        if m:
            start = m.end()
        m = P.TRAILING_TAGS.search(text, start, end)
        if m and m.start() > start:
            end = m.start()
    m = P.LEADING_URL.match(text, start, end) if text[start : start + 4].lower() == "http" else None
    if m and m.end() < end and not text[m.end()].islower():
        start = m.end()
    m = P.LEADING_TIMESTAMP.match(text, start, end)
    if m:
        start = m.end()
    m = P.TRAILING_CREDIT.search(text, start, end) if ("(c)" in ln.text or "©" in ln.text) else None
    if m and m.start() > start:
        end = m.start()
        while end > start and text[end - 1].isspace():
            end -= 1
    return start, end
