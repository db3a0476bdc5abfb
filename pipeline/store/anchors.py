"""Reading what analysts decided, as the placement of events needs it: judgements in force per article, and the
partnership fixes (aliases, splits, merges) in force. Also re-attaching judgements to recomputed events."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Any

from pipeline.models import Event
from pipeline.review.rules import FIELDS, Fixes, Judgement, Split, event_key, evidence_key

JUDGEMENT_COLUMNS = ("id, event_id, article_id, evidence, event_key, verdict, type, status, participants, instrument,"
                     " negated, corrected_fields, extracted_type, extracted_status, extracted_participants,"
                     " extracted_instrument, extracted_negated, judged_by, judged_at, note, undone_at")


def _rows(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row
    return cursor.execute(sql, params).fetchall()


def judgement_of(row: sqlite3.Row | dict[str, Any], members: tuple[int, ...] = ()) -> Judgement:
    """A ``judgements`` row as the rules see it: its anchor and the fields it corrected."""
    names = [n for n in (row["corrected_fields"] or "").split(",") if n in FIELDS]
    fields = []
    for name in names:
        value = row[name]
        if name == "participants":
            value = tuple(c for c in (value or "").split(",") if c)
        elif name == "negated":
            value = bool(value)
        fields.append((name, value))
    return Judgement(id=row["id"], verdict=row["verdict"], evidence=row["evidence"], event_key=row["event_key"],
                     fields=tuple(fields), members=members or (row["id"],))


def article_judgements(conn: sqlite3.Connection, article_id: int) -> list[Judgement]:
    """The judgement in force (latest not undone) for each anchor judged in this article."""
    groups: dict[tuple[str, str], list[sqlite3.Row]] = defaultdict(list)
    for row in _rows(conn, f"SELECT {JUDGEMENT_COLUMNS} FROM judgements WHERE article_id = ? ORDER BY id",
                     (article_id,)):
        groups[(evidence_key(row["evidence"]), row["event_key"])].append(row)
    found = []
    for rows in groups.values():
        standing = [r for r in rows if r["undone_at"] is None]
        if standing:
            found.append(judgement_of(standing[-1], tuple(r["id"] for r in rows)))
    return found


def in_force(conn: sqlite3.Connection, event_id: int) -> sqlite3.Row | None:
    """The judgement in force on an event, if any."""
    rows = _rows(conn, f"SELECT {JUDGEMENT_COLUMNS} FROM judgements WHERE event_id = ? AND undone_at IS NULL"
                       " ORDER BY id DESC LIMIT 1", (event_id,))
    return rows[0] if rows else None


def reattach(conn: sqlite3.Connection, judgement: Judgement, event_id: int, read: Event) -> None:
    """Point every row of a judged anchor at the event recomputed for it, recording what the extractor now read
    (the anchor follows it, so the next analysis finds it first time)."""
    marks = ",".join("?" * len(judgement.members))
    conn.execute(
        "UPDATE judgements SET event_id = ?, event_key = ?, evidence = ?, extracted_type = ?, extracted_status = ?,"
        " extracted_participants = ?, extracted_instrument = ?, extracted_negated = ?"
        f" WHERE id IN ({marks})",
        (event_id, event_key(read), read.evidence, read.type, read.status, ",".join(read.participants),
         read.instrument, int(read.negated), *judgement.members),
    )


def load_fixes(conn: sqlite3.Connection) -> Fixes:
    """The partnership fixes in force: aliases, splits (oldest first) and merges."""
    aliases = {r[0]: r[1] for r in conn.execute("SELECT wording, instrument FROM instrument_aliases")}
    merges, splits = {}, []
    anchors: dict[int, set[tuple[int, str, str]]] = defaultdict(set)
    for fix_id, article_id, evidence, key in conn.execute(
            "SELECT m.fix_id, m.article_id, m.evidence, m.event_key FROM partnership_fix_events m"
            " JOIN partnership_fixes f ON f.id = m.fix_id WHERE f.undone_at IS NULL"):
        anchors[fix_id].add((article_id, evidence_key(evidence), key))
    for fix_id, kind, from_key, into_key, wordings in conn.execute(
            "SELECT id, kind, from_key, into_key, wordings FROM partnership_fixes WHERE undone_at IS NULL ORDER BY id"):
        if kind == "merge":
            merges[from_key] = into_key
        else:
            splits.append(Split(from_key, into_key, frozenset(w for w in (wordings or "").split("|") if w),
                                frozenset(anchors[fix_id])))
    return Fixes(aliases=aliases, splits=tuple(splits), merges=merges)
