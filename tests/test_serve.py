"""``pactwatch serve``: a real Datasette on 127.0.0.1 answers the canned queries, describes tables, writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytest.importorskip("datasette")

from analyst_db import add_article, build, event, running_server

from pipeline.serve import build_metadata, canned_queries
from pipeline.store import open_db


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("serve")
    path = tmp / "pactwatch.db"
    db = open_db(path)
    build(db)
    db.close()
    with running_server(path, tmp) as base:
        yield base, path


def _rows(base: str, path: str, **params: str) -> list[dict]:
    response = httpx.get(f"{base}/pactwatch/{path}.json", params={"_shape": "array", **params}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_new_partnerships(served: tuple[str, Path]) -> None:
    rows = _rows(served[0], "new_partnerships")
    assert {r["participants"] for r in rows} == {"EU,JPN", "EU,KOR", "JPN,KOR", "EU,IND"}
    japan = next(r for r in rows if r["participants"] == "EU,JPN")
    assert japan["participant_names"] == "European Union | Japan"
    assert japan["status"] == "in_force" and japan["mentions"] == 2 and japan["sources"] == 2


def test_partners_over_time_defaults_to_japan_and_takes_a_parameter(served: tuple[str, Path]) -> None:
    rows = _rows(served[0], "partners_over_time")
    assert [(r["year"], r["partner"], r["mentions"]) for r in rows] == [("2019", "EU", 2), ("2022", "KOR", 1)]
    korea = _rows(served[0], "partners_over_time", actor="kor")
    assert [(r["year"], r["partner"]) for r in korea] == [("2022", "EU"), ("2022", "JPN")]


def test_agreements_by_status(served: tuple[str, Path]) -> None:
    assert _rows(served[0], "agreements_by_status") == [
        {"status": "in_force", "agreements": 1, "mentions": 2, "earliest": "2019-01-15", "latest": "2019-02-01"}]


def test_articles_mentioning_a_programme(served: tuple[str, Path]) -> None:
    rows = _rows(served[0], "articles_mentioning", programme="Global Gateway")
    assert {r["url"].rsplit("/", 1)[1]: r["programme_events"] for r in rows} == {
        "global-gateway-india": 1, "eu-japan-epa": 0}
    assert [r["id"] for r in _rows(served[0], "articles_mentioning", programme="digital partnership")] == [3]
    assert [r["id"] for r in _rows(served[0], "articles_mentioning", programme='Digital "Partnership')] == [3]
    assert _rows(served[0], "articles_mentioning", programme="Horizon Europe") == []


def test_partnership_timeline(served: tuple[str, Path]) -> None:
    pid = next(r["id"] for r in _rows(served[0], "new_partnerships") if r["participants"] == "EU,JPN")
    rows = _rows(served[0], "partnership_timeline", id=str(pid))
    assert [(r["date"], r["what"], r["status"]) for r in rows] == [
        ("2019-01-15", "event", "signed"),
        ("2019-01-15", "status change", "(new) → signed"),
        ("2019-02-01", "event", "in_force"),
        ("2019-02-01", "status change", "signed → in_force"),
    ]
    assert rows[2]["article_url"] == "http://news.example.org/epa-in-force"


def test_every_canned_query_answers(served: tuple[str, Path]) -> None:
    for name in canned_queries():
        response = httpx.get(f"{served[0]}/pactwatch/{name}.json", timeout=10)
        assert response.status_code == 200, (name, response.text)


def test_views_fts_and_descriptions_are_served(served: tuple[str, Path]) -> None:
    base = served[0]
    pairs = _rows(base, "partner_pairs", _sort_desc="mentions")
    assert pairs[0]["pair"] == "EU-JPN" and pairs[0]["mentions"] == 2
    hits = _rows(base, "articles", _search="hydrogen", _col="title")
    assert [h["title"] for h in hits] == ["Global Gateway projects announced in India"]
    page = httpx.get(f"{base}/pactwatch/partnerships", timeout=10).text
    assert "Events merged across articles" in page  # table description
    assert "independent publishers reporting it" in page  # column description
    facets = httpx.get(f"{base}/pactwatch/partnerships.json", params={"_size": "0"}, timeout=10).json()
    assert {"type", "status"} <= set(facets["facet_results"])


def test_nothing_an_http_client_does_writes(served: tuple[str, Path]) -> None:
    base, path = served
    before = path.read_bytes(), Path(f"{path}-wal").read_bytes() if Path(f"{path}-wal").exists() else b""
    for sql in ("DELETE FROM articles", "UPDATE partnerships SET status = 'ended'", "PRAGMA user_version = 99",
                "INSERT INTO actors (code, name, kind) VALUES ('X', 'x', 'org')",
                "ATTACH DATABASE '/tmp/x.db' AS x", "WITH x AS (SELECT 1) DELETE FROM articles"):
        response = httpx.get(f"{base}/pactwatch.json", params={"sql": sql}, timeout=10)
        assert response.status_code >= 400, sql
    response = httpx.post(f"{base}/pactwatch/new_partnerships", data={"days": "1"}, timeout=10)
    assert response.status_code >= 400
    after = path.read_bytes(), Path(f"{path}-wal").read_bytes() if Path(f"{path}-wal").exists() else b""
    assert before == after
    assert len(_rows(base, "new_partnerships")) == 4


def test_served_database_follows_the_writer(served: tuple[str, Path]) -> None:
    base, path = served
    db = open_db(path)
    try:
        add_article(db, "http://news.example.org/eu-sgp", "EU and Singapore sign digital trade deal",
                    "The EU and Singapore signed the Digital Trade Agreement.",
                    [event(("EU", "SGP"), "agreement", "signed", "Digital Trade Agreement",
                           "The EU and Singapore signed the Digital Trade Agreement.")])
    finally:
        db.close()
    rows = _rows(base, "new_partnerships")
    assert rows[0]["participants"] == "EU,SGP"


def test_metadata_is_keyed_by_the_database_name(tmp_path: Path) -> None:
    metadata = build_metadata(tmp_path / "analysis-copy.db")
    assert list(metadata["databases"]) == ["analysis-copy"]
    assert "new_partnerships" in metadata["databases"]["analysis-copy"]["queries"]


def test_immutable_snapshot(tmp_path: Path) -> None:
    import asyncio

    from pipeline.serve import make_app

    path = tmp_path / "snapshot.db"
    db = open_db(path)
    build(db)
    db.close()
    datasette = make_app(path, immutable=True)

    async def fetch() -> list[dict]:
        await datasette.invoke_startup()
        response = await datasette.client.get("/snapshot/agreements_by_status.json?_shape=array")
        return response.json()

    assert asyncio.run(fetch())[0]["status"] == "in_force"
    assert datasette.databases["snapshot"].is_mutable is False


def test_rejected_queries_are_one_log_line_each(tmp_path: Path) -> None:
    path = tmp_path / "pactwatch.db"
    db = open_db(path)
    build(db)
    db.close()
    bad = [
        {"sql": "select nonsense from"},
        {"sql": "select * from no_such_table"},
        {"sql": "select zeroblob(1e12)"},
        {"sql": "select load_extension('x')"},
        {"sql": "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c",
         "_timelimit": "20"},
        {"sql": "update feeds set name = 'x'"},
        {"sql": "attach database 'x.db' as x"},
    ]
    with running_server(path, tmp_path) as base:
        log = next(tmp_path.glob("serve-*.log"))
        startup = log.read_text().splitlines()
        for params in bad:
            assert httpx.get(f"{base}/pactwatch", params=params, timeout=30).status_code >= 400, params
        assert httpx.get(f"{base}/pactwatch/events", params={"_sort": "no_such_column"}, timeout=10).status_code \
            >= 400
        assert httpx.get(f"{base}/pactwatch/events.json", params={"_sort": "no_such_column"},
                         timeout=10).status_code >= 400
        assert _rows(base, "partnerships")  # still serving
        lines = log.read_text().splitlines()[len(startup):]
    assert "Traceback" not in "\n".join(lines) and "locals" not in "\n".join(lines)
    assert len(lines) <= len(bad) + 2, "\n".join(lines)


def test_every_interface_gets_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "pactwatch.db"
    open_db(path).close()
    with running_server(path, tmp_path, "--host", "0.0.0.0"):
        text = next(tmp_path.glob("serve-*.log")).read_text()
    assert "warning: --host 0.0.0.0 serves the database to every machine" in text
    with running_server(path, tmp_path):
        pass
    assert all("warning" not in log.read_text() or "0.0.0.0" in log.read_text()
               for log in tmp_path.glob("serve-*.log"))


def test_the_one_line_handler_answers_as_datasette_would(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import asyncio
    import logging

    from pipeline.serve import _quiet_errors, make_app

    path = tmp_path / "pactwatch.db"
    open_db(path).close()
    app = make_app(path)
    _quiet_errors()

    async def go() -> tuple[int, dict, int]:
        await app.invoke_startup()
        bad = await app.client.get("/pactwatch/events.json?_sort=no_such_column")
        page = await app.client.get("/pactwatch/events?_sort=no_such_column")
        return bad.status_code, bad.json(), page.status_code

    with caplog.at_level(logging.WARNING, logger="pipeline.serve_errors"):
        status, body, page_status = asyncio.run(go())
    assert status == page_status and status >= 400 and body["ok"] is False and "no_such_column" in body["error"]
    lines = [r.getMessage() for r in caplog.records if r.name == "pipeline.serve_errors"]
    assert len(lines) == 2 and all("request failed" in line and "_sort=no_such_column" in line for line in lines)
