"""The learning loop: judge with ``pactwatch judge``, survive a real ``pactwatch reprocess``, ``export-gold`` a gold
file that ``load_gold`` accepts, ``pactwatch train`` a model on it beside a small gold file we wrote, and ``pactwatch
eval`` with that model; merge and split surviving new articles."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils
from analyst_db import ACTORS, add_article, event
from click.testing import CliRunner

from pipeline import store
from pipeline.cli import cli
from pipeline.config import Settings
from pipeline.evaluate import load_gold, score
from pipeline.models import Analysis
from pipeline.nlp.assets import MODELS_DIR

OWN_GOLD = Path(__file__).resolve().parent / "data" / "nlp_gold.json"

TEXT = ("Tokyo, 3 May 2026.\n"
        "The European Union and Japan signed a Digital Partnership Agreement in Tokyo on 3 May 2026. "
        "South Korea and the EU launched a Green Partnership on hydrogen.\n"
        "The strategy makes no reference to the United States.")


def _pactwatch(settings: Settings, *args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--db", str(settings.database.path)], env={"PACTWATCH_REVIEW__ANALYST":
                                                                                         "ana"})
    assert result.exit_code == 0, result.output
    return result.output


def _ids(db: sqlite_utils.Database) -> dict[str, int]:
    return {r[0]: r[1] for r in db.execute("SELECT participants, id FROM events")}


@pytest.fixture
def analysed(db: sqlite_utils.Database, settings: Settings, nlp) -> sqlite_utils.Database:
    store.load_actors(db, ACTORS)
    article_id = add_article(db, "http://news.example.org/eu-asia", "EU deals in Asia", TEXT, real_keys=True)
    store.save_analysis(db, article_id, nlp.analyse(TEXT), version=nlp.version)
    return db


def test_judge_reprocess_export_gold_and_score(analysed: sqlite_utils.Database, settings: Settings, nlp,
                                                tmp_path: Path) -> None:
    ids = _ids(analysed)
    assert set(ids) == {"EU,JPN", "EU,KOR", "EU,USA"}
    out = json.loads(_pactwatch(settings, "judge", str(ids["EU,JPN"]), "--set", "status=in_force", "--set",
                                "instrument=EU-Japan Digital Partnership Agreement", "--note", "already in force",
                                "--format", "json"))
    assert out["event"]["status"] == "in_force" and out["event"]["verdict"] == "corrected"
    _pactwatch(settings, "judge", str(ids["EU,KOR"]), "--wrong")
    _pactwatch(settings, "judge", str(ids["EU,USA"]), "--correct")

    from pipeline.cycle import reprocess

    assert reprocess(settings, analysed).articles_analysed == 1  # the real NLP, new event ids
    rows = analysed.execute("SELECT participants, status, instrument, verdict FROM events ORDER BY participants")
    assert rows.fetchall() == [("EU,JPN", "in_force", "EU-Japan Digital Partnership Agreement", "corrected"),
                               ("EU,KOR", "launched", "EU-South Korea Green Partnership on hydrogen", "wrong"),
                               ("EU,USA", "in_force", None, "correct")]
    attached = analysed.execute("SELECT count(*) FROM judgements j JOIN events e ON e.id = j.event_id"
                                " WHERE e.verdict = j.verdict").fetchone()
    assert attached == (3,)

    gold_path = tmp_path / "judged.json"
    result = CliRunner().invoke(cli, ["export-gold", "--out", str(gold_path), "--db", str(settings.database.path)])
    assert result.exit_code == 0, result.output
    gold = load_gold(gold_path)  # the schema check of pactwatch eval
    assert len(gold) == 1 and gold[0]["text"] == TEXT and gold[0]["id"].startswith("pw-")
    assert {"EU", "JPN", "USA"} <= set(gold[0]["countries"])
    assert [(e["participants"], e["status"], e["negated"]) for e in gold[0]["events"]] == [
        (["EU", "JPN"], "in_force", False), (["EU", "USA"], "in_force", True)]
    assert gold[0]["events"][0]["note"] == "already in force"
    report = score(gold_path, nlp)
    assert report.articles == 1
    assert (report.events.tp, report.events.fn, report.events.fp) == (2, 0, 1)  # the Korea event is a false alarm

    # train a deployment's own model on its judgements beside a small gold file we wrote, then score with it
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models, ignore=shutil.ignore_patterns("event_model"))
    ours = tmp_path / "ours.json"
    ours.write_text(json.dumps(load_gold(OWN_GOLD)[:30]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["train", str(gold_path), str(ours), "--models-dir", str(models), "--folds", "0",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    trained = json.loads(result.stdout)  # progress lines go to stderr
    assert [f["file"] for f in trained["training"]] == ["judged.json", "ours.json"]
    assert (models / "event_model" / "model.json").is_file()
    result = CliRunner().invoke(cli, ["eval", str(gold_path), "--format", "json"],
                                env={"PACTWATCH_NLP__MODELS_DIR": str(models)})
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["articles"] == 1 and figures["negated_gold"] == 1 and 0.0 <= figures["event_f1"] <= 1.0


def test_export_gold_leaves_out_articles_with_unjudged_events(analysed: sqlite_utils.Database, settings: Settings,
                                                              tmp_path: Path) -> None:
    _pactwatch(settings, "judge", str(_ids(analysed)["EU,KOR"]), "--wrong")
    result = CliRunner().invoke(cli, ["export-gold", "--out", str(tmp_path / "g.json"), "--db",
                                      str(settings.database.path)])
    assert result.exit_code == 0 and "0 articles, 0 events; 1 articles left out" in result.output
    assert json.loads((tmp_path / "g.json").read_text()) == []


def test_judge_undo_and_bad_usage(analysed: sqlite_utils.Database, settings: Settings) -> None:
    event_id = _ids(analysed)["EU,KOR"]
    assert "wrong (judgement" in _pactwatch(settings, "judge", str(event_id), "--wrong")
    assert "undone" in _pactwatch(settings, "judge", str(event_id), "--undo")
    assert analysed.execute("SELECT verdict FROM events WHERE id = ?", (event_id,)).fetchone() == (None,)
    for args, problem in ((["--wrong", "--correct"], "one of"), (["--set", "status=done"], "status must be"),
                          (["--undo"], "no judgement to undo"), ([], "one of")):
        result = CliRunner().invoke(cli, ["judge", str(event_id), *args, "--db", str(settings.database.path)])
        assert result.exit_code == 2 or isinstance(result.exception, Exception), result.output
        assert problem in (result.output + str(result.exception or ""))


def _store_event(db: sqlite_utils.Database, url: str, participants: tuple[str, ...], instrument: str,
                 evidence: str, *, status: str = "signed") -> int:
    return add_article(db, url, evidence, evidence, [event(participants, "agreement", status, instrument, evidence,
                                                           on=date(2026, 5, 1))], real_keys=True)


def _partnership_of(db: sqlite_utils.Database, evidence: str) -> int:
    return db.execute("SELECT partnership_id FROM events WHERE evidence = ?", (evidence,)).fetchone()[0]


def test_merge_with_alias_and_split_survive_reprocessing_and_new_articles(db: sqlite_utils.Database,
                                                                          settings: Settings) -> None:
    store.load_actors(db, ACTORS)
    epa = "The EU-Japan Economic Partnership Agreement entered into force."
    pact = "Brussels and Tokyo sealed the Osaka data pact."
    _store_event(db, "http://n.example.org/1", ("EU", "JPN"), "EU-Japan Economic Partnership Agreement", epa,
                 status="in_force")
    _store_event(db, "http://n.example.org/2", ("EU", "JPN"), "Osaka data pact", pact)
    into, merged = _partnership_of(db, epa), _partnership_of(db, pact)
    assert into != merged
    assert "merged into" in _pactwatch(settings, "fix", "merge", str(merged), str(into), "--alias")
    assert _partnership_of(db, pact) == into
    assert db.execute("SELECT wording, instrument FROM instrument_aliases").fetchall() == [
        ("osaka data pact", "EU-Japan Economic Partnership Agreement")]
    later = "The Osaka data pact cut tariffs on wine."
    _store_event(db, "http://n.example.org/3", ("EU", "JPN"), "Osaka Data Pact", later, status="in_force")
    assert _partnership_of(db, later) == into  # a new article worded so lands in the merged partnership

    # split: two agreements on "digital trade" that the key folds together
    first = "The EU and Singapore signed the Digital Trade Agreement."
    second = "The EU and Singapore opened talks on a digital trade agreement for services."
    _store_event(db, "http://n.example.org/4", ("EU", "SGP"), "Digital Trade Agreement", first)
    _store_event(db, "http://n.example.org/5", ("EU", "SGP"), "digital trade agreement for services", second,
                 status="negotiating")
    joint = _partnership_of(db, first)
    if _partnership_of(db, second) != joint:  # the real key may already tell them apart: merge them first
        _pactwatch(settings, "fix", "merge", str(_partnership_of(db, second)), str(joint))
    moved = db.execute("SELECT id FROM events WHERE evidence = ?", (second,)).fetchone()[0]
    assert "split from partnership" in _pactwatch(settings, "fix", "split", str(joint), str(moved))
    split_off = _partnership_of(db, second)
    assert split_off != joint
    again = "Negotiators met again on the digital trade agreement for services."
    _store_event(db, "http://n.example.org/6", ("EU", "SGP"), "Digital trade agreement for services", again,
                 status="negotiating")
    assert _partnership_of(db, again) == split_off  # new article worded like the split events follows them

    for article_id, in db.execute("SELECT id FROM articles").fetchall():  # reprocess: every event recomputed
        rows = db.execute("SELECT type, status, participants, instrument, negated, event_date, evidence, confidence"
                          " FROM events WHERE article_id = ?", (article_id,)).fetchall()
        events = [event(tuple(p.split(",")), t, s, i, ev, negated=bool(n), on=date.fromisoformat(d), confidence=c)
                  for t, s, p, i, n, d, ev, c in rows]
        store.save_analysis(db, article_id, Analysis(events=tuple(events)), version="test-2")
    assert (_partnership_of(db, pact), _partnership_of(db, later)) == (into, into)
    assert (_partnership_of(db, first), _partnership_of(db, second), _partnership_of(db, again)) == (
        joint, split_off, split_off)
    listed = _pactwatch(settings, "fix", "list", "--format", "json")
    fixes = json.loads(listed)
    assert [f["kind"] for f in fixes][-1] == "merge" and fixes[0]["kind"] == "split"

    split_fix = fixes[0]["id"]
    _pactwatch(settings, "fix", "undo", str(split_fix))
    assert _partnership_of(db, second) == joint and _partnership_of(db, again) == joint
    merge_fix = fixes[-1]["id"]
    _pactwatch(settings, "fix", "undo", str(merge_fix))
    assert _partnership_of(db, pact) == merged and not db.execute("SELECT * FROM instrument_aliases").fetchall()
