"""Who said a quote: the attribution rules of English news copy, and full-name resolution.

An ``Attributor`` is built once per text. ``speaker_for(...)`` tries, in order:

1. the attribution right after the closing mark: ``…,” Danilov said`` / ``…,” said Konrad Gajewski, a
   professor`` / ``…” Oleksiy Danilov, the secretary of …, told`` / ``…,” he told Reuters`` /
   ``…” ― Karen Bobadilla``;
2. the introduction right before the opening mark: ``Danilov said: “…`` / ``Mook told CBS, “…`` /
   ``According to Nayev, “…`` — or a previous paragraph that ends ``Caddell continued:``;
3. any attribution elsewhere in the quote's own sentence (``“…” for criminal behaviour, she said``);
4. otherwise the nearest preceding named speaker: the last person who was quoted or reported as
   saying something before this point.

Pronouns go to the nearest preceding named speaker too: for he/she the subjects of the previous
prose paragraph count ("Shana Gold, president of …, is hopeful …" / "For Megda Belkin, Friday is …"),
as does a person just asked ("I asked barber Rob Miller, …"), and a known gender rules people out
(from "Mr."/"Ms.", the first he/she after a name, or a common given name: "Tom Reed met Anna Berg.
“…,” she said." is nobody rather than Tom Reed); German "sagte sie" is she, "sagten sie" they.
"it said" goes to the last organisation reported speaking, never to a person. Groups are speakers
as they are written ("protesters chanted", "my father often said", "a narrator in the ad asks",
"team members dressed for a game say"); "they" goes to the group last described speaking (or people
named together, "X and Y said"), never to one named person.

A wrong name is worse than none, so some sentences rule the fallback out or point elsewhere:
a described speaker nearer than any named one ("But a spokesperson for the association said …")
is who a following he/she or unattributed quote paragraph means; a document the subject issues is
not the speaker ("Amazon released a statement saying, “…" -> Amazon); a sentence that introduces a
quote with a colon and no speech verb gives its subject if that is a described group or person
("Some members of the team hold up placards, including: “…") and otherwise nobody ("The paper
carried articles like: “…"); an unattributed quote is never given to a person it names ("Coach
Stephen is really sick"). German and Spanish put the subject after the verb ("Laut Unterlagen, …,
antwortet Keith …"), and a capitalised word the text uses after a German article is a noun. Thai
names the speaker around its own speech verbs ("นายสมชาย ใจดี รัฐมนตรี… กล่าวว่า “…”": honorific, given name,
surname, role), Japanese by the topic before は/が ("岸田首相は記者会見で「…」と述べた").

Names become the full name as first introduced ("Danilov" -> "Oleksiy Danilov"), titles stripped
("Premier Doug Ford" -> "Doug Ford", role "Premier"); a namesake named in full stays himself ("said
Bill Clinton" after "Hillary Clinton"); a role given in apposition ("X, the secretary of …, said") is
kept, and a name in apposition to a description is the speaker ("says Campbell's partner, Jason
Louth", "señaló el alcalde de Madrid, José Luis Martínez-Almeida", "dijo la diputada Ana Ruiz"); a
relative clause ("who lost the case", "que ya había recurrido …") is not a role. Where speakers are
mentioned outside quotes is found by ``mentions.py``; what a name is, by ``names.py``; the shapes of
an attribution, by ``attribution.py``; who a pronoun, a title or a surname refers to, by ``coref.py``.
"""

from __future__ import annotations

import bisect

import regex

from bot.analyze import rx

from bot.analyze.attribution import (
    AFTER_ACCORDING_THING,
    AFTER_ANY_VERB_NAME,
    AFTER_READ,
    AFTER_DASH,
    AFTER_FR_PRONOUN,
    AFTER_GROUP_VERB,
    AFTER_HEISST_ES,
    AFTER_INDEFINITE,
    AFTER_NAME_ROLE_VERB,
    AFTER_SO,
    AFTER_SP_VERB,
    AFTER_THEY,
    AFTER_VERB,
    AND_BEFORE,
    PAIR_FIRST,
    BEFORE,
    BEFORE_ACCORDING,
    BEFORE_INVERTED,
    BEFORE_PARTICIPLE,
    DESCRIPTION,
    DOCUMENT_SAYING_RE,
    FEMALE_PRONOUNS,
    FOREIGN_NP,
    GERMAN_NOUN,
    LOWER_WORD,
    MALE_PRONOUNS,
    NOT_PERSONAL,
    NP_RE,
    OF_CUT,
    ORG_HEADS,
    PERSON_PRONOUNS,
    PHRASE_CUT,
    POSSESSIVE_RE,
    PRONOUN_RE,
    PRONOUN_VERB,
    SUBJECT,
    THAI_AFTER,
    THAI_BEFORE,
    THAI_NEAR,
    THEY_WINDOW,
    ZERO_WIDTH,
    ZERO_WIDTH_CHARS,
    anaphoric,
    cjk_topic,
    pronoun,
    thai_speaker,
)
from bot.analyze.coref import Coreference
from bot.analyze.mentions import (
    described_mentions,
    has_verb,
    in_heading,
    mentions,
    previous_paragraph_start,
    read_phrase,
    sentence_end,
    sentence_start,
    sentence_subjects,
    verb_matches,
)
from bot.analyze.names import (
    DET_WORDS,
    FEMALE,
    GERMAN_HINTS,
    MALE,
    NAME_RE,
    ORG_WORDS,
    THING_HEADS,
    VERBS_DE_ES,
    Who,
    bare,
    clean_role,
    described_people,
    is_document,
    is_full_name,
    is_title,
    headline_not_name,
    occurs_as_word,
    other_person,
    person_head,
    plural,
    split_title,
    description_head,
    strip_parens,
    tokens,
)


_PASSIVE_BY = rx.compile(r"\b(?:was|were|is|are|been|being)[ \t\u00a0]+(?:\p{Ll}+ly[ \t\u00a0]+)?\p{Ll}+(?:ed|en|wn|ht)[ \t\u00a0]+by\b")
# Two or three lower-case words, the last a plural, none a function word: "fuentes municipales", "police officers".
_BARE_GROUP = rx.compile(
    r"(?!.*\b(?:in|on|at|of|to|for|by|with|from|a|an|the|en|de|del|la|el|los|las|con|por|para|que|y|und|mit|von)\b)"
    r"\p{Ll}+(?:[ \t\u00a0]\p{Ll}+){1,2}(?<=s)\Z"
)
# Languages that drop the subject pronoun: «…», dijo. is "he said" or "she said".
PRO_DROP_VERBS = frozenset(VERBS_DE_ES)


class Attributor(Coreference):
    """Speaker attribution for the quotes of one text (see the module doc for the rules)."""

    def __init__(self, text: str, quote_spans: list[tuple[int, int]]) -> None:
        self.text = text
        # Quotes are blanked out (same length) so that patterns never read words inside a quote;
        # \u0001 / \u0002 keep each quote's edges visible as non-word characters.
        parts = []
        pos = 0
        for s, e in quote_spans:
            parts.append(text[pos:s])
            if e - s >= 2:
                # Every character but a newline becomes a space (str operations: no regex per quote).
                inner = text[s + 1 : e - 1]
                blank = " " * len(inner) if "\n" not in inner else "\n".join(" " * len(x) for x in inner.split("\n"))
                parts.append("\u0001" + blank + "\u0002")
            else:
                parts.append("\u0001" * (e - s))
            pos = e
        parts.append(text[pos:])
        # Zero-width characters (web copy is full of them: "Traeger\u200b said") read as spaces.
        masked = "".join(parts)
        if any(c in masked for c in ZERO_WIDTH_CHARS):  # translate() is slow; they are rare
            masked = masked.translate(ZERO_WIDTH)
        self.masked = masked
        self._full: dict[str, str] = {}  # surname (casefolded) -> full name as first introduced
        self._first: dict[str, str] = {}  # given name -> full name, for "Jordan said" of Jordan Stewart
        self._roles: dict[str, str] = {}
        self._gender: dict[str, str] = {}  # full name -> "m" / "f", from Mr./Ms. and he/she said
        self._sure_gender: set[str] = set()  # ... those from Mr./Ms.
        self._lower_words: frozenset[str] | None = None  # all of them, only when needed
        self._lower_seen: dict[str, bool] = {}
        self._nouns: frozenset[str] | None = None  # words used after a German article (on first use)
        # Named speakers reported outside quotes ("X said that …", "according to X"), by position.
        self._mentions: list[tuple[int, Who]] = []
        self._mention_pos: list[int] = []
        # People who are the subject of a sentence ("Roy Graf protested the bills, …"): the likely
        # "he" of a following "…,” he said." even though they were not reported as speaking.
        self._subjects: list[tuple[int, Who]] = []
        self._subject_pos: list[int] = []
        self._attributed: list[tuple[int, Who]] = []  # (quote start, speaker), in text order
        self._described: list[tuple[int, Who, bool, bool, str | None]] = []
        self._described_pos: list[int] = []
        self._described_indexed = False
        self._verbs: list[regex.Match[str]] | None = None  # the speech verbs, found by _index
        # The index of people above is built on first use (many texts have only scare quotes and
        # titles in quotation marks, which never ask who someone is); always in full and before
        # anything reads it, so every answer is the same as with an index built up front.
        self._indexed = False

    def _index(self) -> None:
        if self._indexed:
            return
        self._indexed = True
        self._index_names()
        verbs = verb_matches(self.masked)
        for pos, raw, role, after in mentions(self.masked, verbs):
            if self._common_word(raw) or in_heading(self.masked, pos):
                continue
            who = self._speaker_from_phrase(raw, role, pos) if after else self._resolve(raw, role)
            if who.named:
                self._mentions.append((pos, who))
                self._mention_pos.append(pos)
        for m in sentence_subjects(self.masked):
            raw = m.group("sp")
            if self._common_word(raw):
                continue
            who = self._resolve(raw, None)
            honorific = bare(raw.split()[0]) in MALE or bare(raw.split()[0]) in FEMALE  # "Mr. Trump attacked …"
            if (
                who.named
                and who.name
                and (len(who.name.split()) >= 2 or honorific)
                and bare(who.name.split()[-1]) not in ORG_WORDS
            ):
                self._subjects.append((m.start("sp"), who))
                self._subject_pos.append(m.start("sp"))
        self._verbs = verbs

    def _index_described(self) -> None:
        """Speakers described in the text ("A spokesperson for … said"), on first need (only a
        he/she/they or an unattributed quote asks); always in full before anything reads them."""
        if self._described_indexed:
            return
        self._described_indexed = True
        self._index()
        for pos, desc, head in described_mentions(self.masked, self._verbs):
            if not in_heading(self.masked, pos):
                self._add_described(pos, Who(desc, None, named=False), head)

    def _add_described(self, pos: int, who: Who, head: str) -> None:
        """Remember a described speaker (``head`` its head noun) for a later he/she/they."""
        self._index_described()
        kind = person_head(head)
        if kind is None or who.name is None:
            return
        i = bisect.bisect_right(self._described_pos, pos)
        self._described.insert(i, (pos, who, *kind))
        self._described_pos.insert(i, pos)

    def _resolve(self, raw: str, role: str | None, at: int | None = None) -> Who:
        """A speaker as matched -> display name + role. Pronouns resolve later (name None)."""
        self._index()
        raw = raw.strip().rstrip(",.")
        if not raw or PRONOUN_RE.match(raw):
            return Who(None)
        if role and is_full_name(role.strip(" ,")) and not is_full_name(split_title(raw)[0]):
            # "Director at Symantec, Kevin Haley, agreed": the name in apposition is the speaker,
            # what comes before it describes them.
            raw, role = role.strip(" ,"), raw
        first = raw.split()[0].casefold()
        if first in DET_WORDS:
            head = bare(raw.split()[-1])
            if at is not None and first == "the" and head not in THING_HEADS:
                # "the mayor said": the person the story introduced with that title.
                prev = self._titled(at, head)
                if prev is not None:
                    return prev
            if at is not None and first == "the" and head in ORG_HEADS and len(raw.split()) <= 3:
                # "Apple said in a statement … “…,” the company said": the organisation named last.
                org = self._nearest_org(at)
                if org is not None:
                    return org
            return Who(raw, clean_role(role), named=False)
        if POSSESSIVE_RE.match(raw):
            return Who(raw, clean_role(role), named=False)  # "Obama's former campaign strategist"
        if headline_not_name(raw.split()):
            return Who(None)  # a headline ("Obama Says Museum Will Tell …"), not a name
        if " " not in raw and (raw.islower() or plural(raw) and self._used_in_lower_case(raw.casefold())):
            return Who(raw, None, named=False)  # "protesters chanted", "Critics say": a group
        name, title = split_title(strip_parens(raw))
        toks = tokens(name)
        if not toks:
            return Who(None)
        key = bare(toks[-1])
        full = self._full.get(key)
        if full is None and len(toks) == 1:
            full = self._first.get(key)  # a given name used alone
            if full is not None and bare(full.split()[-1]) in ORG_WORDS:
                full = None
            if full is not None:
                key = bare(full.split()[-1])
        if full is None or len(toks) > len(tokens(full)) or (len(toks) >= 2 and other_person(toks, tokens(full))):
            full = name  # "said Bill Clinton" after "Hillary Clinton": a namesake, named in full
        known = self._full.get(key) in (None, full)  # the surname's roles are not a namesake's
        role = clean_role(role) or (self._roles.get(key) if known else None) or title
        if role and key not in self._roles and known:
            self._roles[key] = role
        return Who(full, role, named=True)

    def _speaker_from_phrase(self, phrase: str, role: str | None, at: int) -> Who:
        """The speaker in what follows a verb: "Rockets general manager Bruce Hamilton" ->
        Bruce Hamilton; "the mayor" -> the mayor (or who the mayor is); "he" -> pronoun."""
        stripped = phrase.strip()
        cut = PHRASE_CUT.sub("", stripped)
        if role and cut == stripped and DESCRIPTION.match(stripped) and NAME_RE.fullmatch(role.strip(" ,.")):
            # "says Campbell's partner, Jason Louth" / "said the company's CEO, Ann Ruiz" / "señaló el
            # alcalde de Madrid, José Luis Martínez-Almeida": the name in apposition to a
            # description is the speaker.
            name = role.strip(" ,.")
            if not self._common_word(name):
                return self._resolve(name, stripped, at)
        m = FOREIGN_NP.match(stripped)
        if m:  # „…“, schreibt ein Anwalt der Kanzlei / «…», dijo el instructor del caso
            rest = stripped[m.end() :].strip()
            if rest and NAME_RE.fullmatch(rest) and is_full_name(rest):
                # "dijo la diputada Ana Ruiz": the name after the title is the speaker, the title her role.
                return self._resolve(rest, m.group().split(None, 1)[-1] if " " in m.group() else m.group(), at)
            return Who(m.group(), None, named=False)
        if cut != stripped:
            role = None  # "said X before turning to …, Y": what follows the comma is not about X
        phrase = cut
        if phrase and phrase.split()[0].casefold() not in DET_WORDS:
            phrase = OF_CUT.sub("", phrase)  # "Del. Stacey Plaskett of the Virgin Islands"
        if PRONOUN_RE.match(phrase):
            return Who(None)
        names = list(NAME_RE.finditer(phrase))
        starts_np = phrase.split()[0].casefold() in DET_WORDS if phrase else False
        if starts_np and " of " in phrase[: names[-1].start()] if names else False:
            names = []  # "the 39-year-old founder of Studiocomix Press": a description, not the press
        if names and phrase[names[-1].end() :].strip() and not starts_np:
            return Who(None)  # "said Trump would win": a clause, the speaker is elsewhere
        if names and not (starts_np and (names[-1].end() < len(phrase) or len(names[-1].group().split()) < 2)):
            title = phrase[: names[-1].start()].strip()
            if not role and title and is_title(title.split()[-1]):
                role = title  # "said White House press secretary Sean Spicer"
            return self._resolve(names[-1].group(), role, at)
        if NP_RE.match(phrase) and len(phrase.split()) <= 6:
            return self._resolve(phrase, role, at)
        return Who(None)

    def _used_in_lower_case(self, word: str) -> bool:
        """Is ``word`` one of the text's lower-case words (``LOWER_WORD.findall``)?

        Answered at the word's occurrences instead of collecting every word of the text: a match
        there that is exactly ``word`` is one findall finds, unless a hyphen precedes it (then it
        may lie inside a longer word, "well-known", and the full list decides)."""
        seen = self._lower_seen.get(word)
        if seen is not None:
            return seen
        masked = self.masked
        found = False
        i = masked.find(word) if word else -1
        while i != -1:
            if i > 0 and masked[i - 1] == "-":
                if self._lower_words is None:
                    self._lower_words = frozenset(LOWER_WORD.findall(masked))
                found = word in self._lower_words
                break
            m = LOWER_WORD.match(masked, i)
            if m is not None and m.end() - i == len(word):
                found = True
                break
            i = masked.find(word, i + 1)
        self._lower_seen[word] = found
        return found

    def _common_word(self, raw: str) -> bool:
        """A lone capitalised word that the text also uses in lower case ("Protesters said"), or
        after a German article ("Laut Unterlagen, …" when the text has "in seinen Unterlagen")."""
        toks = raw.split()
        return len(toks) == 1 and (self._used_in_lower_case(toks[0].casefold()) or self._german_noun(toks[0]))

    def _german_noun(self, word: str) -> bool:
        """Does the text use ``word`` after a German article or possessive? (German capitalises
        every noun: "die Unterlagen" is a noun, never a name.)"""
        if self._nouns is None:
            # Once per text; most texts have no German article at all and skip the scan.
            german = any(w in self.masked for w in GERMAN_HINTS)
            self._nouns = frozenset(GERMAN_NOUN.findall(self.masked)) if german else frozenset()
        return word in self._nouns

    # -- attribution -----------------------------------------------------------------------------
    def attribution(self, start: int, end: int, para_start: int, para_end: int) -> tuple[Who, str | None]:
        """The speaker found next to a quote, and where: "after", "before", "colon" (a previous
        paragraph ends with "X said:"), "sentence" (elsewhere in its sentence), "named after" (a name
        and a verb-like word the speech verbs lack: who, but no reason to keep the quote), "subject"
        or None.

        A pronoun gives ``Who(None)`` with the place it was found."""
        who, how, _pron = self._find(start, end, para_start, para_end)
        return who, how

    def speaker_for(self, start: int, end: int, para_start: int, para_end: int) -> Who:
        """The speaker of a kept quote, falling back to the nearest preceding named speaker.
        Call in text order: each answer is remembered for the quotes that follow."""
        self._index()
        who, how, pronoun = self._find(start, end, para_start, para_end)
        if who.name is None and pronoun in ("it", "It"):
            # "…,” it said: an organisation ("BC Hydro said in a statement …"), never a person.
            org = self._nearest_org(start)
            if org is not None:
                who = org
        elif who.name is None and pronoun in ("they", "They"):
            # "…,” they sign off as a group: the group last described speaking, never one person.
            group = self._nearest_described(start, max(0, start - THEY_WINDOW), group=True)
            # ... or people named together ("owners Tore Sohlberg and Lehla Abreder said"): both of them.
            pair = self._nearest_named_at(start)
            if pair is not None and not AND_BEFORE.search(self.masked, max(0, pair[0] - 8), pair[0]):
                pair = None
            if group is not None and (pair is None or group[0] > pair[0]):
                who = group[1]
            elif pair is not None:
                who = self._named_together(pair[0], pair[1])
        elif who.name is None and how is None and self._attributed and self._attributed[-1][0] >= para_start:
            # “A,” the lawyer said. “B.”: an unattributed quote goes on with the speaker of the
            # quote before it in its paragraph, even one described rather than named.
            who = self._attributed[-1][1]
        # (I and we are the writer's own words, "one wrote" one of some people: never the person quoted before.)
        if who.name is None and pronoun not in ("it", "It", "they", "They", "I", "we", "We", "one") and how != "subject":
            gender = "m" if pronoun in MALE_PRONOUNS else "f" if pronoun in FEMALE_PRONOUNS else None
            prev_para = previous_paragraph_start(self.masked, para_start)
            # For he/she the subjects since the previous paragraph count; for a quote nobody is said to
            # say, the subject of the sentence just before it, or of its own ("Anna Berg, the engineer,
            # disagrees. “…”" / "Anna Berg is not convinced: “…”" is hers, not the last speaker's).
            found = self._nearest_named_at(start, gender, pronoun_since=prev_para if how is not None else self._lead_in(para_start, start))
            # A described speaker nearer than any named one ("But a spokesperson for the
            # association said …¶“…,” he said.") is who he/she - or an unattributed quote - means.
            described = self._nearest_described(start, prev_para, gender)
            if described is not None and found is not None and anaphoric(described[1].name or ""):
                described = None  # "the Republican nominee noted …": most likely someone named before
            if described is not None and (found is None or described[0] > found[0]):
                who = described[1]
            elif found is not None and not (how is None and pronoun is None and self._named_in(found[1], start, end)):
                # (A quote nobody is said to say is not the words of the person it talks about:
                # a placard "Coach Stephen is really sick" is not Stephen Gillis's.)
                who = found[1]
        if who.name:
            self._attributed.append((start, who))
            head = description_head(who.name) if not who.named else None
            if head is not None:
                self._add_described(start, who, head)
        return who

    def _lead_in(self, para_start: int, start: int) -> int:
        """Start of the sentence the quote at ``start`` sits in, or, when it opens one, of the sentence
        before; ``start`` itself (no sentence) when that sentence is passive: in "Anna Berg was praised
        by Reed. “She did …”" its subject is who the quote is about."""
        own = sentence_start(self.masked, para_start, start)
        lead = own if self.masked[own:start].strip() or own <= para_start else sentence_start(self.masked, para_start, own - 1)
        return start if _PASSIVE_BY.search(self.masked, lead, start) else lead

    def _ends_sentence(self, start: int, end: int) -> bool:
        """Does the quote at [start, end) end with a full stop (or ?/!) inside its closing mark?"""
        return self.text[max(start, end - 3) : end].rstrip("”\"’'»“«」』")[-1:] in (".", "?", "!", "…", "。")

    def _named_in(self, who: Who, start: int, end: int) -> bool:
        """Does the quote at [start, end) name ``who`` (given name or surname, as a whole word)?"""
        if not who.name:
            return False
        quote = self.text[start:end]
        words = {w.rstrip(".,") for w in who.name.split() if w[:1].isupper() and len(w.rstrip(".,")) > 2}
        return any(occurs_as_word(quote, w) for w in words)

    def _find(self, start: int, end: int, para_start: int, para_end: int) -> tuple[Who, str | None, str | None]:
        masked = self.masked
        after = masked[end : sentence_end(masked, end, para_end)]
        # Every pattern with a speech verb needs one of the verbs as a whole lower-case word: a
        # segment without any is not tried (the same answers, without the long patterns' cost).
        verb_after = has_verb(after)
        if verb_after and after.rstrip().endswith(":") and self._ends_sentence(start, end):
            # “….” Tom Reed said: “…”: the attribution after a finished sentence introduces the next quote.
            verb_after = False
        # 1. right after the quote
        m = AFTER_SP_VERB.match(after) if verb_after else None
        if m:
            return self._who(m.group("sp"), m.group("role"), start), "after", pronoun(m.group("sp"))
        m = AFTER_NAME_ROLE_VERB.match(after) if verb_after else None
        if m:  # "…” Erik van Sebille, an oceanographer at the University of New South Wales, told"
            return self._who(m.group("sp"), m.group("role"), start), "after", None
        m = AFTER_VERB.match(after) if verb_after else None
        read = read_phrase(after, m.end()) if m else None
        if read:
            phrase, role, _at = read
            who = self._speaker_from_phrase(phrase, role, start)
            if who.name or PRONOUN_RE.match(phrase.strip()):
                return who, "after", pronoun(phrase, m.group() if m else "")
            if _BARE_GROUP.match(phrase.strip()):
                # «…», señalaron fuentes municipales / "…,” said police officers: a group without an article
                return Who(phrase.strip(), None, named=False), "after", None
        elif m and not after[m.end() :].strip(" .!?…") and m.group().split()[-1] in PRO_DROP_VERBS:
            # «…», dijo. / «…», añadió.: Spanish drops the pronoun - whoever "he" or "she" would be.
            return Who(None), "after", None
        if self.text[start : start + 1] in "„»‚›":  # German quotation marks
            m = AFTER_SO.match(after)
            read = read_phrase(after, m.end()) if m else None
            if read:  # „…“, so Anna Berg / so die Ingenieurin Anna Berg
                who = self._speaker_from_phrase(read[0], read[1], start)
                if who.name:
                    return who, "after", None
            if AFTER_HEISST_ES.match(after):  # „…“, heißt es in der Mitteilung: nobody named
                return Who(None), "subject", None
        m = AFTER_FR_PRONOUN.match(after) if verb_after else None
        if m:  # «…», a-t-il ajouté / dit-elle
            return Who(None), "after", "he" if (m.group("p1") or m.group("p2")) == "il" else "she"
        m = AFTER_GROUP_VERB.match(after) if verb_after and after.lstrip(" ,")[:1].islower() else None
        if m:  # "…,” team members dressed for a game say in unison": the group as written
            return Who(m.group("sp"), None, named=False), "after", None
        m = AFTER_DASH.match(after)
        if m:
            return self._who(m.group("sp"), None, start), "after", None
        # (Only after a quote that does not end its sentence: “….” Tom Reed resigned. is news, not "who".)
        m = AFTER_ANY_VERB_NAME.match(after) if self.text[max(start, end - 3) : end].rstrip("”\"’'»“«")[-1:] in (",", "?", "!") else None
        name = (m.group("sp") or m.group("sp2")) if m else None
        if name and not self._common_word(name):
            # "…,” beams Lena Berg" / "…,” Lena Berg beams.": a verb missing from the list, and the speaker
            # named next to the quote - not a reason to keep it ("named after", not "after"), but never the
            # person quoted before (a wrong name).
            who = self._who(name, None, start)
            if who.named and who.name:
                return who, "named after", None
        # 1b. Japanese: 地元当局者は「…」と述べた — the topic before は/が is the speaker.
        if self.text[start : start + 1] in "「『":
            topic = cjk_topic(masked, para_start, start)
            if topic:
                return Who(topic, None, named=False), "before", None
        # 1c. Thai: X กล่าวว่า “…” / “…” X กล่าว (no case, no sentence punctuation, no English verb).
        if THAI_NEAR.search(masked, max(para_start, start - 40), min(para_end, end + 40)):
            thai = self._thai(start, end, para_start, para_end)
            if thai is not None:
                return thai
        # 2. right before it, in the same sentence
        before = masked[sentence_start(masked, para_start, start) : start]
        verb_before = has_verb(before)
        if BEFORE_PARTICIPLE.search(before):
            # "During a speech, Trump attacked Clinton …, saying, “": the sentence's subject.
            subj = SUBJECT.search(before)
            if subj:
                return self._who(subj.group("sp"), None, start), "before", pronoun(subj.group("sp"))
        doc = DOCUMENT_SAYING_RE.search(before) if verb_before else None
        if doc:
            # "Ann Fox sent a letter to her staff saying: “": the letter is what she sent; she speaks.
            subj = SUBJECT.search(before)
            if subj and subj.start("sp") < doc.start() and not is_document(subj.group("sp")):
                return self._who(subj.group("sp"), None, start), "before", pronoun(subj.group("sp"))
        m = BEFORE_INVERTED.search(before) if verb_before else None
        if m:
            # "Rather than …, asks Policy Options editor Jennifer Ditchburn, “has anyone …”"
            who = self._speaker_from_phrase(m.group("phrase"), None, start)
            if who.name:
                return who, "before", None
        for pat in (BEFORE, BEFORE_ACCORDING) if verb_before else (BEFORE_ACCORDING,):
            m = pat.search(before)
            if m and self._german_noun(m.group("sp").strip()):
                continue  # "Laut Unterlagen, die uns vorliegen, sagte er: „…“": a noun, not a speaker
            if m:
                if pat is BEFORE and m.start("sp") > 0 and is_document(m.group("sp")):
                    # "Amazon released a separate statement saying, “": the statement is the
                    # object of the subject's verb; the subject is the speaker.
                    subj = SUBJECT.search(before)
                    if subj and subj.start("sp") < m.start("sp") and not is_document(subj.group("sp")):
                        return self._who(subj.group("sp"), None, start), "before", pronoun(subj.group("sp"))
                return self._who(m.group("sp"), m.group("role"), start), "before", pronoun(m.group("sp"))
        # ... or a previous paragraph that introduces the quote with a colon
        if not before.strip() and para_start > 0:
            prev = masked[:para_start].rstrip()
            if prev.endswith(":"):
                m = BEFORE.search(prev[prev.rfind("\n") + 1 :])
                if m:
                    return self._who(m.group("sp"), m.group("role"), start), "colon", pronoun(m.group("sp"))
        # 2b. "Some members of the team hold up placards, including: “…": no speech verb, but the
        # sentence's subject - a group or person described - is who shows or says it.
        subj = SUBJECT.search(before) if before.rstrip().endswith(":") else None
        if before.rstrip().endswith(":"):
            if subj and described_people(subj.group("sp")):
                # Up to its head noun: "Some members (of the 11– to 12-year-old team)".
                phrase = subj.group("sp").strip()
                head = description_head(phrase) or phrase
                return Who(phrase[: phrase.index(head) + len(head)], None, named=False), "subject", None
        # 3. elsewhere in the quote's sentence
        for seg, nearest, verb in ((after, 0, verb_after), (before, -1, verb_before)):
            if not verb:
                continue  # no "X said", "said X" or "he said" without a verb
            found = [f for f in mentions(seg) if f[3] or not self._german_noun(f[1].strip())]
            if found:
                _pos, raw, role, is_phrase = found[nearest]
                who = self._speaker_from_phrase(raw, role, start) if is_phrase else self._who(raw, role, start)
                if who.name:
                    return who, "sentence", None
            m = PRONOUN_VERB.search(seg)
            if m:
                return Who(None), "sentence", pronoun(m.group())
        if before.rstrip().endswith(":") and not (subj and self._personal(subj.group("sp"))):
            # "Sie enthielt Artikel wie: „…“" / "The challenge is exemplified by this finding: “…”":
            # a sentence that introduces the quote without anyone saying it - a headline, a
            # finding, a slogan. Not the nearest named speaker's words.
            return Who(None), "subject", None
        if AFTER_THEY.match(after):
            # "…,” they sign off as a group": not attributed by a speech verb (so not a reason to
            # keep the quote), but the speaker is a group, never one named person.
            return Who(None), None, "they"
        if verb_after and AFTER_INDEFINITE.match(after):
            return Who(None), "sentence", "one"  # "…,” one wrote.": one of some people, not named
        m = AFTER_ACCORDING_THING.match(after) or AFTER_READ.match(after)
        thing = m.group("sp").strip() if m else ""
        if thing and len(thing.split()) <= 6:
            # "…,” according to police." / "…!” read a sign …": not a reason to keep the quote, and
            # never the person quoted before.
            return Who(thing, None, named=False), "sentence", None
        return Who(None), None, None

    def _thai(self, start: int, end: int, para_start: int, para_end: int) -> tuple[Who, str | None, str | None] | None:
        """A Thai attribution right before or after the quote at [start, end), or None."""
        masked = self.masked
        # (Sliced: \A is where the paragraph, or the window, starts.)
        m = THAI_BEFORE.search(masked[max(para_start, start - 200) : start])
        how = "before"
        if m is None:
            m = THAI_AFTER.match(masked[end : min(para_end, end + 120)])
            how = "after"
        if m is None:
            return None
        found = thai_speaker(m.group("sp"))
        if found is None:
            return Who(None), how, None  # เขากล่าวว่า "he said that": the nearest named speaker
        name, role, named = found
        return Who(name, role, named=named), how, None

    def _personal(self, phrase: str) -> bool:
        """Could this subject be a person: a name (not a capitalised noun), he/she, a described person?"""
        phrase = phrase.strip()
        if phrase in PERSON_PRONOUNS:
            return True
        return (NAME_RE.fullmatch(phrase) is not None and phrase not in NOT_PERSONAL and not self._common_word(phrase)) or described_people(phrase)

    def _named_together(self, at: int, last: Who) -> Who:
        """"Tom Berg and Lena Abreu" for the "they" of two people named together, ``last`` named at ``at``."""
        m = PAIR_FIRST.search(self.masked, max(0, at - 80), at)
        if m is None or last.name is None:
            return last
        first = self._resolve(m.group("sp"), None)
        if not first.named or not first.name or first.name == last.name:
            return last
        return Who(f"{first.name} and {last.name}", None, named=False)  # a pair, not one person to refer back to

    def _who(self, raw: str, role: str | None, at: int) -> Who:
        return self._resolve(raw, role, at)
