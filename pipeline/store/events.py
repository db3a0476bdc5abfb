"""NLP output: entities and events per article, merged into partnerships in the same transaction.

Analysts' judgements and partnership fixes are applied as events are placed: an event carries the judgement in
force for its anchor (corrected fields replace what the extractor read, a wrong one joins no partnership), and
lands in the partnership its key is routed to (aliases, splits, merges). A change an analyst causes is recorded as a
correction of the partnership, not as a status change in the news.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import sqlite_utils

from pipeline.models import Analysis, Event
from pipeline.partnerships import EventRecord, partnership_key, summarise
from pipeline.review.rules import Fixes, Judgement, apply, attach, event_key, evidence_key
from pipeline.store.anchors import article_judgements, load_fixes, reattach
from pipeline.store.db import transaction, utc_now
from pipeline.store.summaries import refresh_summaries


@dataclass(frozen=True)
class Cause:
    """Why partnerships are being refreshed by hand: a judgement, its undoing, or a fix (merge, split, undo)."""

    cause: str  # judgement | undo | merge | split | unfix
    judgement_id: int | None = None
    fix_id: int | None = None


def save_analysis(
    db: sqlite_utils.Database,
    article_id: int,
    analysis: Analysis,
    *,
    version: str,
    key_of: Callable[[Event], str] = partnership_key,
    analysed_chars: int | None = None,
) -> int:
    """Replace an article's entities and events with ``analysis`` and update the partnerships they touch
    (identified by ``key_of``, the partnership key; tests may pass a simpler one). ``analysed_chars``: how much of
    a text that was cut for the NLP was read (None: all of it). Judgements of the article's earlier events are
    re-attached to the events recomputed for them (:func:`pipeline.review.rules.attach`).

    One transaction: a crash leaves either the old analysis or the new one. Returns the number of events stored.
    """
    now = utc_now()
    with transaction(db) as conn:
        touched = {
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT partnership_id FROM events WHERE article_id = ? AND partnership_id IS NOT NULL",
                (article_id,),
            )
        }
        judged = article_judgements(conn, article_id)
        fixes = load_fixes(conn)
        conn.execute("DELETE FROM entities WHERE article_id = ?", (article_id,))
        conn.execute("DELETE FROM events WHERE article_id = ?", (article_id,))
        conn.executemany(
            "INSERT INTO entities (article_id, text, label, actor_code, start_char, end_char)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(article_id, m.text, m.label, m.code, m.start, m.end) for m in analysis.entities],
        )
        attached = attach(judged, analysis.events)
        for index, read in enumerate(analysis.events):
            judgement = attached.get(index)
            event_id, partnership_id = _insert_event(conn, article_id, read, judgement, key_of, fixes,
                                                     version=version, now=now)
            if judgement is not None:
                reattach(conn, judgement, event_id, read)
            if partnership_id is not None:
                touched.add(partnership_id)
        for partnership_id in sorted(touched):
            _refresh_partnership(conn, partnership_id, now)
        conn.execute(
            "UPDATE articles SET nlp_status = 'done', nlp_error = NULL, processed_at = ?, extractor_version = ?,"
            " nlp_chars = ?, text_language = ? WHERE id = ?",
            (now, version, analysed_chars, getattr(analysis, "language", None), article_id),
        )
    return len(analysis.events)


def _insert_event(conn: sqlite3.Connection, article_id: int, read: Event, judgement: Judgement | None,
                  key_of: Callable[[Event], str], fixes: Fixes, *, version: str, now: str) -> tuple[int, int | None]:
    """Store one event as judged; returns (event id, partnership id or None)."""
    event = apply(read, judgement)
    verdict = judgement.verdict if judgement else None
    anchor = (article_id, evidence_key(read.evidence), event_key(read))
    partnership_id = _placement(conn, event, verdict, anchor, key_of, fixes, now)
    cursor = conn.execute(
        "INSERT INTO events (article_id, partnership_id, type, status, participants, instrument, negated,"
        " event_date, evidence, confidence, extractor_version, detected_at, verdict)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (article_id, partnership_id, event.type, event.status, ",".join(event.participants),
         event.instrument, int(event.negated), event.date.isoformat() if event.date else None,
         event.evidence, event.confidence, version, now, verdict),
    )
    _set_participants(conn, cursor.lastrowid, event.participants)
    return cursor.lastrowid, partnership_id


def _set_participants(conn: sqlite3.Connection, event_id: int, codes: Iterable[str]) -> None:
    conn.execute("DELETE FROM event_participants WHERE event_id = ?", (event_id,))
    conn.executemany("INSERT OR IGNORE INTO event_participants (event_id, actor_code) VALUES (?, ?)",
                     [(event_id, code) for code in codes])


def _placement(conn: sqlite3.Connection, event: Event, verdict: str | None, anchor: tuple[int, str, str],
               key_of: Callable[[Event], str], fixes: Fixes, now: str) -> int | None:
    """The partnership an event (as judged) belongs to: none when negated or judged wrong."""
    if verdict == "wrong" or event.negated:
        return None
    key = fixes.route(key_of(fixes.aliased(event)), event, anchor)
    return partnership_for(conn, key, event, now)


def update_event(conn: sqlite3.Connection, event_id: int, event: Event, verdict: str | None) -> None:
    """Overwrite an event's judged fields and verdict (then :func:`place_events` moves it where it belongs)."""
    conn.execute(
        "UPDATE events SET type = ?, status = ?, participants = ?, instrument = ?, negated = ?, verdict = ?"
        " WHERE id = ?",
        (event.type, event.status, ",".join(event.participants), event.instrument, int(event.negated), verdict,
         event_id),
    )
    _set_participants(conn, event_id, event.participants)


def stored_event(row: sqlite3.Row | dict) -> Event:
    """An ``events`` row as an Event (as judged)."""
    return Event(type=row["type"], status=row["status"], participants=tuple(row["participants"].split(",")),
                 instrument=row["instrument"], negated=bool(row["negated"]),
                 date=date.fromisoformat(row["event_date"]) if row["event_date"] else None,
                 evidence=row["evidence"], confidence=row["confidence"])


def place_events(conn: sqlite3.Connection, event_ids: Iterable[int], cause: Cause,
                 also_refresh: Iterable[int] = ()) -> set[int]:
    """Move each event to the partnership it now belongs to (after a judgement or a fix) and refresh every
    partnership touched, recording corrections. Returns the partnerships touched."""
    now = utc_now()
    fixes = load_fixes(conn)
    touched = set(also_refresh)
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row
    for event_id in event_ids:
        row = cursor.execute(
            "SELECT e.*, (SELECT j.event_key FROM judgements j WHERE j.event_id = e.id AND j.undone_at IS NULL"
            " ORDER BY j.id DESC LIMIT 1) AS judged_key FROM events e WHERE e.id = ?", (event_id,)).fetchone()
        if row is None:
            continue
        event = stored_event(row)
        anchor = (row["article_id"], evidence_key(row["evidence"]), row["judged_key"] or event_key(event))
        new = _placement(conn, event, row["verdict"], anchor, partnership_key, fixes, now)
        if new != row["partnership_id"]:
            conn.execute("UPDATE events SET partnership_id = ? WHERE id = ?", (new, event_id))
        touched.update(p for p in (row["partnership_id"], new) if p is not None)
    for partnership_id in sorted(touched):
        _refresh_partnership(conn, partnership_id, now, cause)
    return touched


def partnership_for(conn: sqlite3.Connection, key: str, event: Event, now: str) -> int:
    """The partnership with this key, created from ``event`` when there is none yet."""
    row = conn.execute("SELECT id FROM partnerships WHERE key = ?", (key,)).fetchone()
    if row:
        return row[0]
    cursor = conn.execute(
        "INSERT INTO partnerships (key, type, status, participants, instrument, first_seen, last_seen)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (key, event.type, event.status, ",".join(event.participants), event.instrument, now, now),
    )
    conn.executemany(
        "INSERT INTO partnership_participants (partnership_id, actor_code) VALUES (?, ?)",
        [(cursor.lastrowid, code) for code in event.participants],
    )
    conn.execute(
        "INSERT INTO partnership_status_changes (partnership_id, old_status, new_status, status_date, detected_at)"
        " VALUES (?, NULL, ?, NULL, ?)",
        (cursor.lastrowid, event.status, now),
    )
    return cursor.lastrowid


def _refresh_partnership(conn: sqlite3.Connection, partnership_id: int, now: str, cause: Cause | None = None) -> None:
    """Recompute a partnership's state from its events. News (``cause`` None) records a dated status change when
    it moves; an analyst's ``cause`` records a correction instead when what a reader sees of it changed."""
    before = conn.execute("SELECT type, status, instrument, mentions FROM partnerships WHERE id = ?",
                          (partnership_id,)).fetchone()
    events = [
        EventRecord(*row)
        for row in conn.execute(
            "SELECT e.id, e.type, e.status, e.instrument, e.evidence, e.confidence, e.detected_at,"
            " COALESCE(e.event_date, substr(a.published_at, 1, 10), substr(e.detected_at, 1, 10)),"
            " COALESCE(a.publisher, a.url)"
            " FROM events e JOIN articles a ON a.id = e.article_id WHERE e.partnership_id = ?",
            (partnership_id,),
        )
    ]
    if not events:
        conn.execute("UPDATE partnerships SET mentions = 0, sources = 0 WHERE id = ?", (partnership_id,))
    else:
        state = summarise(events)
        conn.execute(
            "UPDATE partnerships SET type = ?, status = ?, instrument = ?, mentions = ?, sources = ?,"
            " confidence = ?, best_evidence = ?, first_reported = ?, last_reported = ?, last_seen = ? WHERE id = ?",
            (state.type, state.status, state.instrument, state.mentions, state.sources, state.confidence,
             state.best_evidence, state.first_reported, state.last_reported, state.last_seen, partnership_id),
        )
        if state.status != before[1] and cause is None:
            conn.execute(
                "INSERT INTO partnership_status_changes (partnership_id, old_status, new_status, status_date,"
                " event_id, detected_at) VALUES (?, ?, ?, ?, ?, ?)",
                (partnership_id, before[1], state.status, state.status_event.on_date, state.status_event.event_id,
                 now),
            )
            conn.execute("UPDATE partnerships SET status_changed_at = ? WHERE id = ?", (now, partnership_id))
    if cause is not None:
        _record_correction(conn, partnership_id, tuple(before), cause, now)
    refresh_summaries(conn, partnership_id)


def _record_correction(conn: sqlite3.Connection, partnership_id: int, before: tuple, cause: Cause, now: str) -> None:
    """A row in ``partnership_corrections`` when type, status, instrument or being shown at all changed."""
    after = conn.execute("SELECT type, status, instrument, mentions FROM partnerships WHERE id = ?",
                         (partnership_id,)).fetchone()
    if before[:3] == tuple(after[:3]) and (before[3] > 0) == (after[3] > 0):
        return
    if not before[3] and not conn.execute("SELECT 1 FROM digest_items WHERE partnership_id = ? LIMIT 1",
                                          (partnership_id,)).fetchone():
        return  # hidden and never reported: nobody saw what it was
    conn.execute(
        "INSERT INTO partnership_corrections (partnership_id, cause, judgement_id, fix_id, old_type, old_status,"
        " old_instrument, old_mentions, new_type, new_status, new_instrument, new_mentions, corrected_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (partnership_id, cause.cause, cause.judgement_id, cause.fix_id, *before, *after, now),
    )
