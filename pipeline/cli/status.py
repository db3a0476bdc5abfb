"""``pactwatch status``: feed health, queues, last runs and counts, read from the database."""

from __future__ import annotations

import json

import click

from pipeline.cli.common import format_option, open_settings_db, settings_options
from pipeline.cli.output import render
from pipeline.config import Settings
from pipeline.lock import lock_holder
from pipeline.store import status_summary


@click.command(short_help="Feed health, queues, the last run, counts.")
@settings_options
@format_option("table", "json")
def status(settings: Settings, fmt: str) -> None:
    """Feeds health, queue sizes, the last run, counts.

    Each feed's health is new, ok, failing, UNHEALTHY or removed (as in feeds list); its last problem is printed
    in full under it. --format json also gives the last five runs and the latest errors.
    """
    summary = status_summary(open_settings_db(settings, readonly=True))
    summary["daemon_pid"] = lock_holder(settings.database.path)
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2, default=str))
        return
    counts, queues = summary["counts"], summary["queues"]
    click.echo(f"database: {settings.database.path}")
    pid = summary["daemon_pid"]
    click.echo(f"daemon:   running (pid {pid})" if pid else "daemon:   not running")
    click.echo("counts:   " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    click.echo("queues:   " + ", ".join(f"{k} {v}" for k, v in queues.items()))
    click.echo("review:   " + ", ".join(f"{k} {v}" for k, v in summary["review"].items()))
    if summary["languages"]:
        click.echo("languages: " + ", ".join(f"{k} {v}" for k, v in summary["languages"].items())
                   + " (articles analysed; only English ones give events)")
    runs = summary["runs"]
    if runs:
        last = runs[0]
        click.echo(f"last run: #{last['id']} {last['kind']} {last['status']} started {last['started_at']}"
                   f" finished {last['finished_at'] or '-'}: {last['feeds_polled']} feeds, {last['new_articles']}"
                   f" new articles, {last['new_events']} new events, {last['errors']} errors")
    else:
        click.echo("last run: never")
    click.echo("")
    render(summary["feeds"], "table", ["id", "health", "error_count", "last_success_at", "next_check_at", "url"],
           below="problem")


COMMANDS = [status]
