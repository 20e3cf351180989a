"""The vocabulary of attribution: speech verbs, names, titles, pronouns and roles.

Regex *sources* (``VERB``, ``NAME``, ``NOUN_PHRASE``, ``ROLE`` …) are composed into the patterns of
``speakers.py``; the word lists decide what a name, a title or a common-noun speaker is.
Everything here is news usage (English, with the German, Spanish and French speech verbs and
articles); nothing is specific to one article.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

import regex

from bot.analyze import rx

_F = regex.VERSION1 | regex.UNICODE

# Verbs that report speech (or writing) in news copy, in the forms that occur next to a quote.
VERBS = (
    "said says say saying told tells telling added adds adding asked asks asking explained explains "
    "wrote writes writing stated states noted notes continued replied replies responded responds "
    "argued argues insisted insists declared declares warned warns claimed claims recalled recalls remembered remembers "
    "remarked remarks urged urges announced announces admitted admits acknowledged acknowledges "
    "suggested suggests tweeted tweets posted posts joked jokes quipped quips conceded concedes "
    "emphasized emphasizes emphasised emphasises stressed stresses concluded concludes observed "
    "observes commented comments shouted shouts yelled yells cried cries whispered whispers sang "
    "sings repeated repeats predicted predicts countered counters demanded demands promised "
    "promises vowed vows boasted boasts complained complains lamented laments mused muses agreed "
    "agrees cautioned cautions charged charges thundered pleaded pleads maintained maintains "
    "contended contends reiterated reiterates alleged alleges proclaimed proclaims assured assures "
    "confirmed confirms testified testifies recounted recounts reads texted messaged interjected "
    "exclaimed exclaims snapped retorted retorts answered answers offered offers marvelled marveled "
    "laughed sighed chanted chants summarized summarised elaborated elaborates reasoned screamed "
    "screams affirmed affirms informed informs reminded reminds scolded scolds blasted blasts "
    "acknowledged insisted points pointed explained asserted asserts asserting tweeting declaring "
    "noting arguing insisting warning claiming explaining singing chanting shouting reports reported"
).split()
# German and Spanish attribution verbs (the project also reads de/es news): „…“, sagte Müller /
# «…», dijo el juez. Forms that never occur as English words.
VERBS_DE_ES = (
    "sagte sagt sagten schreibt schrieb erklärte erklärt betonte betont meinte antwortet antwortete "
    "ergänzte ergänzt warnte warnt kritisierte kritisiert forderte fordert behauptet behauptete "
    "erklärten betonten schrieben meinten warnten forderten kritisierten antworteten ergänzten "
    "dijo dice dicen dijeron afirmó afirma señaló señala explicó explica aseguró asegura declaró "
    "manifestó manifiesta sostuvo sostiene sostenía añadió añade agregó agrega indicó indica comentó "
    "comenta subrayó subraya advirtió advierte precisó insistió reconoció destacó destaca apuntó respondió "
    "criticó critica lamentó lamenta denunció denuncia recordó recuerda concluyó sentenció aseveró opinó "
    "reiteró expresó admitió relató defendió "
    "señalaron afirmaron explicaron aseguraron indicaron añadieron agregaron sostuvieron advirtieron "
    "destacaron apuntaron precisaron insistieron reconocieron denunciaron criticaron respondieron "
    "manifestaron declararon comentaron subrayaron recordaron lamentaron"
).split()
# French: « … », a déclaré X / estime X (the auxiliary "a"/"ont" is an ADVERB below, so the verb is
# the one word "déclaré" and the cheap verb test of mentions.has_verb still sees whole words).
VERBS_FR = (
    "déclaré dit affirmé ajouté expliqué indiqué souligné réagi assuré estimé précisé lancé confié "
    "répondu rappelé poursuivi insisté martelé dénoncé déploré regretté confirmé raconté prévenu "
    "déclare affirme ajoute explique indique souligne réagit estime précise lance confie répond "
    "rappelle poursuit insiste martèle dénonce déplore regrette confirme raconte assure"
).split()
VERBS = VERBS + VERBS_DE_ES + VERBS_FR
# Longest first; ties alphabetically, so the pattern's source is the same in every process (the
# precompiled-pattern cache of rx.py is keyed by it; equal-length words never both match anyway).
VERB = r"(?:" + "|".join(sorted({v.rstrip(".") for v in VERBS}, key=lambda v: (-len(v), v))) + r")"
ADVERB = r"(?:also|often|never|always|sometimes|later|then|once|again|previously|recently|earlier|simply|quickly|further|has|had|have|would|will|just|was|were|is|quoted|as|\p{Ll}+ly|a|ont|avait|avaient|aussi|encore)"
# Verbs whose next word is the person spoken *to* ("told Reuters", "asked the minister").
OBJECT_VERBS = frozenset("told tells telling asked asks asking urged urges informed informs reminded reminds assured assures".split())
VERB_THEN_SPEAKER = r"(?:" + "|".join(sorted({v for v in VERBS if v not in OBJECT_VERBS}, key=lambda v: (-len(v), v))) + r")"

# Words that start a capitalised run without being part of a name (sentence openers, pronouns,
# days and months — "said Monday" is not a speaker).
_NOT_NAME = (
    "The A An He She It They We I You This That These Those But And Or So Then Now There Here When "
    "While After Before As If In On At For With From By To Of Also Still Yet However Meanwhile Later "
    "Earlier Today Yesterday Tomorrow Asked Speaking According His Her Their Its Our My Your Some "
    "Many Most All Both Each Every Another Other One Two Three Many Several Such What Who Why How "
    "Where Which Mr Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March "
    "April June July August September October November December Last Next Since Despite During "
    "Under Over Between Among Through Without Within Not No Yes Well Oh Instead Even Only Just Like "
    "Unlike Although Though Because Once Until Whether Regardless Indeed Perhaps Maybe Sources "
    "Police Officials Critics Experts Analysts Reuters AP CNN "
    "Der Die Das Ein Eine Und Auf Im Am Laut Nach El La Los Las Un Una En Por Según Il Elle Ils Elles Selon"
).split()
_HONORIFIC = r"(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Lt|Gen|Col|Sgt|Capt|Prof|Rev|Del|Hon|Insp|Supt|Cpl|Maj|Adm|Pres|Atty|Cmdr|Const|Det|Coun|Gen|Sr|Jr|St)\."
_CAP = r"(?:\p{Lu}\.(?:\p{Lu}\.)+|\p{Lu}\.(?=\s+\p{Lu})|\p{Lu}[\p{L}\p{M}]*(?:[-'’]\p{Lu}[\p{L}\p{M}]*)*(?:-\p{Ll}+)?)"
_PARTICLE = r"(?:de|da|van|von|der|den|du|del|della|di|la|le|bin|ibn|al|el|dos|das|y|ter|ten|mac)"
# German capitalises every noun: after an article or preposition ("auf weitere Nachfrage sagt",
# "in der Mitteilung") a capitalised word is a noun, not a name. (Spanish likewise: "del Gobierno".)
_FOREIGN_ARTICLE = (
    r"\b(?:der|die|das|dem|den|des|ein|eine|einer|einem|eines|weitere|zur|zum|im|vom|beim|del|los|las)[ \t\u00a0]"
)
# A surname may open with its particles: "von der Leyen said", "de Blasio said".
_SURNAME_PARTICLES = r"(?:von|van|de|di|du|da|del|della|ter|ten)[ \t\u00a0]+(?:(?:der|den|la|le)[ \t\u00a0]+)?"
NOT_NAME_WORDS = frozenset(_NOT_NAME)
_NOT_NAME_RE = r"(?!(?:" + "|".join(_NOT_NAME) + r")\b)"
# A person's (or organisation's) name: capitalised words, honorifics, initials, particles, suffixes.
NAME = (
    r"(?:(?=\p{Lu}|[ae]l-|" + _SURNAME_PARTICLES + r"\p{Lu})(?<![\p{L}\p{N}])(?<!" + _FOREIGN_ARTICLE + r")"
    + r"(?:" + _HONORIFIC + r"\s+)?" + _NOT_NAME_RE + r"(?:" + _SURNAME_PARTICLES + r")?(?:(?:al|el)-)?" + _CAP
    + r"(?:[ \t\u00a0]+(?:" + _PARTICLE + r"[ \t\u00a0]+){0,2}(?:" + _HONORIFIC + r"|(?:(?:al|el)-)?" + _CAP + r")){0,5}"
    + r"(?:,?[ \t\u00a0]+(?:Jr|Sr)\.|[ \t\u00a0]+(?:II|III|IV))?"
    + r"(?:[ \t\u00a0]*\((?:[A-Z][\w.]*-[A-Z][\w.]*|[^()\n]{1,4})\))?)"  # "(D-Wis.)"
)
PRONOUN = r"(?<![\p{L}\p{N}'’\-])(?:he|she|they|I|we|He|She|They|We|it|It|er|sie|Er|él|ella|Él|Ella|il|elle|ils|elles|Il|Elle|Ils|Elles)"
# A common-noun speaker: "the father", "a spokesperson for the ministry", "one of the players".
_DET = r"(?<![\p{L}\p{N}'’\-])(?:the|a|an|one|another|his|her|their|its|some|my|our|your|The|A|An|One|Another|His|Her|Their|Its|Some|My|Our|Your)"
_NP_STOP = (
    r"(?:when|that|who|whom|which|while|after|before|ago|and|but|if|as|because|said|says|told|"
    r"in|on|at|to|with|from|for|during|about|by|he|she|they|it|was|is|were|are|has|had|have)"
)
_NP_WORD = r"[ \t\u00a0]+(?!" + _NP_STOP + r"\b)[\p{L}\p{N}'’\-]+"
# "a narrator in the Clinton ad", "the head of the agency": one prepositional phrase may follow.
_NP_PP = r"(?:[ \t\u00a0]+(?:of|in|at|for|from|with)(?:[ \t\u00a0]+(?:the|a|an))?(?:" + _NP_WORD + r"){1,3}?)?"
NOUN_PHRASE = _DET + r"(?:" + _NP_WORD + r"){1,5}?" + _NP_PP

ROLE = r"(?P<role>[^,;:“”\"«».!?\n\u0001\u0002]{2,160}?(?:\.[^,;:“”\"«».!?\n\u0001\u0002]{0,40}?)?)"


# Title words: in "Belarusian Defense Minister Viktor Khrenin" everything up to the last one is role.
_TITLES = frozenset(
    """mr mrs ms miss dr prof professor sen senator rep representative gov governor president vice
    prime minister premier chancellor secretary general lt lieutenant col colonel gen commander chief
    chairman chairwoman chair director mayor judge justice pope king queen prince princess sheikh rev
    reverend father sgt sergeant capt captain coach officer constable const det detective inspector
    supt superintendent commissioner ambassador attorney del delegate councillor councilor coun mp mpp
    mla speaker deputy spokesman spokeswoman spokesperson leader ceo founder sir dame lord lady hon
    sister rabbi imam bishop cardinal archbishop dean host anchor economist analyst candidate nominee
    maj major adm admiral cpl corporal pres atty cmdr president-elect minister-president manager
    investigator agent trooper ranger chaplain pastor
    executive trustee alderman councilman councilwoman congressman congresswoman assemblyman
    assemblywoman chairperson treasurer auditor comptroller sheriff marshal warden principal
    superintendent provost chancellor regent lawyer scientist researcher historian strategist
    pollster consultant adviser advisor aide lobbyist activist organizer organiser author novelist
    physician surgeon nurse teacher engineer
    presidente presidenta ministro ministra portavoz alcalde alcaldesa juez jueza fiscal diputado diputada
    senador senadora concejal concejala gobernador gobernadora abogado abogada
    ministre maire député députée sénateur sénatrice préfet préfète juge procureur procureure
    porte-parole conseiller conseillère avocat avocate airman airwoman seaman""".split()
)
_DEPARTMENTS = frozenset(
    """state defense defence finance health justice education labor labour energy commerce transport
    transportation agriculture interior treasury communications foreign affairs public safety homeland
    security veterans environment immigration trade economy culture housing""".split()
)
_AFFILIATIONS = frozenset(
    """american canadian british briton french german russian chinese japanese australian spanish
    italian mexican brazilian indian irish scottish welsh english swiss swedish dutch belgian polish
    ukrainian belarusian israeli iranian iraqi syrian turkish greek egyptian saudi korean nigerian
    kenyan argentine argentinian chilean colombian norwegian danish finnish austrian portuguese
    serbian croatian czech hungarian romanian pakistani afghan palestinian lebanese cuban venezuelan
    democrat democratic republican liberal conservative labour tory""".split()
)
# German titles are compounds ending in the title ("Parteichef", "Regierungssprecher"); Spanish
# ones are words of their own.
_TITLE_COMPOUND_HEADS = (
    "chef", "chefin", "sprecher", "sprecherin", "minister", "ministerin", "präsident", "präsidentin",
    "vorsitzender", "vorsitzende", "kanzler", "kanzlerin", "bürgermeister", "bürgermeisterin",
)
_DESCRIPTOR_SUFFIXES = ("-based", "-born", "-owned", "-led", "-backed", "-run")
_HONORIFIC_WORDS = frozenset("mr mrs ms miss dr prof sen rep gov del hon rev".split())
_OFFICE_ABBREVIATIONS = frozenset("sen rep gov del".split())  # offices, kept after a place ("Vermont Sen.")
# The sentence going on, or a circumstance ("Trump, in a tweet on Monday, wrote"), is not a role.
_NOT_A_ROLE = rx.compile(
    r"^(?:and|but|or|he|she|they|it|er|sie|es|in|on|at|during|after|before|with|via|through|"
    r"speaking|writing|asked|when|while|as|"
    # a relative clause ("que ya había recurrido …", "who was …") says something about them, not what they are
    r"who|whom|whose|which|that|que|quien|quienes|cuyo|cuya|cuyos|cuyas|qui|dont|lequel|laquelle|où|donde)\b",
    _F,
)
_PARTICIPLE = rx.compile(r"^\p{Ll}+ing\b", _F)  # ", referring to …" goes on with the sentence


@dataclass(frozen=True)
class Who:
    """A resolved speaker: display name (or noun phrase) and role, with how it was found."""

    name: str | None
    role: str | None = None
    named: bool = False  # a proper name (not a noun phrase or unresolved pronoun)


def tokens(name: str) -> list[str]:
    """The words of a name."""
    return name.split()


@functools.lru_cache(maxsize=4096)
def bare(token: str) -> str:
    """A word for comparison: casefolded, without trailing full stop or comma."""
    return token.rstrip(".,").casefold()


@functools.lru_cache(maxsize=4096)
def split_title(name: str) -> tuple[str, str | None]:
    """("Belarusian Defense Minister Viktor Khrenin") -> ("Viktor Khrenin", "Belarusian Defense Minister").

    Honorifics (Mr., Dr.) are dropped without becoming a role."""
    toks = tokens(name)
    cut = 0
    for i, tok in enumerate(toks[:-1]):
        if is_title(tok):
            cut = i + 1
    # "Secretary of State Hillary Clinton": the run after "of" starts with the department;
    # "American Lauren Davis", "Democrat Hillary Clinton": a nationality or party describes her.
    while cut < len(toks) - 2 and (bare(toks[cut]) in _DEPARTMENTS or bare(toks[cut]) in _AFFILIATIONS):
        cut += 1
    # "Singapore-based Olam", "London-born Sadiq Khan": a descriptor, not the first name.
    while cut < len(toks) - 1 and toks[cut].endswith(_DESCRIPTOR_SUFFIXES):
        cut += 1
    role_toks = [t for t in toks[:cut] if bare(t) not in _HONORIFIC_WORDS]
    if role_toks and not is_title(role_toks[-1]) and bare(toks[cut - 1]) in _OFFICE_ABBREVIATIONS:
        role_toks.append(toks[cut - 1])  # "New Jersey Gov. Chris Christie": the role is "New Jersey Gov."
    return " ".join(toks[cut:]), (" ".join(role_toks) or None)


def is_title(word: str) -> bool:
    """A title word ("secretary", "Minister", "co-chair", German "Parteichef")?"""
    return any(bare(p) in _TITLES for p in word.split("-")) or (
        word[:1].isupper() and bare(word).endswith(_TITLE_COMPOUND_HEADS)
    )


def clean_role(role: str | None) -> str | None:
    """A role as matched -> as shown: trimmed, without the sentence's full stop; None if empty,
    overlong or not a role at all ("and …" is the sentence going on)."""
    if not role:
        return None
    role = role.strip(" ,")
    last = role.rsplit(None, 1)[-1] if role else ""
    if last.endswith(".") and (last[:-1].islower() or len(last) > 5):
        role = role[:-1]  # the sentence's full stop, not an abbreviation's ("R-Ky.")
    if not role or len(role) > 160 or _NOT_A_ROLE.match(role) or _PARTICIPLE.match(role):
        return None
    return role


# Head nouns of common-noun speakers that are not people: "the statement said" stays as it is.
THING_HEADS = frozenset(
    """statement letter report post claim article ad advertisement book ruling study memo email
    tweet release document lawsuit complaint filing suit website site company firm group
    organization organisation party government ministry department agency campaign poll survey page
    video message note paper newspaper magazine show network court union board council committee team
    club city police spot film documentary song plan bill law order decision notice sign placard
    analysis review data record records transcript summary account blog column editorial headline
    caption policy proposal motion resolution indictment verdict judgment judgement decree""".split()
)
NOT_IN_NAME = frozenset(
    "says said say will would tell tells told to of for with against on in at by from is are was "
    "the a an and or but how why what who i should could would can must".split()
)
ORG_WORDS = frozenset(
    """inc corp corporation co ltd llc group energy news times post press party council association
    institute university college company foundation bank fund agency department ministry committee
    service services network media club team league union board society center centre school
    hospital church police court""".split()
)


MAX_NAME_WORDS = 5  # "Mohammed bin Salman bin Abdulaziz Al Saud", "Ana María Pérez García López"; six are a headline


def headline_not_name(toks: list[str]) -> bool:
    """Do these capitalised words read as a title-case headline rather than a name ("Obama Says …",
    "Washington Post Hit Piece Exploits Trump")? A lower-case particle ("da", "van") is not counted."""
    if any(not_in_name(t) for t in toks[1:]):
        return True
    # A long run with a title in it is a name with its title ("Barron County District Attorney Brian Wright").
    return sum(1 for t in toks if t[:1].isupper()) > MAX_NAME_WORDS and not any(is_title(t) for t in toks)


def not_in_name(token: str) -> bool:
    """A word that shows a capitalised run is a headline, not a name ("Obama Says …"); an initial
    ("Julie A. Diaz") is not the article "a"."""
    return not (len(token) == 2 and token[1] == ".") and bare(token) in NOT_IN_NAME


MALE = frozenset("mr he him his himself".split())
GENDERED = rx.compile(r"\b(?:he|she)\b", regex.IGNORECASE)  # subject pronouns: "him" is often someone else
FEMALE = frozenset("mrs ms miss she her".split())


DET_WORDS = frozenset(("the", "a", "an", "one", "another", "his", "her", "their", "its", "some", "my", "our", "your"))


# --- the shape of a name -----------------------------------------------------------------------

NAME_RE = rx.compile(NAME, _F)
_PARENS_END = rx.compile(r"\s*\([^()]*\)\s*$")


def person_like(name: str | None) -> bool:
    """Could he/she refer to this name? Not to an acronym ("LCWR") or an organisation."""
    if not name:
        return False
    toks = name.split()
    return not (len(toks) == 1 and toks[0].isupper()) and bare(toks[-1]) not in ORG_WORDS


_ROMAN = frozenset(("II", "III", "IV"))


def plural(word: str) -> bool:
    return word.endswith("s") and not word.endswith(("ss", "us", "is")) and word[:1].isalpha()


def other_person(toks: list[str], full: list[str]) -> bool:
    """Are these two names of one surname different people ("Bill Clinton" / "Hillary Clinton")?
    Initials and titles aside, the given names differ."""
    return (
        bare(toks[0]) != bare(full[0])
        and toks[0][:1].isupper()  # "von der Leyen" is the surname of "Ursula von der Leyen"
        and not (len(toks[0].rstrip(".")) == 1 or len(full[0].rstrip(".")) == 1)
    )


def org_like(name: str | None) -> bool:
    """A name that reads as an organisation: "BC Hydro", "UFCW Local 832", "the Energy Council"."""
    if not name:
        return False
    toks = name.split()
    return bare(toks[-1]) in ORG_WORDS or any(len(t) >= 2 and t.isalpha() and t.isupper() and t not in _ROMAN for t in toks) or toks[-1].isdigit()


@functools.lru_cache(maxsize=8192)
def name_parts(raw: str) -> tuple[str, str | None, str, int, str, str] | None:
    """A NAME match -> (name, title, surname key, number of words, given-name key, first word
    bare) for indexing; None for a headline in title case ("Obama Says …"). Names recur in a
    text and across texts, so this is cached."""
    name, title = split_title(strip_parens(raw))
    toks = tokens(name)
    if not toks or headline_not_name(toks):
        return None
    return name, title, bare(toks[-1]), len(toks), bare(toks[0]), bare(raw.split()[0])


def is_full_name(s: str) -> bool:
    """Is ``s`` exactly a person's name of two or more words ("Kevin Haley")?"""
    m = NAME_RE.fullmatch(s)
    toks = s.split()
    return (
        m is not None
        and len(toks) >= 2
        and not headline_not_name(toks)
        and not org_like(s)
    )


def strip_parens(name: str) -> str:
    return _PARENS_END.sub("", name).strip() if name.endswith(")") else name


# Heads of descriptions that are people ("a spokesperson for the association", "the boy's
# mother"): such a described speaker is who a following he/she refers to. Titles are people too.
_PERSON_NOUNS = frozenset(
    """official source person man woman resident student worker parent mother father son daughter
    wife husband brother sister friend neighbour neighbor witness member employee player fan voter
    supporter critic expert owner officer doctor staffer insider boy girl child victim survivor
    protester protestor spokesman spokeswoman spokesperson representative proprietor colleague
    partner relative teenager veteran patient customer shopper driver passenger pilot soldier
    farmer worker tenant landlord homeowner volunteer organizer organiser coach captain teammate
    executive administrator negotiator economist analyst official""".split()
)
# Collective heads: "the players say", "police said", "team members say" - a group, for "they".
_GROUP_NOUNS = frozenset("people children men women police staff crowd team family group".split())
_MALE_NOUNS = frozenset("man father son husband brother boy spokesman chairman congressman councilman".split())
_FEMALE_NOUNS = frozenset(
    "woman mother daughter wife sister girl spokeswoman chairwoman congresswoman councilwoman".split()
)


def person_head(head: str) -> tuple[bool, bool, str | None] | None:
    """The head noun of a description -> (a person?, a group?, gender) or None if neither: "spokesperson" ->
    (True, False, None), "players" -> (False, True, None), "statement" -> None."""
    word = bare(head)
    if word in _GROUP_NOUNS:
        return False, True, None
    singular = word[:-1] if plural(word) else None
    if singular and (singular in _PERSON_NOUNS or singular in _TITLES):
        return False, True, None
    if word in _PERSON_NOUNS or word in _TITLES:
        gender = "m" if word in _MALE_NOUNS else "f" if word in _FEMALE_NOUNS else None
        return True, False, gender
    return None


# --- what is not a speaker ---------------------------------------------------------------------

# What a subject issues rather than is: "released a statement saying", "sent a letter telling".
DOCUMENT_HEADS = frozenset(
    """statement letter report post posting article ad advertisement book memo email e-mail tweet
    release document filing message note video page blog column editorial notice sign placard
    announcement press-release leaflet flyer brochure newsletter transcript""".split()
)
# "… a letter to her staff saying: “" (run in REVERSE, anchored at the quote).
DOCUMENT_SAYING = (
    r"(?<![\p{L}\p{N}'’\-])(?:a|an|the|its|his|her|their)[ \t\u00a0]+(?:[\p{L}\-]+[ \t\u00a0]+){0,2}?"
    r"(?:" + "|".join(sorted(DOCUMENT_HEADS, key=lambda w: (-len(w), w))) + r")"
    r"(?:[ \t\u00a0]+(?:to|on|from|in|for)[ \t\u00a0]+[^,;:.!?“”\"\u0001\u0002]{1,40}?)?"
    r"[ \t\u00a0]+(?:saying|stating|reading|telling\s+\S+)[,:]?\s*\Z"
)
# German articles and possessives: a capitalised word after one is a noun ("die Unterlagen").
GERMAN_DETERMINER = (
    r"(?<![\p{L}\p{N}])(?:der|die|das|den|dem|des|ein|eine|einen|einem|einer|eines|seine|seinen|seiner|"
    r"seines|ihre|ihren|ihrer|ihres|keine|diese|diesen|dieser|dieses|unsere|unseren|welche)[ \t\u00a0]+"
)
GERMAN_HINTS = (" der ", " die ", " das ", " den ", " dem ", " des ", " ein ", " eine ")
_HEAD_CUT = rx.compile(r"\s+(?:of|in|at|for|from|with|on|to|by)\b.*\Z", _F | regex.DOTALL)
# Where a description's head noun ends: "a spokesperson (for the association)", "the players (who …)".
_DESCRIPTION_TAIL = rx.compile(
    r"[ \t\u00a0]+(?:of|for|in|at|from|with|on|to|by|who|whose|that|which|and|or)\b.*\Z|[ \t\u00a0]*\(.*\Z", _F | regex.DOTALL
)


def description_head(phrase: str) -> str | None:
    """The head noun of a description: "a spokesperson for the association (EA)" -> "spokesperson"."""
    words = _DESCRIPTION_TAIL.sub("", phrase.strip()).split()
    return words[-1] if words else None


def is_document(phrase: str) -> bool:
    """Is ``phrase`` a noun phrase for a document ("a separate statement", "a letter to staff")?"""
    words = _HEAD_CUT.sub("", phrase.strip()).split()
    return len(words) >= 2 and words[0].casefold() in DET_WORDS and bare(words[-1]) in DOCUMENT_HEADS


def described_people(phrase: str) -> bool:
    """A description of people: "some members of the team", "a spokesperson" (not "the plan")."""
    words = phrase.split()
    head = description_head(phrase)
    return len(words) >= 2 and words[0].casefold() in DET_WORDS and head is not None and person_head(head) is not None


def _occurrences(text: str, word: str) -> Iterator[int]:
    i = text.find(word)
    while i != -1:
        j = i + len(word)
        if (i == 0 or not text[i - 1].isalnum()) and (j == len(text) or not text[j].isalnum()):
            yield i
        i = text.find(word, i + 1)


def occurs_as_word(text: str, word: str) -> bool:
    """Does ``word`` occur in ``text`` as a whole word (no letter or digit on either side)?"""
    return next(_occurrences(text, word), None) is not None
