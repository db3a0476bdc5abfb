"""A disk that fills up during a cycle, for real: the database on a small tmpfs, ``pactwatch`` in a process.

Nothing stored is lost or half-written, the work is retried once there is room, and the failure is logged once
per kind with the count of repeats, not once per item with a traceback.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from pipeline.config import Settings
from tests.conftest import LocalServer, write_feeds_file
from tests.faults import fill, small_disk
from tests.test_daemon import _all_done, _Daemon, _serve_articles, _started, _stop, _wait_for

PAGES = 40


def _config(tmp_path: Path, db: Path, feeds: Path, poll_every: int = 1) -> Path:
    path = tmp_path / "pactwatch.toml"
    path.write_text(f'[database]\npath = "{db}"\nstore_raw_html = true\n[feeds]\nfile = "{feeds}"\n'
                    '[fetch]\nallowed_networks = ["127.0.0.0/8"]\nrespect_robots = false\ntimeout = 5\n'
                    f"[schedule]\npoll_every = {poll_every}\ndefault_interval = 1\nmin_interval = 1\n")
    return path


def _run_once(config: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "run", "--once", "--config", str(config)],
                          capture_output=True, text=True, timeout=300)


def _check(db: Path) -> tuple[int, int]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        dupes = conn.execute("SELECT count(*) - count(DISTINCT url) FROM articles").fetchone()[0]
        assert dupes == 0
        return (conn.execute("SELECT count(*) FROM articles WHERE text IS NOT NULL").fetchone()[0],
                conn.execute("SELECT count(*) FROM articles WHERE nlp_status = 'done'").fetchone()[0])
    finally:
        conn.close()


def _disk_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "disk_full" in line or "disk is full" in line]


def test_run_once_on_a_full_disk(http_server: LocalServer, tmp_path: Path) -> None:
    feed = _serve_articles(http_server, "/feed.xml", range(PAGES))
    feeds = write_feeds_file(tmp_path / "feeds.toml", [])
    with small_disk(tmp_path / "disk", "16m") as disk:
        config = _config(tmp_path, disk / "p.db", feeds)
        assert _run_once(config).returncode == 0  # the database, its tables and actors, while there is room
        write_feeds_file(feeds, [feed])
        filler = fill(disk, 150_000)
        full = _run_once(config)
        assert full.returncode == 0, full.stderr[-3000:]
        assert "Traceback" not in full.stderr, full.stderr[-3000:]
        lines = _disk_lines(full.stderr)
        assert 1 <= len(lines) <= 4, "\n".join(lines)
        print(f"\nrun --once on a full disk: {len(full.stderr.splitlines())} log lines, {len(lines)} about the"
              f" full disk:\n" + "\n".join(lines))
        stored, _analysed = _check(disk / "p.db")
        assert stored < PAGES

        filler.unlink()
        again = _run_once(config)
        assert again.returncode == 0 and "Traceback" not in again.stderr
        assert _check(disk / "p.db") == (PAGES, PAGES)


def test_the_daemon_on_a_full_disk(http_server: LocalServer, settings: Settings, tmp_path: Path) -> None:
    feed = _serve_articles(http_server, "/feed.xml", range(PAGES))
    feeds = write_feeds_file(tmp_path / "feeds.toml", [])
    with small_disk(tmp_path / "disk", "16m") as disk:
        config = _config(tmp_path, disk / "p.db", feeds)
        assert _run_once(config).returncode == 0
        write_feeds_file(feeds, [feed])
        filler = fill(disk, 150_000)
        daemon = _Daemon(config, tmp_path / "daemon.log")
        try:
            _started(daemon)
            time.sleep(8)  # eight polls into a full disk
            lines = _disk_lines(daemon.log())
            assert 1 <= len(lines) <= 3, "\n".join(lines)
            assert "Traceback" not in daemon.log()
            filler.unlink()
            _wait_for(lambda: _all_done(disk / "p.db", 1), 90, "the work after space was freed", daemon)
            took = _stop(daemon)
        finally:
            if daemon.proc.poll() is None:
                daemon.proc.send_signal(signal.SIGKILL)
                daemon.wait(10)
        print(f"\ndaemon on a full disk: {len(lines)} lines about it in 8 s; SIGTERM after recovery {took:.2f} s")
        assert _check(disk / "p.db") == (PAGES, PAGES)
        assert "the database takes writes again" in daemon.log()


def test_repeated_errors_are_logged_once_per_kind_then_counted(caplog) -> None:
    import logging

    from pipeline.logs import RepeatedErrors

    repeated = RepeatedErrors(logging.getLogger("test.repeated"))
    with caplog.at_level(logging.ERROR, logger="test.repeated"):
        assert repeated.report("disk_full", "page not stored", stage="pages", article_id=3)
        assert not any(repeated.report("disk_full", "page not stored", stage="pages") for _ in range(99))
        assert repeated.report("locked", "feed not stored", stage="feeds")
        repeated.flush("cycle", " in this cycle")
    messages = [(r.getMessage(), getattr(r, "error_kind", None)) for r in caplog.records]
    assert messages == [
        ("page not stored (further disk_full errors are counted, not logged)", "disk_full"),
        ("feed not stored (further locked errors are counted, not logged)", "locked"),
        ("disk_full happened 100 times in this cycle", "disk_full"),
    ]
    assert repeated.counts == {}


def test_error_kind() -> None:
    from pipeline.store import error_kind

    cases = {"database or disk is full": "disk_full", "database is locked": "locked",
             "attempt to write a readonly database": "readonly", "disk I/O error": "io", "no such table: x": None}
    assert {text: error_kind(sqlite3.OperationalError(text)) for text in cases} == cases
    assert error_kind(ValueError("database or disk is full")) is None
