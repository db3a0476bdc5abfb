"""The records the event reader passes around: a parsed candidate sentence, and one event read from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc


@dataclass(frozen=True)
class SentenceInput:
    """A parsed candidate sentence with what the cheap pass found in it (char offsets into ``doc.text``)."""

    doc: Doc
    actors: tuple[tuple[int, int, str], ...]  # (start, end, code)
    instruments: tuple[tuple[int, int, str, str, tuple[str, ...]], ...]  # (start, end, type, canonical, parties)
    offset: int = 0  # where the sentence starts in the article text
    when: date | None = None  # a date stated in the sentence
    groups: frozenset[str] = frozenset()  # the codes of its actors that name no country (blocs, bodies, regions)
    unnamed: frozenset[str] = frozenset()  # countries its registry instruments list that the article never names


@dataclass
class Flags:
    """What the rule reader noticed about a finding's form, for the article-level merge and the model's features."""

    title: bool = False  # read from the headline: its "trade deal" may be the body's named agreement
    registry: bool = False  # a registry instrument
    anaphor: bool = False  # "that agreement": the article's instrument, named earlier
    left_out: bool = False  # "X and Y did not sign the declaration": left out of the article's instrument
    each: bool = False  # "X and Y already have agreements": each its own, with the main actor
    funding: bool = False  # money from an EU programme with no recipient in the sentence
    bilateral: bool = False  # plural anchor or talks: one event per partner listed after "with"
    shared: bool = False  # "a joint declaration": one instrument of everyone named
    join: bool = False  # joined by several
    similar: bool = False  # "a similar deal with Peru"
    complete: bool = False  # a speaker's sentence naming one party: the article's main pair
    follow: bool = False  # "Georgia is expected to follow": the previous event's partner
    author: bool = False  # "makes no reference to X": the article's main actor is the other party
    coord: int | None = None  # coordinated with another anchor at this offset ("agreement and partnership")
    background: frozenset[str] | None = None  # a named past instrument without parties: the actors of its sentence


@dataclass
class Finding:
    """One event read from one sentence, before the article-level merge."""

    type: str
    status: str
    participants: frozenset[str]
    instrument: str | None
    named: bool
    head: str
    negated: bool
    evidence: str
    when: date | None
    confidence: float
    explicit: bool = True
    pair: bool = False
    order: int = 0
    flags: Flags = field(default_factory=Flags)
