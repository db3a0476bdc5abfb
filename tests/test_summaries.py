"""Summary tables (partnership_years, actor_pairs, actor_pair_years) stay equal to a full recomputation as
articles arrive, are re-analysed and lose their events."""

from __future__ import annotations

from datetime import date

import sqlite_utils
from analyst_db import add_article, event, key_of

from pipeline import store
from pipeline.models import Analysis

TABLES = ("partnership_years", "actor_pairs", "actor_pair_years")


def _snapshot(db: sqlite_utils.Database) -> dict[str, list[tuple]]:
    return {t: sorted(tuple(r) for r in db.execute(f"SELECT * FROM {t}").fetchall()) for t in TABLES}


def _assert_consistent(db: sqlite_utils.Database) -> dict[str, list[tuple]]:
    kept = _snapshot(db)
    with store.transaction(db) as conn:
        store.rebuild_summaries(conn)
    assert _snapshot(db) == kept
    return kept


def test_summaries_follow_every_change(db: sqlite_utils.Database) -> None:
    add_article(db, "http://a.example/1", "one", "text one", [
        event(("EU", "JPN"), "agreement", "negotiating", "Economic Partnership Agreement", "Talks go on.",
              on=date(2024, 3, 1)),
        event(("EU", "JPN", "KOR"), "cooperation", "launched", None, "Three partners launch a call.",
              on=date(2024, 5, 2)),
        event(("EU", "USA"), "partnership", "signed", None, "No reference to the US.", negated=True),
    ])
    first = _assert_consistent(db)
    assert next(r[:4] for r in first["actor_pairs"] if r[:2] == ("EU", "JPN")) == ("EU", "JPN", 2, 2)
    assert not [r for r in first["actor_pairs"] if "USA" in r[:2]]  # negated events make no pair

    second = add_article(db, "http://b.example/2", "two", "text two", [
        event(("EU", "JPN"), "agreement", "signed", "Economic Partnership Agreement", "They signed it.",
              on=date(2025, 7, 17)),
    ], publisher="other.example")
    kept = _assert_consistent(db)
    years = {(r[0], r[1], r[2]): r[3] for r in kept["actor_pair_years"]}
    assert years[("EU", "JPN", "2024")] == 2 and years[("EU", "JPN", "2025")] == 1

    store.save_analysis(db, second, Analysis(), version="test-2", key_of=key_of)  # re-analysed: no events now
    kept = _assert_consistent(db)
    assert ("EU", "JPN", "2025") not in {(r[0], r[1], r[2]) for r in kept["actor_pair_years"]}


def test_partner_pairs_view_reads_the_summary(db: sqlite_utils.Database) -> None:
    add_article(db, "http://a.example/1", "one", "text", [
        event(("EU", "SGP"), "agreement", "signed", "Digital Trade Agreement", "Signed.", on=date(2025, 5, 7)),
    ])
    rows = [dict(r) for r in db.query("SELECT pair, partnerships, mentions, first_reported FROM partner_pairs")]
    assert rows == [{"pair": "EU-SGP", "partnerships": 1, "mentions": 1, "first_reported": "2025-05-07"}]
