"""``pactwatch search "query"``: full-text search over article titles and text."""

from __future__ import annotations

import click

from pipeline.cli.common import format_option, open_settings_db, parse_since, settings_options
from pipeline.cli.output import render
from pipeline.config import Settings
from pipeline.store import search_articles


@click.command(short_help="Full-text search over articles.")
@settings_options
@click.argument("query")
@click.option("--since", metavar="WHEN", help="Only articles published after 7d, 12h, 2w or an ISO date.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="At most this many articles.")
@format_option()
def search(settings: Settings, query: str, since: str | None, limit: int, fmt: str) -> None:
    """Articles whose title or text match QUERY, best first, with a [highlighted] snippet.

    QUERY is SQLite FTS5 syntax: words (all must match, stemmed), "a phrase", OR, NOT, prefix*, NEAR(a b, 5);
    text that is not valid FTS5 syntax is searched as plain words.
    """
    rows = search_articles(open_settings_db(settings, readonly=True), query, since=parse_since(since), limit=limit)
    render(rows, fmt, ["id", "published_at", "events", "title", "url", "snippet"])


COMMANDS = [search]
