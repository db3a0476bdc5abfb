"""Read queries behind the CLI (partnerships, events, status); each streams rows as dicts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlite_utils

from pipeline.store.articles import pending_nlp_count
from pipeline.store.feeds import HEALTH_SQL, PROBLEM_SQL
from pipeline.store.runs import last_runs


def _filters(alias: str, link: str, *, since: str | None, country: str | None, type_: str | None,
             status: str | None, since_column: str, limited: bool) -> tuple[str, list[Any]]:
    """SQL conditions for the CLI filters. With a limit, the actor test is a per-row EXISTS, so SQLite walks the
    newest-first index and stops early; without one, the actor's rows are collected once and sorted."""
    where, params = [], []
    if since:
        where.append(f"{alias}.{since_column} >= ?")
        params.append(since)
    if country:
        if limited:
            where.append(f"EXISTS (SELECT 1 FROM {link}_participants x WHERE x.{link}_id = {alias}.id"
                         " AND x.actor_code = ?)")
        else:
            where.append(f"{alias}.id IN (SELECT {link}_id FROM {link}_participants WHERE actor_code = ?)")
        params.append(country.upper())
    if type_:
        where.append(f"{alias}.type = ?")
        params.append(type_)
    if status:
        where.append(f"{alias}.status = ?")
        params.append(status)
    return "".join(f" AND {w}" for w in where), params


def iter_partnerships(db: sqlite_utils.Database, *, since: str | None = None, country: str | None = None,
                      type_: str | None = None, status: str | None = None,
                      limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Partnerships with at least one mention, newest first; ``since`` filters on first_seen."""
    where, params = _filters("p", "partnership", since=since, country=country, type_=type_, status=status,
                             since_column="first_seen", limited=bool(limit))
    sql = (
        "SELECT p.id, p.type, p.status, p.participants, p.instrument, p.first_seen, p.last_seen, p.first_reported,"
        " p.last_reported, p.mentions, p.sources, p.confidence, p.best_evidence FROM partnerships p"
        f" WHERE p.mentions > 0{where} ORDER BY p.first_seen DESC, p.id DESC"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    for row in db.query(sql, params):
        row = dict(row)
        row["participants"] = row["participants"].split(",")
        yield row


def iter_events(db: sqlite_utils.Database, *, since: str | None = None, country: str | None = None,
                type_: str | None = None, status: str | None = None, negated: bool | None = None,
                limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Single events with their evidence and article, newest first; ``since`` filters on detected_at. Events
    judged wrong are left out; corrected ones come as corrected (``verdict`` says so)."""
    where, params = _filters("e", "event", since=since, country=country, type_=type_, status=status,
                             since_column="detected_at", limited=bool(limit))
    if negated is not None:
        where += " AND e.negated = ?"
        params.append(int(negated))
    sql = (
        "SELECT e.id, e.type, e.status, e.participants, e.instrument, e.negated, e.event_date AS date, e.evidence,"
        " e.confidence, e.partnership_id, e.extractor_version, e.detected_at, a.url AS article_url,"
        " a.title AS article_title, e.verdict FROM events e JOIN articles a ON a.id = e.article_id"
        f" WHERE e.verdict IS NOT 'wrong'{where} ORDER BY e.detected_at DESC, e.id DESC"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    for row in db.query(sql, params):
        row = dict(row)
        row["participants"] = row["participants"].split(",")
        row["negated"] = bool(row["negated"])
        yield row


def status_summary(db: sqlite_utils.Database) -> dict[str, Any]:
    """Feeds health, queue sizes, last runs and counts, for ``pactwatch status``."""

    def scalar(sql: str) -> int:
        return db.execute(sql).fetchone()[0]

    feeds = [
        dict(r)
        for r in db.query(
            "SELECT f.id, f.url, f.name, f.active, f.healthy, f.error_count, f.error_kind, f.error_message,"
            " f.last_status_code, f.last_checked_at, f.last_success_at, f.next_check_at,"
            f" {HEALTH_SQL} AS health, {PROBLEM_SQL} AS problem FROM feeds f"
            " ORDER BY f.active DESC, f.healthy, f.error_count DESC, f.id"
        )
    ]
    return {
        "feeds": feeds,
        "counts": {
            "feeds_active": scalar("SELECT count(*) FROM feeds WHERE active = 1"),
            "feeds_unhealthy": scalar("SELECT count(*) FROM feeds WHERE active = 1 AND healthy = 0"),
            "articles": scalar("SELECT count(*) FROM articles"),
            "events": scalar("SELECT count(*) FROM events WHERE verdict IS NOT 'wrong'"),
            "partnerships": scalar("SELECT count(*) FROM partnerships WHERE mentions > 0"),
            "articles_not_english": scalar("SELECT count(*) FROM articles WHERE text_language IS NOT NULL"
                                           " AND text_language != 'en'"),
        },
        "languages": {row[0]: row[1] for row in db.execute(
            "SELECT text_language, count(*) FROM articles WHERE text_language IS NOT NULL"
            " GROUP BY text_language ORDER BY count(*) DESC, text_language LIMIT 10")},
        "queues": {
            "pages_to_fetch": scalar("SELECT count(*) FROM articles WHERE fetch_status = 'pending'"),
            "articles_to_analyse": pending_nlp_count(db),
            "nlp_failed": scalar("SELECT count(*) FROM articles WHERE nlp_status = 'failed'"),
        },
        "review": {
            "events_to_review": scalar("SELECT count(*) FROM events WHERE verdict IS NULL"),
            "judgements": scalar("SELECT count(*) FROM judgements WHERE undone_at IS NULL"),
        },
        "runs": last_runs(db, 5),
        "recent_errors": [
            dict(r) for r in db.query("SELECT at, stage, kind, message, feed_id, article_id, url FROM errors"
                                      " ORDER BY id DESC LIMIT 10")
        ],
    }
