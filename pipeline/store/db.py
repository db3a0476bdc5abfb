"""Opening the database: WAL, busy timeout, foreign keys, migrations, and UTC time helpers."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from pipeline.errors import StoreError
from pipeline.store.schema import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)


def utc_now() -> str:
    """Now, as UTC ISO-8601 with a trailing Z, to the second."""
    return to_utc_iso(datetime.now(UTC))


def to_utc_iso(moment: datetime | None) -> str | None:
    """A datetime as ``YYYY-MM-DDTHH:MM:SSZ`` (naive datetimes are taken as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(value: str | None) -> datetime | None:
    """The inverse of ``to_utc_iso``."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def open_db(path: Path | str, *, busy_timeout: float = 30.0, readonly: bool = False) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the database; WAL mode with a busy timeout."""
    path = Path(path)
    try:
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=busy_timeout, check_same_thread=False)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=busy_timeout, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        db = sqlite_utils.Database(conn)
        if not readonly:
            migrate(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open database {path}: {exc}") from exc
    return db


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations not yet recorded; each in its own transaction. Returns the names applied."""
    conn = db.conn
    conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    conn.commit()
    done = {row[0] for row in conn.execute("SELECT name FROM migrations")}
    applied = []
    for migration in MIGRATIONS:
        name = migration.__name__
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if name in {row[0] for row in conn.execute("SELECT name FROM migrations")}:
                conn.rollback()  # another process migrated first
                continue
            migration(conn)
            conn.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, utc_now()))
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        applied.append(name)
        log.info("applied migration %s", name, extra={"stage": "store"})
    return applied


def schema_version(db: sqlite_utils.Database) -> int:
    """How many migrations the database has (``PRAGMA user_version``)."""
    return db.conn.execute("PRAGMA user_version").fetchone()[0]


@contextmanager
def transaction(db: sqlite_utils.Database, *, write: bool = True) -> Iterator[sqlite3.Connection]:
    """One transaction. Writing: BEGIN IMMEDIATE, commit on success, roll back on any error. Reading
    (``write=False``): one consistent snapshot for several queries, always rolled back."""
    conn = db.conn
    if conn.in_transaction:
        conn.commit()
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.rollback()
        raise
    if write:
        conn.commit()
    else:
        conn.rollback()
