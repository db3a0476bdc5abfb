"""Records that cross stages: plain dataclasses with a stable ``name`` and a ``properties()`` view."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pipeline.logs import RepeatedErrors


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


class _Record:
    name: str = "record"

    def properties(self) -> dict[str, Any]:
        """A JSON-ready dict of the record's fields."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True)
class Feed(_Record):
    name = "feed"
    id: int
    url: str
    title: str | None = None
    interval: int | None = None


@dataclass(frozen=True)
class Entry(_Record):
    """One item of a parsed feed."""

    name = "entry"
    guid: str
    url: str | None
    title: str | None = None
    summary: str | None = None
    published: datetime | None = None


@dataclass(frozen=True)
class Article(_Record):
    """A downloaded page after text extraction."""

    name = "article"
    url: str
    title: str | None
    text: str
    published: datetime | None = None
    author: str | None = None
    sitename: str | None = None
    language: str | None = None
    extraction_method: str = "trafilatura"  # trafilatura | feed_summary
    extraction_error: str | None = None


@dataclass(frozen=True)
class Mention(_Record):
    """An actor or instrument found in a text; offsets are character offsets into the text."""

    name = "mention"
    text: str
    label: str  # COUNTRY | BLOC | REGION | ORG (actors) | PLACE | NORP (not parties) | INSTRUMENT
    code: str | None
    start: int
    end: int


@dataclass(frozen=True)
class Event(_Record):
    """One partnership event read from one sentence (or merged within one article)."""

    name = "event"
    type: str  # agreement | partnership | programme | cooperation
    status: str  # planned | negotiating | signed | launched | held | in_force | ended
    participants: tuple[str, ...]  # sorted canonical actor codes
    instrument: str | None
    negated: bool
    date: date | None
    evidence: str
    confidence: float


@dataclass(frozen=True)
class Analysis(_Record):
    """What the NLP found in one text."""

    name = "analysis"
    entities: tuple[Mention, ...] = field(default_factory=tuple)
    events: tuple[Event, ...] = field(default_factory=tuple)

    def properties(self) -> dict[str, Any]:
        return {
            "entities": [m.properties() for m in self.entities],
            "events": [e.properties() for e in self.events],
        }


@dataclass
class CycleReport:
    """What one cycle (or reprocess) did: the counts stored in ``runs``, timings, and whether it was stopped."""

    run_id: int | None = None
    feeds_polled: int = 0
    feeds_failed: int = 0
    feeds_unchanged: int = 0
    new_articles: int = 0
    pages_fetched: int = 0
    articles_analysed: int = 0
    new_events: int = 0
    errors: int = 0
    seconds: float = 0.0
    stopped: bool = False
    stage_seconds: dict[str, float] = field(default_factory=dict)
    repeated: RepeatedErrors = field(default_factory=lambda: RepeatedErrors(logging.getLogger("pipeline.cycle")))

    def summary(self) -> str:
        """One line for the log, the ``runs`` row and ``run --once``; says "stopped" when it was cut short."""
        return (f"cycle {'stopped' if self.stopped else 'done'}: {self.feeds_polled} feeds polled"
                f" ({self.feeds_failed} failed, {self.feeds_unchanged} unchanged), {self.new_articles} new articles,"
                f" {self.pages_fetched} pages downloaded, {self.articles_analysed} articles analysed,"
                f" {self.new_events} events, {self.errors} errors in {self.seconds:.1f} s")
