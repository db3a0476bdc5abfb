"""NLP output: entities and events per article, merged into partnerships in the same transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlite_utils

from pipeline.models import Analysis, Event
from pipeline.partnerships import EventRecord, partnership_key, summarise
from pipeline.store.db import transaction, utc_now
from pipeline.store.summaries import refresh_summaries


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
    a text that was cut for the NLP was read (None: all of it).

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
        conn.execute("DELETE FROM entities WHERE article_id = ?", (article_id,))
        conn.execute("DELETE FROM events WHERE article_id = ?", (article_id,))
        conn.executemany(
            "INSERT INTO entities (article_id, text, label, actor_code, start_char, end_char)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(article_id, m.text, m.label, m.code, m.start, m.end) for m in analysis.entities],
        )
        for event in analysis.events:
            partnership_id = None if event.negated else _partnership_for(conn, key_of(event), event, now)
            cursor = conn.execute(
                "INSERT INTO events (article_id, partnership_id, type, status, participants, instrument, negated,"
                " event_date, evidence, confidence, extractor_version, detected_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (article_id, partnership_id, event.type, event.status, ",".join(event.participants),
                 event.instrument, int(event.negated), event.date.isoformat() if event.date else None,
                 event.evidence, event.confidence, version, now),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO event_participants (event_id, actor_code) VALUES (?, ?)",
                [(cursor.lastrowid, code) for code in event.participants],
            )
            if partnership_id is not None:
                touched.add(partnership_id)
        for partnership_id in sorted(touched):
            _refresh_partnership(conn, partnership_id, now)
        conn.execute(
            "UPDATE articles SET nlp_status = 'done', nlp_error = NULL, processed_at = ?, extractor_version = ?,"
            " nlp_chars = ? WHERE id = ?",
            (now, version, analysed_chars, article_id),
        )
    return len(analysis.events)


def _partnership_for(conn: sqlite3.Connection, key: str, event: Event, now: str) -> int:
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


def _refresh_partnership(conn: sqlite3.Connection, partnership_id: int, now: str) -> None:
    """Recompute a partnership's state from its events; record a dated status change when it moves."""
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
        refresh_summaries(conn, partnership_id)
        return
    old_status = conn.execute("SELECT status FROM partnerships WHERE id = ?", (partnership_id,)).fetchone()[0]
    state = summarise(events)
    conn.execute(
        "UPDATE partnerships SET type = ?, status = ?, instrument = ?, mentions = ?, sources = ?, confidence = ?,"
        " best_evidence = ?, first_reported = ?, last_reported = ?, last_seen = ? WHERE id = ?",
        (state.type, state.status, state.instrument, state.mentions, state.sources, state.confidence,
         state.best_evidence, state.first_reported, state.last_reported, state.last_seen, partnership_id),
    )
    if state.status != old_status:
        conn.execute(
            "INSERT INTO partnership_status_changes (partnership_id, old_status, new_status, status_date, event_id,"
            " detected_at) VALUES (?, ?, ?, ?, ?, ?)",
            (partnership_id, old_status, state.status, state.status_event.on_date, state.status_event.event_id, now),
        )
        conn.execute("UPDATE partnerships SET status_changed_at = ? WHERE id = ?", (now, partnership_id))
    refresh_summaries(conn, partnership_id)
