"""Entries and articles: new feed items, the page-download queue, extracted text, the NLP queue."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from pipeline.models import Article, Entry
from pipeline.store.db import to_utc_iso, transaction, utc_now


def add_entries(db: sqlite_utils.Database, feed_id: int, entries: Iterable[Entry]) -> int:
    """Store a feed's entries; each new URL becomes a pending article. Returns how many articles are new.

    Identity: an entry is (feed, guid); an article is its canonical URL, so one story in several feeds is one
    article linked to each feed through ``entries``.
    """
    now = utc_now()
    new_articles = 0
    with transaction(db) as conn:
        for entry in entries:
            inserted = conn.execute(
                "INSERT OR IGNORE INTO entries (feed_id, guid, url, title, summary, published_at, first_seen_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (feed_id, entry.guid, entry.url, entry.title, entry.summary, to_utc_iso(entry.published), now),
            ).rowcount
            if not inserted:
                continue
            url = entry.url or f"urn:pactwatch:entry:{feed_id}:{entry.guid}"
            created = conn.execute(
                "INSERT OR IGNORE INTO articles (url, title, published_at, first_seen_at, next_fetch_at, fetch_status)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (url, entry.title, to_utc_iso(entry.published), now, now, "pending" if entry.url else "no_url"),
            ).rowcount
            new_articles += created
            article_id, duplicate_of = conn.execute(
                "SELECT id, duplicate_of FROM articles WHERE url = ?", (url,)
            ).fetchone()
            conn.execute(
                "UPDATE entries SET article_id = ? WHERE feed_id = ? AND guid = ?",
                (duplicate_of or article_id, feed_id, entry.guid),
            )
            if not entry.url and created:
                _store_text(conn, article_id, title=entry.title, text=_summary_text(entry.title, entry.summary),
                            method="feed_summary", error="no_url", now=now)
    return new_articles


def pending_fetches(db: sqlite_utils.Database, *, now: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    """Articles whose page is due for download."""
    rows = db.query(
        "SELECT id, url, fetch_attempts FROM articles WHERE fetch_status = 'pending'"
        " AND (next_fetch_at IS NULL OR next_fetch_at <= ?) ORDER BY id LIMIT ?",
        (now or utc_now(), limit),
    )
    return [dict(r) for r in rows]


def entry_summary(db: sqlite_utils.Database, article_id: int) -> tuple[str | None, str]:
    """(title, text) built from the longest feed summary of an article's entries: the fallback text."""
    row = db.execute(
        "SELECT title, summary FROM entries WHERE article_id = ? ORDER BY length(summary) DESC LIMIT 1",
        (article_id,),
    ).fetchone()
    if not row:
        return None, ""
    return row[0], _summary_text(row[0], row[1])


def _summary_text(title: str | None, summary: str | None) -> str:
    return "\n\n".join(part.strip() for part in (title, summary) if part and part.strip())


def save_article(
    db: sqlite_utils.Database,
    article_id: int,
    article: Article,
    *,
    text_hash: str,
    publisher: str | None,
    raw_html: bytes | None = None,
) -> int:
    """Store extracted text. A text already stored under another URL makes this article its duplicate.

    Returns the id of the article that now holds the text (this one, or the earlier one it duplicates).
    """
    now = utc_now()
    fetched = article.extraction_method != "feed_summary"  # a fallback keeps the fetch error that caused it
    with transaction(db) as conn:
        earlier = conn.execute(
            "SELECT id FROM articles WHERE text_hash = ? AND id != ? AND duplicate_of IS NULL ORDER BY id LIMIT 1",
            (text_hash, article_id),
        ).fetchone()
        conn.execute(
            "UPDATE articles SET title = COALESCE(?, title), author = ?, sitename = ?, publisher = ?, language = ?,"
            " published_at = COALESCE(published_at, ?), text_hash = ?, fetched_at = ?,"
            " raw_html_gz = ?, fetch_error_kind = CASE WHEN ? THEN NULL ELSE fetch_error_kind END,"
            " fetch_error_message = CASE WHEN ? THEN NULL ELSE fetch_error_message END WHERE id = ?",
            (article.title, article.author, article.sitename, publisher, article.language,
             to_utc_iso(article.published), text_hash, now,
             gzip.compress(raw_html, compresslevel=6) if raw_html else None, fetched, fetched, article_id),
        )
        if earlier:
            conn.execute(
                "UPDATE articles SET fetch_status = 'duplicate', duplicate_of = ?, nlp_status = 'skipped' WHERE id = ?",
                (earlier[0], article_id),
            )
            conn.execute("UPDATE entries SET article_id = ? WHERE article_id = ?", (earlier[0], article_id))
            return earlier[0]
        _store_text(conn, article_id, title=article.title, text=article.text, method=article.extraction_method,
                    error=article.extraction_error, now=now)
        return article_id


def _store_text(conn, article_id: int, *, title, text: str, method: str, error: str | None, now: str) -> None:
    conn.execute(
        "UPDATE articles SET title = COALESCE(title, ?), text = ?, word_count = ?, extraction_method = ?,"
        " extraction_error = ?, fetch_status = 'done', fetched_at = COALESCE(fetched_at, ?),"
        " nlp_status = 'pending' WHERE id = ?",
        (title, text, len(text.split()), method, error, now, article_id),
    )


def record_page_error(
    db: sqlite_utils.Database,
    article_id: int,
    *,
    kind: str,
    message: str,
    next_fetch_at: str | None,
    url: str | None = None,
    run_id: int | None = None,
) -> None:
    """A failed page download; ``next_fetch_at`` None means no more retries (the caller falls back)."""
    now = utc_now()
    with transaction(db) as conn:
        conn.execute(
            "UPDATE articles SET fetch_attempts = fetch_attempts + 1, fetch_error_kind = ?, fetch_error_message = ?,"
            " next_fetch_at = ? WHERE id = ?",
            (kind, message[:2000], next_fetch_at, article_id),
        )
        conn.execute(
            "INSERT INTO errors (at, stage, kind, message, article_id, url, run_id) VALUES (?, 'page', ?, ?, ?, ?, ?)",
            (now, kind, message[:2000], article_id, url, run_id),
        )


_NLP_READY = "nlp_status = 'pending' AND text IS NOT NULL"  # a page still to download has no text yet


def pending_nlp(db: sqlite_utils.Database, *, limit: int = 500, after_id: int = 0) -> list[dict[str, Any]]:
    """Articles with text waiting for the NLP, in id order (not those still waiting for their page)."""
    rows = db.query(
        "SELECT id, title, text, published_at, nlp_attempts FROM articles"
        f" WHERE {_NLP_READY} AND id > ? ORDER BY id LIMIT ?",
        (after_id, limit),
    )
    return [dict(r) for r in rows]


def pending_nlp_count(db: sqlite_utils.Database) -> int:
    """How many articles have text waiting for the NLP."""
    return db.execute(f"SELECT count(*) FROM articles WHERE {_NLP_READY}").fetchone()[0]


def record_nlp_error(db: sqlite_utils.Database, article_id: int, message: str, *, max_attempts: int = 3) -> None:
    """NLP failed on one article: count it, give up after ``max_attempts`` (status 'failed')."""
    now = utc_now()
    with transaction(db) as conn:
        conn.execute(
            "UPDATE articles SET nlp_attempts = nlp_attempts + 1, nlp_error = ?,"
            " nlp_status = CASE WHEN nlp_attempts + 1 >= ? THEN 'failed' ELSE 'pending' END WHERE id = ?",
            (message[:2000], max_attempts, article_id),
        )
        conn.execute(
            "INSERT INTO errors (at, stage, kind, message, article_id) VALUES (?, 'nlp', 'nlp_error', ?, ?)",
            (now, message[:2000], article_id),
        )


def mark_for_reprocess(db: sqlite_utils.Database) -> int:
    """Queue every article with text for the NLP again (``pactwatch reprocess``)."""
    with transaction(db) as conn:
        return conn.execute(
            "UPDATE articles SET nlp_status = 'pending', nlp_attempts = 0, nlp_error = NULL"
            " WHERE text IS NOT NULL AND duplicate_of IS NULL"
        ).rowcount
