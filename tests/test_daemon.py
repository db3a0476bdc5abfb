"""The daemon as an operator runs it: ``pactwatch run`` as a subprocess against a real local HTTP server.

New items are processed within the poll interval, SIGTERM ends it cleanly, SIGHUP picks up an added feed, a second
daemon on the same database is refused, and ``kill -9`` at random moments loses and duplicates nothing.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.crontab import cron_trigger
from pipeline.daemon import Daemon, _digest_trigger
from pipeline.errors import AlreadyRunningError
from pipeline.lock import DaemonLock, lock_holder
from pipeline.store import open_db, transaction
from tests.conftest import LocalServer, article_page, rss, write_feeds_file

PARTNERS = ["Japan", "South Korea", "Singapore", "Canada", "India", "Brazil", "Kenya", "Chile", "Mexico",
            "Vietnam", "Australia", "Morocco"]
INSTRUMENTS = ["Digital Partnership", "Green Alliance", "Free Trade Agreement", "Research Agreement"]


def _page(index: int) -> str:
    """A distinct article (no two share a text, so deduplication never depends on fetch order)."""
    partner, instrument = PARTNERS[index % len(PARTNERS)], INSTRUMENTS[index % len(INSTRUMENTS)]
    return article_page(
        f"EU and {partner} sign {instrument}",
        [
            f"Officials from Brussels and {partner} met on Monday for round {index + 1} of long-planned talks.",
            f"The European Union and {partner} signed a {instrument} on Monday, committing both sides to"
            " closer cooperation on trade, research and secure connectivity over the coming years.",
            "A joint council will review progress every year, the officials said after the ceremony.",
            f"Further meetings of the {index + 2} working groups are expected in the autumn, the statement said.",
        ],
    )


def _serve_articles(server: LocalServer, feed_path: str, indices: range) -> str:
    """Serve one article page per index and a feed listing them; returns the feed URL."""
    items = []
    for i in indices:
        partner, instrument = PARTNERS[i % len(PARTNERS)], INSTRUMENTS[i % len(INSTRUMENTS)]
        server.add(f"/a{i}.html", _page(i), content_type="text/html; charset=utf-8")
        items.append({"title": f"EU and {partner} sign {instrument}", "link": server.url(f"/a{i}.html"),
                      "guid": f"item-{i}", "pubDate": "Mon, 04 May 2026 09:00:00 GMT"})
    return server.add(feed_path, rss(items))


def _config(tmp_path: Path, settings: Settings, *, poll_every: int = 1, extra: str = "") -> Path:
    path = tmp_path / "pactwatch.toml"
    path.write_text(
        f'[database]\npath = "{settings.database.path}"\n[feeds]\nfile = "{settings.feeds.file}"\n'
        "[fetch]\nallow_private_addresses = true\nrespect_robots = false\ntimeout = 5\n"
        f"[schedule]\npoll_every = {poll_every}\ndefault_interval = 1\nmin_interval = 1\n{extra}"
    )
    return path


class _Daemon:
    """``pactwatch run`` in a subprocess, its stderr in a file."""

    def __init__(self, config: Path, log: Path) -> None:
        self.log_path = log
        self.handle = log.open("a")
        self.proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", "--config", str(config)],
                                     stdout=subprocess.DEVNULL, stderr=self.handle)

    def log(self) -> str:
        return self.log_path.read_text()

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            self.handle.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.wait(10)


@pytest.fixture
def daemons(tmp_path: Path) -> Iterator[Callable[[Path], _Daemon]]:
    started: list[_Daemon] = []

    def start(config: Path) -> _Daemon:
        daemon = _Daemon(config, tmp_path / "daemon.log")
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.kill()


def _query(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Read with a fresh connection, as an analyst would while the daemon runs."""
    if not path.exists():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # tables not created yet
        return []
    finally:
        conn.close()


def _wait_for(check: Callable[[], bool], timeout: float, what: str, daemon: _Daemon | None = None) -> float:
    """Poll ``check`` until true; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        if daemon is not None and daemon.proc.poll() is not None:
            pytest.fail(f"daemon exited with {daemon.proc.returncode} while waiting for {what}:\n{daemon.log()}")
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout} s waiting for {what}" + (f":\n{daemon.log()}" if daemon else ""))


def _started(daemon: _Daemon) -> float:
    """Wait until the daemon has its signal handlers (it logs 'daemon started: pid N' right after)."""
    return _wait_for(lambda: f"daemon started: pid {daemon.proc.pid}," in daemon.log(), 30, "the start", daemon)


def _processed(db_path: Path, url: str) -> bool:
    return bool(_query(db_path, "SELECT 1 FROM articles WHERE url = ? AND nlp_status = 'done'", (url,)))


def _stop(daemon: _Daemon) -> float:
    started = time.monotonic()
    daemon.signal(signal.SIGTERM)
    code = daemon.wait(15)
    elapsed = time.monotonic() - started
    assert code == 0, daemon.log()
    assert elapsed < 10, f"SIGTERM took {elapsed:.1f} s"
    return elapsed


def test_new_item_is_processed_within_the_poll_interval_and_sigterm_exits_0(
        http_server: LocalServer, settings: Settings, tmp_path: Path, daemons) -> None:
    write_feeds_file(settings.feeds.file, [_serve_articles(http_server, "/feed.xml", range(1))])
    db_path = settings.database.path
    daemon = daemons(_config(tmp_path, settings, poll_every=1))
    _wait_for(lambda: _processed(db_path, http_server.url("/a0.html")), 60, "the first article", daemon)

    _serve_articles(http_server, "/feed.xml", range(2))  # a new item appears in the feed
    took = _wait_for(lambda: _processed(db_path, http_server.url("/a1.html")), 10, "the new article", daemon)
    assert took < 5, f"new item processed after {took:.1f} s with poll_every = 1"
    assert _query(db_path, "SELECT count(*) FROM events e JOIN articles a ON a.id = e.article_id"
                           " WHERE a.url = ?", (http_server.url("/a1.html"),))[0][0] >= 1

    _stop(daemon)
    log = daemon.log()
    assert "daemon started" in log and "daemon stopped" in log and "cycle done:" in log
    assert "Traceback" not in log
    runs = _query(db_path, "SELECT status, finished_at FROM runs WHERE kind = 'cycle'")
    assert len(runs) >= 2 and all(status in ("ok", "stopped") and finished for status, finished in runs)


def test_sighup_adds_a_feed_and_a_second_daemon_is_refused(
        http_server: LocalServer, settings: Settings, tmp_path: Path, daemons) -> None:
    first = _serve_articles(http_server, "/one.xml", range(1))
    write_feeds_file(settings.feeds.file, [first])
    db_path = settings.database.path
    config = _config(tmp_path, settings, poll_every=3600)  # no second poll unless SIGHUP asks for one
    daemon = daemons(config)
    _wait_for(lambda: _query(db_path, "SELECT 1 FROM runs WHERE kind = 'cycle' AND status = 'ok'") != [], 60,
              "the first cycle", daemon)
    assert lock_holder(db_path) == daemon.proc.pid

    started = time.monotonic()
    second = subprocess.run([sys.executable, "-m", "pipeline", "run", "--config", str(config)],
                            capture_output=True, text=True, timeout=30)
    assert second.returncode == 2
    assert second.stderr.strip().splitlines() == [second.stderr.strip()]  # one line
    assert "AlreadyRunningError" in second.stderr and "already running" in second.stderr
    assert time.monotonic() - started < 10
    assert daemon.proc.poll() is None  # the first one is untouched

    second_feed = _serve_articles(http_server, "/two.xml", range(5, 6))
    write_feeds_file(settings.feeds.file, [first, second_feed])
    daemon.signal(signal.SIGHUP)
    _wait_for(lambda: _processed(db_path, http_server.url("/a5.html")), 20, "the added feed's article", daemon)
    assert "feed list reloaded: 1 added, 0 removed" in daemon.log()

    write_feeds_file(settings.feeds.file, [second_feed])
    daemon.signal(signal.SIGHUP)
    _wait_for(lambda: _query(db_path, "SELECT active FROM feeds WHERE url = ?", (first,)) == [(0,)], 20,
              "the removed feed to stop", daemon)
    _stop(daemon)


def test_sigterm_cuts_a_hanging_fetch_short(http_server: LocalServer, settings: Settings, tmp_path: Path,
                                            daemons) -> None:
    def hang(handler) -> None:
        time.sleep(30)

    http_server.add("/hang.xml", handler=hang)
    write_feeds_file(settings.feeds.file, [http_server.url("/hang.xml")])
    config = _config(tmp_path, settings)
    config.write_text(config.read_text().replace("timeout = 5", "timeout = 60"))  # longer than the hang
    daemon = daemons(config)
    _wait_for(lambda: http_server.hits("/hang.xml") > 0, 30, "the hanging request", daemon)
    time.sleep(0.5)
    _stop(daemon)
    assert _query(settings.database.path, "SELECT status FROM runs WHERE kind = 'cycle'") == [("stopped",)]


def _snapshot(db_path: Path) -> dict[str, Counter]:
    """What must match between an undisturbed and a killed-and-restarted run, duplicates counted."""
    return {
        "articles": Counter(_query(db_path, "SELECT url, fetch_status, nlp_status FROM articles")),
        "entries": Counter(_query(db_path, "SELECT f.url, e.guid FROM entries e JOIN feeds f ON f.id = e.feed_id")),
        "events": Counter(_query(db_path, "SELECT a.url, e.type, e.participants, e.instrument, e.negated FROM events e"
                                          " JOIN articles a ON a.id = e.article_id")),
        "partnerships": Counter(_query(db_path, "SELECT key, mentions FROM partnerships")),
    }


def _all_done(db_path: Path, feeds: int) -> bool:
    rows = _query(db_path, "SELECT (SELECT count(*) FROM feeds WHERE last_success_at IS NOT NULL),"
                           " (SELECT count(*) FROM articles WHERE fetch_status = 'pending' OR nlp_status = 'pending'),"
                           " (SELECT count(*) FROM articles)")
    return bool(rows) and rows[0][0] == feeds and rows[0][1] == 0 and rows[0][2] > 0


def test_kill_9_at_random_moments_loses_and_duplicates_nothing(
        http_server: LocalServer, settings: Settings, tmp_path: Path, daemons) -> None:
    feeds = [_serve_articles(http_server, "/f1.xml", range(0, 10)),
             _serve_articles(http_server, "/f2.xml", range(8, 16))]  # two articles in both feeds
    write_feeds_file(settings.feeds.file, feeds)

    reference_dir = tmp_path / "reference"
    reference_dir.mkdir()
    reference = settings.replace("database", path=reference_dir / "reference.db")
    reference_daemon = _Daemon(_config(reference_dir, reference), reference_dir / "daemon.log")
    try:
        _started(reference_daemon)
        _wait_for(lambda: _all_done(reference.database.path, 2), 90, "the undisturbed run", reference_daemon)
    finally:
        _stop(reference_daemon)
    expected = _snapshot(reference.database.path)
    assert sum(expected["events"].values()) >= 10 and expected["partnerships"]

    config = _config(tmp_path, settings)
    rng = random.Random()
    delays = [round(rng.uniform(0.5, 6.0), 2) for _ in range(4)]
    for delay in delays:
        daemon = daemons(config)
        time.sleep(delay)
        daemon.proc.send_signal(signal.SIGKILL)
        daemon.wait(10)
    daemon = daemons(config)
    _started(daemon)  # a SIGTERM before the handlers are in place would kill it outright
    _wait_for(lambda: _all_done(settings.database.path, 2), 90, f"the resumed run (kills after {delays} s)", daemon)
    _stop(daemon)

    got = _snapshot(settings.database.path)
    differences = {name: {"missing": expected[name] - got[name], "extra": got[name] - expected[name]}
                   for name in expected if got[name] != expected[name]}
    assert not differences, f"kills after {delays} s: {differences}"
    assert _query(settings.database.path, "PRAGMA integrity_check") == [("ok",)]
    statuses = {s for (s,) in _query(settings.database.path, "SELECT status FROM runs")}
    assert "running" not in statuses


# -- in-process: the lock, the job wrapper's fault handling, triggers ----------------------------------------------


def test_lock_is_exclusive_and_names_the_holder(settings: Settings) -> None:
    with DaemonLock(settings.database.path):
        assert lock_holder(settings.database.path) == os.getpid()
        with pytest.raises(AlreadyRunningError, match=f"pid {os.getpid()}"):
            DaemonLock(settings.database.path).acquire()
    assert lock_holder(settings.database.path) is None
    DaemonLock(settings.database.path).acquire().release()  # free again


def test_a_locked_database_fails_one_job_and_the_next_run_succeeds(settings: Settings, db,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    settings = settings.replace("database", busy_timeout=0.2, raw_html_retention_days=1)
    quick = open_db(settings.database.path, busy_timeout=0.2)
    daemon = Daemon(settings, quick)
    job = daemon._job(daemon.maintenance)
    other = open_db(settings.database.path)
    other.conn.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    with caplog.at_level(logging.ERROR):
        job()  # must not raise
    assert any(getattr(r, "error_kind", None) == "locked" for r in caplog.records), caplog.text
    other.conn.rollback()
    job()
    assert ("maintenance", "ok") in {tuple(r) for r in quick.execute("SELECT kind, status FROM runs")}
    quick.close()
    other.close()


def test_a_full_disk_fails_one_job_and_nothing_is_corrupted(settings: Settings, db,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    daemon = Daemon(settings, db)
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    with transaction(db) as conn:
        conn.execute("INSERT INTO articles (url, first_seen_at) VALUES ('http://x.test/1', '2026-01-01T00:00:00Z')")

    def fill() -> None:
        with transaction(db) as conn:
            for i in range(2000):
                conn.execute("INSERT INTO articles (url, text, first_seen_at) VALUES (?, ?, '2026-01-01T00:00:00Z')",
                             (f"http://x.test/big{i}", "x" * 1000))

    db.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own SQLITE_FULL: 'database or disk is full'
    with caplog.at_level(logging.ERROR):
        daemon._job(fill)()
    assert any(getattr(r, "error_kind", None) == "disk_full" for r in caplog.records), caplog.text
    assert not db.conn.in_transaction
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 1  # the failed transaction rolled back
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_digest_runs_on_the_global_cron_and_each_recipients_own(settings: Settings) -> None:
    from datetime import UTC, datetime

    from pipeline.config import Recipient

    assert str(_digest_trigger(settings)).startswith("cron[")
    email = settings.email
    with_own = settings.replace("email", recipients=[*email.recipients, Recipient(address="a@b.org",
                                                                                  schedule="0 18 * * 5")])
    trigger = _digest_trigger(with_own)
    start = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)  # a Friday, after 07:00
    assert trigger.get_next_fire_time(None, start) == datetime(2026, 5, 1, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(("cron", "after", "expected"), [
    ("0 7 * * *", "2026-05-01T08:00", "2026-05-02T07:00"),
    ("0 18 * * 5", "2026-05-01T08:00", "2026-05-01T18:00"),  # 2026-05-01 is a Friday
    ("0 7 * * 1-5", "2026-05-01T08:00", "2026-05-04T07:00"),  # weekdays: Friday done, next Monday
    ("0 7 * * 0", "2026-05-01T08:00", "2026-05-03T07:00"),  # 0 is Sunday
    ("0 7 * * 7", "2026-05-01T08:00", "2026-05-03T07:00"),  # so is 7
    ("0 7 * * 6,0", "2026-05-01T08:00", "2026-05-02T07:00"),
    ("30 3 * * mon", "2026-05-01T08:00", "2026-05-04T03:30"),
    ("0 7 * * 1-5/2", "2026-05-01T08:00", "2026-05-04T07:00"),  # mon, wed, fri
], ids=["daily", "friday", "weekdays", "sunday-0", "sunday-7", "weekend-list", "names", "range-step"])
def test_cron_weekdays_follow_crontab(cron: str, after: str, expected: str) -> None:
    from datetime import UTC, datetime

    start = datetime.fromisoformat(after).replace(tzinfo=UTC)
    assert cron_trigger(cron).get_next_fire_time(None, start) == datetime.fromisoformat(expected).replace(tzinfo=UTC)


def test_the_digest_job_calls_the_digest_module(settings: Settings, db, caplog: pytest.LogCaptureFixture) -> None:
    daemon = Daemon(settings.replace("email", recipients=[]), db)
    with caplog.at_level(logging.WARNING):
        daemon._job(daemon.digest)()
    assert "digest module not available" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
