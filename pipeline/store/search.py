"""Full-text search over article titles and text (the ``articles_fts`` FTS5 index kept in sync by triggers)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import sqlite_utils

_SQL = (
    "SELECT a.id, a.title, a.url, a.publisher, a.published_at,"
    " snippet(articles_fts, -1, '[', ']', '…', 16) AS snippet,"
    " (SELECT count(*) FROM events e WHERE e.article_id = a.id) AS events,"
    " round(bm25(articles_fts, 5.0, 1.0), 3) AS rank"
    " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
    " WHERE articles_fts MATCH ?{where} ORDER BY bm25(articles_fts, 5.0, 1.0), a.id LIMIT ?"
)
_QUERY_ERRORS = ("fts5:", "no such column", "unterminated string", "syntax error", "unknown special query")


def plain_query(query: str) -> str:
    """Quote every word as an FTS5 string (dropping stray AND/OR/NOT), so any text is a valid query matching all
    its words."""
    words = [w for w in re.findall(r"[^\s\"]+", query) if w not in ("AND", "OR", "NOT")]
    return " ".join(f'"{w}"' for w in words)


def search_articles(db: sqlite_utils.Database, query: str, *, since: str | None = None,
                    limit: int = 20) -> Iterator[dict[str, Any]]:
    """Articles matching ``query``, best first (title matches weigh 5x), with a highlighted snippet.

    ``query`` is FTS5 syntax (``"Global Gateway"``, ``Japan OR Korea``, ``digit*``, ``NEAR(...)``); text that is not
    valid FTS5 syntax is searched as plain words instead. ``since`` (UTC ISO-8601) filters on ``published_at``.
    """
    where, params = "", []
    if since:
        where = " AND a.published_at >= ?"
        params.append(since)
    sql = _SQL.format(where=where)
    try:
        rows = db.execute(sql, [query, *params, limit]).fetchall()
    except sqlite3.OperationalError as exc:
        if not any(marker in str(exc) for marker in _QUERY_ERRORS):
            raise
        fallback = plain_query(query)
        if not fallback:
            return
        rows = db.execute(sql, [fallback, *params, limit]).fetchall()
    columns = ("id", "title", "url", "publisher", "published_at", "snippet", "events", "rank")
    for row in rows:
        yield dict(zip(columns, row, strict=True))
