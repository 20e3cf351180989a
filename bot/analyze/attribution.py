"""The shapes of an attribution in news copy, as patterns: "…,” Danilov said", "said X, a professor",
"X told Reuters: “…", "according to X", German "sagt X", Spanish "dijo X", French "a déclaré X" / "dit-il" / "selon X", Thai
"X กล่าวว่า" and Japanese "Xは…「…」と述べた", and the small word lists
that go with them. ``speakers.py`` applies them in order; keeping them here keeps that file about the
order and the decisions. All are compiled through ``rx`` (regenerate its cache after editing one).
"""

from __future__ import annotations

import regex

from bot.analyze import rx
from bot.analyze.mentions import ADV, APPOS
from bot.analyze.names import (
    DOCUMENT_SAYING,
    GERMAN_DETERMINER,
    NAME,
    NOUN_PHRASE,
    PRONOUN,
    ROLE,
    VERB,
    VERB_THEN_SPEAKER,
    VERBS_DE_ES,
    description_head,
)

FLAGS = regex.VERSION1 | regex.UNICODE
# A group as speaker: "protesters chanted", "critics say" (a bare plural common noun).
GROUP = (
    r"(?<![\p{L}\p{N}'’\-])(?<!\b(?:the|a|an|his|her|their|its|our|my|your|this|that|these|those)\s+)"
    r"(?:\p{Ll}{2,}(?<!s)s|police|staff|prosecutors)(?![\p{L}\p{N}'’\-])"
)
# "Reed's spokesman" (followed by ", Jim Hall," - the name in apposition is then the speaker).
POSSESSIVE_NP = r"(?:" + NAME + r")['’]s(?:[ \t\u00a0]+[\p{Ll}\-]+){1,4}"
SP = r"(?P<sp>" + NAME + r"|" + PRONOUN + r"|" + NOUN_PHRASE + r"|" + GROUP + r"|" + POSSESSIVE_NP + r")"
SPN = r"(?P<sp>" + NAME + r"|" + NOUN_PHRASE + r")"
# After the closing mark: "…,” Danilov said" / "…,” Danilov, the secretary of …, told".
# (A party or state in brackets after the name - "Berg (Green Party) said", "Reed (D-Mass.) said" - and
# an age before the role - "Anna Berg, 45, of Springfield, said" - are part of the speaker's description.)
_PARTY = r"(?:[ \t\u00a0]*\([^()\n\u0001\u0002]{1,40}\))?"
_AGE_APPOS = r"(?:\s*,\s*\p{N}{1,3}(?=\s*,\s*\S))?"
# ... and so is the full stop of a company's "Inc." / "Corp." ("…,” Apple Inc. said").
_COMPANY_STOP = r"(?:(?<=\b(?:Inc|Corp|Ltd|Co|Bros|Cos))\.)?"
AFTER_SP_VERB = rx.compile(r"\A[\s,]*" + SP + _COMPANY_STOP + _PARTY + _AGE_APPOS + APPOS + ADV + r"\s+" + VERB + r"\b", FLAGS)
# "…,” said Konrad Gajewski, a professor" / "…,” says architect Lorena Paz Akin" / "said he".
# «…», a déclaré X / «…», selon X, adjointe au maire
# „…“, laut Ulrich Müller / nach Angaben von Ulrich Müller (German)
AFTER_VERB = rx.compile(
    r"\A[\s,]*(?:(?:(?:a|ont)[ \t\u00a0]+)?" + VERB_THEN_SPEAKER + r"|selon|según|laut|nach[ \t\u00a0]+Angaben[ \t\u00a0]+von)\b", FLAGS
)
# French inverted pronoun: «…», dit-il / a-t-elle ajouté / estime-t-il.
AFTER_FR_PRONOUN = rx.compile(
    r"\A[\s,]*(?:a-t-(?P<p1>il|elle)[ \t\u00a0]+" + VERB + r"|" + VERB + r"-(?:t-)?(?P<p2>il|elle))\b", FLAGS
)
# The same with the apposition's closing comma missing (common in wire copy).
AFTER_NAME_ROLE_VERB = rx.compile(
    r"\A[\s,]*(?P<sp>" + NAME + r")\s*,\s*(?P<role>(?:a|an|the|\p{Ll})[^,;:.!?\n\u0001\u0002]{2,160}?)"
    + ADV + r"\s+" + VERB + r"\b", FLAGS
)
# "…,” team members dressed for a game say in unison": a group with modifiers and a participle
# clause (a bare plural noun after lower-case modifiers, never a pronoun or a determiner).
GROUP_NP = (
    r"(?<![\p{L}\p{N}'’\-])(?:(?!(?:he|she|they|it|we|you|and|but|or|so|then|as|who|which|that|this|these|those|"
    r"the|a|an|his|her|their|its|our|my|your|some|many|all|also|now|still|later|earlier|\p{Ll}+ing|\p{Ll}+ed)\b)\p{Ll}[\p{Ll}\-]+[ \t\u00a0]+){0,2}"
    r"\p{Ll}{2,}(?<!ss|us|is)s(?![\p{L}\p{N}'’\-])"
)
AFTER_GROUP_VERB = rx.compile(
    r"\A[\s,]*(?P<sp>" + GROUP_NP + r")(?:[ \t\u00a0]+\p{Ll}+(?:ing|ed)\b[^,;:.!?“”\"\u0001\u0002]{1,50}?)?"
    + ADV + r"\s+" + VERB + r"\b",
    FLAGS,
)
# "…,” they sign off as a group": a plural pronoun as the subject, whatever its verb.
AFTER_THEY = rx.compile(r"\A[\s,]*(?:they|They)[ \t\u00a0]+\p{Ll}", FLAGS)
AFTER_DASH = rx.compile(r"\A\s*[―—–]\s*(?P<sp>" + NAME + r")", FLAGS)
# German: „…“, so Anna Berg (the usual form: "says Anna Berg") / „…“, heißt es in der Mitteilung ("it says").
AFTER_SO = rx.compile(r"\A[\s,]*so(?=[ \t\u00a0]+\p{L})", FLAGS)
AFTER_HEISST_ES = rx.compile(r"\A[\s,]*(?:heißt|hieß)[ \t\u00a0]+es\b", FLAGS)
_THING = r"[^,;:.!?\u0001\u0002\n“”\"]{1,60}?"
_CLAUSE_END = r"[ \t\u00a0]*(?:[,;:.!?]|\Z)"
# "…,” one wrote." / "…,” said another.": one of some people, never the person quoted before.
AFTER_INDEFINITE = rx.compile(
    r"\A[\s,]*(?:(?:one|another|some|many|several)" + ADV + r"[ \t\u00a0]+" + VERB + r"\b"
    + r"|" + VERB + r"[ \t\u00a0]+(?:one|another|some|many|several)" + _CLAUSE_END + r")",
    FLAGS,
)
# "…,” according to police." / "…!” read a sign held by protesters.": the quote
# is given to something not named - what it is, never the person quoted before (a wrong name). Names after
# "according to" are mentions (mentions.py); here the phrase starts in lower case.
AFTER_ACCORDING_THING = rx.compile(
    r"\A[\s,]*according[ \t\u00a0]+to[ \t\u00a0]+(?P<sp>\p{Ll}" + _THING + r")" + _CLAUSE_END, FLAGS
)
# "…!” read a sign held by protesters": a sign, a banner, a placard. ("…,” the post read." stays with the
# fallback: a post or a statement was most often just said to be someone's - "X wrote in a blog post".)
AFTER_READ = rx.compile(
    r"\A[\s,]*read[ \t\u00a0]+(?P<sp>(?:a|an|the|one|his|her|its|their)[ \t\u00a0]" + _THING + r")" + _CLAUSE_END, FLAGS
)
# "…,” beams Lena Berg, …" / "…,” gushed Tom Reed.": a verb-like word the list of speech verbs lacks,
# then a name that ends the clause. Not a reason to keep a quote; only who said one that is kept.
AFTER_ANY_VERB_NAME = rx.compile(
    r"\A[ \t\u00a0]*,?[ \t\u00a0]*(?:\p{Ll}{3,}(?:s|ed)[ \t\u00a0]+(?P<sp>" + NAME + r")"
    r"|(?P<sp2>" + NAME + r")[ \t\u00a0]+\p{Ll}{3,}(?:s|ed))(?=[ \t\u00a0]*(?:[,.;!?]|\Z))",  # ... or "Lena Berg beams."
    FLAGS,
)
# The subject of a verb is not the object of a preposition ("marching through the streets chanted").
NOT_AFTER_PREPOSITION = r"(?<!\b(?:through|into|in|on|at|of|to|from|with|by|for|across|around|over|under|near)\s+)"
# "Protesters marching through the streets chanted “…": a participle clause after the subject.
PARTICIPLE_CLAUSE = r"(?:\s+\p{Ll}+ing\s[^,;:.!?“”\"\u0001\u0002]{1,60}?)?"
# Before the opening mark, in the same sentence: "Danilov said: “" / "Mook told CBS, “".
BEFORE = rx.compile(
    NOT_AFTER_PREPOSITION + SP + APPOS + PARTICIPLE_CLAUSE + ADV + r"\s+" + VERB + r"\b(?:[^.!?“”\"\u0001\u0002]{0,90}?[:,])?\s*(?:and|but)?\s*\Z", FLAGS | regex.REVERSE
)
# "Trump attacked Clinton for …, saying, “": the speaker is the sentence's subject.
BEFORE_PARTICIPLE = rx.compile(r",\s*(?:saying|adding|writing|telling\s+\S+|asking|declaring|noting|tweeting|posting|arguing|insisting|warning|explaining|claiming|replying|responding|joking|quipping|stating|recalling|asserting)[,:]?\s*\Z", FLAGS)
SUBJECT = rx.compile(
    r"\A[\s\-–—]*(?:(?=" + SP + r"\b)|[^,\u0001\u0002]{0,60},\s*)" + SP + r"\b", FLAGS
)  # the opening name ("Dean, a former chairman, …") before one after a fronted phrase
# Inverted order before the quote, after a fronted clause: "…, asks editor Jane Doe, “…"
BEFORE_INVERTED = rx.compile(
    r"(?:\A|[,;:\u0002]\s*)(?:" + VERB_THEN_SPEAKER + r"|asks|asked)\s+(?P<phrase>\p{Lu}[^,;:.!?“”\"\u0001\u0002]{0,80}?|the\s[^,;:.!?“”\"\u0001\u0002]{1,60}?)\s*[,:]\s*\Z",
    FLAGS | regex.REVERSE,
)
# A description, not a name: "Campbell's partner", "the company's chief executive", "his wife".
DESCRIPTION = rx.compile(
    r"\A(?:(?:\p{Lu}[\p{L}\-]*[’']s?|the|a|an|his|her|their|its|"
    r"el|la|los|las|un|una|su|sus|le|les|une|son|sa|ses|leur)\s+|l['’])\p{Ll}[^\n]*\Z",
    FLAGS,
)  # (and Spanish, French: "el alcalde de Madrid", "la portavoz", "le maire de Lyon", "l'avocat")
BEFORE_ACCORDING = rx.compile(r"\b(?:[Aa]ccording to|[Ss]elon|[Ss]egún|[Ll]aut|[Nn]ach\s+Angaben\s+von)\s+" + SPN + r"(?:\s*,\s*" + ROLE + r")?\s*[:,]\s*\Z", FLAGS)
PRONOUN_VERB = rx.compile(
    r"\b" + PRONOUN + ADV + r"\s+" + VERB + r"\b|\b" + VERB + r"\s+" + PRONOUN + r"\b", FLAGS
)
# Where a speaker phrase after the verb stops: "said Trump in an interview" -> "Trump".
PHRASE_CUT = rx.compile(
    r"\s+(?:in|at|on|to|with|during|before|after|when|while|as|who|which|that|from|for|about|"
    r"last|this|on|earlier|later|of\s+the\s+(?:\p{Ll})|outside|inside|via|through|told|adding|"
    r"im|am|vom|beim|zum|zur|mit|bei|für|auf|gegenüber|en|con|por|para|ante|tras|"
    r"(?<!\b(?:van|von|de|ter|ten)\s+)(?:der|dem|den)(?=\s+\p{Lu}))\b.*\Z",  # "sagte Allendorf der FAZ"
    FLAGS | regex.DOTALL,
)
# Heads of descriptions that refer to an organisation ("the company said", "the utility said").
ORG_HEADS = frozenset(
    """company firm utility agency ministry department organization organisation union board council
    committee team club government campaign party network bank airline retailer carrier operator
    provider league association hospital university school commission administration institute
    foundation group service corporation manufacturer insurer automaker broadcaster publisher
    developer startup charity regulator""".split()
)
POSSESSIVE_RE = rx.compile(r"\A\S+['’]s\s+\p{Ll}", FLAGS)
FOREIGN_NP = rx.compile(
    r"\A(?:(?:ein|eine|einer|der|die|el|la|los|las|un|una|le|les|une)\s+|l['’])\p{L}[\p{L}\-]*"
    r"(?:(?:\s+(?:der|des|del|de\s+la|de|du)\s+|\s+d['’])[\p{L}‘’'\-]+(?:\s+\p{Lu}[\p{L}’'\-]*){0,2})?",
    FLAGS,
)
LOWER_WORD = rx.compile(r"(?<![\p{L}'’])\p{Ll}[\p{Ll}\-]+", FLAGS)
OF_CUT = rx.compile(r"\s+of\b.*\Z", FLAGS | regex.DOTALL)
# Japanese: 岸田首相は「…」 - the topic (は) or subject (が) right before the quote is the speaker.
CJK_TOPIC = rx.compile(r"(?P<sp>[^、。「」『』\s\u0001\u0002]{1,20}?)(?:は|が)\Z", FLAGS)
# ... or with a short circumstance between them ending in a particle or a comma: 岸田首相は記者会見で「…」 /
# 岸田首相は１日、記者会見で「…」 / 首相は記者に対し「…」.
CJK_MIDDLE = rx.compile(
    r"、?[^。「」『』\u0001\u0002]{0,30}?(?:では|には|でも|で|に|から|へ|に対して|に対し|について|に向けて|、)", FLAGS
)
_CJK_NOT_TOPIC = "、。「」『』\u0001\u0002"
CJK_TOPIC_WINDOW = 60


def cjk_topic(text: str, lo: int, start: int) -> str | None:
    """The Japanese topic or subject before the quote opening at ``start`` (from ``lo`` on): the
    first は/が, from the left, that only a short circumstance separates from the quote, and the words
    before it (at most 20 characters, back to a comma, full stop, quote or space). Tried at each
    particle, not as one pattern over the window: that pattern's nested repetitions cost ~1 ms a quote."""
    m = CJK_TOPIC.search(text, max(lo, start - 40), start)
    if m:
        return m.group("sp")
    lo = max(lo, start - CJK_TOPIC_WINDOW)
    for p in range(lo + 1, start - 1):
        if text[p] not in "はが" or CJK_MIDDLE.fullmatch(text, p + 1, start) is None:
            continue
        i = p
        while i > max(lo, p - 20) and text[i - 1] not in _CJK_NOT_TOPIC and not text[i - 1].isspace():
            i -= 1
        if i < p:
            return text[i:p]
    return None
# Thai: นายสมชาย ใจดี รัฐมนตรีว่าการกระทรวงเกษตร กล่าวว่า “…” ("X, the minister, said that …") - the
# subject (name, then role) before a speech verb right before the quote, or after it ("“…” X กล่าว").
# Thai has no sentence punctuation: the subject runs back to the paragraph, a quote or a verb.
_THAI_VERB = (
    r"(?:กล่าว|ระบุ|เปิดเผย|เผย|บอก|แถลง|ชี้แจง|ยืนยัน|ให้สัมภาษณ์|โพสต์ข้อความ|ตอบ|เตือน|อธิบาย|ย้ำ|"
    r"แสดงความเห็น|ตั้งข้อสังเกต|ทวีต|เขียน)"
)
THAI_NEAR = rx.compile(r"\p{Thai}", FLAGS)
THAI_BEFORE = rx.compile(
    r"(?:\A|[\u0002])\s*(?P<sp>[^\u0001\u0002\n]{1,120}?)\s*" + _THAI_VERB + r"(?:ว่า|ไว้ว่า)?\s*[:：]?\s*\Z", FLAGS
)
THAI_AFTER = rx.compile(
    r"\A\s*(?P<sp>[^\s\u0001\u0002]+(?:[ \t\u00a0]+[^\s\u0001\u0002]+){0,2}?)\s*" + _THAI_VERB + r"(?:ว่า|ไว้)?(?:\s|\Z)",
    FLAGS,
)
# Honorifics glued to a given name (นายสมชาย "Mr Somchai"); "นายก…" is a title (prime minister, mayor).
THAI_HONORIFIC = rx.compile(r"(?:นางสาว|นาง|นาย(?!ก)|น\.ส\.|ดร\.|นพ\.|พญ\.|พล\.[อตท]\.(?:อ\.)?|พ\.[ตอ]\.[อทต]\.|ศ\.|รศ\.|ผศ\.|คุณ)\p{Thai}", FLAGS)
# Words that start a role, not a surname: minister, prime minister/mayor, deputy, spokesperson, "person who" …
THAI_TITLE = rx.compile(
    r"(?:รัฐมนตรี|รมว\.|รมช\.|นายก|รอง|โฆษก|ผู้|ผอ\.|ผบ\.|ประธาน|อธิบดี|เลขาธิการ|หัวหน้า|ส\.ส\.|ส\.ว\.|"
    r"อธิการบดี|ปลัด|อดีต|แกนนำ|นัก|ผกก\.|กรรมการ|เจ้าหน้าที่|ตัวแทน|สมาชิก|ทนาย|แพทย์|ศาสตราจารย์)",
    FLAGS,
)
# Conjunctions and topic words glued to the subject: และเขา "and he", ด้านนายสมชาย "as for Mr Somchai".
THAI_LEAD = rx.compile(r"\A(?:และ|แต่|ซึ่ง|โดย|ทั้งนี้|ขณะที่|ด้าน|ส่วน)+", FLAGS)
THAI_PRONOUNS = frozenset("เขา เธอ ท่าน ผม ดิฉัน ฉัน พวกเขา".split())


def thai_speaker(subject: str) -> tuple[str, str | None, bool] | None:
    """(name, role, named) from the Thai words before a speech verb: an honorific opens a name
    (given name, then a surname unless a title word follows: "นายสมชาย ใจดี รัฐมนตรี…" -> name
    "นายสมชาย ใจดี", role "รัฐมนตรี…"); without one, the last phrase is a description ("โฆษกรัฐบาล",
    the government spokesperson). None for a pronoun."""
    chunks = [c for c in (THAI_LEAD.sub("", c) for c in subject.split()) if c]
    for i, chunk in enumerate(chunks):
        if THAI_HONORIFIC.match(chunk):
            rest = chunks[i + 1 :]
            name = chunk
            if rest and not THAI_TITLE.match(rest[0]) and THAI_NEAR.match(rest[0]):
                name, rest = f"{chunk} {rest[0]}", rest[1:]
            return name, " ".join(rest) or None, True
    if not chunks or chunks[-1] in THAI_PRONOUNS or not THAI_NEAR.match(chunks[-1]):
        return None
    return chunks[-1], None, False


PRONOUN_RE = rx.compile(r"\A" + PRONOUN + r"\Z", FLAGS)
NP_RE = rx.compile(r"\A" + NOUN_PHRASE + r"\Z", FLAGS)


GERMAN_NOUN = rx.compile(GERMAN_DETERMINER + r"(\p{Lu}[\p{Ll}\-]+)(?![\p{L}\p{N}])", FLAGS)
DOCUMENT_SAYING_RE = rx.compile(DOCUMENT_SAYING, FLAGS | regex.REVERSE)
PERSON_PRONOUNS = frozenset(("he", "He", "she", "She", "er", "Er", "él", "Él", "ella", "Ella"))
NOT_PERSONAL = frozenset(("Sie", "Es", "It", "They", "We", "I", "Ellos", "Ellas"))  # German "Sie": she, they or it
DEFINITE = rx.compile(r"(?:the|The)\s")


def anaphoric(description: str) -> bool:
    """"the Republican nominee" most likely refers back to someone named; "the spokeswoman for the
    ministry" (a definite description with its own complement) introduces someone new."""
    return DEFINITE.match(description) is not None and description_head(description) == description.split()[-1]


PAIR_FIRST = rx.compile(r"(?P<sp>" + NAME + r")[ \t\u00a0]+(?:and|&)[ \t\u00a0]+\Z", FLAGS | regex.REVERSE)
AND_BEFORE = rx.compile(r"\s(?:and|&)[ \t\u00a0]+\Z")
THEY_WINDOW = 1500  # characters back to look for the group a "they" refers to
ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff"
ZERO_WIDTH = str.maketrans(dict.fromkeys(ZERO_WIDTH_CHARS, " "))
PRONOUN_WORD = rx.compile(r"\b(he|she|He|She|they|They|it|It|I|we|We|er|sie|Er|él|ella|Él|Ella|il|elle|ils|elles|Il|Elle|Ils|Elles)\b")
# French pronouns answer as their English counterparts (the rules for he, she and they apply as they are).
_FRENCH_PRONOUNS = {"il": "he", "Il": "He", "elle": "she", "Elle": "She", "ils": "they", "Ils": "They", "elles": "they", "Elles": "They"}
_GERMAN_VERBS = frozenset(VERBS_DE_ES)
MALE_PRONOUNS = frozenset(("he", "He", "er", "Er", "él", "Él"))
FEMALE_PRONOUNS = frozenset(("she", "She", "ella", "Ella"))
PARENS_END = rx.compile(r"\s*\([^()]*\)\s*$")


def pronoun(s: str | None, verb: str = "") -> str | None:
    """The pronoun of a speaker phrase (``verb``: the speech verb before it, when not in ``s``)."""
    if not s:
        return None
    m = PRONOUN_WORD.search(s)
    if m is not None and m.group(1) == "sie":
        # German "sie" is "she" next to a singular verb ("sagte sie", "sie erklärt") and "they" next
        # to a plural one ("sagten sie"); with no verb to tell, it stays "sie" (neither).
        verbs = [w for w in f"{verb} {s}".split() if w in _GERMAN_VERBS]
        if verbs:
            return "they" if verbs[-1].endswith("en") else "she"
    return _FRENCH_PRONOUNS.get(m.group(1), m.group(1)) if m else None
