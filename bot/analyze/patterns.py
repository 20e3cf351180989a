"""The line-level patterns behind boilerplate cleaning (see ``clean.py`` for how they combine).

Each pattern names a *kind* of web furniture - a dateline, a photo credit, a widget, a call to
action - in the languages of the samples (English, German, Spanish, Japanese, Thai) plus French,
never one article's wording. Length limits keep the phrase patterns off real body paragraphs:
furniture is short, and a long paragraph that merely mentions a newsletter is body.
"""

from __future__ import annotations

import re

NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
STARTS_LOWER = re.compile(r"^\s*[a-zà-ÿ]")
LINE_BREAKS = re.compile(r"[\r\n\t\u00a0]")  # same-length substitutions only (offsets survive)
URL_LINE = re.compile(r"^(?:<?(?:https?://|www\.)\S+>?|\S+\.(?:com|org|net|co\.uk|de|es)/\S*)$", re.I)

# --- sentence ends -------------------------------------------------------------------------------
CLOSERS = "\"'”’»」』)]）*"
ENDERS = ".!?。！？…"


def ends_sentence(text: str, strict: bool = False) -> bool:
    """Does the line end like a sentence (after any closing quotes/brackets)? A colon counts
    ("..., said:" introduces a quotation) unless ``strict``."""
    t = text.rstrip().rstrip(CLOSERS).rstrip()
    if not t:
        return False
    return t[-1] in ENDERS or (not strict and t[-1] in ":;")


# A line ending in one of these stops mid-sentence, whatever case the next line starts with:
# a function word ("... the semi-final at" / "Wembley ..."), a title before a name ("Army Spc." /
# "Caleb Barnes ..."), or an opening quotation mark with a single word ('"Mr' / 'Swinney said ...').
# English only: other languages' lines are joined by the lower-case rule alone.
# Function words count in lower case only ("Group A" may be a subhead), and not those that end a
# sentence as a particle or object ("moved on", "the day before", "to frame her").
_OPEN_WORDS = frozenset(
    "a an the and or nor but of to at for with from into onto than between against during via per amid "
    "among toward towards whose their its our my your".split()
)
_TITLES = frozenset("Mr Mrs Ms Dr Prof Lt Gen Col Maj Capt Sgt Cpl Spc Pvt Pfc Gov Sen Rep Rev Det Insp Supt".split())
_OPENING_QUOTES = "\"“‘'„«"


def ends_mid_sentence(text: str) -> bool:
    """Does the line stop where no sentence can? Only its last word is looked at (a regex anchored
    at the line's end would scan the whole line)."""
    t = text.rstrip()
    last = t[t.rfind(" ") + 1 :]
    if not last:
        return False
    if last in _OPEN_WORDS or last.lstrip(_OPENING_QUOTES + "(").rstrip(".") in _TITLES:
        return True
    return len(last) == len(t) and last[0] in _OPENING_QUOTES and last[1:].isalpha()


_QUOTED = re.compile(r"[\"“„«「][^\"“”„«»「」]{8,}[\"”“»」]")


_SPEECH_INTRO = re.compile(r"\b(?:said|says|say|told|added|asked|wrote|writes|explained|sagte|sagt|dijo|afirmó|a déclaré)\b", re.I)


def is_fragment(text: str) -> bool:
    """A short line without sentence punctuation: a caption, label, subhead or link title.
    A line of eight words or more that carries a quotation is speech that lost its full stop.
    A label of up to three words before a colon ("Fighter ace:") is a caption too, unless it
    introduces speech ("He said:")."""
    if len(text) >= 160:
        return False
    if ends_sentence(text):
        return (
            text.rstrip().endswith(":") and len(text.split()) <= 3 and not _SPEECH_INTRO.search(text)
        )
    return not (len(text.split()) >= 8 and _QUOTED.search(text))


def looks_like_headline(text: str) -> bool:
    words = text.split()
    return (
        3 <= len(words) <= 25
        and len(text) <= 200
        and not ends_sentence(text)
        and not text.rstrip().endswith((",", "-", "–"))
        and not URL_LINE.match(text)
        and not is_dateline(text)
    ) or (3 <= len(words) <= 20 and text.rstrip().endswith("?") and len(text) < 150)


# Scripts written without spaces between words (kana, Han, Hangul taken as such, Thai): a short text in them
# has more words than its spaces say.
NO_SPACE_SCRIPT = re.compile(r"[\u3040-\u30FF\u4E00-\u9FFF\uAC00-\uD7AF\u0E00-\u0E7F]")


# --- datelines -----------------------------------------------------------------------------------
_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "januar februar märz mai juni juli oktober dezember "
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre "
    "janvier février mars avril juin juillet août septembre octobre novembre décembre"
)
_DAYS = (
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun "
    "montag dienstag mittwoch donnerstag freitag samstag sonntag "
    "lunes martes miércoles jueves viernes sábado domingo lundi mardi mercredi jeudi vendredi samedi dimanche"
)
_FILLER = (
    "am pm a.m. p.m. gmt utc bst cet cest est edt pst pdt cst cdt et pt ist jst msk aest "
    "updated published posted last modified on at uhr um stand aktualisiert veröffentlicht "
    "actualizado publicado el de del a las h hrs hs le à mis jour publié mise the of "
    "today yesterday heute gestern hoy ayer ago min mins minutes hours hour stunden horas"
)
_DATE_WORDS = frozenset((_MONTHS + " " + _DAYS + " " + _FILLER).split())
_DIGIT = re.compile(r"\d")
_DATE_TOKEN = re.compile(r"[^\s,|/·•–—-]+")
_NUMERICISH = re.compile(r"^[\d:.hH/年月日時分-]+(?:st|nd|rd|th)?\.?$")


def is_dateline(text: str) -> bool:
    """"27 February, 12:16 PM", "Updated 10:02 GMT, Monday 3 March 2025", "2023-02-27 12:16"."""
    if len(text) > 80 or not _DIGIT.search(text):
        return False
    for tok in _DATE_TOKEN.findall(text.casefold()):
        tok = tok.strip(".:()[]")
        if tok and tok not in _DATE_WORDS and not _NUMERICISH.match(tok):
            return False
    return True


# --- photo captions and credits ------------------------------------------------------------------
_CREDIT_WORDS = r"photo|photos|photograph|foto|fotos|fotografía|image|images|imagen|picture|pic|bild|credit|crédito"
_AGENCIES = r"getty(?: images)?|afp|ap|reuters|epa|pa|shutterstock|alamy|bloomberg|dpa|anadolu|xinhua|file|handout"
# "In this image released by A24 Films, ...", "This undated photo provided by ..."
_IN_THIS_IMAGE = re.compile(
    r"^(?:in )?this (?:\w+ )?(?:image|photo|photograph|picture|handout photo|file photo|video still|frame grab)"
    r"\s+(?:\w+\s+)?(?:released|provided|taken|made available|obtained|posted|shows?|shared)\b",
    re.I,
)
# Each caption pattern with a character it cannot match without: most lines lack it, and an
# ``in`` test is far cheaper than a regex scan of the whole line.
CAPTION: list[tuple[str, re.Pattern[str]]] = [
    (":", re.compile(rf"\((?:{_CREDIT_WORDS})\s*:[^)]*\)", re.I)),  # (Photo: REUTERS/Anna Voitenko)
    (")", re.compile(rf"\((?:{_CREDIT_WORDS})\s+(?:by|courtesy of|via)\s[^()]{{1,80}}\)\s*$", re.I)),  # (Photo by J. Doe/Getty)
    (":", re.compile(rf"^(?:{_CREDIT_WORDS})\s*(?:credit)?\s*:", re.I)),  # Photo: ...
    (":", re.compile(rf"(?:^|[.!?]\s+)(?:{_CREDIT_WORDS})\s*:\s*[^.!?]{{1,60}}$", re.I)),  # ... Bild: dpa
    (")", re.compile(rf"\((?:{_AGENCIES})(?:\s*(?:/|via)[^()]*)?\)\s*$", re.I)),  # ... (Getty)
    ("/", re.compile(r"\b(?:REUTERS|AP Photo|AFP|Getty Images|EPA|WireImage|FilmMagic|Shutterstock|Bloomberg)/\S")),
    (" of ", re.compile(r"^\d{1,3} of \d{1,3}\.\s")),  # gallery: "1 of 4. Authorities monitor ..."
    ("", _IN_THIS_IMAGE),
    ("", re.compile(r"^(?:©|\(c\)|copyright\b)", re.I)),
    # an upper-case credit: "RIVERSIDE COUNTY SHERIFF'S DEPT./CONTRIBUTED IMAGE", "JANE DOE/STAFF PHOTOGRAPHER"
    ("/", re.compile(r"\b[A-Z][A-Z.'’&-]+(?: [A-Z][A-Z.'’&-]+)*/(?:(?:CONTRIBUTED|STAFF|FILE|SUBMITTED|COURTESY|SPECIAL TO [A-Z ]{2,30}) )?"
                     r"(?:IMAGE|PHOTO|PHOTOGRAPH|PHOTOGRAPHER|PHOTOS)\b")),
]
# Captions that say so whatever their length: a caption may run to several sentences ("In this image
# released by A24 Films, ... The 72nd annual Golden Globe awards will air ... (AP Photo/A24 Films, Name)").
LONG_CAPTION = [
    (")", re.compile(r"\((?:AP|AFP|Reuters|EPA|Getty Images|PA|Bloomberg|Xinhua)? ?Photo(?:graph)?\s*(?:/|:|by)[^()]{1,80}\)"
                     r"\s*\S{0,12}$", re.I)),  # ... (AP Photo/A24 Films, Atsushi Nishijima)AP2014
    # only a photo "released/provided by" someone: "This photo shows a crowd ..." may open a fact-check's paragraph
    ("", re.compile(
        r"^(?:in )?this (?:\w+ )?(?:image|photo|photograph|picture|handout photo|file photo|video still|frame grab)"
        r"\s+(?:\w+\s+)?(?:released|provided|made available|distributed) by\b", re.I)),
]
# (matched in the given text, where a no-break space or a tab may stand for a space)
TRAILING_CREDIT = re.compile(r"\s*(?:\(c\)|©)\s*[A-Z][\w \u00a0\t.&/-]{1,60}$")

# --- bylines -------------------------------------------------------------------------------------
_NAME = r"[A-ZÀ-Ý][\w'’.-]*"
BYLINE = re.compile(
    rf"^(?:by|von|por|par|di|door|text:|texto:)\s+{_NAME}(?:\s+{_NAME}){{0,3}}"
    rf"(?:\s*(?:,|and|und|y|et|&)\s+{_NAME}(?:\s+{_NAME}){{0,3}})*\s*(?:[,|/-].{{0,40}})?\.?$",
    re.I,
)

# --- widgets -------------------------------------------------------------------------------------
# headers of a list of links to other stories: the short lines after them go too
_RELATED_PHRASES = (
    r"read more|read also|also read|related(?: stories| articles| content| coverage| news| topics| links)?"
    r"|see also|more from [\w .]{1,30}|more on this(?: story)?|more stories|recommended(?: for you)?"
    r"|most (?:read|popular|viewed|shared)|trending(?: now)?|top stories|editor'?s picks"
    r"|lesen sie (?:auch|mehr)|mehr zum thema|weiterlesen|auch interessant|das könnte sie auch interessieren"
    r"|lea también|leer más|más noticias|noticias relacionadas|te puede interesar|lire aussi|à lire aussi"
    r"|関連記事|関連ニュース|あわせて読みたい|เรื่องที่เกี่ยวข้อง|อ่านเพิ่มเติม|ข่าวที่เกี่ยวข้อง"
)
# page furniture that stands alone
_WIDGET_PHRASES = (
    _RELATED_PHRASES + r"|video of (?:the )?day|show more(?: news| stories)?|load more|ver más|mehr anzeigen"
    r"|continue reading|share this(?: article| story)?|advertisement|anzeige|publicidad|sponsored|skip ad"
)
RELATED_HEADER = re.compile(rf"^(?:{_RELATED_PHRASES})\s*[:：]?\s*$", re.I)
WIDGET_HEADER = re.compile(rf"^(?:{_WIDGET_PHRASES})\s*[:：]?\s*$", re.I)
WIDGET_LINE = re.compile(rf"^(?:(?:{_WIDGET_PHRASES})\b\s*[:：|»>-]|(?:watch|listen)\s*[:：|»>])", re.I)
WIDGET_ANYWHERE = re.compile(
    r"click here|klicken sie hier|haga clic aquí|pic\.twitter\.com|\(@\w{1,15}\)\s+\w+ \d{1,2}, \d{4}"
    r"|^(?:twitter|instagram|facebook|youtube)\s*:|\b\d+\s*(?:min|minute)s?\s+read\b",
    re.I,
)
# "JAKARTA (Reuters) - ", "VATICAN CITY—", "GREEN BAY, Wis. -- ", "PERRIS: "
WIRE_DATELINE = re.compile(
    # a hyphen glued between two words is no separator: "COVID-19 Cases Surge", "NATO-Russia Council"
    r"^(?:[A-ZÀ-Ý][A-ZÀ-Ý .'’-]{2,40}(?:,\s*[A-Z][A-Za-z.]{1,12})?\s*(?:\([^)]{2,30}\))?"
    r"(?:\s*--|\s*-(?=\s)|\s+-|\s*[—–:])\s*(?=\S)"
    r"|【[^】]{1,30}】\s*"  # Japanese wire style: 【6月18日 AFP】
    # an agency tag glued to the lead by copy-paste, with or without a place: "(CNN)Guilty ...",
    # "Boston (CNN)Guilty ...", "(Reuters) - "
    r"|(?:[A-Z][A-Za-z.'’-]*(?: [A-Z][A-Za-z.'’-]*){0,3},? )?"
    r"\((?:CNN|Reuters|AP|AFP|UPI|Bloomberg|dpa|EFE|ANSA|Xinhua)\)\s*(?:(?:--|[-—–:])\s*)?(?=\S))"
)

# An embedded tweet as copy-paste leaves it, however long: "... #BCStorm pic.twitter.com/x — BC Hydro
# (@bchydro) December 22, 2018". Its words usually reappear in the body, quoted; the embed is the copy.
EMBEDDED_POST = re.compile(r"[—–-]\s*[^()\n]{1,60}\(@\w{1,15}\)\s+\w+\.? \d{1,2}, \d{4}\s*$")



def wire_dateline(text: str) -> re.Match[str] | None:
    """``WIRE_DATELINE`` at the start of ``text``. A dateline is short: matching only the first 160
    characters keeps a long run of spaces from costing time quadratic in its length."""
    return WIRE_DATELINE.match(text[:160])


# --- calls to action: donate, subscribe, follow, newsletter --------------------------------------
CTA_STRONG = re.compile(
    r"\b(?:support us|support (?:our|independent) journalism|(?:make|one-time|monthly) (?:a )?donation"
    r"|donate (?:now|today|here)|become a (?:patron|member|supporter|subscriber)|patreon"
    r"|subscribe (?:now|today|here|to our)|sign up (?:now|here|today|for (?:our|free))|follow us|like us on"
    # "... for the" / "... to the" only as a call: opening the line or a sentence, or after "to"/"please"
    # ("Residents can sign up for the new bus pass" is news)
    r"|(?:^|[.!?:]\s+|\b(?:to|please|and)\s+)(?:subscribe to the|sign up for the)"
    r"|follow [\w.@ ]{1,40} on (?:twitter|x|facebook|instagram|tiktok|linkedin)"
    r"|download (?:our|the) app|our (?:daily |weekly |free )?newsletter"
    r"|originally appeared on|contributed to this report"
    r"|all rights reserved"
    r"|spendenfinanziert|jetzt (?:spenden|unterstützen|abonnieren)|unterstützen sie (?:uns|unsere)"
    r"|folgen sie uns|newsletter abonnieren"
    r"|suscríbete|suscríbase|síguenos|hazte socio|apoya (?:nuestro|el) periodismo"
    r"|abonnez-vous|suivez-nous|faites un don)\b",
    re.I,
)
CREDIT_LINE = re.compile(
    r"^[(–—-]?\s*(?:(?:additional )?(?:reporting|editing|writing|compiled|research) by|with files from)\b", re.I
)
CTA_WEAK = re.compile(r"\b(?:newsletter|subscribe|subscription|donation|donate|follow)\b", re.I)

# a share bar or video teaser glued to the next paragraph by copy-paste ("Share this withEmailFacebook...Copy
# this link", "Scroll down for video Critical: ...")
LEADING_WIDGET = re.compile(
    r"(?:Share this with\s*(?:(?:Email|Facebook|Messenger|Twitter|Pinterest|WhatsApp|LinkedIn|Reddit)\s*)+"
    r"Copy this link|Media playback is (?:not supported|unsupported) on (?:this|your) device"
    r"|Scroll down for (?:the )?videos?\b)\s*",
    re.I,
)
# the same patterns for already lower-cased text (all their literals are lower case)
_CTA_STRONG_LOW = re.compile(CTA_STRONG.pattern)
_CTA_WEAK_LOW = re.compile(CTA_WEAK.pattern)
_WIDGET_ANYWHERE_LOW = re.compile(WIDGET_ANYWHERE.pattern)
# Substrings without which those patterns cannot match (every alternative contains one). Python's
# regex engine tries a long alternation at every position of a line, which made these three the
# bulk of cleaning time; a few ``in`` tests reject almost every body line first.
_CTA_STRONG_KEYS = (
    "support", "donat", "become", "patreon", "subscri", "sign up", "follow", "like us", "download",
    "newsletter", "originally", "contributed", "reserved", "spenden", "jetzt", "unterstützen", "folgen",
    "suscr", "síguenos", "hazte", "apoya", "abonnez", "suivez", "faites",
)  # fmt: skip
_CTA_WEAK_KEYS = ("newsletter", "subscri", "donat", "follow")
_WIDGET_ANYWHERE_KEYS = (
    "click here", "klicken sie hier", "haga clic aquí", "pic.twitter.com", "(@",
    "twitter", "instagram", "facebook", "youtube", "read",
)  # fmt: skip


def _has_any(low: str, keys: tuple[str, ...]) -> bool:
    for k in keys:
        if k in low:
            return True
    return False


# A share bar or an ad label glued into a line by copy-paste ("... police say Share Pin It More Galleries
# ADVERTISEMENT Judy Avalos, 20, ..."): two or more share-bar words in a row, or an upper-case ad label
# standing between words. The line is cut there; a trailing "Related article »" goes with what follows it.
_SHARE_WORD = r"(?:Share|Tweet|Pin(?: [Ii]t)?|E-?mail|Print|Comments?|More Galleries|Galleries|Facebook|Twitter|LinkedIn|WhatsApp|Reddit|ADVERTISEMENT|Advertisement)"
_AD_LABEL = r"(?:ADVERTISEMENT|ANZEIGE|PUBLICIDAD)"
# Possessive quantifiers: a long run of spaces must not be split every possible way (that was quadratic).
INLINE_WIDGET = re.compile(
    rf"(?:^|(?<=\s))(?P<bar>{_SHARE_WORD}(?:\s*+(?:\|\s*+)?{_SHARE_WORD})+|{_AD_LABEL})(?=\s|$)"
    r"|(?<!\s)\s++(?P<tail>(?:Related (?:articles?|stories|content)|Read more|More photos|See (?:the )?gallery)\s*+[»>›]+)\s*+$"
)
_SHARE_ONLY = re.compile(r"Share|Tweet|Pin|mail|Print|Comment|Galleries")  # words no headline strings together
_SPLIT_WORDS = re.compile(r"[\s|]+")
_INLINE_WIDGET_KEYS = ("Share", "Tweet", "Pin", "mail", "Print", "Comment", "Galleries", "Facebook", "Twitter",
                       "LinkedIn", "WhatsApp", "Reddit", "ADVERTISEMENT", "Advertisement", "ANZEIGE", "PUBLICIDAD",
                       "»", ">", "›")  # fmt: skip


def inline_widgets(text: str) -> list[tuple[int, int]]:
    """Spans of share bars and ad labels glued inside ``text`` (see ``INLINE_WIDGET``)."""
    if not _has_any(text, _INLINE_WIDGET_KEYS):
        return []
    out = []
    for m in INLINE_WIDGET.finditer(text):
        if m.group("tail"):
            out.append(m.span("tail"))
        elif _is_bar(m.group("bar"), text[: m.start()], text[m.end() :]):
            out.append(m.span())
    return out


def _is_bar(words: str, before: str, after: str) -> bool:
    """A run of share words is a share bar, not prose or a headline ("Facebook Share Price Falls", "the
    ADVERTISEMENT STANDARDS AUTHORITY"), when it is three words or more, or two at the end of the line, and
    not made of platform names alone; a lone ad label counts when the words beside it are not capitals."""
    n = len(_SPLIT_WORDS.split(words.strip()))
    if n == 1:  # an ad label on its own
        neighbours = before.split()[-1:] + after.split()[:1]
        return not any(len(w) > 1 and w.isupper() for w in neighbours)
    if not _SHARE_ONLY.search(words) and "ADVERTISEMENT" not in words and "Advertisement" not in words:
        return False  # "Facebook Twitter Merger Talks …": platform names alone
    return n >= 3 or not after.strip()


LEADING_TAGS = re.compile(r"(?:</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]{0,200})?/?>\s*)+")
TRAILING_TAGS = re.compile(r"(?:\s*</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]{0,200})?/?>)+\s*$")
# The page's address glued before its text ("https://example.com/news/x The council voted …"); a
# sentence that goes on after an address ("https://x.y is where …") starts in lower case and keeps it.
LEADING_URL = re.compile(r"https?://\S+\s+", re.I)
LEADING_TIMESTAMP = re.compile(r"(?:[01]?\d|2[0-3])[.:][0-5]\d\s+(?=[A-Z“\"'‘])")


def line_boilerplate(text: str) -> str | None:
    """Why this one line is furniture, or None when it may be body."""
    m = TRAILING_CREDIT.search(text) if ("(c)" in text or "©" in text) else None
    if m and m.start() > 0:
        text = text[: m.start()]  # "... (c)AFP/Name": judge the paragraph, not its credit
    n = len(text)
    if URL_LINE.match(text):
        return "url"
    if is_dateline(text):
        return "dateline"
    if n < 200:
        for need, pattern in CAPTION:
            if (not need or need in text) and pattern.search(text):
                return "caption"
    elif n < 800:
        for need, pattern in LONG_CAPTION:
            if (not need or need in text) and pattern.search(text):
                return "caption"
    if n < 90 and BYLINE.match(text) and not ends_sentence(text.rstrip("."), strict=True):
        return "byline"
    if n < 80 and RELATED_HEADER.match(text):
        return "related header"
    if n < 80 and WIDGET_HEADER.match(text):
        return "widget"
    low = text.lower()  # lower-case once: case-insensitive matching is several times slower
    if n < 200 and (
        WIDGET_LINE.match(text) or (_has_any(low, _WIDGET_ANYWHERE_KEYS) and _WIDGET_ANYWHERE_LOW.search(low))
    ):
        return "widget"
    if n < 500 and _has_any(low, _CTA_STRONG_KEYS) and _CTA_STRONG_LOW.search(low):
        return "cta"
    if n < 160 and _has_any(low, _CTA_WEAK_KEYS) and _CTA_WEAK_LOW.search(low) and not ends_sentence(text, strict=True):
        return "cta (short)"
    if n < 600 and CREDIT_LINE.match(text):
        return "credits"
    if n < 1200 and "(@" in text and EMBEDDED_POST.search(text):
        return "embedded post"
    return None
