"""The commands as a new user (or a careless one) runs them, each in a real process: read-only databases, a
``--db`` naming the wrong file, odd arguments and files, and a ``run --once`` killed with -9.

A read-only database is a bind mount remounted read-only (root only; skipped elsewhere), as on a server where
analysts read a copy they cannot write.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from analyst_db import build, running_server

from pipeline.store import open_db
from tests import faults
from tests.conftest import LocalServer, rss, write_feeds_file
from tests.faults import read_only

ENV = {k: v for k, v in os.environ.items() if not k.startswith("PACTWATCH_")}


def pactwatch(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, env=ENV,
                          cwd=cwd, timeout=timeout)


def one_line(result: subprocess.CompletedProcess, code: int, start: str) -> str:
    """The command exited ``code`` with exactly one line on stderr starting with ``start``."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == code, result.stderr
    assert len(lines) == 1 and lines[0].startswith(start), lines
    return lines[0]


def digest_of(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def empty_config(directory: Path) -> Path:
    """A settings file with an empty feed list, both in ``directory``."""
    feeds = write_feeds_file(directory / "feeds.toml", [])
    config = directory / "pactwatch.toml"
    config.write_text(f'[feeds]\nfile = "{feeds}"\n')
    return config


@pytest.fixture
def analyst_db(tmp_path: Path) -> Path:
    """A closed pactwatch database with articles, events and partnerships, alone in its directory."""
    directory = tmp_path / "ro"
    directory.mkdir()
    db = open_db(directory / "pactwatch.db")
    build(db)
    db.close()
    return directory / "pactwatch.db"


def test_read_commands_work_on_a_read_only_database(analyst_db: Path, tmp_path: Path) -> None:
    before = digest_of(analyst_db.parent)
    with read_only(analyst_db.parent):
        for command in (["status", "--format", "json"], ["partnerships", "--format", "json"],
                        ["events", "--format", "json"], ["search", "Japan", "--format", "json"]):
            result = pactwatch(*command, "--db", str(analyst_db))
            assert result.returncode == 0, (command, result.stderr)
            assert json.loads(result.stdout), command
        with running_server(analyst_db, tmp_path) as base:
            rows = httpx.get(f"{base}/pactwatch/partnerships.json?_shape=array", timeout=10).json()
            assert len(rows) >= 3
    assert digest_of(analyst_db.parent) == before  # nothing written, no -wal or -shm left behind


def test_read_commands_never_touch_a_foreign_sqlite_file(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.commit()
    conn.close()
    before = digest_of(tmp_path)
    for command in (["status"], ["partnerships"], ["events"], ["search", "x"], ["run", "--once"],
                    ["reprocess"], ["serve", "--port", "1"]):
        result = pactwatch(*command, "--db", str(other), cwd=tmp_path)
        one_line(result, 2, f"DatabaseFileError: {other} is an SQLite database of another program")
    assert digest_of(tmp_path) == before  # no tables added, WAL not switched on


@pytest.mark.parametrize("command", [["status"], ["partnerships"], ["events"], ["search", "x"], ["reprocess"],
                                     ["digest", "--dry-run"], ["feeds", "list"], ["serve"]])
def test_a_db_that_does_not_exist_is_an_error(tmp_path: Path, command: list[str]) -> None:
    typo = tmp_path / "pactwach.db"
    one_line(pactwatch(*command, "--db", str(typo), cwd=tmp_path), 2, f"DatabaseFileError: no database at {typo}")
    assert list(tmp_path.iterdir()) == []


def test_only_run_creates_a_database(tmp_path: Path) -> None:
    config = empty_config(tmp_path)
    new = tmp_path / "new.db"
    assert pactwatch("run", "--once", "--config", str(config), "--db", str(new)).returncode == 0
    assert pactwatch("status", "--config", str(config), "--db", str(new)).returncode == 0


@pytest.mark.parametrize(("content", "start"), [
    (b"SQLite format 2\x00" + b"\x07" * 4096, "DatabaseFileError: cannot use {db} as the database: file is not a"
                                               " database"),
    (b"just some text\n" * 100, "DatabaseFileError: cannot use {db} as the database: file is not a database"),
], ids=["truncated-header", "text"])
def test_the_daemon_on_a_file_that_is_not_sqlite(tmp_path: Path, content: bytes, start: str) -> None:
    db = tmp_path / "pactwatch.db"
    db.write_bytes(content)
    one_line(pactwatch("run", "--db", str(db), "--config", str(empty_config(tmp_path)), timeout=60), 2,
             start.format(db=db))
    assert db.read_bytes() == content


def test_the_daemon_with_an_unwritable_lock_directory(analyst_db: Path, tmp_path: Path) -> None:
    with read_only(analyst_db.parent):
        line = one_line(pactwatch("run", "--db", str(analyst_db), "--config", str(empty_config(tmp_path)),
                                  timeout=60), 2,
                        f"DatabaseFileError: cannot create the lock file {analyst_db}.lock:")
    assert "Read-only file system" in line


def test_odd_arguments_are_one_line_errors(analyst_db: Path, tmp_path: Path) -> None:
    db = ["--db", str(analyst_db)]
    since = pactwatch("events", "--since", "99999999d", *db)  # click's usage error: usage, then the one reason
    assert since.returncode == 2 and since.stderr.strip().splitlines()[-1] == (
        "Error: Invalid value for --since: '99999999d' reaches before year 1")
    result = pactwatch("search", "*", *db)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert pactwatch("search", "NEAR(", *db).returncode == 0
    gold = tmp_path / "gold.json"
    for text, problem in (("nope", "Expecting value"), ('{"id": 1}', "expected a list of objects"),
                          ('[{"text": "EU", "events": [{"type": "agreement"}]}]', "event 0 needs 'participants'"),
                          ('[{"text": "EU", "events": {"type": "x"}}]', "'events' must be a list")):
        gold.write_text(text)
        line = one_line(pactwatch("eval", str(gold)), 2, "GoldFileError: [E105]")
        assert problem in line
    gold.write_bytes(b"\xff\xfe\x00binary")
    one_line(pactwatch("eval", str(gold)), 2, "GoldFileError: [E105]")


def test_feeds_remove_on_an_inline_array_list(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('feed = [{name = "One", url = "https://example.org/1.xml"},'
                     ' {url = "https://example.org/2.xml", interval = 600}]\n')
    config = tmp_path / "pactwatch.toml"
    config.write_text(f'[feeds]\nfile = "{feeds}"\n[database]\npath = "{tmp_path / "p.db"}"\n')
    result = pactwatch("feeds", "remove", "https://example.org/1.xml", "--config", str(config))
    assert result.returncode == 0, result.stderr
    from pipeline.feeds import load_feed_list

    assert [(s.url, s.interval) for s in load_feed_list(feeds)] == [("https://example.org/2.xml", 600)]
    missing = pactwatch("feeds", "remove", "https://example.org/9.xml", "--config", str(config))
    one_line(missing, 2, "UsageError: not in")


def _runs(db: Path) -> list[tuple]:
    if not db.exists():
        return []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT status, finished_at IS NOT NULL FROM runs ORDER BY id").fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def test_a_run_killed_with_9_is_marked_interrupted_by_the_next_writer(http_server: LocalServer,
                                                                       tmp_path: Path) -> None:
    http_server.add("/page", handler=faults.slow_headers(60))
    feed = http_server.add("/feed", rss([{"title": "Slow", "link": http_server.url("/page")}]))
    feeds = write_feeds_file(tmp_path / "feeds.toml", [feed])
    db = tmp_path / "p.db"
    config = tmp_path / "pactwatch.toml"
    config.write_text(f'[database]\npath = "{db}"\n[feeds]\nfile = "{feeds}"\n'
                      '[fetch]\nallowed_networks = ["127.0.0.0/8"]\nrespect_robots = false\ntimeout = 120\n')

    def start(hits: int) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", "--once", "--config", str(config)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        deadline = time.monotonic() + 60
        while http_server.hits("/page") < hits:
            assert time.monotonic() < deadline and proc.poll() is None, "the run never reached the page"
            time.sleep(0.1)
        return proc

    first = start(1)
    assert _runs(db) == [("running", 0)]
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    status = json.loads(pactwatch("status", "--format", "json", "--config", str(config)).stdout)
    assert status["runs"][0]["status"] == "interrupted"  # shown as such at once ...
    assert _runs(db) == [("running", 0)]  # ... though a reader writes nothing

    second = start(2)  # the next writer marks the dead run, and not its own live one
    try:
        assert _runs(db) == [("interrupted", 1), ("running", 0)]
        assert pactwatch("feeds", "list", "--config", str(config)).returncode == 0  # another writer, beside it
        assert _runs(db) == [("interrupted", 1), ("running", 0)]
    finally:
        second.send_signal(signal.SIGKILL)
        second.wait(10)
    text = pactwatch("status", "--config", str(config)).stdout
    assert "last run: #2 cycle interrupted" in text


def test_only_runs_whose_process_is_gone_are_marked(tmp_path: Path) -> None:
    from pipeline.store import close_interrupted_runs, last_runs, start_run

    db = open_db(tmp_path / "p.db")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    live, dead, legacy = (start_run(db) for _ in range(3))
    db.execute("UPDATE runs SET pid = ? WHERE id = ?", (gone.pid, dead))
    db.execute("UPDATE runs SET pid = NULL WHERE id = ?", (legacy,))
    db.conn.commit()
    assert {r["id"]: r["status"] for r in last_runs(db)} == {live: "running", dead: "interrupted",
                                                             legacy: "interrupted"}
    assert close_interrupted_runs(db) == 2
    assert dict(db.execute("SELECT id, status FROM runs").fetchall()) == {live: "running", dead: "interrupted",
                                                                         legacy: "interrupted"}
    db.close()
