"""Digests after review, against a real SMTP server on 127.0.0.1: a partnership judged wrong before its digest is
never sent; one corrected after it was sent appears once under "corrections" in the next digest."""

from __future__ import annotations

from datetime import date

import sqlite_utils
from analyst_db import ACTORS, add_article, event
from test_digest import NOW, SmtpServer, smtp_server  # noqa: F401 (the fixture)

from pipeline import store
from pipeline.config import Recipient, Settings
from pipeline.digest import send_due_digests
from pipeline.store.fixes import merge_partnerships
from pipeline.store.judgements import record_judgement, undo_judgement

JAPAN = "The European Union and Japan signed a Digital Partnership Agreement in Tokyo."
KOREA = "The EU and South Korea launched a Green Partnership."
INDIA = "The EU and India launched the Trade and Technology Council."


def _build(db: sqlite_utils.Database) -> dict[str, int]:
    store.load_actors(db, ACTORS)
    add_article(db, "http://news.example.org/jp", "EU and Japan sign", JAPAN,
                [event(("EU", "JPN"), "agreement", "signed", "Digital Partnership Agreement", JAPAN,
                       on=date(2026, 5, 1))], real_keys=True)
    add_article(db, "http://news.example.org/kr", "EU and Korea launch", KOREA,
                [event(("EU", "KOR"), "partnership", "launched", "Green Partnership", KOREA, on=date(2026, 5, 1))],
                real_keys=True)
    add_article(db, "http://news.example.org/in", "EU and India launch", INDIA,
                [event(("EU", "IND"), "partnership", "launched", "Trade and Technology Council", INDIA,
                       on=date(2026, 5, 1))], real_keys=True)
    return {code: db.execute("SELECT id FROM events WHERE participants = ?", (f"EU,{code}",)).fetchone()[0]
            for code in ("JPN", "KOR", "IND")}


def _text(server: SmtpServer, index: int) -> str:
    return server.inbox.messages()[index].get_body(("plain",)).get_content()


def test_wrong_before_sending_is_never_sent_and_a_later_correction_is_reported_once(
        db: sqlite_utils.Database, settings: Settings, smtp_server: SmtpServer) -> None:  # noqa: F811
    events = _build(db)
    settings = smtp_server.settings(settings, [Recipient(address="ana@example.org")])
    record_judgement(db, events["KOR"], "wrong", judged_by="ana")

    first = send_due_digests(settings, db, now=NOW, force=True)[0]
    assert (first.status, first.partnerships, first.corrections) == ("sent", 2, 0)
    text = _text(smtp_server, 0)
    assert "Japan" in text and "India" in text and "Korea" not in text and "CORRECTIONS" not in text
    korea = db.execute("SELECT partnership_id FROM judgements j JOIN events e ON e.id = j.event_id").fetchone()
    assert korea == (None,)

    judgement = record_judgement(db, events["JPN"], "corrected", {"status": "negotiating"}, judged_by="ana")
    record_judgement(db, events["IND"], "wrong", judged_by="ana")
    second = send_due_digests(settings, db, now=NOW, force=True)[0]
    assert (second.status, second.partnerships, second.status_changes, second.corrections) == ("sent", 0, 0, 2)
    message = smtp_server.inbox.messages()[1]
    assert message["Subject"] == "pactwatch: 2 corrections"
    text = _text(smtp_server, 1)
    assert "CORRECTIONS (2)" in text
    assert "Was: EU – Japan: Digital Partnership Agreement (signed)" in text
    assert "Now: EU – Japan: Digital Partnership Agreement (negotiating)" in text
    assert "Now: withdrawn" in text and "India" in text
    assert "Corrections (2)" in message.get_body(("html",)).get_content()
    assert db.execute("SELECT corrections FROM digests WHERE id = ?", (second.digest_id,)).fetchone() == (2,)

    third = send_due_digests(settings, db, now=NOW, force=True)[0]
    assert third.status == "empty"  # each correction once

    undo_judgement(db, judgement)  # undoing it is a correction too: back to what the recipient first heard
    fourth = send_due_digests(settings, db, now=NOW, force=True)[0]
    assert (fourth.status, fourth.corrections) == ("sent", 1)
    assert "Now: EU – Japan: Digital Partnership Agreement (signed)" in _text(smtp_server, 2)


def test_a_merge_after_sending_withdraws_the_merged_partnership(
        db: sqlite_utils.Database, settings: Settings, smtp_server: SmtpServer) -> None:  # noqa: F811
    _build(db)
    add_article(db, "http://news.example.org/jp2", "Japan pact", "Japan and the EU signed the digital pact.",
                [event(("EU", "JPN"), "agreement", "signed", "EU-Japan digital pact",
                       "Japan and the EU signed the digital pact.", on=date(2026, 5, 2))], real_keys=True)
    settings = smtp_server.settings(settings, [Recipient(address="ana@example.org", countries=["JPN"])])
    assert send_due_digests(settings, db, now=NOW, force=True)[0].partnerships == 2
    pact, agreement = (db.execute("SELECT id FROM partnerships WHERE instrument = ?", (name,)).fetchone()[0]
                       for name in ("EU-Japan digital pact", "Digital Partnership Agreement"))
    merge_partnerships(db, pact, agreement, made_by="ana")
    result = send_due_digests(settings, db, now=NOW, force=True)[0]
    assert result.corrections == 1
    text = _text(smtp_server, 1)
    assert "Was: EU – Japan: Digital pact (signed)" in text and "Now: withdrawn" in text
