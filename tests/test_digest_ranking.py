"""Digests a reader enjoys: ranked items, at most ``digest.max_items`` per mail and never more than 100 KB, the rest
linked in Datasette, a first digest that covers only ``digest.backfill`` days, headings that say who and what, and
a text part that fits a terminal."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import httpx
import pytest

from pipeline.config import Recipient, Settings
from pipeline.digest import send_due_digests
from pipeline.digest.headings import generic_instrument, heading
from pipeline.digest.render import MAX_MESSAGE_BYTES
from pipeline.digest.select import Item, score, select_digest
from pipeline.nlp import actor_table
from pipeline.store import load_actors
from tests.test_digest import (  # noqa: F401  (fixtures)
    NOW,
    SmtpServer,
    _items,
    _part,
    add_article,
    event,
    smtp_server,
)

ACTORS = {row["code"]: row for row in actor_table()}
COUNTRIES = sorted(c for c, row in ACTORS.items() if row["kind"] == "country" and "," not in row["name"])


def _settings(settings: Settings, server: SmtpServer, **digest) -> Settings:
    settings = server.settings(settings, [Recipient(address="analyst@example.org")])
    return dataclasses.replace(settings, digest=dataclasses.replace(settings.digest, **digest))


def _long(words: int, seed: int) -> str:
    return " ".join(f"word{(seed * 7 + i) % 97}" for i in range(words))


def _many(db, count: int, *, heavy: bool = False) -> None:
    """``count`` partnerships of the EU with one country each, confidence and sources spread out; ``heavy`` gives
    each long evidence and several long-titled sources."""
    load_actors(db, list(ACTORS.values()))
    for i in range(count):
        code = COUNTRIES[i % len(COUNTRIES)]
        evidence = f"The EU and {ACTORS[code]['name']} launched Programme {i}. " + (_long(300, i) if heavy else "")
        sources = 1 + (i % 4 if not heavy else 5)
        for s in range(sources):
            add_article(db, [event(f"EU,{code}", type_="programme", status="launched", instrument=f"Programme {i}",
                                   evidence=evidence, confidence=round(0.5 + (i % 10) / 25, 2))],
                        title=f"Story {i}.{s} " + (_long(40, s) if heavy else ""), publisher=f"Outlet {s}",
                        url=f"https://news{s}.example.org/{i}", published="2026-05-02T09:00:00Z")


# --- ranking --------------------------------------------------------------------------------------------------


def _item(confidence: float, sources: int = 1, moved: bool = False) -> Item:
    return Item(id=1, heading="h", type="agreement", status="signed", instrument=None, participants=(), date=None,
                evidence=None, confidence=confidence, mentions=1, independent_sources=sources, articles=(),
                moved=moved)


@pytest.mark.parametrize(("higher", "lower"), [
    (_item(0.9), _item(0.6)),
    (_item(0.6, sources=3), _item(0.9)),
    (_item(0.6, moved=True), _item(0.9)),
    (_item(0.6, moved=True), _item(0.6, sources=2)),
    (_item(0.5, sources=5), _item(0.5, sources=4)),
], ids=["confidence", "independent-sources", "status-change-over-mention", "change-over-one-more-source",
        "sources-count-up-to-five"])
def test_score_orders_items(higher: Item, lower: Item) -> None:
    assert score(higher) > score(lower)


def test_sources_beyond_five_add_nothing() -> None:
    assert score(_item(0.5, sources=9)) == score(_item(0.5, sources=5))


def test_a_status_change_outranks_new_mentions(settings, db, smtp_server) -> None:  # noqa: F811
    settings = _settings(settings, smtp_server)
    load_actors(db, list(ACTORS.values()))
    add_article(db, [event("EU,IND", instrument="Free Trade Agreement", status="negotiating", confidence=0.7)])
    assert send_due_digests(settings, db, now=NOW, force=True)[0].status == "sent"
    add_article(db, [event("EU,IND", instrument="Free Trade Agreement", status="signed", confidence=0.7)],
                published="2026-05-05T09:00:00Z")
    add_article(db, [event("EU,MAR", instrument="Green Partnership", type_="partnership", status="launched",
                           confidence=0.95)], published="2026-05-05T09:00:00Z")
    content = select_digest(db, Recipient(address="analyst@example.org"), now=NOW + timedelta(days=2))
    assert [(i.heading, i.rank) for i in content.items] == [
        ("EU – India: Free Trade Agreement (negotiating → signed)", 1),
        ("EU – Morocco: Green Partnership (launched)", 2)]


# --- the cap, the size and the link ----------------------------------------------------------------------------


def _text_lines_fit(text: str) -> bool:
    """Every line fits an 80-column terminal, except a line that is one URL (never broken)."""
    return all(len(line) <= 80 or re.fullmatch(r"\s*https?://\S+", line) for line in text.splitlines())


def test_a_large_digest_stays_under_the_cap_and_links_the_rest(settings, db, smtp_server, tmp_path) -> None:  # noqa: F811
    from analyst_db import running_server

    _many(db, 400)
    with running_server(settings.database.path, tmp_path) as base:
        configured = dataclasses.replace(_settings(settings, smtp_server),
                                         serve=dataclasses.replace(settings.serve, public_url=base + "/"))
        [result] = send_due_digests(configured, db, now=NOW, force=True)
        assert (result.status, result.partnerships) == ("sent", 400)
        [(_, _, raw)] = smtp_server.inbox.received
        [message] = smtp_server.inbox.messages()
        text, html = _part(message, "plain"), _part(message, "html")
        assert len(raw) <= MAX_MESSAGE_BYTES
        assert message["Subject"] == "pactwatch: 400 new partnerships"
        assert "NEW PARTNERSHIPS (25 of 400)" in text and "New partnerships (25 of 400)" in html
        numbered = re.findall(r"^ *(\d+)\. EU – ", text, flags=re.MULTILINE)
        assert numbered == [str(n) for n in range(1, 26)]
        link = f"{base}/pactwatch/digest_partnerships?digest={result.digest_id}"
        assert f"... and 375 more, ranked lower. All 400, in order, in Datasette:\n    {link}\n" in text
        assert f'<a href="{link}"' in html
        assert _text_lines_fit(text) and "<" not in text
        rows = httpx.get(link.replace("?", ".json?") + "&_shape=array", timeout=10).json()
        assert [r["rank"] for r in rows] == list(range(1, 401))
        shown = re.findall(r"^ *\d+\. EU – [^:]+: (Programme \d+) \(", text, flags=re.MULTILINE)
        assert shown == [r["instrument"] for r in rows[:25]]
        assert httpx.get(link, timeout=10).status_code == 200
    assert len({pid for _, pid, _ in _items(db)}) == 400  # everything was told: the rest through the link
    assert send_due_digests(configured, db, now=NOW, force=True)[0].status == "empty"


def test_heavy_items_are_dropped_until_the_mail_fits(settings, db, smtp_server) -> None:  # noqa: F811
    _many(db, 60, heavy=True)
    [result] = send_due_digests(_settings(settings, smtp_server, max_items=60), db, now=NOW, force=True)
    assert result.status == "sent"
    [(_, _, raw)] = smtp_server.inbox.received
    [message] = smtp_server.inbox.messages()
    text, html = _part(message, "plain"), _part(message, "html")
    assert len(raw) <= MAX_MESSAGE_BYTES
    shown = len(re.findall(r"^ *\d+\. EU – ", text, flags=re.MULTILINE))
    assert 10 <= shown < 60
    assert f"NEW PARTNERSHIPS ({shown} of 60)" in text
    assert f"... and {60 - shown} more, ranked lower, not shown in this mail." in text  # no public_url: no link
    assert "and 3 more" in text and "and 3 more</li>" in html  # 6 sources each, 3 listed
    assert " …\"" in text  # long evidence clipped at a word boundary
    assert _text_lines_fit(text)


def test_max_items_is_a_setting(settings, db, smtp_server) -> None:  # noqa: F811
    _many(db, 8)
    send_due_digests(_settings(settings, smtp_server, max_items=3), db, now=NOW, force=True)
    text = _part(smtp_server.inbox.messages()[0], "plain")
    assert "NEW PARTNERSHIPS (3 of 8)" in text and "... and 5 more, ranked lower" in text


# --- backfill ---------------------------------------------------------------------------------------------------


def _old_and_new(db) -> datetime:
    """Three partnerships whose news is 60, 6 and 1 days old; returns the moment of a first digest just after."""
    load_actors(db, list(ACTORS.values()))
    today = datetime.now(UTC).replace(microsecond=0)
    for code, name, days in [("JPN", "Old Accord", 60), ("KOR", "Week Accord", 6), ("IND", "Fresh Accord", 1)]:
        day = today - timedelta(days=days)
        add_article(db, [event(f"EU,{code}", instrument=name, on=day.date())], published=f"{day:%Y-%m-%dT%H:%M:%SZ}")
    return today + timedelta(minutes=1)  # detected before the recipient joined


def _headings(message: EmailMessage) -> list[str]:
    return re.findall(r"^ *\d+\. (.*)$", _part(message, "plain"), flags=re.MULTILINE)


def test_the_first_digest_covers_the_backfill_window(settings, db, smtp_server) -> None:  # noqa: F811
    joined = _old_and_new(db)
    configured = _settings(settings, smtp_server)
    assert send_due_digests(configured, db, now=joined, force=True)[0].partnerships == 2
    assert sorted(_headings(smtp_server.inbox.messages()[0])) == [
        "EU – India: Fresh Accord (signed)", "EU – South Korea: Week Accord (signed)"]
    assert send_due_digests(configured, db, now=joined + timedelta(days=1), force=True)[0].status == "empty"
    # the old partnership comes back only with news of its own
    add_article(db, [event("EU,JPN", instrument="Old Accord", status="in_force", on=joined.date())],
                published=f"{joined:%Y-%m-%dT%H:%M:%SZ}")
    [result] = send_due_digests(configured, db, now=joined + timedelta(days=2), force=True)
    assert (result.status, result.partnerships, result.status_changes) == ("sent", 1, 0)
    assert _headings(smtp_server.inbox.messages()[1]) == ["EU – Japan: Old Accord (in force)"]


def test_partnerships_detected_after_joining_always_count(settings, db, smtp_server) -> None:  # noqa: F811
    load_actors(db, list(ACTORS.values()))
    configured = _settings(settings, smtp_server)
    joined = datetime.now(UTC) - timedelta(days=1)
    assert send_due_digests(configured, db, now=joined, force=True)[0].status == "empty"
    # detected now (after joining), though its news is old: new to the recipient
    add_article(db, [event("EU,JPN", instrument="Old Accord", on=date(2025, 1, 1))], published="2025-01-01T09:00:00Z")
    assert send_due_digests(configured, db, now=datetime.now(UTC), force=True)[0].partnerships == 1


def test_backfill_zero_covers_everything(settings, db, smtp_server) -> None:  # noqa: F811
    joined = _old_and_new(db)
    configured = _settings(settings, smtp_server, backfill=0)
    assert send_due_digests(configured, db, now=joined, force=True)[0].partnerships == 3


# --- headings ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("codes", "type_", "status", "instrument", "expected"), [
    (("EU", "MAR"), "partnership", "signed", "EU-Morocco Green Partnership",
     "EU – Morocco: Green Partnership (signed)"),
    (("EU", "MAR"), "agreement", "signed", "MoU", "EU – Morocco: Agreement (signed)"),
    (("EU", "MAR"), "cooperation", "held", "cooperation", "EU – Morocco: Cooperation (held)"),
    (("EU", "IND"), "partnership", "launched", "Alliance", "EU – India: Partnership (launched)"),
    (("EU", "SSA"), "programme", "launched", "Trust Fund", "EU – Sub-Saharan Africa: Programme (launched)"),
    (("EU", "SSA"), "programme", "launched", "EU Emergency Trust Fund for Africa",
     "EU – Sub-Saharan Africa: Emergency Trust Fund for Africa (launched)"),
    (("EU", "JPN"), "agreement", "signed", "Memorandum of Understanding", "EU – Japan: Agreement (signed)"),
    (("EU", "JPN"), "agreement", "in_force", "EU–Japan Economic Partnership Agreement",
     "EU – Japan: Economic Partnership Agreement (in force)"),
    (("EU", "JPN", "KOR"), "cooperation", "planned", None, "EU – Japan, South Korea: Cooperation (planned)"),
    (("JPN", "KOR"), "agreement", "signed", "the agreement", "Japan – South Korea: Agreement (signed)"),
    (("ASEAN", "EU"), "partnership", "launched", "Strategic Partnership",
     "EU – ASEAN: Strategic Partnership (launched)"),
], ids=["prefix", "mou", "cooperation", "alliance", "trust-fund", "named-fund", "memorandum", "dash-prefix",
        "no-instrument", "no-eu", "bloc"])
def test_headings_say_who_and_what(codes, type_, status, instrument, expected) -> None:
    codes = sorted(codes, key=lambda c: c != "EU")
    assert heading(codes, ACTORS, type_=type_, status=status, instrument=instrument) == expected


@pytest.mark.parametrize("word", ["MoU", "cooperation", "Alliance", "Trust Fund", "agreement", "the Partnership",
                                  "Programme", "Joint Declaration", "dialogue", "MoC"])
def test_no_heading_shows_a_bare_generic_word(word: str) -> None:
    assert generic_instrument(word)
    title = heading(["EU", "MAR"], ACTORS, type_="agreement", status="signed", instrument=word)
    what = title.split(": ", 1)[1].rsplit(" (", 1)[0]
    assert what == "Agreement" and title.startswith("EU – Morocco: ")


def test_generic_words_in_the_mail(settings, db, smtp_server) -> None:  # noqa: F811
    load_actors(db, list(ACTORS.values()))
    for code, word, type_ in [("MAR", "MoU", "agreement"), ("IND", "Alliance", "partnership"),
                              ("KEN", "Trust Fund", "programme"), ("EGY", "cooperation", "cooperation")]:
        add_article(db, [event(f"EU,{code}", instrument=word, type_=type_)])
    send_due_digests(_settings(settings, smtp_server), db, now=NOW, force=True)
    message = smtp_server.inbox.messages()[0]
    assert sorted(_headings(message)) == ["EU – Egypt: Cooperation (signed)", "EU – India: Partnership (signed)",
                                          "EU – Kenya: Programme (signed)", "EU – Morocco: Agreement (signed)"]
    html = _part(message, "html")
    assert all(h.replace("–", "–") in html for h in _headings(message))
