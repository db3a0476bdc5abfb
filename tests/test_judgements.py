"""Judgements: a wrong event leaves partnerships, views, exports and summaries; a corrected one counts as corrected;
undo restores; judgements survive a new analysis of the article (reprocess, a new extractor version)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
import sqlite_utils
from analyst_db import ACTORS, add_article, event

from pipeline import store
from pipeline.errors import UsageError
from pipeline.models import Analysis
from pipeline.review.rules import Judgement, attach, parse_assignments
from pipeline.store.judgements import record_judgement, review_queue, undo_judgement

URL = "http://news.example.org/eu-japan-digital"
TEXT = ("Tokyo, 3 May 2026.\nThe European Union and Japan signed a Digital Partnership Agreement in Tokyo.\n"
        "Japan and Korea also agreed a joint research call on batteries.")
SIGNED = "The European Union and Japan signed a Digital Partnership Agreement in Tokyo."
CALL = "Japan and Korea also agreed a joint research call on batteries."


def _events(confidence: float = 0.6) -> list:
    return [event(("EU", "JPN"), "agreement", "signed", "Digital Partnership Agreement", SIGNED,
                  on=date(2026, 5, 3), confidence=confidence),
            event(("JPN", "KOR"), "cooperation", "planned", None, CALL, on=date(2026, 5, 3), confidence=0.5)]


@pytest.fixture
def judged_db(db: sqlite_utils.Database) -> sqlite_utils.Database:
    store.load_actors(db, ACTORS)
    add_article(db, URL, "EU and Japan sign digital deal", TEXT, _events(), real_keys=True)
    return db


def _event_id(db: sqlite_utils.Database, participants: str) -> int:
    return db.execute("SELECT id FROM events WHERE participants = ?", (participants,)).fetchone()[0]


def _visible(db: sqlite_utils.Database) -> dict[str, set[str]]:
    """Where the JPN-KOR cooperation shows up for analysts."""
    def codes(sql: str) -> set[str]:
        return {r[0] for r in db.execute(sql)}

    return {
        "partnerships": codes("SELECT participants FROM partnerships WHERE mentions > 0"),
        "named": codes("SELECT participants FROM partnerships_named"),
        "view": codes("SELECT participants FROM events_with_articles"),
        "pairs": codes("SELECT pair FROM partner_pairs"),
        "years": codes("SELECT p.participants FROM partnership_years y JOIN partnerships p ON p.id = y.partnership_id"),
        "pair_years": codes("SELECT actor_a || '-' || actor_b FROM actor_pair_years"),
        "export": {",".join(r["participants"]) for r in store.iter_events(db)},
        "partnership_export": {",".join(r["participants"]) for r in store.iter_partnerships(db)},
    }


def test_a_wrong_event_leaves_partnerships_views_exports_and_summaries(judged_db: sqlite_utils.Database) -> None:
    before = _visible(judged_db)
    assert "JPN,KOR" in before["view"] and "JPN-KOR" in before["pairs"] and "JPN,KOR" in before["export"]
    record_judgement(judged_db, _event_id(judged_db, "JPN,KOR"), "wrong", judged_by="ana", note="no such call")
    after = _visible(judged_db)
    for where, found in after.items():
        assert not any("KOR" in item for item in found), where
    assert "EU,JPN" in after["partnerships"] and "EU-JPN" in after["pairs"]
    row = judged_db.execute("SELECT verdict, partnership_id FROM events WHERE participants = 'JPN,KOR'").fetchone()
    assert row == ("wrong", None)
    judgement = judged_db.execute("SELECT verdict, judged_by, note, event_key FROM judgements").fetchone()
    assert judgement == ("wrong", "ana", "no such call", "JPN+KOR|cooperation")


def test_a_corrected_event_counts_as_corrected_and_undo_restores(judged_db: sqlite_utils.Database) -> None:
    event_id = _event_id(judged_db, "EU,JPN")
    first = record_judgement(judged_db, event_id, "corrected", {"status": "negotiating"}, judged_by="ana")
    second = record_judgement(judged_db, event_id, "corrected", parse_assignments(["participants=EU,KOR"]),
                              judged_by="ana")
    rows = judged_db.execute("SELECT participants, status, mentions FROM partnerships ORDER BY id").fetchall()
    assert ("EU,KOR", "negotiating", 1) in rows and ("EU,JPN", "negotiating", 0) in rows  # both corrections hold
    korea = sorted(r["participants"] for r in store.iter_events(judged_db, country="KOR"))
    assert korea == [["EU", "KOR"], ["JPN", "KOR"]]
    undo_judgement(judged_db, second)
    assert judged_db.execute("SELECT participants, status, verdict FROM events WHERE id = ?", (event_id,)).fetchone() \
        == ("EU,JPN", "negotiating", "corrected")
    assert judged_db.execute("SELECT status, mentions FROM partnerships WHERE participants = 'EU,JPN'").fetchone() \
        == ("negotiating", 1)
    undo_judgement(judged_db, first)
    assert judged_db.execute("SELECT participants, status, verdict FROM events WHERE id = ?", (event_id,)).fetchone() \
        == ("EU,JPN", "signed", None)
    with pytest.raises(UsageError):
        undo_judgement(judged_db, first)
    causes = [r[0] for r in judged_db.execute("SELECT cause FROM partnership_corrections ORDER BY id")]
    assert causes and set(causes) <= {"judgement", "undo"}
    # corrections are not news: no status change was recorded for them
    assert judged_db.execute("SELECT count(*) FROM partnership_status_changes WHERE old_status IS NOT NULL"
                             ).fetchone()[0] == 0


def test_judgements_survive_reprocessing_and_a_new_extractor_version(judged_db: sqlite_utils.Database) -> None:
    record_judgement(judged_db, _event_id(judged_db, "EU,JPN"), "corrected", {"status": "negotiating"},
                     judged_by="ana")
    record_judgement(judged_db, _event_id(judged_db, "JPN,KOR"), "wrong", judged_by="ana")
    article_id = judged_db.execute("SELECT id FROM articles").fetchone()[0]

    def reanalyse(events: list, version: str) -> None:
        store.save_analysis(judged_db, article_id, Analysis(events=tuple(events)), version=version)

    reanalyse(_events(), "test-1")  # what pactwatch reprocess does: the same events, new ids
    # a new extractor: other confidences, the sentence re-segmented with extra spacing, the call typed differently
    newer = _events(confidence=0.8)
    newer[0] = dataclasses.replace(newer[0], evidence="  " + SIGNED.replace(" in ", "  in "))
    newer[1] = dataclasses.replace(newer[1], type="programme")
    reanalyse(newer, "test-2")
    rows = judged_db.execute("SELECT participants, status, verdict, partnership_id IS NULL, extractor_version"
                             " FROM events ORDER BY participants").fetchall()
    assert rows == [("EU,JPN", "negotiating", "corrected", 0, "test-2"), ("JPN,KOR", "planned", "wrong", 1, "test-2")]
    attached = judged_db.execute("SELECT count(*) FROM judgements WHERE event_id IS NOT NULL").fetchone()[0]
    assert attached == 2
    assert judged_db.execute("SELECT extracted_type FROM judgements WHERE verdict = 'wrong'").fetchone() \
        == ("programme",)
    assert _visible(judged_db)["named"] == {"EU,JPN"}
    # the event gone from a newer analysis: the judgement waits, detached, and returns with it
    reanalyse(_events()[:1], "test-3")
    assert judged_db.execute("SELECT event_id FROM judgements WHERE verdict = 'wrong'").fetchone() == (None,)
    reanalyse(_events(), "test-4")
    assert judged_db.execute("SELECT verdict FROM events WHERE participants = 'JPN,KOR'").fetchone() == ("wrong",)


def test_review_queue_puts_unreported_partnerships_and_low_confidence_first(judged_db: sqlite_utils.Database) -> None:
    queue = review_queue(judged_db, limit=5)
    assert [q["participants"] for q in queue] == ["JPN,KOR", "EU,JPN"]
    assert queue[0]["article_title"] == "EU and Japan sign digital deal" and CALL in queue[0]["article_text"]
    reported = queue[1]["partnership_id"]
    with store.transaction(judged_db) as conn:  # the EU-Japan partnership went out in a digest: it waits
        conn.execute("INSERT INTO digests (id, recipient, started_at, status) VALUES (1, 'a@example.org', 'x', 'sent')")
        conn.execute("INSERT INTO digest_items (digest_id, recipient, partnership_id) VALUES (1, 'a@example.org', ?)",
                     (reported,))
        conn.execute("UPDATE events SET confidence = 0.1 WHERE partnership_id = ?", (reported,))
    assert [q["participants"] for q in review_queue(judged_db, limit=5)] == ["JPN,KOR", "EU,JPN"]
    assert review_queue(judged_db, limit=5, skip=[queue[0]["id"]])[0]["participants"] == "EU,JPN"


@pytest.mark.parametrize(("assignments", "problem"), [
    (["status=done"], "status must be one of"),
    (["type=treaty"], "type must be one of"),
    (["participants=EU"], "two or more actor codes"),
    (["negated=maybe"], "negated must be true or false"),
    (["colour=red"], "unknown field"),
    (["status"], "expected FIELD=VALUE"),
], ids=["status", "type", "one-participant", "negated", "unknown", "no-equals"])
def test_bad_corrections_are_refused(assignments: list[str], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_assignments(assignments)


def test_judging_needs_a_known_event_and_a_consistent_verdict(judged_db: sqlite_utils.Database) -> None:
    with pytest.raises(UsageError, match="no event 999"):
        record_judgement(judged_db, 999, "wrong", judged_by="ana")
    with pytest.raises(UsageError, match="names the fields"):
        record_judgement(judged_db, _event_id(judged_db, "EU,JPN"), "corrected", judged_by="ana")
    with pytest.raises(UsageError, match="verdict must be"):
        record_judgement(judged_db, _event_id(judged_db, "EU,JPN"), "maybe", judged_by="ana")


def test_attach_prefers_identity_then_learned_corrections_then_the_only_event_left() -> None:
    signed, call = _events()
    wrong_pair = Judgement(1, "corrected", SIGNED, "EU+KOR|digital partnership agreement",
                           (("participants", ("EU", "JPN")),))
    assert attach([wrong_pair], [signed, call]) == {0: wrong_pair}  # a newer extractor learned the correction
    other = Judgement(2, "wrong", CALL, "JPN+KOR|programme")
    assert attach([other], [signed, call]) == {1: other}  # same sentence and participants
    stranger = Judgement(3, "wrong", "Another sentence entirely.", "JPN+KOR|cooperation")
    assert attach([stranger], [signed, call]) == {}
