"""trafilatura: page HTML to an ``Article`` (text and metadata); no usable text becomes an ``ExtractError``."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

import trafilatura
from trafilatura.settings import use_config

from pipeline.errors import ExtractError
from pipeline.models import Article

MIN_TEXT_CHARS = 200

_CONFIG = use_config()
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # signals do not work outside the main thread


def text_hash(text: str) -> str:
    """Hash of the text with case and whitespace folded: the same story under two URLs has one hash."""
    return hashlib.sha256(re.sub(r"\s+", " ", text.lower()).strip().encode()).hexdigest()


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Bytes to str: declared charset first, then trafilatura's detection."""
    match = re.search(r"charset=([\w.:-]+)", content_type or "", re.I)
    if match:
        try:
            return body.decode(match.group(1))
        except (LookupError, UnicodeDecodeError):
            pass
    return trafilatura.utils.decode_file(body)


def extract_article(html: str | bytes, url: str, *, content_type: str | None = None) -> Article:
    """Main text and metadata of a page. Raises ``ExtractError`` with reason not_html, no_main_text or too_short."""
    if isinstance(html, bytes):
        html = decode_html(html, content_type)
    if content_type and not re.search(r"html|xml", content_type, re.I):
        raise ExtractError("not_html", f"content type {content_type}", url=url)
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                          favor_precision=False, config=_CONFIG)
    except Exception as exc:  # trafilatura and lxml raise on pathological markup
        raise ExtractError("no_main_text", f"trafilatura failed: {type(exc).__name__}: {exc}", url=url) from None
    if doc is None or not (doc.text or "").strip():
        raise ExtractError("no_main_text", "trafilatura found no main text", url=url)
    text = doc.text.strip()
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractError("too_short", f"main text has {len(text)} characters", url=url)
    return Article(
        url=url,
        title=doc.title,
        text=text,
        published=_date(doc.date),
        author=doc.author,
        sitename=doc.sitename,
        language=doc.language,
    )
