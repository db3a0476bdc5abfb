"""``pactwatch partnerships`` and ``pactwatch events``: filtered, streamed exports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from pipeline.cli.common import format_option, open_settings_db, parse_since, settings_options
from pipeline.cli.output import render
from pipeline.config import Settings
from pipeline.store import iter_events, iter_partnerships

EVENT_TYPES = ("agreement", "partnership", "programme", "cooperation")
STATUSES = ("planned", "negotiating", "signed", "launched", "held", "in_force", "ended")
# csv carries every field in a fixed order (pandas-friendly); the table shows the most useful few.
PARTNERSHIP_FIELDS = ["id", "type", "status", "participants", "instrument", "first_seen", "last_seen", "first_reported",
                      "last_reported", "mentions", "sources", "confidence", "best_evidence"]
EVENT_FIELDS = ["id", "type", "status", "participants", "instrument", "negated", "date", "evidence", "confidence",
                "partnership_id", "extractor_version", "detected_at", "article_url", "article_title", "verdict"]


def _filters(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--limit", type=click.IntRange(min=1), help="At most this many rows.")(func)
    func = click.option("--status", type=click.Choice(STATUSES), help="Only this status.")(func)
    func = click.option("--type", "type_", type=click.Choice(EVENT_TYPES), help="Only this event type.")(func)
    func = click.option("--country", metavar="CODE", help="Only those involving this actor code (JPN, EU...).")(func)
    return click.option("--since", metavar="WHEN", help="Only newer than 7d, 12h, 2w or an ISO date.")(func)


@click.command(short_help="Partnerships, newest first, with filters.")
@settings_options
@_filters
@format_option()
def partnerships(settings: Settings, since: str | None, country: str | None, type_: str | None,
                 status: str | None, limit: int | None, fmt: str) -> None:
    """Partnerships: events merged across articles, newest first (--since filters on first_seen)."""
    db = open_settings_db(settings, readonly=True)
    rows = iter_partnerships(db, since=parse_since(since), country=country, type_=type_, status=status, limit=limit)
    table = ["id", "type", "status", "participants", "mentions", "sources", "first_seen", "instrument"]
    render(rows, fmt, PARTNERSHIP_FIELDS if fmt == "csv" else table)


@click.command(short_help="Single events with evidence, newest first.")
@settings_options
@_filters
@click.option("--negated/--positive", default=None, help="Only negated (or only positive) events.")
@format_option()
def events(settings: Settings, since: str | None, country: str | None, type_: str | None, status: str | None,
           limit: int | None, negated: bool | None, fmt: str) -> None:
    """Single events with their evidence sentence and article URL, newest first."""
    db = open_settings_db(settings, readonly=True)
    rows = iter_events(db, since=parse_since(since), country=country, type_=type_, status=status, negated=negated,
                       limit=limit)
    table = ["id", "type", "status", "participants", "negated", "date", "confidence", "evidence"]
    render(rows, fmt, EVENT_FIELDS if fmt == "csv" else table)


COMMANDS = [partnerships, events]
