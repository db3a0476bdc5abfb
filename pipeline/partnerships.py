"""Pure rules for merging events across articles into partnerships (the storage layer runs the SQL).

A partnership is the set of events with the same participants (sorted codes) and the same normalised
instrument, or the same type when no instrument is named. :func:`partnership_key` is that identity;
:func:`later_status` follows one agreement through its life (planned -> negotiating -> signed -> in force
-> ended); :func:`summarise` turns a partnership's events into its current state.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.models import Event
from pipeline.nlp.instruments import instrument_key

# Life stages in order; statuses on one stage (signed/launched) are equally far along.
STATUS_ORDER: dict[str, int] = {
    "planned": 0,
    "negotiating": 1,
    "signed": 2,
    "launched": 2,
    "held": 3,
    "in_force": 4,
    "ended": 5,
}


def normalise_instrument(name: str | None, participants: Iterable[str] = (), type: str = "") -> str:
    """A key under which different wordings of one instrument meet.

    Known instruments (``models/instruments.jsonl``) give their canonical name; others are folded
    (case, articles, "EU-X" prefixes, actor names, parenthesised acronyms, "deal" = "agreement" ...).
    With no usable name the key is the event ``type``.
    """
    key = instrument_key(name, tuple(sorted(participants))) if name else ""
    return key or type


def partnership_key(event: Event) -> str:
    """The identity of the partnership an event belongs to: ``"CODE+CODE|normalised instrument"``."""
    codes = sorted(set(event.participants))
    return "+".join(codes) + "|" + normalise_instrument(event.instrument, codes, event.type)


def later_status(a: str | None, b: str | None) -> str | None:
    """The status further along the life of an agreement; on a tie ``b`` (the newer observation) wins."""
    if a is None or a not in STATUS_ORDER:
        return b
    if b is None or b not in STATUS_ORDER:
        return a
    return a if STATUS_ORDER[a] > STATUS_ORDER[b] else b


@dataclass(frozen=True)
class EventRecord:
    """One stored event of a partnership, as the merge needs it."""

    event_id: int
    type: str
    status: str
    instrument: str | None
    evidence: str
    confidence: float
    detected_at: str  # when pactwatch read it (UTC ISO-8601)
    on_date: str  # the date it happened: stated, else the article's, else the detection day
    publisher: str  # who published the article (registered domain)


@dataclass(frozen=True)
class PartnershipState:
    """What a partnership's events say together."""

    type: str
    status: str
    status_event: EventRecord  # the evidence for the current status
    instrument: str | None
    mentions: int
    sources: int
    confidence: float
    best_evidence: str
    first_reported: str
    last_reported: str
    last_seen: str


def summarise(events: Sequence[EventRecord]) -> PartnershipState:
    """The current state of a partnership: the status of its latest event (by date, then life stage), the most
    common type and instrument wording, the most confident evidence, and its independent sources."""
    latest = max(events, key=lambda e: (e.on_date, STATUS_ORDER.get(e.status, 0), e.detected_at, e.event_id))
    best = max(events, key=lambda e: (e.confidence, -e.event_id))
    instruments = Counter(e.instrument for e in events if e.instrument)
    return PartnershipState(
        type=Counter(e.type for e in events).most_common(1)[0][0],
        status=latest.status,
        status_event=latest,
        instrument=instruments.most_common(1)[0][0] if instruments else None,
        mentions=len(events),
        sources=independent_sources(events),
        confidence=best.confidence,
        best_evidence=best.evidence,
        first_reported=min(e.on_date for e in events),
        last_reported=max(e.on_date for e in events),
        last_seen=max(e.detected_at for e in events),
    )


def independent_sources(events: Iterable[EventRecord]) -> int:
    """Distinct publishers, where reports sharing a verbatim evidence sentence (one wire story reprinted by
    several sites) count once."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    publishers = []
    for event in events:
        publisher = "p:" + event.publisher
        sentence = "s:" + re.sub(r"\W+", " ", event.evidence.lower()).strip()
        parent[find(publisher)] = find(sentence)
        publishers.append(publisher)
    return len({find(p) for p in publishers})
