"""Views, the FTS index and its triggers, and docs/schema.md + Datasette metadata kept in step with the schema."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from analyst_db import add_article, build

from pipeline.store import open_db, transaction
from pipeline.store.schema import MIGRATIONS, m001_initial

DOC = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def _live_schema(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """Tables and views with their columns, leaving out FTS shadow tables (SQLite's own)."""
    rows = db.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'view')"
                      " AND name NOT LIKE 'sqlite_%'").fetchall()
    virtual = [name for name, sql in rows if sql and sql.upper().startswith("CREATE VIRTUAL TABLE")]
    shadow = {name for name, _ in rows for v in virtual if name.startswith(v + "_")}
    return {name: [c[1] for c in db.execute(f"PRAGMA table_xinfo([{name}])") if c[6] != 1]  # 1: FTS hidden
            for name, _ in rows if name not in shadow}


def _doc_sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^### `([a-z_0-9]+)`\s*$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_docs_describe_every_table_and_column(db: sqlite_utils.Database) -> None:
    sections = _doc_sections()
    missing = []
    for table, columns in _live_schema(db).items():
        if table not in sections:
            missing.append(table)
            continue
        missing += [f"{table}.{c}" for c in columns if f"| `{c}` |" not in sections[table]]
    assert not missing, f"document these in docs/schema.md: {missing}"


def test_datasette_metadata_describes_exactly_the_live_schema(db: sqlite_utils.Database) -> None:
    pytest.importorskip("yaml")
    from pipeline.serve import described_tables

    described = described_tables()
    live = _live_schema(db)
    assert set(described) == set(live)
    for table, columns in live.items():
        assert described[table].get("description"), table
        assert set(described[table]["columns"]) == set(columns), table
        for facet in described[table].get("facets", []):
            assert facet in columns, (table, facet)


def test_docs_and_datasette_give_the_same_descriptions() -> None:
    pytest.importorskip("yaml")
    from pipeline.serve import described_tables

    sections = _doc_sections()
    for table, meta in described_tables().items():
        assert " ".join(meta["description"].split()) in " ".join(sections[table].split()), table
        for column, text in meta["columns"].items():
            escaped = text.replace("|", "&#124;").replace("<", "&lt;")
            assert f"| `{column}` | {escaped} |" in sections[table], f"{table}.{column}"


def test_canned_queries_are_the_documented_examples() -> None:
    pytest.importorskip("yaml")
    from pipeline.serve import canned_queries

    doc = " ".join(DOC.read_text(encoding="utf-8").split())
    queries = canned_queries()
    assert set(queries) == {"new_partnerships", "partners_over_time", "agreements_by_status", "articles_mentioning",
                            "partnership_timeline", "digest_partnerships"}
    for name, query in queries.items():
        assert " ".join(query["sql"].split()) in doc, name
        assert f"/pactwatch/{name}" in doc


def test_views_read_well(db: sqlite_utils.Database) -> None:
    build(db)
    named = {r["participants"]: r for r in db.query("SELECT * FROM partnerships_named")}
    assert set(named) == {"EU,JPN", "EU,KOR", "JPN,KOR", "EU,IND"}  # the negated EU-USA event makes none
    assert named["JPN,KOR"]["participant_names"] == "Japan | Korea, Republic of"
    pairs = {r["pair"]: r for r in db.query("SELECT * FROM partner_pairs")}
    assert set(pairs) == {"EU-JPN", "EU-KOR", "JPN-KOR", "EU-IND"}
    assert (pairs["EU-JPN"]["partnerships"], pairs["EU-JPN"]["mentions"]) == (1, 2)
    assert (pairs["EU-JPN"]["first_reported"], pairs["EU-JPN"]["last_reported"]) == ("2019-01-15", "2019-02-01")
    assert pairs["EU-JPN"]["first_seen"] <= pairs["EU-JPN"]["last_seen"]
    events = list(db.query("SELECT * FROM events_with_articles WHERE negated = 1"))
    assert len(events) == 1
    assert events[0]["article_title"] == "Korea and the EU launch Digital Partnership"
    assert events[0]["article_url"] == "http://news.example.org/korea-digital"
    assert events[0]["on_date"] == events[0]["detected_at"][:10]  # no stated or published date


def _matches(db: sqlite_utils.Database, query: str) -> list[int]:
    return [r[0] for r in db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid",
                                     (query,))]


def test_fts_follows_inserts_updates_and_deletes(db: sqlite_utils.Database) -> None:
    first = add_article(db, "http://news.example.org/a", "Hydrogen partnership", "Clean hydrogen from Namibia.")
    second = add_article(db, "http://news.example.org/b", "Raw materials", "Critical raw materials with Chile.")
    assert _matches(db, "hydrogen") == [first]
    assert _matches(db, "title:materials") == [second]
    assert _matches(db, "namibian") == []
    assert _matches(db, "partnerships") == [first]  # porter stemming
    with transaction(db) as conn:
        conn.execute("UPDATE articles SET text = 'Lithium and copper from Chile.' WHERE id = ?", (second,))
    assert _matches(db, "lithium") == [second]
    assert _matches(db, "critical") == []
    with transaction(db) as conn:
        conn.execute("UPDATE articles SET fetch_attempts = 3 WHERE id = ?", (first,))  # no text change
        conn.execute("DELETE FROM entries WHERE article_id = ?", (second,))
        conn.execute("DELETE FROM articles WHERE id = ?", (second,))
    assert _matches(db, "chile") == []
    assert _matches(db, "hydrogen") == [first]
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")


def test_migration_indexes_existing_articles(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    m001_initial(conn)
    conn.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    conn.execute("INSERT INTO migrations VALUES ('m001_initial', '2026-01-01T00:00:00Z')")
    conn.execute("INSERT INTO articles (url, title, text, first_seen_at) VALUES ('http://x.example/1', 'Old news',"
                 " 'The Mercosur agreement was signed.', '2026-01-01T00:00:00Z')")
    conn.commit()
    conn.close()
    db = open_db(path)
    try:
        assert {r[0] for r in db.execute("SELECT name FROM migrations")} == {m.__name__ for m in MIGRATIONS}
        assert _matches(db, "mercosur") == [1]
        assert db.execute("SELECT count(*) FROM partner_pairs").fetchone()[0] == 0
    finally:
        db.close()
