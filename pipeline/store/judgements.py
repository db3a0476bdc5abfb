"""Analysts' judgements of events: record one, undo one, and the review queue.

A judgement row keeps the anchor (article, evidence sentence, event key as read), the verdict, the corrected fields
(``corrected_fields`` names them; an instrument set to nothing is a named field with an empty value), what the
extractor read, who and when. The latest row of an anchor that is not undone is in force; undoing it restores the
one before, or what the extractor read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from pipeline.errors import UsageError
from pipeline.models import Event
from pipeline.review.rules import VERDICTS, apply, check_fields, event_key
from pipeline.store.anchors import JUDGEMENT_COLUMNS, in_force, judgement_of
from pipeline.store.db import transaction, utc_now
from pipeline.store.events import Cause, place_events, stored_event, update_event

_QUEUE = (
    "SELECT e.id, e.type, e.status, e.participants, e.instrument, e.negated, e.event_date, e.evidence,"
    " e.confidence, e.partnership_id, e.article_id, e.verdict, e.extractor_version, a.title AS article_title,"
    " a.url AS article_url, COALESCE(a.sitename, a.publisher) AS article_source, a.published_at AS article_published,"
    " a.text AS article_text, p.first_seen AS partnership_first_seen, p.mentions AS partnership_mentions"
    " FROM events e JOIN articles a ON a.id = e.article_id LEFT JOIN partnerships p ON p.id = e.partnership_id"
)
_ORDER = (" ORDER BY EXISTS (SELECT 1 FROM digest_items d WHERE d.partnership_id = e.partnership_id),"
          " e.confidence, COALESCE(p.first_seen, e.detected_at) DESC, e.id")


def _dicts(conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row
    return [dict(r) for r in cursor.execute(sql, tuple(params))]


def review_queue(db: sqlite_utils.Database, *, limit: int = 1, skip: Iterable[int] = ()) -> list[dict[str, Any]]:
    """Events nobody judged: those of partnerships not yet in any digest first, then lowest confidence first,
    then the newest partnership; with their article's title, source, date and text. ``skip``: event ids left out."""
    skipped = sorted(set(skip))
    where = f" AND e.id NOT IN ({','.join('?' * len(skipped))})" if skipped else ""
    return _dicts(db.conn, f"{_QUEUE} WHERE e.verdict IS NULL{where}{_ORDER} LIMIT ?", [*skipped, int(limit)])


def unjudged_count(db: sqlite_utils.Database) -> int:
    """Events waiting for a judgement."""
    return db.execute("SELECT count(*) FROM events WHERE verdict IS NULL").fetchone()[0]


def event_for_review(db: sqlite_utils.Database, event_id: int) -> dict[str, Any] | None:
    """One event with what the review shows of it (as the queue gives it), judged or not."""
    rows = _dicts(db.conn, f"{_QUEUE} WHERE e.id = ?", [event_id])
    return rows[0] if rows else None


def judgements_of(db: sqlite_utils.Database, event_id: int) -> list[dict[str, Any]]:
    """Every judgement attached to an event, oldest first (undone ones too)."""
    return _dicts(db.conn, f"SELECT {JUDGEMENT_COLUMNS} FROM judgements WHERE event_id = ? ORDER BY id", [event_id])


def _read(row: sqlite3.Row | dict[str, Any], judged: sqlite3.Row | dict[str, Any] | None) -> Event:
    """What the extractor read for an event: the stored event, or a judgement's record of it."""
    event = stored_event(row)
    if judged is None:
        return event
    return Event(type=judged["extracted_type"], status=judged["extracted_status"],
                 participants=tuple(judged["extracted_participants"].split(",")),
                 instrument=judged["extracted_instrument"], negated=bool(judged["extracted_negated"]),
                 date=event.date, evidence=event.evidence, confidence=event.confidence)


def record_judgement(db: sqlite_utils.Database, event_id: int, verdict: str, fields: dict[str, Any] | None = None,
                     *, judged_by: str, note: str | None = None) -> int:
    """Judge an event (correct, wrong, or corrected with ``fields``; a further correction adds to the one in force)
    and move it where it now belongs, in one transaction. Returns the judgement id."""
    if verdict not in VERDICTS:
        raise UsageError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    try:
        values = check_fields(fields or {})
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if (verdict == "corrected") != bool(values):
        raise UsageError("a correction names the fields it sets (status=signed ...), and only a correction does")
    with transaction(db) as conn:
        row = _event_row(conn, event_id)
        current = in_force(conn, event_id)
        read = _read(row, current)
        if verdict == "corrected" and current is not None and current["verdict"] == "corrected":
            values = {**dict(judgement_of(current).fields), **values}  # a further correction keeps the earlier one
        columns = {name: values.get(name) for name in ("type", "status", "instrument")}
        participants = ",".join(values["participants"]) if "participants" in values else None
        negated = int(values["negated"]) if "negated" in values else None
        cursor = conn.execute(
            "INSERT INTO judgements (event_id, article_id, evidence, event_key, verdict, type, status, participants,"
            " instrument, negated, corrected_fields, extracted_type, extracted_status, extracted_participants,"
            " extracted_instrument, extracted_negated, judged_by, judged_at, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event_id, row["article_id"], current["evidence"] if current else row["evidence"],
             current["event_key"] if current else event_key(read), verdict, columns["type"], columns["status"],
             participants, columns["instrument"], negated, ",".join(values) or None, read.type, read.status,
             ",".join(read.participants), read.instrument, int(read.negated), judged_by, utc_now(), note or None),
        )
        judgement_id = cursor.lastrowid
        judged = in_force(conn, event_id)
        update_event(conn, event_id, apply(read, judgement_of(judged)), verdict)  # type: ignore[arg-type]
        place_events(conn, [event_id], Cause("judgement", judgement_id=judgement_id))
    return judgement_id


def undo_judgement(db: sqlite_utils.Database, judgement_id: int) -> int | None:
    """Undo a judgement: the one before it on the same event is in force again, else what the extractor read.
    Returns the event it applied to (None if it applied to none now)."""
    with transaction(db) as conn:
        found = _dicts(conn, f"SELECT {JUDGEMENT_COLUMNS} FROM judgements WHERE id = ?", [judgement_id])
        target = found[0] if found else None
        if target is None or target["undone_at"]:
            raise UsageError(f"no judgement {judgement_id} in force to undo")
        conn.execute("UPDATE judgements SET undone_at = ? WHERE id = ?", (utc_now(), judgement_id))
        event_id = target["event_id"]
        if event_id is None:
            return None
        row = _event_row(conn, event_id)
        read = _read(row, target)
        standing = in_force(conn, event_id)
        event = apply(read, judgement_of(standing)) if standing else read
        update_event(conn, event_id, event, standing["verdict"] if standing else None)
        place_events(conn, [event_id], Cause("undo", judgement_id=judgement_id))
    return event_id


def judgement_in_force(db: sqlite_utils.Database, event_id: int) -> int | None:
    """The id of the judgement in force on an event, if any."""
    row = in_force(db.conn, event_id)
    return row["id"] if row else None


def last_judgement(db: sqlite_utils.Database, judged_by: str) -> int | None:
    """The latest judgement in force made by ``judged_by`` (what an "undo" button undoes)."""
    row = db.execute("SELECT max(id) FROM judgements WHERE judged_by = ? AND undone_at IS NULL",
                     (judged_by,)).fetchone()
    return row[0] if row else None


def _event_row(conn: sqlite3.Connection, event_id: int) -> dict[str, Any]:
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row
    row = cursor.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
    if row is None:
        raise UsageError(f"no event {event_id} (pactwatch events lists them; reprocess renumbers them)")
    return dict(row)



def judged_articles(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Articles with at least one judged event: id, url, title, published_at, text, ``events`` (all of them, as
    judged, with ``verdict`` and the note of the judgement in force) and ``actors`` (actor codes the NLP found)."""
    articles = _dicts(db.conn, "SELECT a.id, a.url, a.title, a.published_at, a.text FROM articles a"
                               " WHERE EXISTS (SELECT 1 FROM events e WHERE e.article_id = a.id"
                               " AND e.verdict IS NOT NULL) ORDER BY a.id")
    for article in articles:
        article["events"] = _dicts(db.conn, (
            "SELECT e.id, e.type, e.status, e.participants, e.instrument, e.negated, e.evidence, e.verdict,"
            " (SELECT j.note FROM judgements j WHERE j.event_id = e.id AND j.undone_at IS NULL ORDER BY j.id DESC"
            " LIMIT 1) AS note FROM events e WHERE e.article_id = ? ORDER BY e.id"), [article["id"]])
        article["actors"] = [r[0] for r in db.execute(
            "SELECT DISTINCT actor_code FROM entities WHERE article_id = ? AND actor_code IS NOT NULL"
            " AND label IN ('COUNTRY', 'BLOC', 'REGION', 'ORG') ORDER BY actor_code", (article["id"],))]
    return articles
