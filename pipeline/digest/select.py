"""What goes into one recipient's digest: pending partnerships and status changes, ranked, shaped for templates.

Ranking (:func:`score`): the extractor's confidence, plus a bonus per independent source beyond the first, plus a
bonus for a change of status over a mere mention. A new recipient's first digest covers at most
``digest.backfill`` days of news.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from pipeline.config import Recipient
from pipeline.digest.headings import HOME, heading
from pipeline.store import DigestFilter, Pending, first_digest_at, parse_utc, pending_for

SOURCE_BONUS = 0.2  # per independent source beyond the first ...
SOURCE_BONUS_CAP = 4  # ... counting at most this many
CHANGE_BONUS = 0.5  # a status change outranks a mere mention of the same confidence


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
    """One partnership as the digest shows it; ``statuses`` is its change of status (oldest first), if that is the
    news, and ``rank`` its place in the digest (1 = most important)."""

    id: int
    heading: str
    type: str
    status: str
    instrument: str | None
    participants: tuple[Participant, ...]
    date: str | None
    evidence: str | None
    confidence: float | None
    mentions: int
    independent_sources: int
    articles: tuple[Source, ...]
    statuses: tuple[str, ...] = ()
    status_date: str | None = None
    moved: bool = False  # its status changed (for a new partnership: since it was first seen)
    rank: int = 0

    @property
    def named_participants(self) -> str:
        """"European Union (EU), Japan (JPN)"."""
        return ", ".join(f"{p.name} ({p.code})" for p in self.participants)

    @property
    def change(self) -> bool:
        """A known partnership whose status moved (rather than a new partnership)."""
        return bool(self.statuses)


@dataclass(frozen=True)
class Correction:
    """A partnership the recipient was told of that analysts have since corrected: what it was, what it is now
    (``now`` None: withdrawn, no event of it stands)."""

    id: int
    was: str
    now: str | None


def score(item: Item) -> float:
    """Confidence (0-1), plus SOURCE_BONUS per independent source beyond the first (at most SOURCE_BONUS_CAP of
    them), plus CHANGE_BONUS when the status changed."""
    extra_sources = min(max(item.independent_sources - 1, 0), SOURCE_BONUS_CAP)
    return (item.confidence or 0.0) + SOURCE_BONUS * extra_sources + (CHANGE_BONUS if item.moved else 0.0)


def _order(item: Item) -> tuple[float, int, int]:
    return -score(item), -item.mentions, -item.id  # ties: more mentions, then the newer partnership


@dataclass(frozen=True)
class DigestContent:
    """One recipient's digest, ``items`` most important first; ``marks`` are the (partnership id, status-change id,
    rank) rows recorded once sent."""

    recipient: str
    generated_at: datetime
    items: tuple[Item, ...] = ()
    marks: tuple[tuple[int, int | None, int], ...] = field(default=(), repr=False)
    corrections: tuple[Correction, ...] = ()
    corrected: tuple[tuple[int, int], ...] = field(default=(), repr=False)  # (partnership id, correction id) told

    @property
    def partnership_count(self) -> int:
        return sum(1 for item in self.items if not item.change)

    @property
    def change_count(self) -> int:
        return sum(1 for item in self.items if item.change)

    @property
    def correction_count(self) -> int:
        return len(self.corrections)

    @property
    def empty(self) -> bool:
        return not self.items and not self.corrections


def _filter(db: sqlite_utils.Database, recipient: Recipient, now: datetime, backfill: int) -> DigestFilter:
    joined = first_digest_at(db, recipient.address)
    horizon = None
    if backfill > 0:
        start = parse_utc(joined) if joined else now
        horizon = (start - timedelta(days=backfill)).strftime("%Y-%m-%d")  # type: ignore[operator]
    return DigestFilter(tuple(recipient.countries), tuple(recipient.types), recipient.min_confidence,
                        reported_since=horizon, joined=joined)


def select_digest(db: sqlite_utils.Database, recipient: Recipient, *, now: datetime,
                  backfill: int = 7) -> DigestContent:
    """Everything ``recipient`` has not been told yet that passes their filters, ranked; a new recipient's first
    digest covers the last ``backfill`` days of news (0: everything)."""
    pending = pending_for(db, recipient.address, _filter(db, recipient, now, backfill))
    items = [_item(row, pending, moved=row["id"] in pending.moved) for row in pending.partnerships]
    chains: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in pending.changes:
        chains[row["id"]].append(row)
    for rows in chains.values():
        statuses = (rows[0]["old_status"], *(r["new_status"] for r in rows))
        last = rows[-1]
        date = last["status_date"] or (last["detected_at"] or "")[:10] or None
        items.append(_item(last, pending, moved=True, statuses=statuses, status_date=date))
    ranked = [replace(item, rank=rank) for rank, item in enumerate(sorted(items, key=_order), 1)]
    marks: list[tuple[int, int | None, int]] = []
    for item in ranked:
        if item.change:
            marks += [(item.id, row["change_id"], item.rank) for row in chains[item.id]]
        else:
            marks += [(item.id, cid, item.rank) for cid in pending.change_ids.get(item.id, [])] or [
                (item.id, None, item.rank)]
    corrections, corrected = _corrections(pending)
    corrected += [(item.id, cid) for item in ranked if not item.change
                  for cid in pending.correction_ids.get(item.id, [])]  # a new one is told as it is now
    return DigestContent(recipient=recipient.address, generated_at=now, items=tuple(ranked), marks=tuple(marks),
                         corrections=tuple(corrections), corrected=tuple(corrected))


def _corrections(pending: Pending) -> tuple[list[Correction], list[tuple[int, int]]]:
    """One entry per corrected partnership (what the recipient was told, what it is now); those whose corrections
    cancelled out are marked as told but not shown."""
    chains: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in pending.corrections:
        chains[row["id"]].append(row)
    shown, told = [], []
    for partnership_id, rows in chains.items():
        told += [(partnership_id, r["correction_id"]) for r in rows]
        first, now = rows[0], rows[-1]
        codes = [c for c in now["participants"].split(",") if c]
        codes.sort(key=lambda c: c != HOME)
        was = heading(codes, pending.actors, type_=first["old_type"], status=first["old_status"],
                      instrument=first["old_instrument"])
        current = heading(codes, pending.actors, type_=now["type"], status=now["status"], instrument=now["instrument"])
        if now["mentions"] and current == was and first["old_mentions"]:
            continue
        shown.append(Correction(id=partnership_id, was=was, now=current if now["mentions"] else None))
    return shown, told


def _item(row: dict[str, Any], pending: Pending, *, moved: bool, statuses: tuple[str, ...] = (),
          status_date: str | None = None) -> Item:
    codes = [c for c in row["participants"].split(",") if c]
    codes.sort(key=lambda c: c != HOME)  # the EU first, the others in their stored order
    participants = tuple(Participant(code=c, name=(pending.actors.get(c) or {}).get("name") or c) for c in codes)
    articles = tuple(
        Source(url=s["url"], title=s["title"] or s["url"], publisher=s["publisher"],
               published=(s["published_at"] or "")[:10] or None)
        for s in pending.sources.get(row["id"], [])
    )
    return Item(
        id=row["id"], type=row["type"], status=row["status"], instrument=row["instrument"],
        heading=heading(codes, pending.actors, type_=row["type"], status=row["status"],
                        instrument=row["instrument"], statuses=statuses),
        participants=participants, date=row["first_reported"] or (row["first_seen"] or "")[:10] or None,
        evidence=row["best_evidence"], confidence=row["confidence"], mentions=row["mentions"],
        independent_sources=row["sources"], articles=articles, statuses=statuses, status_date=status_date,
        moved=moved,
    )
