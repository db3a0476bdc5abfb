"""The runs table: one row per cycle (start, end, counts), read by ``pactwatch status``."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from pipeline.store.db import transaction, utc_now


def start_run(db: sqlite_utils.Database, kind: str = "cycle") -> int:
    """Record a run as started (status 'running') and return its id."""
    with transaction(db) as conn:
        return conn.execute("INSERT INTO runs (started_at, kind) VALUES (?, ?)", (utc_now(), kind)).lastrowid


def finish_run(db: sqlite_utils.Database, run_id: int, *, status: str = "ok", message: str | None = None,
               **counts: int) -> None:
    """Close a run with its counts (feeds_polled, feeds_failed, new_articles, new_events, errors)."""
    allowed = {"feeds_polled", "feeds_failed", "new_articles", "new_events", "errors"}
    assert set(counts) <= allowed, counts
    sets = "".join(f", {name} = ?" for name in counts)
    with transaction(db) as conn:
        conn.execute(
            f"UPDATE runs SET finished_at = ?, status = ?, message = ?{sets} WHERE id = ?",
            (utc_now(), status, message, *counts.values(), run_id),
        )


def close_interrupted_runs(db: sqlite_utils.Database) -> int:
    """Runs left 'running' by a killed process are marked 'interrupted' (called at start)."""
    with transaction(db) as conn:
        return conn.execute(
            "UPDATE runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?) WHERE status = 'running'",
            (utc_now(),),
        ).rowcount


def last_runs(db: sqlite_utils.Database, limit: int = 5) -> list[dict[str, Any]]:
    """The latest runs, newest first."""
    return [dict(r) for r in db.query("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))]
