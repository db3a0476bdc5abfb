"""What goes into one recipient's digest: pending partnerships and status changes, shaped for the templates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlite_utils

from pipeline.config import Recipient
from pipeline.store import DigestFilter, Pending, pending_for

HOME = "EU"  # the actor every partnership is seen from; digests group by the other participants


@dataclass(frozen=True)
class Participant:
    code: str
    name: str


@dataclass(frozen=True)
class Source:
    url: str
    title: str
    publisher: str | None
    published: str | None  # YYYY-MM-DD


@dataclass(frozen=True)
class Item:
    """One partnership as the digest shows it."""

    id: int
    title: str
    type: str
    status: str
    instrument: str | None
    participants: tuple[Participant, ...]
    partner: str  # the participants other than the EU, by name
    date: str | None
    evidence: str | None
    confidence: float | None
    mentions: int
    independent_sources: int
    articles: tuple[Source, ...]


@dataclass(frozen=True)
class Change:
    """A known partnership whose status moved; ``statuses`` is the chain, oldest first."""

    item: Item
    statuses: tuple[str, ...]
    date: str | None


@dataclass(frozen=True)
class Group:
    """New partnerships with the same partners (the participants other than the EU)."""

    label: str
    codes: tuple[str, ...]
    items: tuple[Item, ...]


@dataclass(frozen=True)
class DigestContent:
    """One recipient's digest; ``marks`` are the (partnership id, status-change id) rows recorded once sent."""

    recipient: str
    generated_at: datetime
    groups: tuple[Group, ...] = ()
    changes: tuple[Change, ...] = ()
    marks: tuple[tuple[int, int | None], ...] = field(default=(), repr=False)

    @property
    def partnership_count(self) -> int:
        return sum(len(g.items) for g in self.groups)

    @property
    def change_count(self) -> int:
        return len(self.changes)

    @property
    def empty(self) -> bool:
        return not self.groups and not self.changes


def select_digest(db: sqlite_utils.Database, recipient: Recipient, *, now: datetime) -> DigestContent:
    """Everything ``recipient`` has not been told yet that passes their filters."""
    filters = DigestFilter(tuple(recipient.countries), tuple(recipient.types), recipient.min_confidence)
    pending = pending_for(db, recipient.address, filters)
    items = [_item(row, pending) for row in pending.partnerships]
    by_partner: dict[tuple[str, ...], list[Item]] = defaultdict(list)
    for item in items:
        others = tuple(p for p in item.participants if p.code != HOME) or item.participants
        by_partner[tuple(p.code for p in others)].append(item)
    groups = [Group(label=members[0].partner, codes=codes, items=tuple(members))
              for codes, members in by_partner.items()]
    groups.sort(key=lambda g: g.label.casefold())

    chains: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in pending.changes:
        chains[row["id"]].append(row)
    changes = []
    for rows in chains.values():
        statuses = (rows[0]["old_status"], *(r["new_status"] for r in rows))
        last = rows[-1]
        date = last["status_date"] or (last["detected_at"] or "")[:10] or None
        changes.append(Change(item=_item(last, pending), statuses=statuses, date=date))
    changes.sort(key=lambda c: (c.item.partner.casefold(), c.item.id))

    marks: list[tuple[int, int | None]] = []
    for item in items:
        marks += [(item.id, cid) for cid in pending.change_ids.get(item.id, [])] or [(item.id, None)]
    marks += [(row["id"], row["change_id"]) for row in pending.changes]
    return DigestContent(recipient=recipient.address, generated_at=now, groups=tuple(groups),
                         changes=tuple(changes), marks=tuple(marks))


def _name(pending: Pending, code: str) -> str:
    actor = pending.actors.get(code)
    return actor["name"] if actor and actor.get("name") else code


def _item(row: dict[str, Any], pending: Pending) -> Item:
    codes = [c for c in row["participants"].split(",") if c]
    participants = tuple(Participant(code=c, name=_name(pending, c)) for c in codes)
    partner = ", ".join([p.name for p in participants if p.code != HOME] or [p.name for p in participants])
    title = row["instrument"] or f"{row['type'].capitalize()} with {partner}"
    articles = tuple(
        Source(url=s["url"], title=s["title"] or s["url"], publisher=s["publisher"],
               published=(s["published_at"] or "")[:10] or None)
        for s in pending.sources.get(row["id"], [])
    )
    return Item(
        id=row["id"], title=title, type=row["type"], status=row["status"], instrument=row["instrument"],
        participants=participants, partner=partner,
        date=row["first_reported"] or (row["first_seen"] or "")[:10] or None,
        evidence=row["best_evidence"], confidence=row["confidence"], mentions=row["mentions"],
        independent_sources=row["sources"], articles=articles,
    )
