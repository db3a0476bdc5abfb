"""Commands as a reader uses them: global options anywhere, one health vocabulary, full error text, conflicting
inputs, a bad JSONL line, the language of a text, Ctrl-C on ``run --once`` and counts that say what they count."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import store
from pipeline.cli import main
from pipeline.config import Settings
from pipeline.feeds import sync_feed_list
from tests.conftest import LocalServer, article_page, rss, write_feeds_file

LONG_ERROR = ("ConnectError: [Errno 111] Connection refused while connecting to the feed server of the ministry,"
              " after three attempts over twelve minutes; the last answer was https://feeds.example.org/"
              "a-very-long-path/that-is-one-word/and-must-stay-whole.xml and nothing more was heard")


def _run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err  # type: ignore[return-value]


def _config(tmp_path: Path, settings: Settings) -> Path:
    path = tmp_path / "pactwatch.toml"
    path.write_text(f'[database]\npath = "{settings.database.path}"\n[feeds]\nfile = "{settings.feeds.file}"\n'
                    "[fetch]\nallow_private_addresses = true\nrespect_robots = false\ntimeout = 5\n")
    return path


# --- global options -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["--config", "{config}", "status", "--format", "json"],
    ["status", "--config", "{config}", "--format", "json"],
    ["--format", "json", "--config", "{config}", "status"],
    ["--db", "{db}", "--format", "json", "status"],
    ["--config", "{config}", "--format", "table", "status", "--format", "json"],  # after the command wins
    ["--config", "{config}", "feeds", "list", "--format", "json"],
    ["feeds", "--config", "{config}", "--format", "json", "list"],
    ["--debug", "feeds", "list", "--debug", "--db", "{db}", "--format", "json"],
], ids=["before", "after", "format-before", "db-before", "after-wins", "group-before", "group-middle", "debug"])
def test_global_options_before_or_after_the_command(args: list[str], tmp_path, settings, db, capsys) -> None:
    config = _config(tmp_path, settings)
    argv = [a.format(config=config, db=settings.database.path) for a in args]
    code, out, err = _run(capsys, *argv)
    assert code == 0, err
    assert isinstance(json.loads(out), (dict, list))
    assert settings.database.path.exists()


def test_global_format_must_suit_the_command(tmp_path, settings, capsys) -> None:
    config = _config(tmp_path, settings)
    code, _, err = _run(capsys, "--config", config, "--format", "csv", "status")
    assert code == 2 and "'csv' is not one of table, json" in err
    code, _, err = _run(capsys, "--format", "json", "run", "--config", config)
    assert code == 2 and "--format does not apply to pactwatch run" in err


# --- status and feeds list ------------------------------------------------------------------------------------------


def _feeds_in_every_state(settings: Settings, db) -> dict[str, str]:
    """Five feeds, one per health word; returns URL -> the health it must show."""
    urls = {name: f"https://feeds.example.org/{name}.xml" for name in ("new", "ok", "failing", "sick", "gone")}
    write_feeds_file(settings.feeds.file, list(urls.values()))
    sync_feed_list(settings, db)
    ids = {r["url"]: r["id"] for r in db.query("SELECT id, url FROM feeds")}
    later = "2030-01-01T00:00:00Z"
    store.record_feed_success(db, ids[urls["ok"]], status_code=200, next_check_at=later)
    store.record_feed_error(db, ids[urls["failing"]], kind="network", message=LONG_ERROR, next_check_at=later,
                            error_limit=10)
    store.record_feed_error(db, ids[urls["sick"]], kind="http_status", message="HTTP 500", next_check_at=later,
                            error_limit=1)
    store.record_feed_error(db, ids[urls["gone"]], kind="timeout", message="read timed out", next_check_at=later,
                            error_limit=10)
    write_feeds_file(settings.feeds.file, [u for name, u in urls.items() if name != "gone"])
    sync_feed_list(settings, db)
    return {urls["new"]: "new", urls["ok"]: "ok", urls["failing"]: "failing", urls["sick"]: "UNHEALTHY",
            urls["gone"]: "removed"}


def test_status_and_feeds_list_share_one_health_vocabulary(tmp_path, settings, db, capsys) -> None:
    expected = _feeds_in_every_state(settings, db)
    config = _config(tmp_path, settings)
    code, out, _ = _run(capsys, "status", "--config", config, "--format", "json")
    assert code == 0
    status = json.loads(out)
    assert {f["url"]: f["health"] for f in status["feeds"]} == expected
    failing = next(f for f in status["feeds"] if f["health"] == "failing")
    assert failing["error_message"] == LONG_ERROR  # JSON keeps the message as stored
    code, out, _ = _run(capsys, "feeds", "list", "--all", "--config", config, "--format", "json")
    assert {f["url"]: f["health"] for f in json.loads(out)} == expected
    assert set(expected.values()) == set(store.FEED_HEALTH)


def test_status_prints_the_full_error_wrapped_at_word_boundaries(tmp_path, settings, db, capsys,
                                                                 monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    _feeds_in_every_state(settings, db)
    code, out, _ = _run(capsys, "status", "--config", _config(tmp_path, settings))
    assert code == 0
    table = out[out.index("\nid "):].splitlines()[1:]
    rows = {line.split()[0]: line.split()[1] for line in table[2:] if not line.startswith(" ")}
    assert rows == {"1": "new", "2": "ok", "3": "failing", "4": "UNHEALTHY", "5": "removed"}
    notes = [line for line in table if line.startswith("    ")]
    assert not any("…" in n for n in notes)
    assert " ".join(" ".join(n.split()) for n in notes).count("network: " + LONG_ERROR) == 1
    long_word = "https://feeds.example.org/a-very-long-path/that-is-one-word/and-must-stay-whole.xml"
    assert any(n.strip() == long_word for n in notes)  # too long for a line: whole, on a line of its own
    assert all(len(n) <= 79 for n in notes if n.strip() != long_word)
    assert any(n.strip() == "http_status: HTTP 500" for n in notes)


# --- digest dry run with nothing new -------------------------------------------------------------------------------


def test_empty_dry_run_says_so_and_writes_nothing(tmp_path, settings, db, capsys) -> None:
    config = _config(tmp_path, settings)
    config.write_text(config.read_text() + '[[email.recipients]]\naddress = "analyst@example.org"\n')
    out = tmp_path / "digest.eml"
    code, stdout, err = _run(capsys, "digest", "--config", config, "--dry-run", "--out", out)
    assert code == 0 and stdout == ""
    assert "analyst@example.org: nothing new, no digest, no file written" in err
    assert not out.exists()
    out.write_text("an earlier digest")
    code, _, err = _run(capsys, "digest", "--config", config, "--dry-run", "--out", out)
    assert code == 0 and f"{out} is left as it was: it holds an earlier digest" in err
    assert out.read_text() == "an earlier digest"


# --- extract ------------------------------------------------------------------------------------------------------


def test_conflicting_extract_inputs_are_usage_errors(tmp_path, settings, db, capsys) -> None:
    text = tmp_path / "one.txt"
    text.write_text("The EU and Japan signed an agreement.")
    code, out, err = _run(capsys, "extract", text, "--jsonl", text, "--db", settings.database.path)
    assert code == 2 and out == "" and "give FILE or --jsonl BATCH, not both" in err
    code, _, err = _run(capsys, "extract", "--jsonl", text, "--published", "2026-05-01")
    assert code == 2 and "--published applies to one text" in err


def test_a_bad_jsonl_line_is_reported_and_the_others_processed(tmp_path, settings, db, capsys) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join([
        json.dumps({"id": "a", "text": "The EU and Singapore signed a Digital Trade Agreement on 7 May 2025."}),
        "{not json",
        json.dumps({"id": "c"}),
        "",
        json.dumps({"id": "e", "text": "Japan and the EU launched a Digital Partnership.", "published": "soon"}),
        json.dumps({"id": "f", "text": "Japan and the EU launched a Digital Partnership in Tokyo."}),
    ]) + "\n")
    code, out, err = _run(capsys, "extract", "--jsonl", batch, "--db", settings.database.path)
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["id"] for line in lines] == ["a", "f"]
    assert lines[0]["events"] and lines[1]["events"]
    for number in (2, 3, 5):
        assert f"{batch}:{number}: skipped" in err
    assert err.strip().splitlines()[-1] == (
        f"InputError: 3 of 5 lines of {batch} could not be read (lines 2, 3, 5); the others were processed")


def test_extract_names_a_language_that_is_not_english(tmp_path, settings, db, capsys) -> None:
    text = tmp_path / "de.txt"
    text.write_text("Die Europäische Union und Marokko haben am Montag in Rabat eine grüne Partnerschaft"
                    " unterzeichnet, teilte die Kommission mit.", encoding="utf-8")
    code, out, err = _run(capsys, "extract", text, "--format", "json", "--db", settings.database.path)
    assert code == 0 and json.loads(out)["events"] == []
    assert "the text is in German (de); the NLP reads English only" in err
    english = tmp_path / "en.txt"
    english.write_text("The European Union and Morocco signed a Green Partnership in Rabat on Monday.")
    code, out, err = _run(capsys, "extract", english, "--format", "json", "--db", settings.database.path)
    assert code == 0 and json.loads(out)["events"] and "the text is in" not in err


# --- run --once: counts and Ctrl-C ----------------------------------------------------------------------------------


def _slow_page(handler) -> None:
    time.sleep(0.3)
    body = article_page(f"EU and Japan sign a digital partnership ({handler.path})", [
        f"Story {handler.path} was written for this test alone, so that no two pages share their text.",
        "The European Union and Japan signed a Digital Partnership in Tokyo on Monday, covering data flows.",
        "Officials said the partnership would be reviewed by a ministerial council every year.",
        "Further meetings of the working groups are expected in the autumn, according to the officials."]).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def test_analysed_counts_only_articles_with_their_text(http_server: LocalServer, settings, db) -> None:
    from pipeline.cycle import run_cycle

    http_server.add("/a.html", article_page("EU and Japan", [
        "The European Union and Japan signed a Digital Partnership in Tokyo on Monday, covering data flows.",
        "Officials said the partnership would be reviewed by a ministerial council every year."]),
        content_type="text/html; charset=utf-8")
    items = [{"title": "EU and Japan", "link": http_server.url("/a.html"), "guid": "a"},
             {"title": "Gone", "link": http_server.url("/missing.html"), "guid": "b"}]
    http_server.add("/feed.xml", rss(items))
    write_feeds_file(settings.feeds.file, [http_server.url("/feed.xml")])
    report = run_cycle(settings, db, every=True)
    assert (report.new_articles, report.pages_fetched, report.articles_analysed) == (2, 1, 1)
    assert "1 pages downloaded, 1 articles analysed" in report.summary()
    waiting = db.execute("SELECT nlp_status, text FROM articles WHERE url LIKE '%missing.html'").fetchone()
    assert tuple(waiting) == ("pending", None)  # its page is retried later: not analysed yet
    assert store.status_summary(db)["queues"] == {"pages_to_fetch": 1, "articles_to_analyse": 0, "nlp_failed": 0}


def _stored_pages(path: Path) -> int:
    if not path.exists():
        return 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
        try:
            return conn.execute("SELECT count(*) FROM articles WHERE fetch_status = 'done'").fetchone()[0]
        except sqlite3.OperationalError:  # the schema is not there yet
            return 0


def test_ctrl_c_on_run_once_records_a_stopped_run_and_exits_130(http_server: LocalServer, settings, tmp_path) -> None:
    items = [{"title": f"Story {i}", "link": http_server.url(f"/story/{i}.html"), "guid": f"s{i}"} for i in range(60)]
    http_server.add("/feed.xml", rss(items))
    for i in range(60):
        http_server.add(f"/story/{i}.html", handler=_slow_page)
    write_feeds_file(settings.feeds.file, [http_server.url("/feed.xml")])
    config = _config(tmp_path, settings)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACTWATCH_")}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", "--once", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 60
        while _stored_pages(settings.database.path) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, "the cycle never stored a page"
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert out.startswith("cycle stopped: 1 feeds polled") and "cycle done" not in out
    assert "stopped" in err and " done" not in err.split("SIGINT")[-1]  # no "pages: n/60 done" after Ctrl-C
    db = store.open_db(settings.database.path)
    try:
        [(status, message)] = db.execute("SELECT status, message FROM runs").fetchall()
        assert status == "stopped" and message.startswith("cycle stopped")
        fetched = db.execute("SELECT count(*) FROM articles WHERE fetch_status = 'done'").fetchone()[0]
        assert 0 < fetched < 60
    finally:
        db.close()
