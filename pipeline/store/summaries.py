"""Summary tables kept in step with the partnerships, so the analysts' pair and per-year questions read a few
rows instead of a million events.

``partnership_years``: positive events per partnership and year. ``actor_pairs``: each pair of actors sharing a
partnership. ``actor_pair_years``: the same per year. ``refresh_summaries`` recomputes what one partnership
touches (called in the transaction that changes it); ``rebuild_summaries`` recomputes everything.
"""

from __future__ import annotations

import sqlite3
from itertools import combinations

_YEARS = """
    INSERT INTO partnership_years (partnership_id, year, mentions, first_date, last_date)
    SELECT partnership_id, substr(on_date, 1, 4), count(*), min(on_date), max(on_date)
    FROM (SELECT e.partnership_id,
                 COALESCE(e.event_date, substr(a.published_at, 1, 10), substr(e.detected_at, 1, 10)) AS on_date
          FROM events e JOIN articles a ON a.id = e.article_id
          WHERE e.negated = 0 AND e.partnership_id IS NOT NULL {where})
    GROUP BY partnership_id, substr(on_date, 1, 4)
"""
_PAIRS = """
    INSERT INTO actor_pairs (actor_a, actor_b, partnerships, mentions, first_seen, last_seen, first_reported,
                             last_reported)
    SELECT x.actor_code, y.actor_code, count(*), sum(p.mentions), min(p.first_seen), max(p.last_seen),
           min(p.first_reported), max(p.last_reported)
    FROM partnership_participants x
    JOIN partnership_participants y ON y.partnership_id = x.partnership_id AND y.actor_code > x.actor_code
    JOIN partnerships p ON p.id = x.partnership_id
    WHERE p.mentions > 0 {where}
    GROUP BY x.actor_code, y.actor_code
"""
_PAIR_YEARS = """
    INSERT INTO actor_pair_years (actor_a, actor_b, year, partnerships, mentions, first_date, last_date)
    SELECT x.actor_code, y.actor_code, py.year, count(*), sum(py.mentions), min(py.first_date), max(py.last_date)
    FROM partnership_participants x
    JOIN partnership_participants y ON y.partnership_id = x.partnership_id AND y.actor_code > x.actor_code
    JOIN partnership_years py ON py.partnership_id = x.partnership_id
    WHERE 1 = 1 {where}
    GROUP BY x.actor_code, y.actor_code, py.year
"""


def refresh_summaries(conn: sqlite3.Connection, partnership_id: int) -> None:
    """Recompute the summary rows one partnership contributes to (inside the caller's transaction)."""
    conn.execute("DELETE FROM partnership_years WHERE partnership_id = ?", (partnership_id,))
    conn.execute(_YEARS.format(where="AND e.partnership_id = ?"), (partnership_id,))
    codes = sorted(r[0] for r in conn.execute(
        "SELECT actor_code FROM partnership_participants WHERE partnership_id = ?", (partnership_id,)))
    pair_filter = "AND x.actor_code = ? AND y.actor_code = ?"
    for pair in combinations(codes, 2):
        conn.execute("DELETE FROM actor_pairs WHERE actor_a = ? AND actor_b = ?", pair)
        conn.execute(_PAIRS.format(where=pair_filter), pair)
        conn.execute("DELETE FROM actor_pair_years WHERE actor_a = ? AND actor_b = ?", pair)
        conn.execute(_PAIR_YEARS.format(where=pair_filter), pair)


def rebuild_summaries(conn: sqlite3.Connection) -> None:
    """Recompute every summary row from partnerships and events (migration backfill, bulk loads)."""
    for table, sql in (("partnership_years", _YEARS), ("actor_pairs", _PAIRS), ("actor_pair_years", _PAIR_YEARS)):
        conn.execute(f"DELETE FROM {table}")
        conn.execute(sql.format(where=""))
