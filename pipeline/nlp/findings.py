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
    extra: dict = field(default_factory=dict)
