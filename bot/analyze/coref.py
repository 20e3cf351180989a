"""Coreference for speaker attribution: who "he", "she", "it", "the mayor" or "the company" is at a
point of the text, and who a surname alone is ("Danilov" -> "Oleksiy Danilov").

``Coreference`` is mixed into ``speakers.Attributor``: it owns the index of people (full name as
first introduced, given names, titles, gender learnt from Mr./Ms. and the first he/she after an
introduction, failing those a common given name's, ``given_names.py``) and the candidates a later
reference can point to - speakers reported outside quotes (mentions), subjects of sentences, and
speakers already attributed - by position.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable, Iterator

import regex

from bot.analyze import rx

from bot.analyze.given_names import given_name_gender
from bot.analyze.names import (
    FEMALE,
    GENDERED,
    MALE,
    NAME_RE,
    NOT_NAME_WORDS,
    Who,
    bare,
    description_head,
    is_title,
    name_parts,
    not_in_name,
    org_like,
    person_like,
    split_title,
    strip_parens,
    tokens,
)


# The words before a name, ending in a lower-case title word: "(Clinton campaign) (chairman) ".
_TITLE_BEFORE = rx.compile(
    r"(?<![\p{L}\p{N}'’\-])(?P<run>(?:\p{Lu}[\p{L}\-’']*[ \t\u00a0]+){0,3}"
    # (a conjunction is the sentence going on: "… -- but coach Jim Caldwell vouched" is "coach")
    r"(?:(?!(?:as|to|the|of|and|for|with|at|in|on|by|a|an|said|says|told|former|then|but|or|nor|so|yet|while|"
    r"when|because|if|than|that|who|which|whom|whose|where|although|though|since|until|unless|whether|"
    # ... and the articles, prepositions and conjunctions of Spanish, French and German ("entre el juez José Castro")
    r"el|la|los|las|le|les|un|una|une|de|del|du|des|entre|en|por|para|con|sin|sobre|y|e|o|que|et|ou|mais|"
    r"pour|par|avec|sans|sur|dans|der|die|das|und|mit|von|für)\b)"
    r"\p{Ll}[\p{Ll}\-]+[ \t\u00a0]+){0,2}"
    r"(?P<last>\p{Ll}[\p{Ll}\-]+))[ \t\u00a0]+\Z",
    regex.VERSION1 | regex.REVERSE,
)


class Coreference:
    """The people of one text and what a later reference to one of them can resolve to."""

    masked: str
    _full: dict[str, str]  # surname (casefolded) -> full name as first introduced
    _first: dict[str, str]  # given name -> full name, for "Jordan said" of Jordan Stewart
    _roles: dict[str, str]  # surname -> title or role
    _gender: dict[str, str]  # full name -> "m" / "f"
    _sure_gender: set[str]  # full names whose gender an honorific gave (Mr./Ms.), not a guess
    _mentions: list[tuple[int, Who]]  # named speakers reported outside quotes, by position
    _mention_pos: list[int]
    _subjects: list[tuple[int, Who]]  # people who are a sentence's subject, by position
    _subject_pos: list[int]
    _attributed: list[tuple[int, Who]]  # (quote start, speaker), in text order
    # Speakers described, not named (position, who, a person?, a group?, gender), by position.
    _described: list[tuple[int, Who, bool, bool, str | None]]
    _described_pos: list[int]

    def _index_described(self) -> None:
        """Fill ``_described`` (done by the subclass, which finds the descriptions)."""
        raise NotImplementedError

    # -- names -----------------------------------------------------------------------------------
    def _index_names(self) -> None:
        """Map each surname to the full name it was first introduced with; titles become roles."""
        masked = self.masked
        full_names, gender, roles = self._full, self._gender, self._roles
        for m in NAME_RE.finditer(masked):
            parts = name_parts(m.group())
            if parts is None:
                continue  # a headline in title case, not a name
            name, title, key, n_toks, first, hon = parts
            if n_toks >= 2:
                if full_names.get(key, name) not in gender:
                    self._learn_gender(full_names.get(key, name), m.end())
                full_names.setdefault(key, name)
                if n_toks <= 3:
                    self._first.setdefault(first, name)
                if key not in roles and masked[m.start() - 2 : m.start() - 1].islower():
                    # "White House press secretary Sean Spicer": a lower-case title run before it.
                    before = _TITLE_BEFORE.search(masked, max(0, m.start() - 80), m.start())
                    if before and is_title(before.group("last")):
                        run = before.group("run").split()
                        while run and run[0] in NOT_NAME_WORDS:
                            run.pop(0)  # "Yesterday campaign chairman John Podesta"
                        title = " ".join(t for t in (" ".join(run), title) if t)
            if title and key not in roles:
                roles[key] = title
            if hon in MALE or hon in FEMALE:
                # An honorific outweighs a guess from the first he/she after the name (_learn_gender).
                person = full_names.get(key, name)
                if n_toks == 1 and given_name_gender(person) not in (None, "m" if hon in MALE else "f"):
                    continue  # "Mrs Cruz" after "Ted Cruz": his wife, not him
                if person not in self._sure_gender:
                    gender[person] = "m" if hon in MALE else "f"
                    self._sure_gender.add(person)

    def _learn_gender(self, name: str, end: int) -> None:
        """The first he/she (his/her) after a person's introduction, before anyone else is named,
        is very likely theirs: "Megda Belkacemi … a day she has awaited"."""
        line_end = self.masked.find("\n", end)
        window = self.masked[end : min(end + 240, line_end if line_end != -1 else len(self.masked))]
        m = GENDERED.search(window)
        if m is None:
            return
        other = NAME_RE.search(window, 0, m.start())
        if other is not None and len(other.group().split()) >= 2:
            return  # somebody else was named first
        guess = "m" if m.group().casefold() in MALE else "f"
        if given_name_gender(name) not in (None, guess):
            # "Brad Pitt, whom she started dating": a he/she the given name contradicts is most
            # often someone else's (measured on the team's dev texts: 14 of 16 such guesses wrong),
            # and "Tom Reed … “…,” she said" must not teach that Tom Reed is a she.
            return
        self._gender.setdefault(name, guess)

    def _titled(self, pos: int, head: str) -> Who | None:
        """The most recent named speaker before ``pos`` whose role or title contains ``head`` - unless
        someone described by that noun spoke since ("said Jane Doe, a spokeswoman for the ministry" …
        "A spokeswoman for the police said …" … "the spokeswoman said" is the police's, not Jane Doe)."""
        cands = self._recent(pos, 50)
        for p, who in cands:
            if who.role and head in (bare(w) for w in who.role.replace("-", " ").split()):
                return None if self._described_since(pos, p, head) else who
        # Introduced with the title but not yet quoted ("Mayor Doug McCallum defended …").
        titled = [k for k, r in self._roles.items() if head in (bare(w) for w in r.replace("-", " ").split())]
        if len(titled) == 1 and titled[0] in self._full and not self._described_since(pos, -1, head):
            return Who(self._full[titled[0]], self._roles[titled[0]], named=True)
        return None

    def _described_since(self, pos: int, since: int, head: str) -> bool:
        """Did a speaker described by the noun ``head`` ("a spokeswoman for the police") speak in (since, pos)?"""
        self._index_described()
        i = bisect.bisect_left(self._described_pos, pos) - 1
        while i >= 0 and self._described[i][0] > since:
            found = description_head(self._described[i][1].name or "")
            if found is not None and bare(found) == head:
                return True
            i -= 1
        return False

    # -- candidates ----------------------------------------------------------------------------
    def _recent(self, pos: int, limit: int = 6) -> list[tuple[int, Who]]:
        cands: list[tuple[int, Who]] = []
        i = bisect.bisect_left(self._mention_pos, pos) - 1
        while i >= 0 and len(cands) < limit:
            cands.append(self._mentions[i])
            i -= 1
        n = 0
        for p, who in reversed(self._attributed):
            if p < pos and who.named:
                cands.append((p, who))
                n += 1
                if n >= limit:
                    break
        cands.sort(key=lambda c: -c[0])
        return cands

    def _nearest_named(self, pos: int, gender: str | None = None, pronoun_since: int | None = None) -> Who | None:
        """The last named speaker before ``pos`` (reported in the text or attributed to a quote),
        skipping those known to be of the other gender when a pronoun says which. For a pronoun,
        the subject of a sentence since ``pronoun_since`` (the previous paragraph) counts too."""
        found = self._nearest_named_at(pos, gender, pronoun_since)
        return found[1] if found else None

    def _nearest_described(self, pos: int, since: int, gender: str | None = None, group: bool = False) -> tuple[int, Who] | None:
        """The last speaker described rather than named ("a spokesperson for the association said",
        "“…,” the players say") in [since, pos): a person of a compatible gender, or a group."""
        self._index_described()
        i = bisect.bisect_left(self._described_pos, pos) - 1
        while i >= 0 and self._described[i][0] >= since:
            p, who, person, is_group, sex = self._described[i]
            if group and is_group:
                return p, who
            if not group and person and (gender is None or sex is None or sex == gender):
                return p, who
            i -= 1
        return None

    def _nearest_named_at(self, pos: int, gender: str | None = None, pronoun_since: int | None = None) -> tuple[int, Who] | None:
        """``_nearest_named`` with the position it was found at."""
        cands: Iterable[tuple[int, Who]] = self._recent(pos)
        if pronoun_since is not None:
            # Nearest first, merged lazily: the first fitting candidate is usually the first, and in
            # a text without line breaks the "previous paragraph" reaches back to its start.
            cands = heapq.merge(cands, self._subjects_back(pos, pronoun_since), key=lambda c: -c[0])
        person: tuple[int, Who] | None = None
        for p, who in cands:
            if gender is not None and who.name in self._sure_gender and self._gender[who.name] != gender:
                continue  # "she" is never Mr. Tom Reed, even when nobody else was named
            if gender is not None and who.name not in self._gender and given_name_gender(who.name) not in (None, gender):
                # Nor Tom Reed when the text says nothing of his gender: a given name listed as
                # male rules him out for "she" (given_names.py) - only where the text taught
                # nothing (a guess that contradicts the list is not learnt: _learn_gender), and
                # never a reason to pick anyone.
                continue
            if gender is None or (self._gender.get(who.name or "", gender) == gender and person_like(who.name)):
                return p, who
            if person is None and person_like(who.name):
                person = (p, who)
        # (Never an organisation or an acronym: he/she is a person, and with the people of the
        # other gender ruled out, "Employers' Association" could be all that is left.)
        return person

    def _subjects_back(self, pos: int, since: int) -> Iterator[tuple[int, Who]]:
        """The sentence subjects in [since, pos), nearest first."""
        i = bisect.bisect_left(self._subject_pos, pos) - 1
        while i >= 0 and self._subjects[i][0] >= since:
            yield self._subjects[i]
            i -= 1

    def _nearest_org(self, pos: int) -> Who | None:
        """The last organisation named as a speaker before ``pos`` (for "it said")."""
        for _p, who in self._recent(pos):
            if org_like(who.name) or self._no_person(who.name):
                return who
        return None

    def _no_person(self, name: str | None) -> bool:
        """A one-word name with nothing to show it is a person ("Apple", "Symantec"): no full name
        introduced for it as a surname, no gender, no title."""
        if not name or " " in name:
            return False
        key = bare(name)
        titled = any(is_title(w) for w in self._roles.get(key, "").split())
        return key not in self._full and name not in self._gender and not titled
