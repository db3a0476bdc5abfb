"""Feed rows: syncing from the feed list, the due-feed query, and fetch outcomes stored as feed state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from pipeline.store.db import transaction, utc_now

# One health vocabulary for ``status`` and ``feeds list``: removed (no longer in the list), UNHEALTHY (failed
# schedule.error_limit times in a row), failing (the last poll failed), ok (polled successfully), new (not polled yet).
FEED_HEALTH = ("new", "ok", "failing", "UNHEALTHY", "removed")
HEALTH_SQL = ("CASE WHEN NOT f.active THEN 'removed' WHEN NOT f.healthy THEN 'UNHEALTHY'"
              " WHEN f.error_kind IS NOT NULL THEN 'failing'"
              " WHEN f.last_success_at IS NOT NULL THEN 'ok' ELSE 'new' END")
# the last problem in full: the fetch error, else why the feed was ill-formed
PROBLEM_SQL = ("CASE WHEN f.error_kind IS NOT NULL THEN f.error_kind || ': ' || COALESCE(f.error_message, '')"
               " WHEN f.parse_warning IS NOT NULL THEN 'ill-formed: ' || f.parse_warning ELSE '' END")


@dataclass(frozen=True)
class FeedSpec:
    """One feed as configured in feeds.toml."""

    url: str
    name: str | None = None
    interval: int | None = None


def sync_feeds(db: sqlite_utils.Database, specs: Iterable[FeedSpec]) -> tuple[list[str], list[str]]:
    """Make the active feeds match the list: new URLs are added, missing ones deactivated (never deleted).

    A feed is matched by ``config_url`` (its URL in the list), so one moved by a permanent redirect keeps its row.
    Returns (added or reactivated URLs, deactivated URLs).
    """
    now = utc_now()
    specs = list(specs)
    wanted = {s.url for s in specs}
    added: list[str] = []
    with transaction(db) as conn:
        existing = {row[0]: row[1] for row in conn.execute("SELECT COALESCE(config_url, url), active FROM feeds")}
        for spec in specs:
            if spec.url not in existing:
                moved_here = conn.execute("SELECT id FROM feeds WHERE url = ?", (spec.url,)).fetchone()
                if moved_here:  # listed again under the URL it was redirected to: adopt that row
                    conn.execute("UPDATE feeds SET config_url = ? WHERE id = ?", (spec.url, moved_here[0]))
                    existing[spec.url] = 0
                else:
                    conn.execute(
                        "INSERT INTO feeds (url, config_url, name, interval_seconds, active, next_check_at,"
                        " created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
                        (spec.url, spec.url, spec.name, spec.interval, now, now, now),
                    )
                    added.append(spec.url)
                    continue
            if not existing[spec.url]:
                added.append(spec.url)
            conn.execute(
                "UPDATE feeds SET name = ?, interval_seconds = ?, active = 1,"
                " next_check_at = CASE WHEN active = 0 THEN ? ELSE next_check_at END, updated_at = ?"
                " WHERE COALESCE(config_url, url) = ? AND (name IS NOT ? OR interval_seconds IS NOT ? OR active = 0)",
                (spec.name, spec.interval, now, now, spec.url, spec.name, spec.interval),
            )
        removed = [url for url, active in existing.items() if active and url not in wanted]
        for url in removed:
            conn.execute("UPDATE feeds SET active = 0, updated_at = ? WHERE COALESCE(config_url, url) = ?", (now, url))
    return added, removed


def due_feeds(db: sqlite_utils.Database, *, now: str | None = None, every: bool = False) -> list[dict[str, Any]]:
    """Active feeds whose next check has come (all active feeds when ``every``), most overdue first."""
    now = now or utc_now()
    sql = "SELECT * FROM feeds WHERE active = 1"
    params: tuple = ()
    if not every:
        sql += " AND (next_check_at IS NULL OR next_check_at <= ?)"
        params = (now,)
    sql += " ORDER BY next_check_at IS NOT NULL, next_check_at, id"
    return [dict(row) for row in db.query(sql, params)]


def record_feed_success(
    db: sqlite_utils.Database,
    feed_id: int,
    *,
    status_code: int,
    next_check_at: str,
    etag: str | None = None,
    last_modified: str | None = None,
    title: str | None = None,
    site_url: str | None = None,
    ttl_seconds: int | None = None,
    parse_warning: str | None = None,
    url: str | None = None,
    content_hash: str | None = None,
    unchanged: bool = False,
) -> None:
    """A successful poll (200 or 304): store validators and schedule, reset the error state.

    A 200 replaces the validators with the ones just sent (a server that stops sending an ETag must not be asked
    with a stale one); a 304 keeps the stored ones unless it sends new ones. ``unchanged`` (a 200 whose body hash
    equals ``content_hash``) keeps the feed's hints and warning like a 304 does.
    """
    now = utc_now()
    keep = status_code == 304 or unchanged
    with transaction(db) as conn:
        conn.execute(
            "UPDATE feeds SET last_checked_at = ?, last_success_at = ?, next_check_at = ?, last_status_code = ?,"
            " etag = CASE WHEN ? THEN COALESCE(?, etag) ELSE ? END,"
            " last_modified = CASE WHEN ? THEN COALESCE(?, last_modified) ELSE ? END,"
            " title = COALESCE(?, title), site_url = COALESCE(?, site_url),"
            " ttl_seconds = CASE WHEN ? THEN ttl_seconds ELSE ? END,"
            " parse_warning = CASE WHEN ? THEN parse_warning ELSE ? END,"
            " content_hash = COALESCE(?, content_hash),"
            " error_kind = NULL, error_message = NULL, error_count = 0, healthy = 1, updated_at = ? WHERE id = ?",
            (now, now, next_check_at, status_code, keep, etag, etag, keep, last_modified, last_modified, title,
             site_url, keep, ttl_seconds, keep, parse_warning, content_hash, now, feed_id),
        )
        if url:
            _move_feed(conn, feed_id, url, now)


def _move_feed(conn, feed_id: int, url: str, now: str) -> None:
    """A permanent redirect: the feed lives at ``url`` from now on (unless another feed row already has it)."""
    taken = conn.execute("SELECT id FROM feeds WHERE url = ? AND id != ?", (url, feed_id)).fetchone()
    if not taken:
        conn.execute("UPDATE feeds SET url = ?, updated_at = ? WHERE id = ?", (url, now, feed_id))


def record_feed_error(
    db: sqlite_utils.Database,
    feed_id: int,
    *,
    kind: str,
    message: str,
    next_check_at: str,
    error_limit: int,
    status_code: int | None = None,
    run_id: int | None = None,
    url: str | None = None,
) -> int:
    """A failed poll: store the error on the feed and in ``errors``; returns the new error count."""
    now = utc_now()
    with transaction(db) as conn:
        conn.execute(
            "UPDATE feeds SET last_checked_at = ?, next_check_at = ?, last_status_code = ?, error_kind = ?,"
            " error_message = ?, error_count = error_count + 1,"
            " healthy = CASE WHEN error_count + 1 >= ? THEN 0 ELSE 1 END, updated_at = ? WHERE id = ?",
            (now, next_check_at, status_code, kind, message[:2000], error_limit, now, feed_id),
        )
        conn.execute(
            "INSERT INTO errors (at, stage, kind, message, feed_id, url, run_id) VALUES (?, 'fetch', ?, ?, ?, ?, ?)",
            (now, kind, message[:2000], feed_id, url, run_id),
        )
        return conn.execute("SELECT error_count FROM feeds WHERE id = ?", (feed_id,)).fetchone()[0]


def configured_url(db: sqlite_utils.Database, url: str) -> str | None:
    """The URL the feed list names for a feed a permanent redirect moved to ``url``; None if it did not move."""
    row = db.execute("SELECT config_url FROM feeds WHERE url = ? AND config_url IS NOT NULL", (url,)).fetchone()
    return row[0] if row else None


def list_feeds(db: sqlite_utils.Database, *, include_removed: bool = False) -> list[dict[str, Any]]:
    """Every feed with its ``health`` (one of FEED_HEALTH), last ``problem`` and how many entries it brought."""
    sql = (
        "SELECT f.id, f.url, f.config_url, f.name, f.title, f.site_url, f.active, f.healthy, f.error_count,"
        " f.error_kind, f.error_message, f.parse_warning, f.last_status_code, f.last_checked_at, f.last_success_at,"
        f" f.next_check_at, f.interval_seconds, f.ttl_seconds, {HEALTH_SQL} AS health, {PROBLEM_SQL} AS problem,"
        " (SELECT count(*) FROM entries e WHERE e.feed_id = f.id) AS entries FROM feeds f"
    )
    if not include_removed:
        sql += " WHERE f.active = 1"
    return [dict(row) for row in db.query(sql + " ORDER BY f.id")]
