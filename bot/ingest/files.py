"""One article file into an Article: ``.txt``, ``.md`` (YAML front matter), ``.html``/``.htm``, ``.json``.

Every way a file can be unusable raises ``IngestError`` with its own reason, phrased so the person who
dropped the file knows what to change: the inbox writes that reason beside the quarantined file.
"""

from __future__ import annotations

import codecs
import dataclasses
import html as htmllib
import json
import re
import unicodedata
from pathlib import Path

from ..errors import IngestError
from ..models import Article
from .fields import article_from_fields, normalise_keys
from .urls import canonical_url, find_url

FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
}
SUPPORTED_SUFFIXES = tuple(FORMATS)

# File signatures of things people drop by mistake, so the reason can name what the file really is.
_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a RIFF media file (WebP image or WAV audio)"),
    (b"PK\x03\x04", "a ZIP archive (a .docx/.odt document is one)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document (.doc)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program"),
)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
MAX_CONTROL_SHARE = 0.05  # more control characters than this and it is not a text
# Western-European text read as Windows-1252 is mostly ASCII (French or German: under 5% of the characters
# are not). Cyrillic, Greek, Chinese … in a legacy encoding also "decode" as Windows-1252, into gibberish
# that is mostly non-ASCII ("Ìýð ñêàçàë"): past this share of its non-space characters, it is refused.
MAX_NON_ASCII_SHARE_1252 = 0.3
HEADER_LINES = 4  # a URL / "URL:" / "Source:" line counts as metadata only among the first few lines
_META_LINE = re.compile(r"^(url|link|source)\s*:\s*(.+)$", re.IGNORECASE)
_TITLE_LINE = re.compile(r"^(?:title|headline)\s*:\s*(.+)$", re.IGNORECASE)
_HTML_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_BYLINE = re.compile(r"^(by|von|par|por|door|di|av|af)\s", re.IGNORECASE)
_SENTENCES = re.compile(r"[.!?…][\"'”’»)]?\s+\S|[。！？]\S")


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if (unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS) or ch == "\ufffd")
    return bad / len(text)


def _c0_share(data: bytes) -> float:
    """The share of C0 control bytes (tab and line breaks aside). Only these mark binary data: bytes
    0x80-0x9f, C1 controls in Latin-1, are ordinary lead bytes of Shift-JIS, GBK or Big5 text."""
    if not data:
        return 0.0
    bad = sum(1 for b in data if (b < 0x20 and b not in b"\t\n\r\f\v") or b == 0x7F)
    return bad / len(data)


def _mostly_non_ascii(text: str) -> bool:
    visible = [ch for ch in text if not ch.isspace()]
    return bool(visible) and sum(1 for ch in visible if ord(ch) > 0x7F) / len(visible) > MAX_NON_ASCII_SHARE_1252


def _binary_kind(data: bytes) -> str | None:
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    return None


def _looks_utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the NUL bytes sit in every other position, as in BOM-less UTF-16 text."""
    sample = data[:4000]
    if len(sample) < 4 or len(sample) % 2:
        return None
    odd_nuls = sample[1::2].count(0) / (len(sample) // 2)
    even_nuls = sample[0::2].count(0) / (len(sample) // 2)
    if odd_nuls > 0.6 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.6 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def decode_text(data: bytes, *, html: bool = False) -> tuple[str, str]:
    """The text of ``data`` and the encoding used.

    Tried in order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-8; for HTML the charset its <meta>
    declares; then Windows-1252, what "plain text" from Windows and older CMSs usually is (it also
    covers ISO-8859-1 for every printable character). Anything else is refused rather than guessed.
    """
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    for bom, encoding in boms:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise IngestError(
                    f"undecodable text: the file starts with a {encoding.upper()} byte-order mark but byte "
                    f"{exc.start} is not valid {encoding.upper()}; re-save it as UTF-8"
                ) from None
    kind = _binary_kind(data)
    if kind:
        raise IngestError(f"binary file: this is {kind}, not an article; save the article as .txt, .md, .html or .json")
    if b"\x00" in data:
        utf16 = _looks_utf16_without_bom(data)
        if utf16:
            try:
                return data.decode(utf16), utf16
            except UnicodeDecodeError:
                pass
        raise IngestError("binary file: it contains NUL bytes, so it is not a text; save the article as plain text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if html:
        declared = _HTML_CHARSET.search(data[:4096])
        if declared:
            name = declared.group(1).decode("ascii", "replace")
            try:
                encoding = codecs.lookup(name).name
                if encoding in ("latin-1", "iso8859-1", "ascii"):
                    # Browsers read these labels as Windows-1252 (WHATWG encoding standard), and such pages
                    # do carry its curly quotes (0x93/0x94), which Latin-1 would make control characters.
                    try:
                        return data.decode("cp1252"), "cp1252"
                    except UnicodeDecodeError:
                        pass
                return data.decode(name), encoding
            except (LookupError, UnicodeDecodeError):
                pass
    lenient = data.decode("utf-8", "replace")
    invalid = lenient.count("\ufffd")
    if sum(1 for ch in lenient if ord(ch) > 0x7F) - invalid > invalid:
        # Mostly UTF-8 (more well-formed multi-byte characters than bad bytes; by chance they are rare in
        # Windows-1252 text, where they read "Ã©") with a few bytes that are not: text pasted together from
        # two sources. As Windows-1252 every UTF-8 letter would turn into two ("dÃ©clarÃ©").
        raise IngestError(
            f"undecodable text: UTF-8 except for byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start} "
            f"({invalid} such byte(s) in all; a character pasted in from another encoding?); "
            "retype those characters, or re-save the file as UTF-8"
        )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and _control_share(text) <= MAX_CONTROL_SHARE:
        if _mostly_non_ascii(text):
            raise IngestError(
                "undecodable text: not UTF-8, and read as Windows-1252 it is gibberish (mostly non-Latin "
                "characters: Cyrillic, Greek, Chinese or Japanese in an older encoding?); re-save the file as UTF-8"
            )
        return text, "cp1252"
    if _c0_share(data) > MAX_CONTROL_SHARE:
        raise IngestError("binary file: it is mostly non-text bytes; save the article as plain text")
    raise IngestError(
        f"undecodable text: not UTF-8 (bad byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}) "
        "and not Windows-1252 either; re-save the file as UTF-8"
    )


def _looks_like_headline(line: str, *, strict: bool) -> bool:
    """Whether a line can be a headline. Lenient for the usual layout (headline first), strict after a
    leading URL, where web-clipped files put a caption, a byline or the first paragraph instead."""
    text = line.strip()
    if len(text) > (160 if strict else 300):
        return False
    if not strict:
        return True
    words = text.split()
    if len(words) < 3 and len(text) < 12:
        return False  # a section label ("Features")
    if _BYLINE.match(text) or text.endswith((".", ",", ";", ":", "。", "、")):
        return False
    return not _SENTENCES.search(text)  # two sentences are a paragraph or a caption, not a headline


def parse_text(text: str, *, source: str) -> Article:
    """A plain-text article: the first non-empty line is the headline and the rest the body; a URL on a
    line of its own, or a ``URL:``/``Link:``/``Source:`` line, among the first lines is the article's link.

    Files that *start* with a bare URL (text copied from the web) often carry no headline at all: there the
    next line is the headline only if it looks like one, else the whole rest is body and the title is left
    for the analysis to find.
    """
    lines = text.split("\n")
    url: str | None = None
    outlet: str | None = None
    consumed: set[int] = set()
    url_first = False
    seen = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        seen += 1
        if seen > HEADER_LINES:
            break
        meta = _META_LINE.match(line.strip())
        if meta:
            value = meta.group(2).strip()
            link = find_url(value)
            if link:
                url = url or link
                consumed.add(index)
                continue
            if meta.group(1).lower() == "source" and outlet is None and len(value) <= 80:
                outlet = value  # "Source: Reuters" names the outlet
                consumed.add(index)
                continue
        link = find_url(line)
        if link and url is None:
            url = link
            consumed.add(index)
            url_first = url_first or seen == 1
    rest = [line.rstrip() for index, line in enumerate(lines) if index not in consumed]
    while rest and not rest[0].strip():
        rest.pop(0)
    if not rest:
        raise IngestError("no text: the file holds only a link; put a headline and the article text below it")
    title: str | None = None
    labelled = _TITLE_LINE.match(rest[0].strip())
    if labelled:  # "Title: Bridge reopens" is the headline whatever the layout
        rest.pop(0)
        title = labelled.group(1).strip()
    elif _looks_like_headline(rest[0], strict=url_first):
        title = rest.pop(0).strip()
    body = "\n".join(rest).strip()
    if not body:
        raise IngestError(
            f"no body: the file has a headline ({title!r:.70}) but no article text; "
            "put the text below the headline, after a blank line"
        )
    try:
        canonical = canonical_url(url) if url else None
    except ValueError:
        canonical = None
    return Article(source=source, text=body, title=title, url=canonical, outlet=outlet)


_BLOCK_TAGS = re.compile(r"<\s*(?:br|/p|/div|/h[1-6]|/li|/blockquote)\s*/?>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^<>]+>")
# Elements whose content is code or a fallback, not words of the article (inline ad scripts, embed styles).
_NOT_TEXT = re.compile(
    r"<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)


def _html_fragment_to_text(body: str) -> str:
    """CMS exports often put HTML in the JSON body: keep its words, one paragraph per block."""
    if not re.search(r"<(p|br|div|h[1-6]|li|blockquote|script|style)\b", body, re.IGNORECASE):
        return body
    text = _ANY_TAG.sub("", _BLOCK_TAGS.sub("\n\n", _NOT_TEXT.sub("", body)))
    text = htmllib.unescape(text)
    return re.sub(r"\n\s*\n\s*", "\n\n", text).strip()


def parse_json(text: str, *, source: str) -> Article:
    """A JSON object: ``title``, ``url``, ``text`` (or ``body``/``content``), ``published``, ``tags`` …"""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(f"broken JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise IngestError("broken JSON: nested too deeply to be an article; export one flat article object") from None
    if isinstance(data, list):
        raise IngestError("wrong JSON shape: the file holds a list; put one article object per file")
    if not isinstance(data, dict):
        raise IngestError(
            f"wrong JSON shape: expected an object like {{\"title\": …, \"text\": …}}, got {type(data).__name__}"
        )
    fields = normalise_keys(data)
    names = ("text", "body", "content", "article_body", "articlebody")
    # null is how exports write an empty field: the next name that holds something is the body.
    key = next((k for k in names if fields.get(k) is not None), None)
    if key is None:
        present = next((k for k in names if k in fields), None)
        if present is not None:
            raise IngestError(f'no body: the JSON "{present}" field is null; put the article\'s text in it')
        raise IngestError('no body: the JSON object has no "text" field; put the article\'s text in "text"')
    body = fields[key]
    if not isinstance(body, str):
        raise IngestError(f"{key}: expected text, got {type(body).__name__}")
    body = _html_fragment_to_text(body).strip()
    if not body:
        raise IngestError(f'no body: the JSON "{key}" field is empty; put the article\'s text in it')
    return article_from_fields(fields, source=source, text=body)


def _read_capped(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(
                f"too large: the file is {_mb(size)}, over the {_mb(max_bytes)} limit; "
                "split it, or raise NEWSBOT_MAX_FILE_BYTES"
            )
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise IngestError(f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # it grew after the stat
        raise IngestError(f"too large: over the {_mb(max_bytes)} limit; split it, or raise NEWSBOT_MAX_FILE_BYTES")
    return data


IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".heic"})


def read_article_file(path: Path, max_bytes: int, *, source: str | None = None, folder: Path | None = None) -> Article:
    """Read one article file. ``source`` (default: the file's name) is recorded as where it came from;
    ``folder`` (default: the file's own) is where a relative ``image:`` path is read from - the queue
    folder for a file claimed into ``.processing/``.

    Raises ``IngestError`` saying what is wrong with the file and how to fix it.
    """
    suffix = path.suffix.lower()
    kind = FORMATS.get(suffix)
    if kind is None:
        shown = f"'{suffix}'" if suffix else "(no extension)"
        if suffix in IMAGE_SUFFIXES:
            raise IngestError(
                f"an image ({shown}), not an article: put images in a folder of their own (queue/images/) and "
                "name one in the article's image: field (image: images/photo.jpg)"
            )
        raise IngestError(
            f"unsupported file type {shown}; name the file .txt, .md, .html or .json (see queue/README.md)"
        )
    data = _read_capped(path, max_bytes)
    if not data.strip():
        raise IngestError("empty file: " + ("it has 0 bytes" if not data else "it holds only whitespace"))
    text, _encoding = decode_text(data, html=kind == "html")
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise IngestError("empty file: it holds only whitespace")
    if _control_share(text) > MAX_CONTROL_SHARE:
        raise IngestError("binary file: it is mostly non-text characters; save the article as plain text")
    name = source or path.name
    if kind == "text":
        article = parse_text(text, source=name)
    elif kind == "markdown":
        from .markdown import parse_markdown

        article = parse_markdown(text, source=name)
    elif kind == "json":
        article = parse_json(text, source=name)
    else:
        from .html import extract_html

        article = extract_html(text, source=name)
    if article.title and article.title != " ".join(article.title.split()):
        # A headline is one line: tabs, runs of spaces and no-break spaces from a copied page would
        # otherwise reach logs, `newsbot status` and the feeds listing as typed.
        article = dataclasses.replace(article, title=" ".join(article.title.split()))
    # A file the queue moved on (processed/, failed/: `newsbot post story.md`, a preview of failed/) was dropped
    # into the queue folder above, which its relative image path still starts from.
    moved_from = path.parent.parent if folder is None and path.parent.name in _MOVED_TO else None
    article = _local_image(article, folder or path.parent, moved_from)
    return _without_lone_surrogates(article)


_MOVED_TO = ("processed", "failed")  # the queue's own subfolders (bot.ingest.inbox PROCESSED, FAILED)


def _local_image(article: Article, folder: Path, moved_from: Path | None = None) -> Article:
    """A local ``image`` path made absolute from the article's folder, and checked now: read later from the
    daemon's working directory, or after the article file moved on, it named another file or none.
    ``moved_from``: the queue folder a file in processed/ or failed/ was dropped into, looked in second."""
    image = article.image
    if not image or "://" in image:
        return article  # a URL (http, https, file) is read as given
    path = Path(image).expanduser()
    resolved = path if path.is_absolute() else folder / path
    if not resolved.is_file() and not path.is_absolute() and moved_from is not None and (moved_from / path).is_file():
        resolved = moved_from / path
    if not resolved.is_file():
        where = "" if path.is_absolute() else f" (a relative path is read from the article's folder, {folder})"
        raise IngestError(f"image: no file {image}{where}; fix the path or put the image there")
    return dataclasses.replace(article, image=str(resolved.resolve()))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(article: Article) -> Article:
    """JSON escapes and YAML can spell a lone surrogate (``\\ud800``), which no UTF-8 text can hold: hashing,
    storing or sending it would fail far from here. Each becomes U+FFFD, the replacement character."""
    changes: dict[str, object] = {}
    for name in ("title", "text", "url", "summary", "outlet", "image", "image_alt", "language", "source"):
        value = getattr(article, name, None)
        if isinstance(value, str) and _SURROGATE.search(value):
            changes[name] = _SURROGATE.sub("\ufffd", value)
    if any(_SURROGATE.search(tag) for tag in article.tags):
        changes["tags"] = tuple(_SURROGATE.sub("\ufffd", tag) for tag in article.tags)
    return dataclasses.replace(article, **changes) if changes else article  # type: ignore[arg-type]
