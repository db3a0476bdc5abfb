"""The fetch stage against a fault-injecting server: every fault is stored as feed state with its kind, the stage
finishes, healthy feeds are unaffected, stored entries survive, and the next poll time follows the policy."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils

from pipeline import store
from pipeline.collect import fetch_stage
from pipeline.config import Settings
from pipeline.cycle import CycleReport
from pipeline.feeds import load_feed_list
from pipeline.fetch import Fetcher
from tests import faults
from tests.conftest import LocalServer, rss, write_feeds_file

FEEDS = Path(__file__).resolve().parent / "data" / "feeds"


def feed_body(name: str, n: int = 2) -> str:
    return rss([{"title": f"{name} story {i}", "link": f"http://example.org/{name}/{i}",
                 "description": f"Summary {i} of {name}."} for i in range(n)], title=name)


def run_stage(settings: Settings, db: sqlite_utils.Database, *, pages: bool = False) -> tuple[CycleReport, Fetcher]:
    """One pass of the fetch stage over every active feed, as ``run_cycle`` does it (without the NLP)."""
    store.sync_feeds(db, load_feed_list(settings.feeds.file))
    report = CycleReport()
    fetcher = asyncio.run(fetch_stage(settings, db, store.due_feeds(db, every=True), report, threading.Event(),
                                      pages=pages))
    return report, fetcher


def feed_rows(db: sqlite_utils.Database) -> dict[str, dict]:
    return {row["url"].rsplit("/", 1)[-1]: dict(row) for row in db.query("SELECT * FROM feeds")}


def page_error_kinds(db: sqlite_utils.Database) -> dict[int, str]:
    return {r[0]: r[1] for r in db.execute("SELECT article_id, kind FROM errors WHERE stage = 'page'")}


def seconds_until(iso: str) -> float:
    return (store.parse_utc(iso) - datetime.now(UTC)).total_seconds()


# name: (how to break the route, expected kind)
FAULTS = {
    "hang": (lambda s, p: s.add(p, handler=faults.slow_headers(3)), "timeout"),
    "drip": (lambda s, p: s.add(p, handler=faults.slow_drip(feed_body("drip").encode(), every=0.1)), "timeout"),
    "reset": (lambda s, p: s.add(p, handler=faults.reset), "network"),
    "error500": (lambda s, p: s.add(p, "oops", status=500), "http_status"),
    "busy503": (lambda s, p: s.add(p, status=503, headers={"Retry-After": "7200"}), "rate_limited"),
    "limit429": (lambda s, p: s.add(p, status=429, headers={"Retry-After": "3600"}), "rate_limited"),
    "loop": (lambda s, p: s.add(p, status=302, headers={"Location": p}), "redirect_loop"),
    "huge": (lambda s, p: s.add(p, handler=faults.endless(50_000_000)), "too_large"),
    "bomb": (lambda s, p: s.add(p, faults.gzip_bomb(50_000_000), headers={"Content-Encoding": "gzip"}), "too_large"),
    "garbage": (lambda s, p: s.add(p, (FEEDS / "garbage.xml").read_bytes()), "parse_error"),
    "html": (lambda s, p: s.add(p, (FEEDS / "page.html").read_bytes(), content_type="text/html"), "not_a_feed"),
}


@pytest.fixture
def fault_settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings,
        fetch=dataclasses.replace(settings.fetch, timeout=1.0, per_host=16, concurrency=16, max_bytes=2_000_000),
        schedule=dataclasses.replace(settings.schedule, error_limit=2),
    )


def test_every_fault_is_stored_and_isolated(http_server: LocalServer, fault_settings: Settings,
                                            db: sqlite_utils.Database) -> None:
    names = [*FAULTS, "ok", "wrongcharset", "illformed"]
    write_feeds_file(fault_settings.feeds.file, [http_server.url(f"/feeds/{n}") for n in names])
    for name in names:
        http_server.add(f"/feeds/{name}", feed_body(name))
    first, _ = run_stage(fault_settings, db)
    assert first.feeds_failed == 0 and first.new_articles == 2 * len(names)
    entries_before = db.execute("SELECT count(*) FROM entries").fetchone()[0]

    for name, (break_route, _kind) in FAULTS.items():
        break_route(http_server, f"/feeds/{name}")
    http_server.add("/feeds/ok", feed_body("ok", 3))
    http_server.add("/feeds/wrongcharset", (FEEDS / "wrong-charset.xml").read_bytes())
    http_server.add("/feeds/illformed", (FEEDS / "illformed-entries.xml").read_bytes())
    second, _ = run_stage(fault_settings, db)

    assert second.feeds_polled == len(names) and second.feeds_failed == len(FAULTS)
    rows = feed_rows(db)
    for name, (_break, kind) in FAULTS.items():
        row = rows[name]
        assert (row["error_kind"], row["error_count"], row["healthy"]) == (kind, 1, 1), name
        assert row["error_message"] and row["last_success_at"] is not None
        wait = seconds_until(row["next_check_at"])
        expected = {"busy503": (7190, 7200), "limit429": (3590, 3600)}.get(name, (800, 990))
        assert expected[0] <= wait <= expected[1], (name, wait)
    assert db.execute("SELECT count(*) FROM errors WHERE stage = 'fetch'").fetchone()[0] == len(FAULTS)
    # nothing stored was lost; the healthy and the odd-but-readable feeds went on
    assert rows["ok"]["error_kind"] is None and 800 <= seconds_until(rows["ok"]["next_check_at"]) <= 900
    assert "CharacterEncodingOverride" in rows["wrongcharset"]["parse_warning"]
    assert "undefined entity" in rows["illformed"]["parse_warning"] and rows["illformed"]["ttl_seconds"] == 7200
    titles = {r[0] for r in db.execute("SELECT title FROM entries")}
    assert "ok story 2" in titles and "Coopération économique entre l'UE et la Corée" in titles
    assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == entries_before + 1 + 2 + 2

    # a second failure in a row reaches error_limit: unhealthy, backoff doubled, still listed and polled
    run_stage(fault_settings, db)
    row = feed_rows(db)["error500"]
    assert (row["error_count"], row["healthy"], row["active"]) == (2, 0, 1)
    assert 1600 <= seconds_until(row["next_check_at"]) <= 1990
    unhealthy = {f["url"].rsplit("/", 1)[-1] for f in store.status_summary(db)["feeds"] if not f["healthy"]}
    assert unhealthy == set(FAULTS)

    # recovery resets the error state
    http_server.add("/feeds/error500", feed_body("error500"))
    run_stage(fault_settings, db)
    row = feed_rows(db)["error500"]
    assert (row["error_count"], row["healthy"], row["error_kind"]) == (0, 1, None)


def test_unchanged_feed_costs_one_request_and_no_parsing(http_server: LocalServer, settings: Settings,
                                                         db: sqlite_utils.Database) -> None:
    body = feed_body("cond")
    write_feeds_file(settings.feeds.file, [http_server.url("/etag"), http_server.url("/lastmod"),
                                           http_server.url("/none")])

    def conditional(request) -> None:
        if request.headers.get("If-None-Match") == '"v1"':
            request.send_response(304)
            request.send_header("ETag", '"v1"')
            request.send_header("Cache-Control", "max-age=3600")
            request.end_headers()
            return
        request.send_response(200)
        for name, value in {"ETag": '"v1"', "Content-Type": "application/rss+xml",
                            "Content-Length": str(len(body))}.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(body.encode())

    http_server.add("/etag", handler=conditional)
    http_server.add("/lastmod", body, headers={"Last-Modified": "Mon, 04 May 2026 09:00:00 GMT"})
    http_server.add("/none", body)
    first, _ = run_stage(settings, db)
    assert first.feeds_unchanged == 0 and first.new_articles == 2  # one story in three feeds
    warning_before = feed_rows(db)["etag"]["parse_warning"]
    http_server.add("/lastmod", status=304)
    second, fetcher = run_stage(settings, db)
    assert (second.feeds_unchanged, second.feeds_failed, fetcher.requests) == (3, 0, 3)
    sent = {path: headers for path, headers in http_server.requests[-3:]}
    assert sent["/etag"]["if-none-match"] == '"v1"'
    assert sent["/lastmod"]["if-modified-since"] == "Mon, 04 May 2026 09:00:00 GMT"
    rows = feed_rows(db)
    assert 3500 <= seconds_until(rows["etag"]["next_check_at"]) <= 3600  # Cache-Control on the 304 honoured
    assert rows["etag"]["last_status_code"] == 304 and rows["etag"]["parse_warning"] == warning_before
    assert rows["none"]["content_hash"]  # no validators: the identical body was recognised, not parsed


def test_permanent_redirect_moves_feed_and_keeps_config_match(http_server: LocalServer, settings: Settings,
                                                              db: sqlite_utils.Database) -> None:
    old = http_server.url("/old")
    write_feeds_file(settings.feeds.file, [old])
    http_server.add("/old", status=301, headers={"Location": "/new"})
    http_server.add("/new", feed_body("moved"))
    run_stage(settings, db)
    run_stage(settings, db)  # a second sync must not re-add the old URL as a new feed
    rows = list(db.query("SELECT url, config_url, active FROM feeds"))
    assert rows == [{"url": http_server.url("/new"), "config_url": old, "active": 1}]
    assert http_server.hits("/new") == 2 and http_server.hits("/old") == 1


def test_syndicated_story_is_one_article_linked_to_every_feed(http_server: LocalServer, settings: Settings,
                                                              db: sqlite_utils.Database) -> None:
    from tests.conftest import article_page

    text = [f"Paragraph {i}: the European Union and Japan signed a digital partnership in Tokyo on Monday, officials"
            f" said, adding that talks on point {i} would continue." for i in range(4)]
    http_server.add("/story", article_page("EU and Japan", text), content_type="text/html; charset=utf-8")
    http_server.add("/copy", article_page("EU and Japan", text), content_type="text/html; charset=utf-8")
    story = http_server.url("/story")
    http_server.add("/a", rss([{"title": "EU-Japan", "link": story + "?utm_source=rss#top", "guid": "a-1"}]))
    http_server.add("/b", rss([{"title": "EU-Japan", "link": story, "guid": "b-77"}]))
    http_server.add("/c", rss([{"title": "EU-Japan (syndicated)", "link": http_server.url("/copy")}]))
    write_feeds_file(settings.feeds.file, [http_server.url(p) for p in ("/a", "/b", "/c")])
    run_stage(settings, db, pages=True)
    run_stage(settings, db, pages=True)  # rerun: idempotent
    links = db.execute("SELECT count(*), count(DISTINCT feed_id), count(DISTINCT article_id) FROM entries").fetchone()
    assert tuple(links) == (3, 3, 1)
    kept = db.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NULL AND text IS NOT NULL").fetchone()[0]
    assert kept == 1
    assert http_server.hits("/story") == 1


def test_robots_disallow_falls_back_to_summary(http_server: LocalServer, settings: Settings,
                                               db: sqlite_utils.Database) -> None:
    polite = dataclasses.replace(settings, fetch=dataclasses.replace(settings.fetch, respect_robots=True))
    http_server.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    http_server.add("/private/1", "<html>secret</html>", content_type="text/html")
    http_server.add("/feed", rss([{"title": "Hidden", "link": http_server.url("/private/1"),
                                   "description": "The summary stands in for the page."},
                                  {"title": "Open", "link": http_server.url("/public/2")}]))
    http_server.add("/public/2", "<html><body><p>short</p></body></html>", content_type="text/html")
    write_feeds_file(polite.feeds.file, [http_server.url("/feed")])
    run_stage(polite, db, pages=True)
    hidden = dict(next(db.query("SELECT * FROM articles WHERE url LIKE '%/private/1'")))
    assert hidden["extraction_error"] == "fetch_robots" and hidden["fetch_status"] == "done"
    assert page_error_kinds(db) == {hidden["id"]: "robots"}
    assert hidden["extraction_method"] == "feed_summary" and "summary stands in" in hidden["text"]
    assert http_server.hits("/private/1") == 0 and http_server.hits("/public/2") == 1
    assert http_server.hits("/robots.txt") == 1  # once per host per cycle


def test_robots_unavailable_allows(http_server: LocalServer, settings: Settings, db: sqlite_utils.Database) -> None:
    polite = dataclasses.replace(settings, fetch=dataclasses.replace(settings.fetch, respect_robots=True))
    http_server.add("/robots.txt", status=500)
    http_server.add("/page", "<html><body><p>hello</p></body></html>", content_type="text/html")
    http_server.add("/feed", rss([{"title": "Page", "link": http_server.url("/page")}]))
    write_feeds_file(polite.feeds.file, [http_server.url("/feed")])
    run_stage(polite, db, pages=True)
    assert http_server.hits("/page") == 1


def test_page_faults_stored_and_retried_then_summary(http_server: LocalServer, fault_settings: Settings,
                                                     db: sqlite_utils.Database) -> None:
    http_server.add("/p/huge", handler=faults.endless(50_000_000, content_type="text/html"))
    http_server.add("/p/down", status=503, headers={"Retry-After": "600"})
    http_server.add("/feed", rss([{"title": "Huge", "link": http_server.url("/p/huge"), "description": "h"},
                                  {"title": "Down", "link": http_server.url("/p/down"), "description": "d"}]))
    write_feeds_file(fault_settings.feeds.file, [http_server.url("/feed")])
    run_stage(fault_settings, db, pages=True)
    rows = {r["url"].rsplit("/", 1)[-1]: dict(r) for r in db.query("SELECT * FROM articles")}
    assert rows["huge"]["extraction_error"] == "fetch_too_large" and rows["huge"]["fetch_status"] == "done"
    assert rows["huge"]["extraction_method"] == "feed_summary"
    assert page_error_kinds(db) == {rows["huge"]["id"]: "too_large", rows["down"]["id"]: "rate_limited"}
    assert rows["down"]["fetch_error_kind"] == "rate_limited" and rows["down"]["fetch_status"] == "pending"
    assert 590 <= seconds_until(rows["down"]["next_fetch_at"]) <= 600


def test_full_cycle_finishes_despite_failing_feeds(http_server: LocalServer, fault_settings: Settings,
                                                   db: sqlite_utils.Database) -> None:
    from pipeline.cycle import run_cycle

    http_server.add("/good", feed_body("good"))
    http_server.add("/bad", handler=faults.reset)
    http_server.add("/html", (FEEDS / "page.html").read_bytes(), content_type="text/html")
    write_feeds_file(fault_settings.feeds.file, [http_server.url(p) for p in ("/good", "/bad", "/html")])
    report = run_cycle(fault_settings, db, every=True)
    assert (report.feeds_polled, report.feeds_failed, report.new_articles) == (3, 2, 2)
    run = dict(next(db.query("SELECT status, feeds_failed FROM runs ORDER BY id DESC LIMIT 1")))
    assert run == {"status": "ok", "feeds_failed": 2}
    kinds = {r["url"].rsplit("/", 1)[-1]: r["error_kind"] for r in db.query("SELECT url, error_kind FROM feeds")}
    assert kinds == {"good": None, "bad": "network", "html": "not_a_feed"}
