"""Housekeeping for a long-running database: raw HTML retention, WAL checkpoint, ``PRAGMA optimize``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlite_utils

from pipeline.store.db import to_utc_iso, transaction


@dataclass
class MaintenanceReport:
    raw_html_purged: int = 0
    wal_pages: int = 0  # frames in the WAL before the checkpoint
    wal_checkpointed: int = 0  # frames moved into the database
    wal_busy: bool = False  # a reader kept the checkpoint from finishing

    def summary(self) -> str:
        return (f"maintenance done: raw HTML dropped from {self.raw_html_purged} articles, WAL checkpoint"
                f" {self.wal_checkpointed}/{self.wal_pages} frames{' (busy)' if self.wal_busy else ''}, optimized")


def purge_raw_html(db: sqlite_utils.Database, *, older_than_days: int, now: datetime | None = None,
                   batch: int = 500) -> int:
    """Drop stored raw HTML of pages fetched more than ``older_than_days`` ago (0 keeps it forever).

    Works in short transactions of ``batch`` rows so a running cycle is never locked out for long.
    Returns how many articles lost their raw HTML; their text, metadata and events stay.
    """
    if older_than_days <= 0:
        return 0
    cutoff = to_utc_iso((now or datetime.now(UTC)) - timedelta(days=older_than_days))
    purged = 0
    while True:
        with transaction(db) as conn:
            changed = conn.execute(
                "UPDATE articles SET raw_html_gz = NULL WHERE id IN (SELECT id FROM articles"
                " WHERE raw_html_gz IS NOT NULL AND fetched_at < ? LIMIT ?)",
                (cutoff, batch),
            ).rowcount
        purged += changed
        if changed < batch:
            return purged


def checkpoint_wal(db: sqlite_utils.Database, *, wait_seconds: float = 2.0) -> tuple[bool, int, int]:
    """Copy the WAL into the database and truncate it when no reader needs it: (busy, wal frames, checkpointed).

    A reader holding an old snapshot (an analyst's long query) makes it wait at most ``wait_seconds``, then it
    copies what it can and reports busy; the next run finishes the job.
    """
    conn = db.conn
    if conn.in_transaction:
        conn.commit()
    previous = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    conn.execute(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
    try:
        busy, frames, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(previous)}")
    return bool(busy), max(frames, 0), max(done, 0)


def optimize(db: sqlite_utils.Database) -> None:
    """Let SQLite refresh the statistics its query planner uses (cheap; a no-op when nothing changed)."""
    db.conn.execute("PRAGMA optimize")


def run_maintenance(db: sqlite_utils.Database, *, raw_html_retention_days: int,
                    now: datetime | None = None) -> MaintenanceReport:
    """The maintenance job: retention first (it frees pages), then optimize, then the WAL checkpoint."""
    report = MaintenanceReport()
    report.raw_html_purged = purge_raw_html(db, older_than_days=raw_html_retention_days, now=now)
    optimize(db)
    report.wal_busy, report.wal_pages, report.wal_checkpointed = checkpoint_wal(db)
    return report
