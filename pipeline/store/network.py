"""The partner network for a period: one row per pair of actors that share a partnership, for ``pactwatch graph``."""

from __future__ import annotations

from typing import Any

import sqlite_utils

_ON_DATE = "COALESCE(e.event_date, substr(a.published_at, 1, 10), substr(e.detected_at, 1, 10))"


def partner_links(db: sqlite_utils.Database, *, since: str | None = None, until: str | None = None,
                  country: str | None = None) -> list[dict[str, Any]]:
    """Actor pairs with their mentions per event type, counting positive events dated in [since, until].

    An event's date is its stated date, else its article's publication date, else the day it was detected.
    ``country`` keeps only partnerships involving that actor code. Rows: actor_a, actor_b, type, mentions,
    partnerships (a partnership with three participants yields three pairs).
    """
    where, params = ["e.negated = 0", "e.partnership_id IS NOT NULL"], []
    if since:
        where.append(f"{_ON_DATE} >= ?")
        params.append(since[:10])
    if until:
        where.append(f"{_ON_DATE} <= ?")
        params.append(until[:10])
    if country:
        where.append("e.partnership_id IN (SELECT partnership_id FROM partnership_participants WHERE actor_code = ?)")
        params.append(country.upper())
    sql = (
        "WITH mentioned AS (SELECT e.partnership_id, e.type, count(*) AS mentions FROM events e"
        f" JOIN articles a ON a.id = e.article_id WHERE {' AND '.join(where)} GROUP BY e.partnership_id, e.type)"
        " SELECT x.actor_code AS actor_a, y.actor_code AS actor_b, m.type, sum(m.mentions) AS mentions,"
        " count(DISTINCT m.partnership_id) AS partnerships FROM mentioned m"
        " JOIN partnership_participants x ON x.partnership_id = m.partnership_id"
        " JOIN partnership_participants y ON y.partnership_id = m.partnership_id AND y.actor_code > x.actor_code"
        " GROUP BY x.actor_code, y.actor_code, m.type ORDER BY x.actor_code, y.actor_code, m.type"
    )
    return [dict(r) for r in db.query(sql, params)]


def actor_names(db: sqlite_utils.Database) -> dict[str, str]:
    """Actor code to display name, from the ``actors`` table."""
    return {row["code"]: row["name"] for row in db.query("SELECT code, name FROM actors")}
