"""The maintenance job's store functions on a real database: raw HTML retention, WAL checkpoint, optimize."""

from __future__ import annotations

import gzip
import time
from datetime import UTC, datetime, timedelta

from pipeline.store import open_db, run_maintenance, to_utc_iso, transaction
from pipeline.store.maintenance import checkpoint_wal, purge_raw_html

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _article(db, url: str, *, fetched_days_ago: float, raw: bytes | None = b"<html>page</html>") -> int:
    fetched = to_utc_iso(NOW - timedelta(days=fetched_days_ago))
    with transaction(db) as conn:
        return conn.execute(
            "INSERT INTO articles (url, text, raw_html_gz, fetch_status, first_seen_at, fetched_at)"
            " VALUES (?, 'text stays', ?, 'done', ?, ?)",
            (url, gzip.compress(raw) if raw else None, fetched, fetched),
        ).lastrowid


def _raw(db, article_id: int) -> bytes | None:
    blob = db.execute("SELECT raw_html_gz FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
    return gzip.decompress(blob) if blob else None


def test_retention_drops_only_old_raw_html_and_keeps_text(db) -> None:
    old = _article(db, "http://a.test/old", fetched_days_ago=31)
    recent = _article(db, "http://a.test/new", fetched_days_ago=29)
    assert purge_raw_html(db, older_than_days=30, now=NOW) == 1
    assert _raw(db, old) is None
    assert _raw(db, recent) == b"<html>page</html>"
    assert db.execute("SELECT text FROM articles WHERE id = ?", (old,)).fetchone()[0] == "text stays"
    assert purge_raw_html(db, older_than_days=30, now=NOW) == 0  # idempotent


def test_retention_zero_keeps_raw_html_forever(db) -> None:
    ancient = _article(db, "http://a.test/ancient", fetched_days_ago=3650)
    assert purge_raw_html(db, older_than_days=0, now=NOW) == 0
    assert _raw(db, ancient) is not None


def test_retention_works_in_batches(db) -> None:
    for i in range(25):
        _article(db, f"http://a.test/{i}", fetched_days_ago=60)
    assert purge_raw_html(db, older_than_days=30, now=NOW, batch=10) == 25
    assert db.execute("SELECT count(*) FROM articles WHERE raw_html_gz IS NOT NULL").fetchone()[0] == 0


def test_checkpoint_truncates_the_wal(settings, db) -> None:
    for i in range(50):
        _article(db, f"http://b.test/{i}", fetched_days_ago=1)
    wal = settings.database.path.with_name(settings.database.path.name + "-wal")
    assert wal.stat().st_size > 0
    busy, frames, done = checkpoint_wal(db)
    assert not busy and frames == done
    assert wal.stat().st_size == 0


def test_checkpoint_reports_busy_while_a_reader_holds_a_snapshot(settings, db) -> None:
    _article(db, "http://c.test/1", fetched_days_ago=1)
    reader = open_db(settings.database.path)
    try:
        reader.conn.execute("BEGIN")
        reader.conn.execute("SELECT count(*) FROM articles").fetchone()  # holds a read snapshot
        _article(db, "http://c.test/2", fetched_days_ago=1)
        started = time.monotonic()
        busy, _frames, _done = checkpoint_wal(db, wait_seconds=0.2)
        assert busy
        assert time.monotonic() - started < 5  # never waits the full busy timeout
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000  # restored
    finally:
        reader.conn.rollback()
        reader.close()


def test_run_maintenance_reports_what_it_did(db) -> None:
    _article(db, "http://d.test/old", fetched_days_ago=100)
    _article(db, "http://d.test/no-raw", fetched_days_ago=100, raw=None)
    report = run_maintenance(db, raw_html_retention_days=30, now=NOW)
    assert report.raw_html_purged == 1
    assert not report.wal_busy
    assert "raw HTML dropped from 1 articles" in report.summary()
