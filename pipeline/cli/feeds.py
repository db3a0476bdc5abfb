"""``pactwatch feeds list / add URL / remove URL / import FILE.opml / export``: manage the feed list.

add, remove and import edit the feeds file of the settings (comments kept), then bring the database in line:
a removed feed is deactivated, never deleted, so its entries and articles stay.
"""

from __future__ import annotations

from pathlib import Path

import click
import sqlite_utils

from pipeline import store
from pipeline.cli.common import format_option, global_options, open_settings_db, settings_options
from pipeline.cli.output import render
from pipeline.config import Settings
from pipeline.errors import UsageError
from pipeline.feeds import add_feed, load_feed_list, remove_feed, sync_feed_list
from pipeline.opml import read_opml, write_opml

LIST_COLUMNS = ["id", "health", "error_count", "entries", "last_success_at", "next_check_at", "name", "url", "problem"]


def _sync(settings: Settings) -> sqlite_utils.Database:
    db = open_settings_db(settings)
    sync_feed_list(settings, db)
    return db


@click.group(short_help="Manage the feed list; see each feed's health.")
@global_options
def feeds() -> None:
    """Manage the feed list (config/feeds.toml) and see each feed's health."""


@feeds.command("list")
@settings_options
@format_option("table", "json", "csv")
@click.option("--all", "show_all", is_flag=True, help="Include feeds removed from the list.")
def list_(settings: Settings, fmt: str, show_all: bool) -> None:
    """Every feed with its health and last problem.

    Columns: health (new, ok, failing, UNHEALTHY, removed), error count, entries, last success, next check, name,
    URL and the last problem (fetch error, or why the feed was ill-formed).
    """
    render(store.list_feeds(_sync(settings), include_removed=show_all), fmt, LIST_COLUMNS)


@feeds.command()
@settings_options
@click.argument("url")
@click.option("--name", help="A name for the feed.")
@click.option("--interval", type=click.IntRange(min=1), help="Seconds between polls of this feed.")
def add(settings: Settings, url: str, name: str | None, interval: int | None) -> None:
    """Add URL to the feed list; it is polled in the next cycle."""
    added = add_feed(settings.feeds.file, url, name=name, interval=interval)
    _sync(settings)
    click.echo(f"added {url}" if added else f"already listed: {url}")


@feeds.command()
@settings_options
@click.argument("url")
def remove(settings: Settings, url: str) -> None:
    """Remove URL from the feed list.

    Its stored entries and articles are kept; the feed stays in the database, inactive (feeds list --all).
    """
    db = open_settings_db(settings)
    listed = store.configured_url(db, url) or url  # the URL given may be where a permanent redirect took the feed
    if not remove_feed(settings.feeds.file, listed):
        raise UsageError(f"not in {settings.feeds.file}: {url}")
    sync_feed_list(settings, db)
    click.echo(f"removed {listed}")


@feeds.command("import")
@settings_options
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(settings: Settings, opml_file: Path) -> None:
    """Add every feed of an OPML file (feeds already listed are skipped)."""
    specs = read_opml(opml_file.read_bytes(), source=str(opml_file))
    added = sum(add_feed(settings.feeds.file, s.url, name=s.name) for s in specs)
    _sync(settings)
    click.echo(f"imported {added} new feeds ({len(specs) - added} already listed) from {opml_file}")


@feeds.command()
@settings_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file, not stdout.")
def export(settings: Settings, out: Path | None) -> None:
    """Print the feed list as OPML 2.0."""
    specs = load_feed_list(settings.feeds.file)
    known: dict[str, dict] = {}
    if settings.database.path.exists():
        known = {r["config_url"] or r["url"]: r for r in store.list_feeds(open_settings_db(settings, readonly=True))}
    data = write_opml({"url": s.url, "name": s.name, **{k: v for k, v in known.get(s.url, {}).items()
                                                         if k in ("title", "site_url")}} for s in specs)
    if out:
        out.write_bytes(data)
    else:
        click.echo(data.decode(), nl=False)


COMMANDS = [feeds]
