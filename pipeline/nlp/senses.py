"""Which gazetteer matches name an actor, cheaply, before any parse (pass 1 of the :class:`Analyzer`).

A country name can be a person ("Jordan Henderson", "Michael Jordan"), a US state ("Georgia's governor"),
a bird ("Turkey prices"), part of a company's name ("Emirates Airline"), or describe a company rather
than a state ("a Japanese carmaker"); a bare "Commission" can be another country's body; a capital can be
just a place. Each rule here is general and reads its words from ``models/`` (see models/README.md).

Labels a mention can end with: its kind (COUNTRY, BLOC, REGION, ORG) when it may be a party; ``PLACE``
when it names where something happens (set later by the analyzer); ``NORP`` when a nationality word
describes a non-state thing ("the German engineering group"); dropped when it names no actor at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from pipeline.nlp.assets import Assets
from pipeline.nlp.dates import CALENDAR_NAMES

NORP = "NORP"
PLACE = "PLACE"
_VERBAL = frozenset(
    {"has", "have", "had", "is", "was", "were", "are", "will", "would", "could", "should", "may", "might", "must",
     "can", "did", "does", "wants", "hopes", "says", "said", "insists", "insisted", "and", "'s", "’s"}
)


@dataclass(frozen=True)
class Senses:
    """The word lists the rules use, read from the assets."""

    given_names: frozenset[str]
    other_senses: tuple[tuple[str, re.Pattern[str]], ...]  # (name, cue of its non-actor sense in the text)
    name_tails: frozenset[str]
    nonstate: frozenset[str]
    state_people: frozenset[str]  # "lawmakers": a "...maker" who acts for a state
    bare: frozenset[str]
    metonyms: frozenset[str]
    demonyms: frozenset[str]
    sport: re.Pattern[str]  # words of a sports report
    members: frozenset[str]  # "partner", "country": one member of a region
    not_surnames: frozenset[str]  # "Valley" after "Jordan": no surname
    not_given: frozenset[str]  # "Lake", "President" before "Chad": no given name

    @classmethod
    def from_assets(cls, assets: Assets) -> Senses:
        return cls(
            given_names=assets.given_names,
            other_senses=tuple((name, re.compile(cue)) for name, cue in assets.other_senses),
            name_tails=frozenset(assets.name_tails),
            nonstate=frozenset(assets.terms("nonstate")),
            state_people=frozenset(assets.terms("state_person")),
            bare=assets.bare_names,
            metonyms=assets.metonyms,
            demonyms=frozenset(d for d, _ in assets.demonyms),
            sport=_words(assets.terms("sport")),
            members=frozenset(assets.terms("member")),
            not_surnames=frozenset(assets.terms("not_surname")),
            not_given=frozenset(assets.terms("title")) | frozenset(assets.terms("not_given")),
        )


def keep(doc: Doc, span: Span, senses: Senses, persons: set[str]) -> str | None:
    """The label for an actor match (its kind label, or NORP), or None when it names no actor."""
    text = span.text
    if span.end < len(doc) and doc[span.end].text in senses.name_tails:
        return None  # "Emirates Airline", "China Daily"
    if text in senses.given_names and (text in persons or _person(doc, span, senses)):
        return None
    for name, cue in senses.other_senses:
        if text.lower() == name.lower() and cue.search(doc.text):
            return None
    if text in senses.bare and not _bare_is_eu(doc, span):
        return None
    if _describes_nonstate(doc, span, senses) or _one_member(doc, span, senses):
        return NORP
    if span.label_ == "COUNTRY" and _sporting(span.sent.text, senses):
        return NORP  # "France beat Italy 2-1": national teams
    return span.label_


def _words(terms: dict[str, str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b" if alternatives else r"(?!)")


_SCORE = re.compile(r"(?<![\d.,/-])\d{1,2}[-–]\d{1,2}(?![\d.,/-])")


def _sporting(sentence: str, senses: Senses) -> bool:
    """A sports report: two sports words, or one and a score ("drew 0-0", "beat Italy 2-1")."""
    words = len(set(senses.sport.findall(sentence)))
    return words >= 2 or (words >= 1 and _SCORE.search(sentence) is not None)


def _one_member(doc: Doc, span: Span, senses: Senses) -> bool:
    """"an Indo-Pacific partner", "a Western Balkan country": some member of the region, not the region."""
    if span.label_ != "REGION" or span.start == 0 or span.end >= len(doc):
        return False
    before, after = doc[span.start - 1], doc[span.end]
    noun = after.lower_[:-1] if after.lower_.endswith("s") and after.lower_[:-1] in senses.members else after.lower_
    return before.lower_ in ("a", "an", "another") and noun in senses.members


def persons_named(doc: Doc, spans: list[Span], senses: Senses) -> set[str]:
    """Given names the text uses for a person somewhere: then every bare mention of them is that person."""
    return {s.text for s in spans if s.text in senses.given_names and _person(doc, s, senses)}


def _person(doc: Doc, span: Span, senses: Senses) -> bool:
    """"Jordan Henderson" in running text, or "Michael Jordan" (a capitalised given name right before it)."""
    sent = span.sent
    running = sent.text.rstrip().endswith((".", '"', "”", "?", "!")) and any(
        t.is_alpha and t.is_lower and not t.is_stop for t in sent
    )
    if span.end < len(doc) and running:
        after = doc[span.end]
        if after.is_title and after.is_alpha and not after.is_stop and after.lower_ not in senses.not_surnames:
            return True
    if span.start > sent.start:
        before = doc[span.start - 1]
        if not (before.is_title and before.is_alpha) or before.is_stop or before.lower_ in senses.not_given:
            return False
        if before.i == sent.start:
            return running and not before.lower_.endswith(("ing", "ed"))  # "Visiting Jordan, ..." is a place
        return True
    return False


def _bare_is_eu(doc: Doc, span: Span) -> bool:
    """A bare "Commission"/"Council" is the EU's only in a text about the EU, and not inside another name."""
    if span.start > 0:
        before = doc[span.start - 1]
        if before.is_title and not before.is_sent_start and before.lower_ not in ("the", "european", "eu"):
            return False  # "Securities and Exchange Commission", "Electoral Commission"
    after = doc[span.end + 1] if span.end + 1 < len(doc) else None
    named = after is not None and after.is_title and after.lower_ not in CALENDAR_NAMES
    if named and doc[span.end].lower_ in ("on", "of", "for"):
        return False  # "Commission on Human Rights", "Council of Europe"; not "the Commission on Tuesday"
    if re.search(r"\b(?:EU|E\.U\.|European)\b", doc.text):
        return True
    return _OTHER_BODY.search(doc.text) is None  # "the Commission" after "the Federal Trade Commission"


_OTHER_BODY = re.compile(r"\b(?!(?:The|This|That|A|An)\b)[A-Z][\w-]+ (?:Commission|Council|Parliament)\b")


def _describes_nonstate(doc: Doc, span: Span, senses: Senses) -> bool:
    """A nationality word in a noun phrase headed by a company, team or person noun ("a Saudi utility"), or a
    country's name right before such a noun ("a Ukraine expert", "China analysts")."""
    if span.text not in senses.demonyms:
        if span.label_ != "COUNTRY" or span.end >= len(doc):
            return False
        return doc[span.end].is_lower and _nonstate(doc[span.end], senses)
    for token in doc[span.end : span.end + 5]:
        if _nonstate(token, senses):
            return True
        word = token.lower_
        if word in ("-", "–"):
            continue  # "a Dutch chip-equipment firm"
        if word in ("and", "or", ",") or token.text in senses.demonyms:
            continue  # "Belgian and Dutch logistics companies"
        if not token.is_alpha or token.is_stop or not token.is_lower or word.endswith("ed"):
            return False
    return False


def _nonstate(token: Token, senses: Senses) -> bool:
    """A company, team or person noun ("utility", "carmakers", "experts"; not "lawmakers")."""
    word = token.lower_
    stem = word[:-3] + "y" if word.endswith("ies") else word[:-1] if word.endswith("s") else word
    maker = stem.endswith("maker") and stem not in senses.state_people
    return word in senses.nonstate or stem in senses.nonstate or maker


def is_acting_metonym(doc: Doc, span: Span, senses: Senses) -> bool:
    """A capital used for its government: a verb or "and" right after it ("Beijing said", "Brussels and Tokyo")."""
    if span.text not in senses.metonyms:
        return True
    if span.end >= len(doc):
        return False
    after = doc[span.end]
    return after.lower_ in _VERBAL or (after.is_lower and after.text.endswith("ed"))
