"""The actors table (codes, names, kinds), filled from the NLP's data in models/."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlite_utils

from pipeline.store.db import transaction


def load_actors(db: sqlite_utils.Database, rows: Iterable[dict[str, Any]]) -> int:
    """Insert or update every actor row (code, name, kind, iso2). Returns the number of rows."""
    rows = list(rows)
    with transaction(db) as conn:
        conn.executemany(
            "INSERT INTO actors (code, name, kind, iso2) VALUES (:code, :name, :kind, :iso2)"
            " ON CONFLICT(code) DO UPDATE SET name = excluded.name, kind = excluded.kind, iso2 = excluded.iso2",
            [{"iso2": None, **r} for r in rows],
        )
    return len(rows)


def actor_count(db: sqlite_utils.Database) -> int:
    """How many actors the table holds (0 before the first cycle fills it)."""
    return db.execute("SELECT count(*) FROM actors").fetchone()[0]
