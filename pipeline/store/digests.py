"""Digests: what each recipient has not been told yet, and the record of every digest sent, found empty or failed.

``digest_items`` is the memory that makes delivery exactly-once: a partnership reaches a recipient once (its rows
for that recipient exist only after a send succeeded) and each later status change once more. A partnership is
marked with all its status-change ids at the time it is reported (or one NULL row if it has none), so the changes
it went through before the recipient heard of it are never reported as news.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from pipeline.store.db import transaction

_CHUNK = 500
DIGEST_DONE = ("sent", "empty")  # statuses that count as "the recipient's last digest"


@dataclass(frozen=True)
class DigestFilter:
    """A recipient's filters: actor codes (any participant), event types, lowest confidence. Empty keeps all.

    ``reported_since`` (YYYY-MM-DD) is the backfill horizon: a partnership whose latest news is older is left out,
    unless pactwatch first detected it at or after ``joined`` (the recipient's first digest). None: no horizon.
    """

    countries: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    min_confidence: float = 0.0
    reported_since: str | None = None
    joined: str | None = None

    def sql(self) -> tuple[str, list[Any]]:
        where, params = "", []
        if self.reported_since:
            where += " AND (COALESCE(p.last_reported, substr(p.first_seen, 1, 10)) >= ? OR p.first_seen >= ?)"
            params += [self.reported_since, self.joined]
        if self.countries:
            marks = ",".join("?" * len(self.countries))
            where += f" AND p.id IN (SELECT partnership_id FROM partnership_participants WHERE actor_code IN ({marks}))"
            params += [c.upper() for c in self.countries]
        if self.types:
            where += f" AND p.type IN ({','.join('?' * len(self.types))})"
            params += list(self.types)
        if self.min_confidence > 0:
            where += " AND COALESCE(p.confidence, 0) >= ?"
            params.append(self.min_confidence)
        return where, params


@dataclass
class Pending:
    """What a recipient has not been told: new partnerships and status changes of known ones, with their sources."""

    partnerships: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    change_ids: dict[int, list[int]] = field(default_factory=dict)  # new partnership id -> its status-change ids
    moved: set[int] = field(default_factory=set)  # new partnerships whose status changed since first seen
    sources: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # partnership id -> source articles
    corrections: list[dict[str, Any]] = field(default_factory=list)  # analysts' corrections of known partnerships
    correction_ids: dict[int, list[int]] = field(default_factory=dict)  # new partnership id -> its corrections
    actors: dict[str, dict[str, Any]] = field(default_factory=dict)


_COLUMNS = ("p.id, p.type, p.status, p.participants, p.instrument, p.first_seen, p.last_seen, p.first_reported,"
            " p.last_reported, p.mentions, p.sources, p.confidence, p.best_evidence")
_KNOWN = "EXISTS (SELECT 1 FROM digest_items k WHERE k.recipient = ? AND k.partnership_id = p.id)"


def pending_for(db: sqlite_utils.Database, recipient: str, filters: DigestFilter) -> Pending:
    """Partnerships never reported to ``recipient`` and status changes of those already reported, filtered;
    and analysts' corrections of partnerships already reported (whatever the filters, withdrawn ones included).

    Hidden partnerships (no mentions left) are never included as news.
    """
    where, params = filters.sql()
    pending = Pending()
    with transaction(db, write=False) as conn:  # partnerships and their marked changes agree
        pending.partnerships = [dict(r) for r in _rows(
            conn, f"SELECT {_COLUMNS} FROM partnerships p WHERE p.mentions > 0 AND NOT {_KNOWN}{where}"
            " ORDER BY p.first_seen, p.id", [recipient, *params])]
        pending.changes = [dict(r) for r in _rows(
            conn, f"SELECT c.id AS change_id, c.old_status, c.new_status, c.status_date, c.detected_at, {_COLUMNS}"
            " FROM partnership_status_changes c JOIN partnerships p ON p.id = c.partnership_id"
            f" WHERE p.mentions > 0 AND c.old_status IS NOT NULL AND {_KNOWN}"
            " AND NOT EXISTS (SELECT 1 FROM digest_items d WHERE d.recipient = ? AND d.partnership_id = p.id"
            f" AND d.status_change_id = c.id){where} ORDER BY p.id, c.id", [recipient, recipient, *params])]
        pending.corrections = [dict(r) for r in _rows(
            conn, "SELECT c.id AS correction_id, c.cause, c.old_type, c.old_status, c.old_instrument, c.old_mentions,"
            f" c.corrected_at, {_COLUMNS} FROM partnership_corrections c JOIN partnerships p ON p.id = c.partnership_id"
            f" WHERE {_KNOWN} AND NOT EXISTS (SELECT 1 FROM digest_items d WHERE d.recipient = ?"
            " AND d.correction_id = c.id) ORDER BY p.id, c.id", [recipient, recipient])]
        new_ids = [p["id"] for p in pending.partnerships]
        for chunk in _chunks(new_ids):
            for row in conn.execute(
                "SELECT partnership_id, id, old_status IS NOT NULL FROM partnership_status_changes"
                f" WHERE partnership_id IN ({','.join('?' * len(chunk))}) ORDER BY id", chunk):
                pending.change_ids.setdefault(row[0], []).append(row[1])
                if row[2]:
                    pending.moved.add(row[0])
            for row in conn.execute(f"SELECT partnership_id, id FROM partnership_corrections WHERE partnership_id"
                                    f" IN ({','.join('?' * len(chunk))}) ORDER BY id", chunk):
                pending.correction_ids.setdefault(row[0], []).append(row[1])
        for chunk in _chunks(sorted(set(new_ids) | {c["id"] for c in pending.changes})):
            for row in _rows(
                conn, "SELECT DISTINCT e.partnership_id, a.id AS article_id, a.url, a.title, a.publisher,"
                " a.published_at FROM events e JOIN articles a ON a.id = e.article_id"
                f" WHERE e.negated = 0 AND e.partnership_id IN ({','.join('?' * len(chunk))})"
                " ORDER BY COALESCE(a.published_at, a.first_seen_at), a.id", chunk):
                pending.sources.setdefault(row["partnership_id"], []).append(dict(row))
        pending.actors = {r["code"]: dict(r) for r in _rows(conn, "SELECT code, name, kind, iso2 FROM actors")}
    return pending


def _rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row
    return cursor.execute(sql, params)


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start:start + _CHUNK])


def last_digest_at(db: sqlite_utils.Database, recipient: str) -> str | None:
    """When the recipient's last digest (sent, or found nothing new) started; failed ones do not count."""
    return _digest_time(db, recipient, "max")


def first_digest_at(db: sqlite_utils.Database, recipient: str) -> str | None:
    """When the recipient's first digest (sent, or found nothing new) started: when they joined."""
    return _digest_time(db, recipient, "min")


def _digest_time(db: sqlite_utils.Database, recipient: str, which: str) -> str | None:
    marks = ",".join("?" * len(DIGEST_DONE))
    row = db.execute(f"SELECT {which}(started_at) FROM digests WHERE recipient = ? AND status IN ({marks})",
                     [recipient, *DIGEST_DONE]).fetchone()
    return row[0] if row else None


def begin_digest(db: sqlite_utils.Database, recipient: str, *, now: str, stale_before: str) -> int | None:
    """Claim the recipient for one send: a ``sending`` row. None if another send started after ``stale_before``.

    Older ``sending`` rows (a crash mid-send) become ``interrupted``.
    """
    with transaction(db) as conn:
        busy = conn.execute("SELECT 1 FROM digests WHERE recipient = ? AND status = 'sending' AND started_at >= ?",
                            (recipient, stale_before)).fetchone()
        if busy:
            return None
        conn.execute("UPDATE digests SET status = 'interrupted', error = 'the process stopped while sending'"
                     " WHERE recipient = ? AND status = 'sending'", (recipient,))
        cursor = conn.execute("INSERT INTO digests (recipient, started_at, status) VALUES (?, ?, 'sending')",
                              (recipient, now))
        return cursor.lastrowid


def finish_digest(
    db: sqlite_utils.Database,
    digest_id: int,
    *,
    status: str,
    sent_at: str | None = None,
    partnerships: int = 0,
    status_changes: int = 0,
    message_id: str | None = None,
    error: str | None = None,
    items: Iterable[tuple[int, int | None, int | None]] = (),
    corrections: int = 0,
    corrected: Iterable[tuple[int, int]] = (),
) -> None:
    """Close a digest row and mark ``items`` (partnership id, status-change id or None, rank in the digest) and
    ``corrected`` (partnership id, correction id) as told, in one transaction."""
    with transaction(db) as conn:
        conn.execute(
            "UPDATE digests SET status = ?, sent_at = ?, partnerships = ?, status_changes = ?, message_id = ?,"
            " error = ?, corrections = ? WHERE id = ?",
            (status, sent_at, partnerships, status_changes, message_id, error, corrections, digest_id))
        recipient = conn.execute("SELECT recipient FROM digests WHERE id = ?", (digest_id,)).fetchone()[0]
        for partnership_id, change_id, rank in items:
            exists = conn.execute(
                "SELECT 1 FROM digest_items WHERE recipient = ? AND partnership_id = ? AND status_change_id IS ?"
                " AND correction_id IS NULL", (recipient, partnership_id, change_id)).fetchone()
            if not exists:
                conn.execute("INSERT INTO digest_items (digest_id, recipient, partnership_id, status_change_id, rank)"
                             " VALUES (?, ?, ?, ?, ?)", (digest_id, recipient, partnership_id, change_id, rank))
        conn.executemany("INSERT INTO digest_items (digest_id, recipient, partnership_id, correction_id)"
                         " VALUES (?, ?, ?, ?)", [(digest_id, recipient, p, c) for p, c in corrected])


def record_digest(db: sqlite_utils.Database, recipient: str, *, status: str, started_at: str,
                  sent_at: str | None = None, partnerships: int = 0, status_changes: int = 0,
                  message_id: str | None = None, error: str | None = None) -> int:
    """Insert a finished digest row that marks nothing (``empty``, or a ``test`` send to another address)."""
    with transaction(db) as conn:
        cursor = conn.execute(
            "INSERT INTO digests (recipient, started_at, sent_at, status, partnerships, status_changes, message_id,"
            " error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (recipient, started_at, sent_at, status, partnerships, status_changes, message_id, error))
        return cursor.lastrowid

