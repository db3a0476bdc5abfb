"""Per recipient: is a digest due, what is new, render, send, record. The daemon's digest job and the CLI call this.

Exactly once: a recipient is claimed with a ``sending`` digest row before anything is selected, and what was sent
is marked in ``digest_items`` only after the server accepted the message. A failed send marks nothing (the row
says ``failed`` with the error), so the next run sends it again. One recipient's failure never stops the others.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import sqlite_utils
from apscheduler.triggers.cron import CronTrigger

from pipeline.config import Recipient, ScheduleSettings, Settings
from pipeline.crontab import cron_trigger
from pipeline.digest.render import build_message
from pipeline.digest.select import DigestContent, select_digest
from pipeline.digest.send import send_message
from pipeline.errors import ConfigError, PactwatchError
from pipeline.store import begin_digest, finish_digest, last_digest_at, parse_utc, record_digest, to_utc_iso

log = logging.getLogger(__name__)
DIGEST_QUERY = "digest_partnerships"  # the canned query (pipeline/web/metadata.yaml) listing one digest's items


@dataclass(frozen=True)
class DigestResult:
    """What happened for one recipient: sent | empty | failed | not_due | busy | test | test_failed."""

    recipient: str
    status: str
    partnerships: int = 0
    status_changes: int = 0
    corrections: int = 0
    digest_id: int | None = None
    message_id: str | None = None
    error: str | None = None

    def properties(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC).replace(microsecond=0)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def _trigger(expression: str) -> CronTrigger:
    try:
        return cron_trigger(expression)
    except ValueError as exc:
        raise ConfigError(f"bad cron expression {expression!r}: {exc}") from None


def is_due(recipient: Recipient, last: str | None, now: datetime, *,
           default_cron: str = ScheduleSettings.digest_cron) -> bool:
    """Due when the recipient's cron (their own ``schedule``, else ``default_cron``, the digest job's) has fired
    since their last digest (sent or found empty); a first digest is always due. Failed sends do not count, so
    they are retried the next time this is asked."""
    if last is None:
        return True
    fire = _trigger(recipient.schedule or default_cron).get_next_fire_time(
        None, parse_utc(last) + timedelta(seconds=1))  # type: ignore[operator]
    return fire is not None and fire <= _utc(now)


def more_url(settings: Settings, digest_id: int | None) -> str | None:
    """Where Datasette lists every item of digest ``digest_id`` in order, when ``serve.public_url`` is set."""
    if not settings.serve.public_url or digest_id is None:
        return None
    from pipeline.serve import database_name

    base = settings.serve.public_url.rstrip("/")
    return f"{base}/{database_name(settings.database.path)}/{DIGEST_QUERY}?digest={digest_id}"


def _select(settings: Settings, db: sqlite_utils.Database, recipient: Recipient, now: datetime) -> DigestContent:
    return select_digest(db, recipient, now=now, backfill=settings.digest.backfill)


def _build(settings: Settings, content: DigestContent, recipient: Recipient, digest_id: int | None = None, *,
           to: str | None = None) -> EmailMessage:
    return build_message(content, settings.email, to=to or recipient.address, recipient=recipient,
                         limit=settings.digest.max_items, more_url=more_url(settings, digest_id))


def _recipients(settings: Settings) -> list[Recipient]:
    seen: set[str] = set()
    unique = []
    for recipient in settings.email.recipients:
        key = recipient.address.lower()
        if key in seen:
            log.warning("recipient %s is configured twice; the first entry wins", recipient.address,
                        extra={"stage": "digest"})
            continue
        seen.add(key)
        unique.append(recipient)
    return unique


def _recipient_for(settings: Settings, address: str) -> Recipient:
    """The configured recipient with this address, else an unfiltered one."""
    for recipient in settings.email.recipients:
        if recipient.address.lower() == address.lower():
            return recipient
    return Recipient(address=address)


def send_due_digests(settings: Settings, db: sqlite_utils.Database, *, now: datetime | None = None,
                     force: bool = False) -> list[DigestResult]:
    """Send each configured recipient whose digest is due (see ``is_due``) what is new for them.

    Call it as often as you like (the daemon calls it on ``schedule.digest_cron`` and on every recipient's own
    cron); ``force`` ignores schedules. Returns one result per recipient.
    """
    moment = _utc(now)
    results = []
    for recipient in _recipients(settings):
        try:
            result = _deliver(settings, db, recipient, moment, force=force)
        except PactwatchError as exc:
            log.error("digest for %s failed: %s", recipient.address, exc, extra={"stage": "digest"})
            result = DigestResult(recipient.address, "failed", error=str(exc))
        except Exception as exc:  # a bug for one recipient must not starve the others
            log.exception("digest for %s failed", recipient.address, extra={"stage": "digest"})
            result = DigestResult(recipient.address, "failed", error=f"{type(exc).__name__}: {exc}")
        results.append(result)
    return results


def _deliver(settings: Settings, db: sqlite_utils.Database, recipient: Recipient, now: datetime, *,
             force: bool) -> DigestResult:
    address = recipient.address
    due = is_due(recipient, last_digest_at(db, address), now, default_cron=settings.schedule.digest_cron)
    if not force and not due:
        return DigestResult(address, "not_due")
    started = to_utc_iso(now)
    stale = now - timedelta(seconds=max(600.0, settings.email.timeout * 10))
    digest_id = begin_digest(db, address, now=started, stale_before=to_utc_iso(stale))  # type: ignore[arg-type]
    if digest_id is None:
        log.warning("a digest for %s is already being sent; skipped", address, extra={"stage": "digest"})
        return DigestResult(address, "busy")
    counts: dict[str, int] = {}
    try:
        content = _select(settings, db, recipient, now)
        counts = {"partnerships": content.partnership_count, "status_changes": content.change_count,
                  "corrections": content.correction_count}
        if content.empty:
            finish_digest(db, digest_id, status="empty")
            log.info("digest for %s: nothing new", address, extra={"stage": "digest"})
            return DigestResult(address, "empty", digest_id=digest_id)
        message = _build(settings, content, recipient, digest_id)
        send_message(settings.email, message, address)
    except Exception as exc:
        error = str(exc) if isinstance(exc, PactwatchError) else f"{type(exc).__name__}: {exc}"
        finish_digest(db, digest_id, status="failed", error=error, **counts)
        log.error("digest for %s failed: %s", address, error, extra={"stage": "digest"})
        return DigestResult(address, "failed", digest_id=digest_id, error=error, **counts)
    finish_digest(db, digest_id, status="sent", sent_at=started, message_id=message["Message-ID"],
                  items=content.marks, corrected=content.corrected, **counts)
    log.info("digest for %s sent: %d new partnerships, %d status changes", address, counts["partnerships"],
             counts["status_changes"], extra={"stage": "digest"})
    return DigestResult(address, "sent", digest_id=digest_id, message_id=message["Message-ID"], **counts)


def render_digests(settings: Settings, db: sqlite_utils.Database, *, now: datetime | None = None,
                   address: str | None = None) -> list[tuple[DigestContent, EmailMessage | None]]:
    """What each recipient (or only ``address``) would get now, ignoring schedules; sends and records nothing.

    The message is None when there is nothing new for that recipient.
    """
    moment = _utc(now)
    recipients = [_recipient_for(settings, address)] if address else _recipients(settings)
    rendered = []
    for recipient in recipients:
        content = _select(settings, db, recipient, moment)
        message = None if content.empty else _build(settings, content, recipient)
        rendered.append((content, message))
    return rendered


def send_test_digest(settings: Settings, db: sqlite_utils.Database, address: str, *,
                     now: datetime | None = None) -> DigestResult:
    """Send ``address`` what it would get now (its filters if configured, else none), even if empty.

    Marks nothing as sent, for ``address`` or anyone else; the digest row says ``test`` or ``test_failed``.
    """
    moment = _utc(now)
    recipient = _recipient_for(settings, address)
    content = _select(settings, db, recipient, moment)
    counts = {"partnerships": content.partnership_count, "status_changes": content.change_count}
    started = to_utc_iso(moment)
    try:
        message = _build(settings, content, recipient, to=address)
        send_message(settings.email, message, address)
    except PactwatchError as exc:
        digest_id = record_digest(db, address, status="test_failed", started_at=started,  # type: ignore[arg-type]
                                  error=str(exc), **counts)
        return DigestResult(address, "test_failed", digest_id=digest_id, error=str(exc), **counts)
    digest_id = record_digest(db, address, status="test", started_at=started, sent_at=started,  # type: ignore[arg-type]
                              message_id=message["Message-ID"], **counts)
    return DigestResult(address, "test", digest_id=digest_id, message_id=message["Message-ID"], **counts)
