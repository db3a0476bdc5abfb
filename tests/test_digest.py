"""Digests end to end against a real SMTP server (aiosmtpd) on 127.0.0.1: content, exactly-once, faults, escaping."""

from __future__ import annotations

import dataclasses
import logging
import re
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from pipeline.config import Recipient, Settings
from pipeline.digest import is_due, send_due_digests, send_test_digest
from pipeline.errors import ConfigError
from pipeline.models import Analysis, Event
from pipeline.store import begin_digest, load_actors, save_analysis, transaction

# AUTH over a plain connection is what the local auth test server is for
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
NOW = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
ACTORS = [
    {"code": "EU", "name": "European Union", "kind": "bloc"},
    {"code": "JPN", "name": "Japan", "kind": "country", "iso2": "JP"},
    {"code": "KOR", "name": "South Korea", "kind": "country", "iso2": "KR"},
    {"code": "IND", "name": "India", "kind": "country", "iso2": "IN"},
]


# --- the SMTP server -------------------------------------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler that keeps what it accepts; ``mode`` makes it refuse, defer or drop the message."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.mode = "accept"  # accept | refuse | defer | drop
        self.refuse_rcpt: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "refuse":
            return "550 5.7.1 message refused"
        if self.mode == "defer":
            return "451 4.3.0 try again later"
        if self.mode == "drop":
            server.transport.close()
            return "250 OK"
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default) for _, _, raw in self.received]  # type: ignore[misc]


logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every connection at INFO


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    def __init__(self, **kwargs: Any) -> None:
        self.inbox = Inbox()
        self.port = _free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **kwargs)

    def settings(self, settings: Settings, recipients: list[Recipient], **email: Any) -> Settings:
        values = {"smtp_host": "127.0.0.1", "smtp_port": self.port, "security": "none", "timeout": 5.0,
                  "sender": "pactwatch@example.org", "recipients": recipients, **email}
        return dataclasses.replace(settings, email=dataclasses.replace(settings.email, **values))


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"digest", b"s3cret")
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def auth_smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(authenticator=_authenticator, auth_required=True, auth_require_tls=False)
    server.controller.start()
    yield server
    server.controller.stop()


# --- test data through the store API ----------------------------------------------------------------------------

_articles = 0


def _key(event: Event) -> str:
    return ",".join(event.participants) + "|" + (event.instrument or event.type).lower()


def add_article(db, events: list[Event], *, title: str = "EU news", url: str | None = None,
                publisher: str = "Example News", published: str = "2026-05-01T09:00:00Z") -> int:
    """One article with its events, stored as the NLP stage stores them."""
    global _articles
    _articles += 1
    with transaction(db) as conn:
        article_id = conn.execute(
            "INSERT INTO articles (url, title, publisher, published_at, first_seen_at, fetch_status, text)"
            " VALUES (?, ?, ?, ?, ?, 'done', 'text')",
            (url or f"https://news.example.org/{_articles}", title, publisher, published, published)).lastrowid
    save_analysis(db, article_id, Analysis(events=tuple(events)), version="test", key_of=_key)
    return article_id


def event(participants: str, *, type_: str = "agreement", status: str = "signed", instrument: str | None = None,
          evidence: str = "The EU and Japan signed it.", confidence: float = 0.9,
          on: date = date(2026, 5, 1)) -> Event:
    return Event(type=type_, status=status, participants=tuple(participants.split(",")), instrument=instrument,
                 negated=False, date=on, evidence=evidence, confidence=confidence)


@pytest.fixture
def corpus(db):
    """Three partnerships: two with Japan (one from two articles), one with South Korea."""
    load_actors(db, ACTORS)
    add_article(db, [event("EU,JPN", instrument="Digital Partnership", evidence="The EU and Japan launched the"
                           " Digital Partnership in Tokyo.", status="launched", type_="partnership")],
                title="EU and Japan launch digital partnership", url="https://news.example.org/jp-digital")
    add_article(db, [event("EU,JPN", instrument="Digital Partnership", evidence="Japan joins forces with the EU.",
                           status="launched", type_="partnership")],
                title="Tokyo and Brussels go digital", url="https://wire.example.com/jp-digital", publisher="Wire")
    add_article(db, [event("EU,JPN", instrument="Economic Partnership Agreement", confidence=0.6,
                           evidence="The Economic Partnership Agreement was signed.")],
                title="Trade deal signed", url="https://news.example.org/jp-epa")
    add_article(db, [event("EU,KOR", type_="programme", status="launched", instrument="Horizon Europe",
                           evidence="South Korea becomes associated to Horizon Europe.", confidence=0.8)],
                title="Korea joins Horizon Europe", url="https://news.example.org/kor-horizon")
    return db


def _send(settings: Settings, db) -> list:
    """A digest run now, schedules ignored (content and fault tests run several in a row)."""
    return send_due_digests(settings, db, now=NOW, force=True)


def _items(db) -> list[tuple]:
    sql = "SELECT recipient, partnership_id, status_change_id FROM digest_items ORDER BY 1, 2, 3"
    return db.execute(sql).fetchall()


def _statuses(db, recipient: str) -> list[str]:
    return [r[0] for r in db.execute("SELECT status FROM digests WHERE recipient = ? ORDER BY id", (recipient,))]


def _part(message: EmailMessage, kind: str) -> str:
    return message.get_body((kind,)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]


def _listed(message: EmailMessage) -> set[str]:
    """The instruments of the items the text part lists (each item's numbered heading, "1. EU – Japan: X (...)")."""
    text = _part(message, "plain")
    names = ("Digital Partnership", "Economic Partnership Agreement", "Horizon Europe", "Green Alliance")
    return {n for n in names if re.search(rf"^ *\d+\. .*: {re.escape(n)} \(", text, flags=re.MULTILINE)}


# --- content ----------------------------------------------------------------------------------------------------


def test_digest_has_subject_both_parts_headers_and_every_partnership(settings, corpus, smtp_server) -> None:
    settings = smtp_server.settings(settings, [Recipient(address="analyst@example.org")])
    results = _send(settings, corpus)
    assert [(r.recipient, r.status, r.partnerships) for r in results] == [("analyst@example.org", "sent", 3)]
    [(mail_from, rcpt_tos, _)] = smtp_server.inbox.received
    assert (mail_from, rcpt_tos) == ("pactwatch@example.org", ["analyst@example.org"])
    [message] = smtp_server.inbox.messages()
    assert message["Subject"] == "pactwatch: 3 new partnerships"
    assert message.get_content_type() == "multipart/alternative"
    assert message["To"] == "analyst@example.org"
    assert message["Message-ID"] == results[0].message_id and message["Message-ID"].endswith("@example.org>")
    assert message["Date"] == "Mon, 04 May 2026 07:00:00 +0000"
    assert message["List-Unsubscribe"].strip() == "<mailto:pactwatch@example.org?subject=unsubscribe>"
    text = _part(message, "plain")
    html = _part(message, "html")
    assert _listed(message) == {"Digital Partnership", "Economic Partnership Agreement", "Horizon Europe"}
    for part in (text, html):
        assert "European Union (EU)" in part and "Japan (JPN)" in part and "South Korea (KOR)" in part
        assert "The EU and Japan launched the Digital Partnership in Tokyo." in part
        assert "https://news.example.org/jp-digital" in part and "https://wire.example.com/jp-digital" in part
        assert "2 source articles" in part and "1 source article " in part
        assert "Status changes" not in part and "STATUS CHANGES" not in part
    # ranked: confidence plus independent sources; each heading says who and what
    headings = ["EU – Japan: Digital Partnership (launched)", "EU – South Korea: Horizon Europe (launched)",
                "EU – Japan: Economic Partnership Agreement (signed)"]
    assert [text.index(h) for h in headings] == sorted(text.index(h) for h in headings)
    assert all(f" {n}. {h}\n" in text for n, h in enumerate(headings, 1))
    assert [html.index(h) for h in headings] == sorted(html.index(h) for h in headings)
    assert "partnership | launched | Digital Partnership | 2026-05-01 | confidence 0.90" in text
    assert 'href="https://news.example.org/jp-digital"' in html and "style=" in html
    # recorded: a sent digest row, every partnership marked once
    row = dict(corpus.execute("SELECT status, partnerships, status_changes, message_id, error FROM digests").fetchone()
               and next(corpus.query("SELECT * FROM digests")))
    assert (row["status"], row["partnerships"], row["message_id"], row["error"]) == \
        ("sent", 3, message["Message-ID"], None)
    assert {pid for _, pid, _ in _items(corpus)} == {1, 2, 3}


def test_nothing_new_sends_no_mail(settings, corpus, smtp_server) -> None:
    settings = smtp_server.settings(settings, [Recipient(address="analyst@example.org")])
    assert _send(settings, corpus)[0].status == "sent"
    assert _send(settings, corpus)[0].status == "empty"
    assert len(smtp_server.inbox.received) == 1
    assert _statuses(corpus, "analyst@example.org") == ["sent", "empty"]


def test_empty_database_sends_no_mail(settings, db, smtp_server) -> None:
    settings = smtp_server.settings(settings, [Recipient(address="analyst@example.org")])
    assert [r.status for r in _send(settings, db)] == ["empty"]
    assert smtp_server.inbox.received == []


def test_status_change_of_a_known_partnership_is_reported_once(settings, corpus, smtp_server) -> None:
    settings = smtp_server.settings(settings, [Recipient(address="analyst@example.org")])
    add_article(corpus, [event("EU,IND", instrument="Free Trade Agreement", status="negotiating",
                               evidence="Talks on the Free Trade Agreement continued.")],
                published="2026-05-02T09:00:00Z")
    _send(settings, corpus)
    add_article(corpus, [event("EU,IND", instrument="Free Trade Agreement", status="signed",
                               evidence="India and the EU signed the Free Trade Agreement.", on=date(2026, 5, 5))],
                title="Deal done", url="https://news.example.org/ind-fta-signed", published="2026-05-05T09:00:00Z")
    [result] = _send(settings, corpus)
    assert (result.status, result.partnerships, result.status_changes) == ("sent", 0, 1)
    message = smtp_server.inbox.messages()[-1]
    assert message["Subject"] == "pactwatch: 1 status change"
    text = _part(message, "plain")
    html = _part(message, "html")
    assert "STATUS CHANGES (1)" in text and "NEW PARTNERSHIPS" not in text
    assert "Status: negotiating -> signed on 2026-05-05" in text
    assert "negotiating → signed" in html and "Deal done" in html
    assert "India (IND)" in text and "2 source articles" in text
    assert _send(settings, corpus)[0].status == "empty"


def test_changes_before_the_first_report_are_not_news(settings, db, smtp_server) -> None:
    settings = smtp_server.settings(settings, [Recipient(address="analyst@example.org")])
    add_article(db, [event("EU,IND", instrument="FTA", status="negotiating")], published="2026-05-01T09:00:00Z")
    add_article(db, [event("EU,IND", instrument="FTA", status="signed", on=date(2026, 5, 3))],
                published="2026-05-03T09:00:00Z")
    [result] = _send(settings, db)
    assert (result.partnerships, result.status_changes) == (1, 0)
    assert "signed" in _part(smtp_server.inbox.messages()[0], "plain")
    assert _send(settings, db)[0].status == "empty"


def test_recipient_filters(settings, corpus, smtp_server) -> None:
    recipients = [Recipient(address="korea@example.org", countries=["KOR"]),
                  Recipient(address="deals@example.org", types=["agreement"]),
                  Recipient(address="sure@example.org", min_confidence=0.85),
                  Recipient(address="india@example.org", countries=["IND"])]
    settings = smtp_server.settings(settings, recipients)
    results = {r.recipient: r for r in _send(settings, corpus)}
    assert {a: r.status for a, r in results.items()} == {"korea@example.org": "sent", "deals@example.org": "sent",
                                                         "sure@example.org": "sent", "india@example.org": "empty"}
    got = {m["To"]: _listed(m) for m in smtp_server.inbox.messages()}
    assert got == {"korea@example.org": {"Horizon Europe"}, "deals@example.org": {"Economic Partnership Agreement"},
                   "sure@example.org": {"Digital Partnership"}}
    # what a filter kept out is still unreported to that recipient, and what it kept in is not repeated
    assert _send(settings, corpus)[0].status == "empty"


def test_hidden_partnerships_are_not_reported(settings, corpus, smtp_server) -> None:
    settings = smtp_server.settings(settings, [Recipient(address="analyst@example.org")])
    kor_article = corpus.execute("SELECT id FROM articles WHERE url LIKE '%kor-horizon'").fetchone()[0]
    save_analysis(corpus, kor_article, Analysis(), version="test", key_of=_key)  # its only event is gone
    [result] = _send(settings, corpus)
    assert result.partnerships == 2
    assert "Horizon Europe" not in _listed(smtp_server.inbox.messages()[0])


# --- faults -----------------------------------------------------------------------------------------------------


def test_faults_mark_nothing_then_each_partnership_arrives_exactly_once(settings, corpus, smtp_server) -> None:
    address = "analyst@example.org"
    good = smtp_server.settings(settings, [Recipient(address=address)])
    down = dataclasses.replace(good, email=dataclasses.replace(good.email, smtp_port=_free_port()))
    errors = []
    for mode, current in [("accept", down), ("refuse", good), ("defer", good), ("drop", good)]:
        smtp_server.inbox.mode = mode
        [result] = _send(current, corpus)
        assert result.status == "failed", mode
        errors.append(result.error)
        assert _items(corpus) == [], mode
    assert "Connection refused" in errors[0] or "ConnectionRefused" in errors[0]
    assert "550" in errors[1] and "451" in errors[2] and "Disconnected" in errors[3]
    assert smtp_server.inbox.received == []
    assert _statuses(corpus, address) == ["failed"] * 4
    assert all(corpus.execute("SELECT error IS NOT NULL AND sent_at IS NULL FROM digests").fetchall())

    smtp_server.inbox.mode = "accept"
    assert _send(good, corpus)[0].status == "sent"
    add_article(corpus, [event("EU,IND", instrument="Green Alliance", type_="partnership", status="launched")])
    smtp_server.inbox.mode = "refuse"
    assert _send(good, corpus)[0].status == "failed"
    smtp_server.inbox.mode = "accept"
    assert _send(good, corpus)[0].status == "sent"
    assert _send(good, corpus)[0].status == "empty"
    listed = [_listed(m) for m in smtp_server.inbox.messages()]
    assert listed == [{"Digital Partnership", "Economic Partnership Agreement", "Horizon Europe"}, {"Green Alliance"}]
    assert _statuses(corpus, address) == ["failed"] * 4 + ["sent", "failed", "sent", "empty"]
    pids = [pid for _, pid, change in _items(corpus)]
    assert sorted(pids) == [1, 2, 3, 4]


def test_authentication(settings, corpus, auth_smtp_server) -> None:
    base = auth_smtp_server.settings(settings, [Recipient(address="analyst@example.org")], username="digest")
    wrong = dataclasses.replace(base, email=dataclasses.replace(base.email, password="nope"))
    [result] = _send(wrong, corpus)
    assert result.status == "failed" and "535" in result.error
    assert _items(corpus) == [] and auth_smtp_server.inbox.received == []
    anonymous = dataclasses.replace(base, email=dataclasses.replace(base.email, username=""))
    [result] = _send(anonymous, corpus)
    assert result.status == "failed" and "530" in result.error
    right = dataclasses.replace(base, email=dataclasses.replace(base.email, password="s3cret"))
    assert _send(right, corpus)[0].status == "sent"
    assert len(auth_smtp_server.inbox.received) == 1


def test_starttls_required_but_not_offered_fails(settings, corpus, smtp_server) -> None:
    tls = smtp_server.settings(settings, [Recipient(address="analyst@example.org")], security="starttls")
    [result] = _send(tls, corpus)
    assert result.status == "failed" and "STARTTLS" in result.error
    assert _items(corpus) == []


def test_one_recipient_failing_does_not_block_the_others(settings, corpus, smtp_server) -> None:
    settings = smtp_server.settings(settings, [Recipient(address="gone@example.org"),
                                               Recipient(address="analyst@example.org")])
    smtp_server.inbox.refuse_rcpt = {"gone@example.org"}
    results = _send(settings, corpus)
    assert [(r.recipient, r.status) for r in results] == [("gone@example.org", "failed"),
                                                          ("analyst@example.org", "sent")]
    assert "550" in results[0].error
    smtp_server.inbox.refuse_rcpt = set()
    results = _send(settings, corpus)
    assert [(r.recipient, r.status, r.partnerships) for r in results] == [("gone@example.org", "sent", 3),
                                                                          ("analyst@example.org", "empty", 0)]
    assert [m["To"] for m in smtp_server.inbox.messages()] == ["analyst@example.org", "gone@example.org"]


def test_a_send_in_progress_is_not_duplicated(settings, corpus, smtp_server) -> None:
    settings = smtp_server.settings(settings, [Recipient(address="analyst@example.org")])
    assert begin_digest(corpus, "analyst@example.org", now="2026-05-04T06:59:00Z", stale_before="2026-05-04T06:50:00Z")
    assert _send(settings, corpus)[0].status == "busy"
    assert smtp_server.inbox.received == []
    later = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)  # the first claim is stale by now: a crashed send
    assert send_due_digests(settings, corpus, now=later)[0].status == "sent"
    assert _statuses(corpus, "analyst@example.org") == ["interrupted", "sent"]


# --- hostile input ----------------------------------------------------------------------------------------------


def test_hostile_article_is_escaped_and_cannot_add_headers(settings, db, smtp_server) -> None:
    settings = smtp_server.settings(settings, [Recipient(address="analyst@example.org")])
    load_actors(db, ACTORS)
    title = "<script>alert('x')</script> Deal\r\nBcc: victim@example.net\r\nX-Injected: yes"
    add_article(db, [event("EU,JPN", instrument="Pact <b>bold</b>\nSubject: fake",
                           evidence='He said "<img src=x onerror=alert(1)>" & left.')],
                title=title, url="javascript:alert(document.cookie)", publisher="Evil\nReply-To: x@evil.example")
    add_article(db, [event("EU,JPN", instrument="Pact <b>bold</b>\nSubject: fake")],
                title="Fine", url="https://news.example.org/fine\"><script>alert(2)</script>")
    assert _send(settings, db)[0].status == "sent"
    [(_, rcpt_tos, raw)] = smtp_server.inbox.received
    assert rcpt_tos == ["analyst@example.org"]
    [message] = smtp_server.inbox.messages()
    assert message["Bcc"] is None and message["X-Injected"] is None and message["Reply-To"] is None
    assert message["Subject"] == "pactwatch: 1 new partnership"
    assert b"\nBcc:" not in raw and b"\nX-Injected:" not in raw
    html = _part(message, "html")
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Deal Bcc: victim@example.net X-Injected: yes" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&amp; left." in html
    assert "javascript:" not in html and 'href="#"' in html
    assert 'href="https://news.example.org/fine&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in html
    text = _part(message, "plain")
    assert "<script>alert('x')</script> Deal Bcc: victim@example.net X-Injected: yes" in text
    assert not any(line.startswith(("Bcc:", "X-Injected:", "Subject:", "Reply-To:")) for line in text.splitlines())


# --- schedules and test sends -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("schedule", "last", "now", "due"), [
    ("", None, "2026-05-04T05:00:00", True),
    ("", "2026-05-03T07:00:00Z", "2026-05-04T07:00:00", True),
    ("", "2026-05-04T07:00:00Z", "2026-05-04T23:59:00", False),
    ("0 9 * * 1", "2026-05-04T09:00:00Z", "2026-05-05T09:00:00", False),
    ("0 9 * * 1", "2026-05-04T09:00:00Z", "2026-05-11T08:59:59", False),
    ("0 9 * * 1", "2026-05-04T09:00:00Z", "2026-05-11T09:00:00", True),
    ("0 9 * * 1", "2026-05-04T09:00:00Z", "2026-05-12T07:00:00", True),
    ("0 9 * * 0", "2026-05-04T09:00:00Z", "2026-05-10T09:00:00", True),
    ("0 9 * * 7", "2026-05-04T09:00:00Z", "2026-05-09T09:00:00", False),
    ("0 9 * * 1-5", "2026-05-08T09:00:00Z", "2026-05-10T10:00:00", False),
    ("0 9 * * 1-5", "2026-05-08T09:00:00Z", "2026-05-11T09:00:00", True),
    ("*/30 * * * *", "2026-05-04T07:10:00Z", "2026-05-04T07:29:00", False),
    ("*/30 * * * *", "2026-05-04T07:10:00Z", "2026-05-04T07:31:00", True),
], ids=["first-digest", "job-cron-fired", "job-cron-not-yet", "monday-next-day", "monday-a-second-early",
        "monday-on-time", "monday-late-job", "sunday-is-0", "sunday-is-7", "weekdays-weekend", "weekdays-monday",
        "half-hourly-early", "half-hourly-due"])
def test_is_due(schedule: str, last: str | None, now: str, due: bool) -> None:
    moment = datetime.fromisoformat(now).replace(tzinfo=UTC)
    recipient = Recipient(address="a@example.org", schedule=schedule)
    assert is_due(recipient, last, moment, default_cron="0 7 * * *") is due


def test_bad_cron_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        is_due(Recipient(address="a@example.org", schedule="0 25 * * *"), "2026-05-04T09:00:00Z", NOW)


def test_recipient_schedule_and_failure_retry(settings, corpus, smtp_server) -> None:
    weekly = Recipient(address="weekly@example.org", schedule="0 9 * * 1")
    daily = Recipient(address="daily@example.org")
    settings = smtp_server.settings(settings, [weekly, daily])
    monday = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    assert [r.status for r in send_due_digests(settings, corpus, now=monday)] == ["sent", "sent"]
    add_article(corpus, [event("EU,IND", instrument="Green Alliance", type_="partnership", status="launched")])
    tuesday = datetime(2026, 5, 5, 9, 0, tzinfo=UTC)
    assert [r.status for r in send_due_digests(settings, corpus, now=tuesday)] == ["not_due", "sent"]
    next_monday = datetime(2026, 5, 11, 9, 0, tzinfo=UTC)
    smtp_server.inbox.mode = "refuse"
    assert [r.status for r in send_due_digests(settings, corpus, now=next_monday)] == ["failed", "empty"]
    smtp_server.inbox.mode = "accept"
    next_tuesday = datetime(2026, 5, 12, 9, 0, tzinfo=UTC)  # the failure is retried without waiting a week
    assert [r.status for r in send_due_digests(settings, corpus, now=next_tuesday)] == ["sent", "empty"]
    assert [r.status for r in send_due_digests(settings, corpus, now=next_tuesday, force=True)] == ["empty", "empty"]
    weekly_mails = [_listed(m) for m in smtp_server.inbox.messages() if m["To"] == "weekly@example.org"]
    assert weekly_mails == [{"Digital Partnership", "Economic Partnership Agreement", "Horizon Europe"},
                            {"Green Alliance"}]


def test_test_send_marks_nothing(settings, corpus, smtp_server) -> None:
    settings = smtp_server.settings(settings, [Recipient(address="analyst@example.org", countries=["KOR"])])
    result = send_test_digest(settings, corpus, "me@example.org", now=NOW)
    assert (result.status, result.partnerships) == ("test", 3)  # not a recipient: unfiltered
    result = send_test_digest(settings, corpus, "analyst@example.org", now=NOW)
    assert (result.status, result.partnerships) == ("test", 1)  # a recipient: their filters
    assert [rcpt for _, rcpt, _ in smtp_server.inbox.received] == [["me@example.org"], ["analyst@example.org"]]
    assert _items(corpus) == []
    assert _send(settings, corpus)[0].partnerships == 1  # the real digest is still pending
    smtp_server.inbox.mode = "refuse"
    assert send_test_digest(settings, corpus, "me@example.org", now=NOW).status == "test_failed"


# --- encrypted connections --------------------------------------------------------------------------------------


@pytest.fixture
def certificate(tmp_path, monkeypatch) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 that the client trusts (through SSL_CERT_FILE)."""
    import shutil
    import subprocess

    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed: no certificate for the TLS tests")
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", cert)
    return cert, key


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_encrypted_delivery_with_login(settings, corpus, certificate, security: str) -> None:
    import ssl

    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(*certificate)
    # implicit TLS: aiosmtpd does not see its own ssl_context as TLS for AUTH, though the socket is encrypted
    tls = {"tls_context": server_context, "require_starttls": True} if security == "starttls" else {
        "ssl_context": server_context, "auth_require_tls": False}
    server = SmtpServer(authenticator=_authenticator, auth_required=True, **tls)
    server.controller.start()
    try:
        configured = server.settings(settings, [Recipient(address="a@example.org")], security=security,
                                     username="digest", password="s3cret")
        results = _send(configured, corpus)
    finally:
        server.controller.stop()
    assert [r.status for r in results] == ["sent"]
    assert len(server.inbox.messages()) == 1
