"""The whole path, real: a local HTTP server serves feeds and pages; one cycle writes articles, events and
partnerships; a second cycle adds nothing; the CLI reads them back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.cycle import run_cycle
from tests.conftest import LocalServer, article_page, rss, write_feeds_file

JAPAN_PAGE = article_page(
    "EU and Japan sign digital partnership",
    [
        "Brussels and Tokyo took a further step in their technology ties on Monday.",
        "The European Union and Japan signed a Digital Partnership in Tokyo on Monday, covering data flows,"
        " semiconductors and secure connectivity between the two economies.",
        "Officials said the partnership would be reviewed by a ministerial council every year.",
        "The new strategy makes no reference to the United States, which observers found striking.",
        "Further meetings of the working groups are expected in the autumn, according to the officials.",
    ],
)
SPORTS_PAGE = article_page(
    "Local team wins the cup",
    [
        "The home side won the regional cup final on Saturday after a tense penalty shoot-out.",
        "Supporters celebrated in the streets until late at night, and the mayor promised a reception.",
        "The coach said the victory was the result of months of hard work by the whole squad and staff.",
    ],
)


def _config(tmp_path: Path, settings: Settings) -> Path:
    path = tmp_path / "pactwatch.toml"
    path.write_text(
        f'[database]\npath = "{settings.database.path}"\n[feeds]\nfile = "{settings.feeds.file}"\n'
        "[fetch]\nallow_private_addresses = true\nrespect_robots = false\ntimeout = 5\n"
    )
    return path


def _cli(config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args, "--config", str(config)],
                          capture_output=True, text=True, timeout=180)


@pytest.fixture
def news_site(http_server: LocalServer, settings: Settings) -> LocalServer:
    http_server.add("/japan.html", JAPAN_PAGE, content_type="text/html; charset=utf-8")
    http_server.add("/sports.html", SPORTS_PAGE, content_type="text/html; charset=utf-8")
    items = [
        {"title": "EU and Japan sign digital partnership", "link": http_server.url("/japan.html?utm_source=rss"),
         "guid": "japan-1", "pubDate": "Mon, 04 May 2026 09:00:00 GMT"},
        {"title": "Local team wins the cup", "link": http_server.url("/sports.html"), "guid": "sports-1"},
        {"title": "Gone", "link": http_server.url("/missing.html"), "guid": "gone-1",
         "description": "A page that no longer exists; its summary is all we have."},
    ]
    http_server.add("/feed.xml", rss(items), headers={"ETag": '"v1"'})
    # the same story syndicated in a second feed, under a URL that differs only by tracking parameters
    http_server.add("/other.xml", rss([{**items[0], "link": http_server.url("/japan.html#top"), "guid": "x-9"}]))
    write_feeds_file(settings.feeds.file, [http_server.url("/feed.xml"), http_server.url("/other.xml")])
    return http_server


def _one(db, sql: str) -> dict | None:
    return next(iter(db.query(sql)), None)


def _counts(db) -> dict[str, int]:
    tables = ("feeds", "entries", "articles", "entities", "events", "partnerships", "partnership_status_changes")
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def test_full_cycle_then_unchanged_cycle(news_site: LocalServer, settings: Settings, db, tmp_path: Path) -> None:
    report = run_cycle(settings, db, every=True)
    assert report.feeds_polled == 2 and report.feeds_failed == 0
    assert report.new_articles == 3  # japan (deduplicated across feeds), sports, missing

    japan = _one(db, "SELECT * FROM articles WHERE url LIKE '%/japan.html'")
    assert japan is not None and "utm_source" not in japan["url"]
    assert japan["extraction_method"] == "trafilatura" and "Digital Partnership" in japan["text"]
    assert japan["nlp_status"] == "done" and japan["published_at"].startswith("2026-05-04")
    linked_feeds = db.execute("SELECT count(DISTINCT feed_id) FROM entries WHERE article_id = ?", (japan["id"],))
    assert linked_feeds.fetchone()[0] == 2

    missing = _one(db, "SELECT * FROM articles WHERE url LIKE '%/missing.html'")
    assert missing["fetch_error_kind"] == "http_status"
    assert missing["fetch_status"] == "pending"  # retried later, then the feed summary is used

    events = db.execute("SELECT participants, negated FROM events WHERE article_id = ?", (japan["id"],)).fetchall()
    assert ("EU,JPN", 0) in [tuple(e) for e in events]
    assert ("EU,USA", 1) in [tuple(e) for e in events]
    sports = _one(db, "SELECT id FROM articles WHERE url LIKE '%/sports.html'")
    assert db.execute("SELECT count(*) FROM events WHERE article_id = ?", (sports["id"],)).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM actors").fetchone()[0] > 250

    before = _counts(db)
    feed_hits = news_site.hits("/feed.xml")
    second = run_cycle(settings, db, every=True)
    assert second.new_articles == 0 and second.new_events == 0
    assert _counts(db) == before
    assert news_site.hits("/feed.xml") == feed_hits + 1
    assert news_site.requests[-1][1].get("if-none-match") == '"v1"' or any(
        h.get("if-none-match") == '"v1"' for p, h in news_site.requests if p == "/feed.xml")
    runs = db.execute("SELECT status, feeds_polled, new_articles FROM runs ORDER BY id").fetchall()
    assert [tuple(r) for r in runs] == [("ok", 2, 3), ("ok", 2, 0)]


def test_cli_lists_positive_partnership_and_negated_event(news_site: LocalServer, settings: Settings,
                                                          tmp_path: Path) -> None:
    config = _config(tmp_path, settings)
    result = _cli(config, "run", "--once")
    assert result.returncode == 0, result.stderr

    partnerships = json.loads(_cli(config, "partnerships", "--format", "json").stdout)
    pairs = [p["participants"] for p in partnerships]
    assert ["EU", "JPN"] in pairs
    assert ["EU", "USA"] not in pairs
    japan = next(p for p in partnerships if p["participants"] == ["EU", "JPN"])
    assert {"id", "type", "status", "participants", "instrument", "first_seen", "last_seen", "mentions",
            "sources"} <= set(japan)
    assert japan["status"] == "signed" and japan["mentions"] >= 1

    events = json.loads(_cli(config, "events", "--format", "json").stdout)
    usa = [e for e in events if e["participants"] == ["EU", "USA"]]
    assert usa and all(e["negated"] is True for e in usa)
    assert all(e["article_url"].endswith("/japan.html") for e in usa)

    table = _cli(config, "partnerships", "--country", "JPN")
    assert table.returncode == 0 and "EU-JPN" in table.stdout

    status = json.loads(_cli(config, "status", "--format", "json").stdout)
    assert status["counts"]["feeds_active"] == 2 and status["runs"][0]["status"] == "ok"


def test_unreachable_feeds_are_reported_stored_and_exit_0(http_server: LocalServer, settings: Settings,
                                                          tmp_path: Path) -> None:
    write_feeds_file(settings.feeds.file, [http_server.url("/nothing-here.xml"), "http://127.0.0.1:9/closed.xml"])
    config = _config(tmp_path, settings)
    result = _cli(config, "run", "--once")
    assert result.returncode == 0, result.stderr
    assert "feed failed" in result.stderr
    status = json.loads(_cli(config, "status", "--format", "json").stdout)
    kinds = sorted(f["error_kind"] for f in status["feeds"])
    assert kinds == ["http_status", "network"]


def test_reprocess_records_its_run_and_a_failure_ends_it(news_site: LocalServer, settings: Settings, db) -> None:
    from pipeline.cycle import reprocess

    run_cycle(settings, db, every=True)
    report = reprocess(settings, db)
    assert report.articles_analysed >= 2 and not report.stopped

    def interrupted(stage: str, done: int, total: int) -> None:  # a second Ctrl-C arrives as KeyboardInterrupt
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reprocess(settings, db, progress=interrupted)
    runs = db.execute("SELECT kind, status, finished_at IS NOT NULL FROM runs ORDER BY id").fetchall()
    assert [tuple(r) for r in runs] == [("cycle", "ok", 1), ("reprocess", "ok", 1), ("reprocess", "failed", 1)]
