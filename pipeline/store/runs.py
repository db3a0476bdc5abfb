"""The runs table: one row per cycle (start, end, counts, the pid that ran it), read by ``pactwatch status``."""

from __future__ import annotations

import os
from typing import Any

import sqlite_utils

from pipeline.store.db import transaction, utc_now


def start_run(db: sqlite_utils.Database, kind: str = "cycle") -> int:
    """Record a run as started (status 'running', with this process's pid) and return its id."""
    with transaction(db) as conn:
        return conn.execute("INSERT INTO runs (started_at, kind, pid) VALUES (?, ?, ?)",
                            (utc_now(), kind, os.getpid())).lastrowid


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


def process_alive(pid: int | None) -> bool:
    """Whether a process with this pid runs on this machine (None, from before pids were recorded: no)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def close_interrupted_runs(db: sqlite_utils.Database) -> int:
    """Runs left 'running' by a process that is gone (``kill -9``, power loss) are marked 'interrupted'.

    Runs whose process still runs (a ``run --once`` beside the daemon) are left alone."""
    running = [(run_id, pid) for run_id, pid in db.execute("SELECT id, pid FROM runs WHERE status = 'running'")]
    dead = [run_id for run_id, pid in running if not process_alive(pid)]
    if not dead:
        return 0
    with transaction(db) as conn:
        conn.executemany("UPDATE runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?),"
                         " message = COALESCE(message, 'its process ended without finishing it')"
                         " WHERE id = ? AND status = 'running'", [(utc_now(), run_id) for run_id in dead])
    return len(dead)


def last_runs(db: sqlite_utils.Database, limit: int = 5) -> list[dict[str, Any]]:
    """The latest runs, newest first; a 'running' run whose process is gone reads as 'interrupted' (read-only
    callers cannot mark it; the next command that writes does)."""
    runs = [dict(r) for r in db.query("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))]
    for run in runs:
        if run["status"] == "running" and not process_alive(run.get("pid")):
            run["status"] = "interrupted"
    return runs
