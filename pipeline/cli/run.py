"""``pactwatch run``: the daemon, or one full cycle with ``--once``; ``pactwatch reprocess``."""

from __future__ import annotations

import click

from pipeline.cli.common import open_settings_db, settings_options
from pipeline.config import Settings


@click.command()
@settings_options
@click.option("--once", is_flag=True, help="Run one full cycle over every active feed, then exit.")
def run(settings: Settings, once: bool) -> None:
    """Poll feeds, process articles and send digests until SIGTERM/SIGINT (or once, with --once)."""
    if once:
        from pipeline.cycle import run_cycle

        db = open_settings_db(settings)
        report = run_cycle(settings, db, every=True)
        click.echo(report.summary())
        return
    from pipeline.daemon import run_daemon

    run_daemon(settings)


@click.command()
@settings_options
def reprocess(settings: Settings) -> None:
    """Recompute entities, events and partnerships from stored article text with the current NLP."""
    from pipeline.cycle import reprocess as reprocess_articles

    db = open_settings_db(settings)
    report = reprocess_articles(settings, db)
    click.echo(f"reprocessed {report.articles_analysed} articles: {report.new_events} events,"
               f" {report.errors} errors in {report.seconds:.1f} s")


COMMANDS = [run, reprocess]
