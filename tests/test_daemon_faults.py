"""The daemon under faults, as an operator meets them: ``pactwatch run`` in a process, a real local server, real
signals. A bad configuration at start exits 2; a bad feed list on SIGHUP keeps the old one with one error line;
SIGTERM exits 0 within 10 s whatever a worker is doing; after ``kill -9`` no process of pactwatch is left."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from pipeline.config import Settings
from tests import faults
from tests.conftest import LocalServer, rss, write_feeds_file
from tests.test_daemon import (  # noqa: F401 (daemons is a fixture)
    _config,
    _processed,
    _query,
    _serve_articles,
    _started,
    _stop,
    _wait_for,
    daemons,
)


@pytest.fixture
def start_daemon(daemons):  # noqa: F811 (the fixture imported above)
    """``start_daemon(config)`` runs ``pactwatch run`` in a process, killed at teardown (test_daemon's fixture)."""
    return daemons


@pytest.mark.parametrize(("feeds", "fragment"), [
    ('[[feed]]\nurl = "https://example.org/rss"\nintervall = 60\n', "key 'feed[0].intervall': unknown key"),
    ('[[feed]]\nurl = "file:///etc/passwd"\n', "key 'feed[0].url': expected an http(s) URL"),
    (None, "file not found"),
    ("\x00\x01binary", "malformed TOML"),
], ids=["unknown-key", "file-url", "deleted", "binary"])
def test_a_bad_feed_list_at_start_exits_2(settings: Settings, tmp_path: Path, feeds: str | None,
                                          fragment: str) -> None:
    if feeds is None:
        settings.feeds.file.unlink()
    else:
        settings.feeds.file.write_text(feeds)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", "--config", str(_config(tmp_path, settings))],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"ConfigError: {settings.feeds.file}") and fragment in lines[0]
    assert time.monotonic() - started < 10
    assert not settings.database.path.exists()  # refused before anything was created


def test_a_bad_feed_list_on_sighup_keeps_the_old_one(http_server: LocalServer, settings: Settings,
                                                     tmp_path: Path, start_daemon) -> None:
    feed = _serve_articles(http_server, "/one.xml", range(1))
    write_feeds_file(settings.feeds.file, [feed])
    daemon = start_daemon(_config(tmp_path, settings, poll_every=1))
    db_path = settings.database.path
    _wait_for(lambda: _processed(db_path, http_server.url("/a0.html")), 60, "the first article", daemon)

    settings.feeds.file.write_text(settings.feeds.file.read_text() + "colour = 'blue'\n")
    daemon.signal(signal.SIGHUP)
    polls = http_server.hits("/one.xml")
    _wait_for(lambda: http_server.hits("/one.xml") >= polls + 3, 20, "three more polls of the old list", daemon)
    settings.feeds.file.unlink()  # deleted: another error, reported once more
    daemon.signal(signal.SIGHUP)
    polls = http_server.hits("/one.xml")
    _wait_for(lambda: http_server.hits("/one.xml") >= polls + 3, 20, "polls with the list deleted", daemon)

    log = daemon.log()
    errors = [line for line in log.splitlines() if "feed list not reloaded" in line]
    assert len(errors) == 2, "\n".join(errors)
    assert "key 'feed[0].colour': unknown key" in errors[0] and "file not found" in errors[1]
    assert "Traceback" not in log

    second = _serve_articles(http_server, "/two.xml", range(3, 4))
    write_feeds_file(settings.feeds.file, [feed, second])  # fixed: the next SIGHUP takes it
    daemon.signal(signal.SIGHUP)
    _wait_for(lambda: _processed(db_path, http_server.url("/a3.html")), 30, "the added feed's article", daemon)
    assert "feed list valid again" in daemon.log() and "feed list reloaded: 1 added, 0 removed" in daemon.log()
    _stop(daemon)
    assert _query(db_path, "SELECT count(*) FROM feeds WHERE active = 1") == [(2,)]


def _slow_page(paragraphs: int = 80_000) -> str:
    """An article page of about 7 MB that trafilatura takes 15 s or more over (written by the test)."""
    return ("<html><head><title>EU and Japan</title></head><body><article>" + "".join(
        f"<p>Paragraph {i}: the European Union and Japan discussed item {i} of the agreement at length.</p>"
        for i in range(paragraphs)) + "</article></body></html>")


def _fault_config(tmp_path: Path, settings: Settings, *, extract_timeout: float, poll_every: int = 1) -> Path:
    path = tmp_path / "pactwatch.toml"
    path.write_text(
        f'[database]\npath = "{settings.database.path}"\n[feeds]\nfile = "{settings.feeds.file}"\n'
        f'[fetch]\nallowed_networks = ["127.0.0.0/8"]\nrespect_robots = false\ntimeout = 10\n'
        f"extract_timeout = {extract_timeout}\n"
        f"[schedule]\npoll_every = {poll_every}\ndefault_interval = 1\nmin_interval = 1\n")
    return path


def _busy_worker(pid: int, timeout: float = 60) -> list[psutil.Process]:
    """Wait until an extraction worker of ``pid`` is busy; returns every descendant process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = psutil.Process(pid).children(recursive=True)
        workers = [c for c in children if "spawn_main" in _cmdline(c)]
        if any(_cpu_percent(w) > 50 for w in workers):
            return children
    pytest.fail("no extraction worker got busy")


def _cmdline(process: psutil.Process) -> str:
    """The command line of ``process``, or "" when it has just exited (a pool replacing a worker)."""
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def _cpu_percent(process: psutil.Process) -> float:
    try:
        return process.cpu_percent(interval=0.2)
    except psutil.Error:
        return 0.0


def _serve_slow(http_server: LocalServer) -> str:
    http_server.add("/huge.html", _slow_page(), content_type="text/html; charset=utf-8")
    return http_server.add("/slow.xml", rss([{"title": "EU and Japan", "link": http_server.url("/huge.html"),
                                              "description": "The European Union and Japan met."}]))


def test_sigterm_while_a_worker_extracts_a_huge_page(http_server: LocalServer, settings: Settings,
                                                      tmp_path: Path, start_daemon) -> None:
    write_feeds_file(settings.feeds.file, [_serve_slow(http_server)])
    daemon = start_daemon(_fault_config(tmp_path, settings, extract_timeout=600))
    _started(daemon)
    children = _busy_worker(daemon.proc.pid)
    took = _stop(daemon)  # exit 0 within 10 s, asserted inside
    print(f"\nSIGTERM with a busy extraction worker: exit 0 after {took:.2f} s")
    _gone, alive = psutil.wait_procs(children, timeout=5)
    assert alive == [], [c.cmdline() for c in alive]
    assert "Traceback" not in daemon.log()


def test_kill_9_leaves_no_process_behind(http_server: LocalServer, settings: Settings, tmp_path: Path,
                                         start_daemon) -> None:
    write_feeds_file(settings.feeds.file, [_serve_slow(http_server)])
    daemon = start_daemon(_fault_config(tmp_path, settings, extract_timeout=600))
    _started(daemon)
    children = _busy_worker(daemon.proc.pid)
    assert len(children) >= 2  # the busy worker, its sibling, the resource tracker
    daemon.signal(signal.SIGKILL)
    daemon.wait(10)
    _gone, alive = psutil.wait_procs(children, timeout=5)
    assert alive == [], [c.cmdline() for c in alive]


def test_a_page_over_the_extraction_time_limit_uses_the_summary(http_server: LocalServer, settings: Settings,
                                                                 tmp_path: Path) -> None:
    slow = _serve_slow(http_server)
    quick = _serve_articles(http_server, "/quick.xml", range(1))
    write_feeds_file(settings.feeds.file, [slow, quick])
    config = _fault_config(tmp_path, settings, extract_timeout=1)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", "--once", "--config", str(config)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 60
    rows = dict(_query(settings.database.path, "SELECT url, extraction_error FROM articles"))
    assert rows == {http_server.url("/huge.html"): "extract_timeout", http_server.url("/a0.html"): None}
    assert _query(settings.database.path, "SELECT extraction_method FROM articles WHERE url = ?",
                  (http_server.url("/huge.html"),)) == [("feed_summary",)]
    assert "Traceback" not in result.stderr


SIGTERM_FAULTS = {
    "brotli-bomb": lambda s, p: s.add(p, faults.brotli_bomb(2_000_000_000), headers={"Content-Encoding": "br"}),
    "nested-gzip-bomb": lambda s, p: s.add(p, faults.nested_bomb(500_000_000, "gzip, gzip"),
                                           headers={"Content-Encoding": "gzip, gzip"}),
    "hang": lambda s, p: s.add(p, handler=faults.slow_headers(60)),
    "drip": lambda s, p: s.add(p, handler=faults.slow_drip(b"<rss>" + b" " * 10_000, every=0.5)),
    "reset": lambda s, p: s.add(p, handler=faults.reset),
}


@pytest.mark.parametrize("fault", list(SIGTERM_FAULTS))
def test_sigterm_exits_0_within_10_s_under_a_hostile_feed(http_server: LocalServer, settings: Settings,
                                                          tmp_path: Path, start_daemon, fault: str) -> None:
    SIGTERM_FAULTS[fault](http_server, "/hostile.xml")
    write_feeds_file(settings.feeds.file, [http_server.url("/hostile.xml")])
    daemon = start_daemon(_fault_config(tmp_path, settings, extract_timeout=30))
    _started(daemon)
    _wait_for(lambda: http_server.hits("/hostile.xml") > 0, 30, "the hostile feed's request", daemon)
    time.sleep(0.5)
    took = _stop(daemon)
    print(f"\nSIGTERM under {fault}: exit 0 after {took:.2f} s")
    assert "Traceback" not in daemon.log()
