"""Opening the database: WAL, busy timeout, foreign keys, migrations, and UTC time helpers."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

from pipeline.errors import DatabaseFileError, StoreError
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


def open_db(path: Path | str, *, busy_timeout: float = 30.0, readonly: bool = False,
            create: bool = True) -> sqlite_utils.Database:
    """Open the database; WAL mode with a busy timeout.

    Writing (the default): migrate it, and mark runs whose process is gone ``interrupted``; ``create=False`` refuses
    a path that does not exist. ``readonly``: open ``mode=ro``, never write or migrate. Either way a file that is not
    SQLite, or an SQLite file pactwatch did not create (tables but no ``migrations``), is a ``DatabaseFileError``.
    """
    path = Path(path)
    if (readonly or not create) and not path.exists():
        raise DatabaseFileError(f"no database at {path} (pactwatch run creates it; is --db right?)")
    try:
        immutable = False
        if readonly:
            conn, immutable = _connect_readonly(path, busy_timeout)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=busy_timeout, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        _check_ours(conn, path)
        conn.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        db = sqlite_utils.Database(conn)
        db.immutable = immutable  # type: ignore[attr-defined]
        if not readonly:
            from pipeline.store.runs import close_interrupted_runs  # runs.py builds on this module

            migrate(db)
            interrupted = close_interrupted_runs(db)
            if interrupted:
                log.warning("%d run(s) left running by a killed process marked interrupted", interrupted,
                            extra={"stage": "store"})
    except DatabaseFileError:
        raise
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "unable to open" in str(exc) or "readonly" in str(exc):
            raise DatabaseFileError(f"cannot use {path} as the database: {exc}") from None
        raise StoreError(f"cannot open database {path}: {exc}") from exc
    except OSError as exc:
        raise DatabaseFileError(f"cannot create the database {path}: {exc.strerror}") from None
    return db


def _connect_readonly(path: Path, busy_timeout: float) -> tuple[sqlite3.Connection, bool]:
    """``mode=ro``; on a read-only filesystem a WAL database without its ``-shm`` file cannot be opened that way,
    and nothing can be writing it there, so it is opened ``immutable`` instead. Returns (connection, immutable)."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout, check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn, False
    except sqlite3.OperationalError as exc:
        conn.close()
        if "unable to open" not in str(exc) or (os.access(path.parent, os.W_OK) and not _read_only_fs(path)):
            raise
    conn = sqlite3.connect(uri + "&immutable=1", uri=True, timeout=busy_timeout, check_same_thread=False)
    return conn, True


def _read_only_fs(path: Path) -> bool:
    return bool(os.statvfs(path).f_flag & os.ST_RDONLY)


def _check_ours(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse an SQLite file that has tables but no ``migrations`` table: someone else's database."""
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if names and "migrations" not in names:
        conn.close()
        raise DatabaseFileError(f"{path} is an SQLite database of another program (no migrations table);"
                                " pactwatch leaves it untouched")


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


def error_kind(exc: BaseException) -> str | None:
    """The kind of a database failure that the next run may get past: disk_full, locked, readonly or io; None
    for anything else (a bug, a corrupt file)."""
    if not isinstance(exc, sqlite3.OperationalError):
        return None
    text = str(exc).lower()
    for marker, kind in (("full", "disk_full"), ("locked", "locked"), ("busy", "locked"), ("readonly", "readonly"),
                         ("disk i/o", "io")):
        if marker in text:
            return kind
    return None


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
