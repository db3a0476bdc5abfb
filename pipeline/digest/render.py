"""Digest content to an e-mail: Jinja2 HTML (autoescaped) and plain text, in a multipart/alternative message.

A mail shows the ``limit`` most important items and counts the rest (linking them when a URL is given); it never
exceeds MAX_MESSAGE_BYTES, which common mail clients show uncut: when the items would not fit, fewer are shown.
"""

from __future__ import annotations

import functools
import re
import textwrap
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

import jinja2

from pipeline.config import EmailSettings, Recipient
from pipeline.digest.select import DigestContent
from pipeline.errors import DigestError

MAX_MESSAGE_BYTES = 100_000  # the whole message as sent; Gmail clips a message body past about 102 KB
SOURCES_SHOWN = 3  # source articles listed per item; the rest are counted


def _oneline(value: object) -> str:
    """Collapse every run of whitespace (newlines included) to one space."""
    return re.sub(r"\s+", " ", str(value or "")).strip()


def _clip(value: object, width: int) -> str:
    """One line of at most ``width`` characters, cut at a word boundary with " …"."""
    return textwrap.shorten(_oneline(value), width, placeholder=" …") if value else ""


def _quoted(value: object, width: int = 400) -> str:
    """The evidence clipped to ``width``, in quotes unless it opens with a quote of its own."""
    text = _clip(value, width)
    return text if text.startswith(('"', "“", "'", "‘")) else f'"{text}"'


def _safe_url(value: object) -> str:
    """Only http(s) links reach the mail; anything else (``javascript:``, ``data:``) becomes ``#``."""
    url = _oneline(value)
    return url if urlsplit(url).scheme.lower() in ("http", "https") else "#"


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["oneline"] = _oneline
    env.filters["clip"] = _clip
    env.filters["quoted"] = _quoted
    env.filters["safe_url"] = _safe_url
    return env


def subject_for(content: DigestContent) -> str:
    """``pactwatch: 3 new partnerships, 1 status change, 1 correction`` (or ``nothing new``)."""
    parts = []
    if content.partnership_count:
        n = content.partnership_count
        parts.append(f"{n} new partnership{'' if n == 1 else 's'}")
    if content.change_count:
        n = content.change_count
        parts.append(f"{n} status change{'' if n == 1 else 's'}")
    if content.correction_count:
        n = content.correction_count
        parts.append(f"{n} correction{'' if n == 1 else 's'}")
    return "pactwatch: " + (", ".join(parts) or "nothing new")


def unsubscribe_target(settings: EmailSettings, address: str) -> str:
    """The List-Unsubscribe URI: ``email.unsubscribe``, else a mail to the sender asking to unsubscribe."""
    if settings.unsubscribe:
        return settings.unsubscribe
    return f"mailto:{settings.sender}?subject=unsubscribe"


def _describe(recipient: Recipient | None) -> str:
    if recipient is None:
        return ""
    parts = []
    if recipient.countries:
        parts.append("actors " + ", ".join(recipient.countries))
    if recipient.types:
        parts.append("types " + ", ".join(recipient.types))
    if recipient.min_confidence > 0:
        parts.append(f"confidence at least {recipient.min_confidence:.2f}")
    return "; ".join(parts)


def render_parts(content: DigestContent, settings: EmailSettings, *, recipient: Recipient | None = None,
                 limit: int = 25, more_url: str | None = None) -> tuple[str, str]:
    """(plain text, HTML) bodies of a digest showing its ``limit`` most important items."""
    target = unsubscribe_target(settings, content.recipient)
    shown = content.items[:limit]
    context = {
        "content": content,
        "subject": subject_for(content),
        "generated": content.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        "filters": _describe(recipient),
        "unsubscribe_url": target if target.startswith(("http://", "https://", "mailto:")) else "",
        "changes": [item for item in shown if item.change],
        "news": [item for item in shown if not item.change],
        "corrections": content.corrections,
        "more": len(content.items) - len(shown),
        "more_url": _safe_url(more_url) if more_url else "",
        "sources_shown": SOURCES_SHOWN,
    }
    env = _environment()
    try:
        text = env.get_template("digest.txt").render(context)
        html = env.get_template("digest.html").render(context)
    except jinja2.TemplateError as exc:
        raise DigestError(f"cannot render the digest template: {exc}") from exc
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", html


def build_message(content: DigestContent, settings: EmailSettings, *, to: str, recipient: Recipient | None = None,
                  limit: int = 25, more_url: str | None = None) -> EmailMessage:
    """The complete message: text and HTML alternatives; From, To, Subject, Date, Message-ID, List-Unsubscribe.

    At most ``limit`` items, fewer if that is what keeps the message within MAX_MESSAGE_BYTES; the others are
    counted and, with ``more_url``, linked. Only the configured addresses and the counts reach the headers.
    """
    shown = min(limit, len(content.items))
    while True:
        message = _message(content, settings, to=to, recipient=recipient, limit=shown, more_url=more_url)
        size = len(message.as_bytes(policy=policy.SMTP))
        if size <= MAX_MESSAGE_BYTES or shown == 0:
            return message
        shown = min(shown - 1, shown * MAX_MESSAGE_BYTES // size)


def _message(content: DigestContent, settings: EmailSettings, *, to: str, recipient: Recipient | None, limit: int,
             more_url: str | None) -> EmailMessage:
    text, html = render_parts(content, settings, recipient=recipient, limit=limit, more_url=more_url)
    domain = settings.sender.rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["Subject"] = subject_for(content)
    message["From"] = Address(display_name="pactwatch", addr_spec=settings.sender)
    message["To"] = to
    message["Date"] = format_datetime(content.generated_at)
    message["Message-ID"] = make_msgid(idstring="digest", domain=domain)
    message["List-Unsubscribe"] = f"<{unsubscribe_target(settings, content.recipient)}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message
