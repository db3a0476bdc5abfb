"""feedparser: feed bytes to ``Entry`` records, with dates in UTC and links made canonical."""

from __future__ import annotations

import calendar
import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser
import lxml.html

from pipeline.errors import ParseError
from pipeline.models import Entry
from pipeline.polling import feed_hint_seconds
from pipeline.urls import canonical_url


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    site_url: str | None
    ttl_seconds: int | None
    entries: list[Entry]
    warning: str | None  # why feedparser called the feed ill-formed, when it still gave entries


def _when(struct) -> datetime | None:
    if not struct:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def plain_text(html: str | None) -> str | None:
    """Visible text of an HTML fragment (feed summaries), whitespace collapsed."""
    if not html or not html.strip():
        return None
    try:
        text = lxml.html.fromstring(html).text_content()
    except Exception:  # lxml rejects some fragments (empty documents, control characters)
        text = html
    return " ".join(text.split()) or None


def _entry(raw, feed_url: str) -> Entry | None:
    link = raw.get("link") or next((ln.get("href") for ln in raw.get("links", []) if ln.get("href")), None)
    url = canonical_url(link, feed_url) if link else None
    title = plain_text(raw.get("title"))
    summary = plain_text(raw.get("summary") or next((c.get("value") for c in raw.get("content", [])), None))
    guid = raw.get("id") or url
    if not guid:
        if not (title or summary):
            return None
        guid = "sha1:" + hashlib.sha1(f"{title}\n{summary}".encode()).hexdigest()
    published = _when(raw.get("published_parsed")) or _when(raw.get("updated_parsed"))
    return Entry(guid=str(guid)[:2000], url=url, title=title, summary=summary, published=published)


def parse_feed(body: bytes, url: str, headers: dict[str, str] | None = None) -> ParsedFeed:
    """Parse a feed. Ill-formed feeds still give the entries feedparser could read (and a ``warning``);
    a body with no feed in it raises ``ParseError`` (``not_a_feed`` or ``parse_error``)."""
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers.setdefault("content-location", url)
    try:
        parsed = _json_feed(body) or feedparser.parse(body, response_headers=response_headers, sanitize_html=True,
                                                      resolve_relative_uris=True)
    except Exception as exc:  # feedparser is defensive, but a hostile body must never crash the cycle
        raise ParseError("parse_error", f"feedparser failed: {type(exc).__name__}: {exc}", url=url) from None
    warning = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        warning = f"{type(exc).__name__}: {exc}"[:500] if exc else "ill-formed feed"
    entries, skipped = [], 0
    for raw in parsed.get("entries", []):
        try:
            entry = _entry(raw, url)
        except Exception:  # one odd entry (a malformed link, a huge date) must not cost the others
            skipped += 1
            continue
        if entry is not None:
            entries.append(entry)
    if skipped:
        warning = "; ".join(filter(None, [warning, f"{skipped} unreadable entries skipped"]))
    feed = parsed.get("feed", {})
    unreadable = parsed.get("bozo") and not feed.get("title")  # ill-formed, and not even a channel title was read
    if not entries and (not parsed.get("version") or unreadable):
        raise ParseError(_no_feed_kind(body, response_headers), warning or "no feed found in the response", url=url)
    return ParsedFeed(
        title=plain_text(feed.get("title")),
        site_url=feed.get("link"),
        ttl_seconds=feed_hint_seconds(feed.get("ttl"), feed.get("sy_updateperiod"), feed.get("sy_updatefrequency")),
        entries=_dedupe(entries),
        warning=warning,
    )


def _no_feed_kind(body: bytes, headers: dict[str, str]) -> str:
    """``not_a_feed`` for an HTML page (or anything not XML/JSON at all), ``parse_error`` for a broken feed."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<html" in head or head.startswith(b"<!doctype html") or "text/html" in headers.get("content-type", "").lower():
        return "not_a_feed"
    if head.startswith((b"<", b"{")):
        return "parse_error"
    return "not_a_feed"


def _json_feed(body: bytes) -> dict[str, Any] | None:
    """A JSON Feed (jsonfeed.org, versions 1 and 1.1) in feedparser's shape; None when the body is not one."""
    if not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return None
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        return None
    entries = []
    for item in data.get("items") or []:
        if not isinstance(item, dict):
            continue
        entries.append({
            "id": str(item.get("id") or item.get("url") or "") or None,
            "link": item.get("url") or item.get("external_url"),
            "title": item.get("title"),
            "summary": item.get("summary") or item.get("content_html") or item.get("content_text"),
            "published_parsed": _iso_struct(item.get("date_published")),
            "updated_parsed": _iso_struct(item.get("date_modified")),
        })
    return {"version": "json1", "bozo": False, "entries": entries,
            "feed": {"title": data.get("title"), "link": data.get("home_page_url")}}


def _iso_struct(value: object) -> time.struct_time | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).utctimetuple()


def _dedupe(entries: list[Entry]) -> list[Entry]:
    seen: set[str] = set()
    unique = []
    for entry in entries:
        if entry.guid not in seen:
            seen.add(entry.guid)
            unique.append(entry)
    return unique
