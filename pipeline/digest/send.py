"""Handing one message to the SMTP server: security none/starttls/tls, login when a username is set, timeout."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from pipeline.config import EmailSettings
from pipeline.errors import DigestError

log = logging.getLogger(__name__)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"{type(exc).__name__}: {exc.smtp_code} {detail}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(f"{addr}: {code} {msg.decode('utf-8', 'replace') if isinstance(msg, bytes) else msg}"
                            for addr, (code, msg) in exc.recipients.items())
        return f"recipient refused: {refused}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def send_message(settings: EmailSettings, message: EmailMessage, to: str) -> None:
    """Deliver ``message`` to ``to`` (the envelope recipient) or raise ``DigestError``.

    Success means the server accepted the message data (250 after DATA); a failure while saying goodbye after
    that does not undo it.
    """
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    context = ssl.create_default_context()
    client: smtplib.SMTP | None = None
    try:
        if settings.security == "tls":
            client = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=settings.timeout,
                                      context=context)
        else:
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout)
        client.ehlo_or_helo_if_needed()
        if settings.security == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if settings.username:
            client.login(settings.username, settings.password)
        client.send_message(message, from_addr=settings.sender, to_addrs=[to])
    except (smtplib.SMTPException, OSError) as exc:
        if client is not None:
            client.close()
        raise DigestError(f"sending to {to} via {where} failed: {_describe(exc)}") from exc
    try:
        client.quit()
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("SMTP QUIT after delivery to %s failed: %s", to, _describe(exc), extra={"stage": "digest"})
        client.close()
