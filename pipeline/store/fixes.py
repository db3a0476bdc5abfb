"""Partnership fixes: merge two partnerships that are one agreement, split one that holds two, undo either.

A fix is a rule on partnership keys, so it holds for events recomputed by ``pactwatch reprocess`` and for new
articles: a merge sends every event keyed like the merged partnership to the other one; a split sends the events
chosen (by anchor) and later ones worded like them to a new partnership. A merge may also make the merged wordings
aliases of the registry instrument the other partnership names (``instrument_aliases``).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

from pipeline.errors import UsageError
from pipeline.review.rules import event_key, fold_wording
from pipeline.store.anchors import load_fixes
from pipeline.store.db import transaction, utc_now
from pipeline.store.events import Cause, partnership_for, place_events, stored_event


def _partnership(conn: sqlite3.Connection, partnership_id: int) -> dict[str, Any]:
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row
    row = cursor.execute("SELECT * FROM partnerships WHERE id = ?", (partnership_id,)).fetchone()
    if row is None:
        raise UsageError(f"no partnership {partnership_id} (pactwatch partnerships lists them)")
    return dict(row)


def _event_ids(conn: sqlite3.Connection, partnership_id: int) -> list[int]:
    return [r[0] for r in conn.execute("SELECT id FROM events WHERE partnership_id = ? ORDER BY id", (partnership_id,))]


def _registry_name(instrument: str | None, participants: str) -> str:
    from pipeline.nlp.instruments import lookup

    item = lookup(instrument, tuple(participants.split(",")))
    if item is None:
        raise UsageError(f"{instrument or 'this partnership'!r} is not an instrument of the registry"
                         " (models/instruments.jsonl): merge without --alias")
    return item.canonical


def merge_partnerships(db: sqlite_utils.Database, partnership_id: int, into_id: int, *, made_by: str,
                       note: str | None = None, alias: bool = False) -> int:
    """Merge ``partnership_id`` into ``into_id``: its events now and every later event keyed like it land in
    ``into_id``. With ``alias``, its instrument wordings become aliases of ``into_id``'s registry instrument.
    Returns the fix id."""
    if partnership_id == into_id:
        raise UsageError("a partnership cannot be merged into itself")
    with transaction(db) as conn:
        merged, into = _partnership(conn, partnership_id), _partnership(conn, into_id)
        if load_fixes(conn).follow(into["key"]) == merged["key"]:
            raise UsageError(f"partnership {into_id} is already merged into {partnership_id}")
        now = utc_now()
        cursor = conn.execute(
            "INSERT INTO partnership_fixes (kind, partnership_id, into_partnership_id, from_key, into_key, made_by,"
            " made_at, note) VALUES ('merge', ?, ?, ?, ?, ?, ?, ?)",
            (partnership_id, into_id, merged["key"], into["key"], made_by, now, note or None))
        fix_id = cursor.lastrowid
        if alias:
            canonical = _registry_name(into["instrument"], into["participants"])
            wordings = {fold_wording(r[0]) for r in conn.execute(
                "SELECT DISTINCT instrument FROM events WHERE partnership_id = ? AND instrument IS NOT NULL",
                (partnership_id,))} - {"", fold_wording(canonical)}
            conn.executemany(
                "INSERT OR REPLACE INTO instrument_aliases (wording, instrument, fix_id, added_by, added_at)"
                " VALUES (?, ?, ?, ?, ?)", [(w, canonical, fix_id, made_by, now) for w in sorted(wordings)])
        place_events(conn, _event_ids(conn, partnership_id), Cause("merge", fix_id=fix_id),
                     also_refresh=(partnership_id, into_id))
    return fix_id


def split_partnership(db: sqlite_utils.Database, partnership_id: int, event_ids: list[int], *, made_by: str,
                      note: str | None = None) -> tuple[int, int]:
    """Move ``event_ids`` (events of ``partnership_id``) to a new partnership; later events worded like them (and
    unlike those that stay) follow. Returns (fix id, new partnership id)."""
    with transaction(db) as conn:
        source = _partnership(conn, partnership_id)
        cursor = conn.cursor()
        cursor.row_factory = sqlite3.Row
        rows = [dict(r) for r in cursor.execute(
            "SELECT e.*, (SELECT j.event_key FROM judgements j WHERE j.event_id = e.id AND j.undone_at IS NULL"
            " ORDER BY j.id DESC LIMIT 1) AS judged_key FROM events e WHERE e.partnership_id = ?", (partnership_id,))]
        moving = [r for r in rows if r["id"] in set(event_ids)]
        if len(moving) != len(set(event_ids)) or not moving or len(moving) == len(rows):
            raise UsageError(f"name some, not all, of the events of partnership {partnership_id}"
                             f" ({', '.join(str(r['id']) for r in rows)})")
        staying = {fold_wording(r["instrument"]) for r in rows if r not in moving}
        wordings = {fold_wording(r["instrument"]) for r in moving} - staying - {""}
        now = utc_now()
        fix_id = conn.execute(
            "INSERT INTO partnership_fixes (kind, partnership_id, into_partnership_id, from_key, into_key, wordings,"
            " made_by, made_at, note) VALUES ('split', ?, ?, ?, '', ?, ?, ?, ?)",
            (partnership_id, partnership_id, source["key"], "|".join(sorted(wordings)) or None, made_by, now,
             note or None)).lastrowid
        into_key = f"{source['key']}/split {fix_id}"
        new_id = partnership_for(conn, into_key, stored_event(moving[0]), now)
        conn.execute("UPDATE partnership_fixes SET into_key = ?, into_partnership_id = ? WHERE id = ?",
                     (into_key, new_id, fix_id))
        conn.executemany(
            "INSERT INTO partnership_fix_events (fix_id, article_id, evidence, event_key) VALUES (?, ?, ?, ?)",
            [(fix_id, r["article_id"], r["evidence"], r["judged_key"] or event_key(stored_event(r)))
             for r in moving])
        place_events(conn, [r["id"] for r in moving], Cause("split", fix_id=fix_id),
                     also_refresh=(partnership_id, new_id))
    return fix_id, new_id


def undo_fix(db: sqlite_utils.Database, fix_id: int) -> None:
    """Undo a merge or split: its events go back where their keys lead without it; aliases it added go."""
    with transaction(db) as conn:
        row = conn.execute("SELECT partnership_id, into_partnership_id, undone_at FROM partnership_fixes"
                           " WHERE id = ?", (fix_id,)).fetchone()
        if row is None or row[2]:
            raise UsageError(f"no fix {fix_id} in force to undo (pactwatch fix list shows them)")
        conn.execute("UPDATE partnership_fixes SET undone_at = ? WHERE id = ?", (utc_now(), fix_id))
        conn.execute("DELETE FROM instrument_aliases WHERE fix_id = ?", (fix_id,))
        place_events(conn, _event_ids(conn, row[1]), Cause("unfix", fix_id=fix_id), also_refresh=row[:2])


def list_fixes(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every fix, newest first, with the aliases it added."""
    return [dict(r) for r in db.query(
        "SELECT f.id, f.kind, f.partnership_id, f.into_partnership_id, f.wordings, f.made_by, f.made_at, f.note,"
        " f.undone_at, (SELECT group_concat(wording || ' = ' || instrument, '; ') FROM instrument_aliases a"
        " WHERE a.fix_id = f.id) AS aliases FROM partnership_fixes f ORDER BY f.id DESC")]
