"""One article as the event model reads it: sentences with their actors (names, office holders, "the bloc"),
instruments, the parse of those that can state an event and the rule reader's findings, plus what the article
as a whole says (mention counts, its main pair, the rule reader's events).

:class:`ArticleView` is built by :class:`pipeline.nlp.analyzer.Analyzer` and read by the candidates, the
features and the trained model; it crosses no stage boundary.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc

from pipeline.models import Event, Mention
from pipeline.nlp.findings import Finding
from pipeline.nlp.senses import NORP

PARTY_LABELS = frozenset({"COUNTRY", "BLOC", "REGION", "ORG", "PERSON", "GROUP"})
PLACE_LABELS = frozenset({"PLACE", "PLACE?"})


@dataclass(frozen=True)
class ActorSpan:
    """An actor named in a sentence; offsets are into the sentence's text."""

    code: str
    label: str  # COUNTRY | BLOC | REGION | ORG | PERSON (office holder) | GROUP ("the bloc") | PLACE | PLACE? | NORP
    start: int
    end: int

    @property
    def party(self) -> bool:
        """Can be a party of an event (a place, or a nationality word on a company, cannot)."""
        return self.label in PARTY_LABELS


@dataclass(frozen=True)
class InstrumentSpan:
    """An instrument name the cheap pass found; offsets are into the sentence's text."""

    start: int
    end: int
    label: str  # an event type, or INSTRUMENT when the name does not say
    canonical: str  # the registry's name, or ""
    parties: tuple[str, ...]  # the registry's parties


@dataclass
class Sentence:
    """One sentence of the article (or its headline) with what the passes found in it."""

    position: int  # reading order; the headline, when read, comes first
    in_title: bool
    offset: int  # where the sentence starts in its text (the headline or the body)
    text: str
    actors: tuple[ActorSpan, ...]
    instruments: tuple[InstrumentSpan, ...]
    parsed: bool = False  # the full pipeline parsed it (it can state an event)
    ruled: bool = False  # the rule reader read it too
    doc: Doc | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def parties(self) -> frozenset[str]:
        """Codes of the actors that can be parties here."""
        return frozenset(a.code for a in self.actors if a.party)

    @property
    def read_actors(self) -> tuple[ActorSpan, ...]:
        """The actors the rule reader reads: all but nationality words on a company or person (NORP)."""
        return tuple(a for a in self.actors if a.label != NORP)

    @property
    def places(self) -> frozenset[str]:
        """Codes named here only as places (maybe acting for their government: "Brussels said")."""
        return frozenset(a.code for a in self.actors if a.label in PLACE_LABELS) - self.parties


@dataclass
class ArticleView:
    """Everything the event model needs of one article."""

    text: str
    published: date | None
    sentences: list[Sentence]
    counts: Counter = field(default_factory=Counter)  # party mentions per code (countries, blocs, regions)
    top: tuple[str, ...] = ()  # the most named parties, most first (organisations left out)
    pair: tuple[str, str] | None = None  # the article's main pair, when it has one
    rule_events: tuple[Event, ...] = ()  # what the rule reader concluded (a feature of the model, not its answer)
    entities: tuple[Mention, ...] = ()
    actors: tuple[str, ...] = ()  # codes the text names as parties
    language: str | None = None

    @property
    def context(self) -> tuple[str, ...]:
        """The parties a sentence that names only one side may mean as the other: the main pair, else the top two."""
        return self.pair if self.pair else self.top[:2]

    def rule_events_of(self, sentence: Sentence) -> list[Event]:
        """The rule reader's events whose evidence is ``sentence``."""
        text = sentence.text.strip()
        return [e for e in self.rule_events if e.evidence == text]


def dominant_bloc(counts: Counter, kinds: dict[str, str]) -> str | None:
    """The bloc "the bloc" means in this article: its most named bloc, else the EU."""
    blocs = [(n, code) for code, n in counts.items() if kinds.get(code) == "bloc"]
    return max(blocs)[1] if blocs else "EU"


__all__ = ["PARTY_LABELS", "ActorSpan", "ArticleView", "InstrumentSpan", "Sentence", "dominant_bloc"]
