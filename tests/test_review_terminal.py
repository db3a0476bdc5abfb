"""``pactwatch review`` driven through a pseudo-terminal (pexpect): keys in, screens out, rows written."""

from __future__ import annotations

import os
import re
import sys
from datetime import date
from pathlib import Path

import pytest
from analyst_db import ACTORS, add_article, event

from pipeline import store
from pipeline.store import open_db

pexpect = pytest.importorskip("pexpect")

KOREA = "Seoul and Brussels agreed a Green Partnership on hydrogen."
INDIA = "The EU and India launched the Trade and Technology Council."
JAPAN = "The European Union and Japan signed a Digital Partnership Agreement in Tokyo."


def _database(path: Path) -> dict[str, int]:
    db = open_db(path)
    store.load_actors(db, ACTORS)
    add_article(db, "http://news.example.org/kr", "Korea goes green with the EU",
                f"Seoul, 2 May 2026.\nThe talks were long. {KOREA} Both sides welcomed it.", real_keys=True,
                events=[event(("EU", "KOR"), "partnership", "launched", "Green Partnership", KOREA, confidence=0.3,
                              on=date(2026, 5, 2))])
    add_article(db, "http://news.example.org/in", "EU and India", INDIA, real_keys=True,
                events=[event(("EU", "IND"), "partnership", "launched", "Trade and Technology Council", INDIA,
                              confidence=0.5)])
    add_article(db, "http://news.example.org/jp", "EU and Japan", JAPAN, real_keys=True,
                events=[event(("EU", "JPN"), "agreement", "signed", "Digital Partnership Agreement", JAPAN,
                              confidence=0.9)])
    with store.transaction(db) as conn:
        conn.execute("UPDATE articles SET published_at = '2026-05-02T08:00:00Z', publisher = 'example.org'"
                     " WHERE url LIKE '%/kr'")
    ids = {r[0]: r[1] for r in db.execute("SELECT participants, id FROM events")}
    db.close()
    return ids


def _wrapped(text: str) -> str:
    """A pattern for ``text`` as the screen wraps it (any whitespace between words)."""
    return r"\s+".join(re.escape(word) for word in text.split())


def test_review_in_a_pseudo_terminal(tmp_path: Path) -> None:
    path = tmp_path / "pactwatch.db"
    ids = _database(path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACTWATCH_")}
    env.update({"PACTWATCH_REVIEW__ANALYST": "ana", "TERM": "xterm", "COLUMNS": "100"})
    child = pexpect.spawn(sys.executable, ["-m", "pipeline", "review", "--db", str(path)], cwd=str(tmp_path),
                          env=env, encoding="utf-8", timeout=30, dimensions=(40, 100))
    try:
        # lowest confidence first: Korea, its evidence in its paragraph, with title, source and date
        child.expect("Korea goes green with the EU")
        child.expect("2026-05-02")
        child.expect(_wrapped(f"The talks were long. »{KOREA}« Both sides welcomed it."))
        child.expect(r"\[c\]orrect")
        child.send("w")
        child.expect(f"event {ids['EU,KOR']}: wrong")
        child.expect("EU and India")
        child.send("s")
        child.expect(f"event {ids['EU,IND']}: skipped")
        child.expect("EU and Japan")
        child.send("e")
        child.expect(r"type \[agreement\]: ")
        child.sendline("")
        child.expect(r"status \[signed\]: ")
        child.sendline("in_force")
        child.expect(r"participants \[EU,JPN\]: ")
        child.sendline("")
        child.expect(r"instrument \[Digital Partnership Agreement\]: ")
        child.sendline("")
        child.expect(r"negated \[no\]: ")
        child.sendline("")
        child.expect("note")
        child.sendline("it entered into force")
        child.expect(f"event {ids['EU,JPN']}: corrected status")
        child.expect(r"Nothing left to review \(2 judged this session\)")
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    db = open_db(path)
    rows = db.execute("SELECT event_id, verdict, status, judged_by, note FROM judgements ORDER BY id").fetchall()
    assert rows == [(ids["EU,KOR"], "wrong", None, "ana", None),
                    (ids["EU,JPN"], "corrected", "in_force", "ana", "it entered into force")]
    assert db.execute("SELECT status FROM partnerships WHERE participants = 'EU,JPN'").fetchone() == ("in_force",)

    child = pexpect.spawn(sys.executable, ["-m", "pipeline", "review", "--db", str(path)], cwd=str(tmp_path),
                          env=env, encoding="utf-8", timeout=30, dimensions=(40, 100))
    try:  # a new session: the skipped event is back; judge it, undo that, quit
        child.expect("EU and India")
        child.send("c")
        child.expect(f"event {ids['EU,IND']}: correct")
        child.expect("Nothing left to review")
        child.send("u")
        child.expect(f"undone: event {ids['EU,IND']} is back in the queue")
        child.expect("EU and India")
        child.send("x")
        child.expect("unknown key")
        child.send("q")
        child.expect("Bye")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert db.execute("SELECT verdict, undone_at IS NOT NULL FROM judgements WHERE event_id = ?",
                      (ids["EU,IND"],)).fetchall() == [("correct", 1)]
    assert db.execute("SELECT verdict FROM events WHERE id = ?", (ids["EU,IND"],)).fetchone() == (None,)
    db.close()


def test_review_needs_a_terminal(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pipeline.cli import cli

    path = tmp_path / "pactwatch.db"
    _database(path)
    result = CliRunner().invoke(cli, ["review", "--db", str(path)], input="q")
    assert "needs a terminal" in str(result.exception)
