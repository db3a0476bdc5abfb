"""Full-text search: the store function and ``pactwatch search``."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlite_utils
from analyst_db import add_article, build
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import Settings
from pipeline.store import search_articles, transaction
from pipeline.store.search import plain_query


@pytest.fixture
def built(db: sqlite_utils.Database) -> sqlite_utils.Database:
    build(db)
    for i, topic in enumerate(("fisheries", "energy", "migration", "raw materials")):  # so ranking has a baseline
        add_article(db, f"http://news.example.org/other-{i}", f"Council conclusions on {topic}",
                    f"Ministers adopted conclusions on {topic} and the budget.")
    return db


def _urls(rows: list[dict]) -> list[str]:
    return [r["url"].rsplit("/", 1)[1] for r in rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hydrogen", ["global-gateway-india"]),
        ('"Global Gateway"', ["global-gateway-india", "eu-japan-epa"]),  # title match ranks first
        ("Japan OR Singapore", ["eu-japan-epa", "epa-in-force", "korea-digital"]),
        ("japan NOT tokyo", ["epa-in-force", "korea-digital"]),
        ("partner*", ["korea-digital", "eu-japan-epa", "epa-in-force"]),
        ("EU-Japan", ["epa-in-force"]),  # not FTS5 syntax: searched as plain words (a phrase here)
        ('"unbalanced quote', []),
        ("Japan OR", ["eu-japan-epa", "epa-in-force", "korea-digital"]),
        ("", []),
    ],
    ids=["word", "phrase", "or", "not", "prefix", "hyphen-fallback", "unbalanced", "dangling-or", "empty"],
)
def test_search_articles(built: sqlite_utils.Database, query: str, expected: list[str]) -> None:
    rows = list(search_articles(built, query))
    assert sorted(_urls(rows)) == sorted(expected)
    if query.startswith('"Global'):
        assert _urls(rows) == expected


def test_results_carry_snippet_events_and_rank(built: sqlite_utils.Database) -> None:
    [row] = search_articles(built, "hydrogen")
    assert "[hydrogen]" in row["snippet"]
    assert row["events"] == 1
    assert set(row) == {"id", "title", "url", "publisher", "published_at", "snippet", "events", "rank"}


def test_since_and_limit(built: sqlite_utils.Database) -> None:
    with transaction(built) as conn:
        conn.execute("UPDATE articles SET published_at = '2019-01-15T08:00:00Z' WHERE url LIKE '%eu-japan-epa'")
        conn.execute("UPDATE articles SET published_at = '2024-03-05T08:00:00Z' WHERE url LIKE '%india'")
    assert _urls(search_articles(built, '"Global Gateway"', since="2020-01-01T00:00:00Z")) == ["global-gateway-india"]
    assert len(list(search_articles(built, "japan", limit=2))) == 2


def test_new_text_is_searchable_at_once(db: sqlite_utils.Database) -> None:
    assert list(search_articles(db, "Mercosur")) == []
    add_article(db, "http://news.example.org/m", "Mercosur deal", "The EU-Mercosur agreement was signed.")
    assert _urls(search_articles(db, "mercosur")) == ["m"]


def test_plain_query_quotes_every_word() -> None:
    assert plain_query('EU-Japan "deal') == '"EU-Japan" "deal"'
    assert plain_query("  ") == ""
    assert plain_query("Japan OR") == '"Japan"'


def test_search_command(settings: Settings, built: sqlite_utils.Database) -> None:
    runner = CliRunner()
    db_args = ["--db", str(settings.database.path)]
    result = runner.invoke(cli, ["search", "hydrogen", *db_args, "--format", "json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert row["title"] == "Global Gateway projects announced in India"
    result = runner.invoke(cli, ["search", "japan", *db_args, "--format", "csv", "--limit", "2"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 2 and set(rows[0]) == {"id", "published_at", "events", "title", "url", "snippet"}
    result = runner.invoke(cli, ["search", "japan", *db_args])
    assert "Trade deal with Japan enters into force" in result.output
    result = runner.invoke(cli, ["search", "nothing-like-this", *db_args, "--format", "ndjson"])
    assert result.exit_code == 0 and result.output == ""
