"""``pactwatch run``: the daemon, or one full cycle with ``--once``; ``pactwatch reprocess``.

Long work shows progress on stderr: a bar on a terminal, log lines otherwise. SIGTERM/SIGINT stop one-shot work
after the current item (a second signal aborts) and exit 128 + the signal number (130 for Ctrl-C); the daemon
handles its own signals.
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

import click

from pipeline.cli.common import open_settings_db, settings_options
from pipeline.config import Settings
from pipeline.progress import progress_reporter

if TYPE_CHECKING:
    from pipeline.daemon import StopRequest


@click.command(short_help="The daemon; one full cycle with --once.")
@settings_options
@click.option("--once", is_flag=True, help="Run one full cycle over every active feed, then exit.")
def run(settings: Settings, once: bool) -> None:
    """Poll feeds, process articles and send digests until SIGTERM/SIGINT (or once, with --once)."""
    from pipeline.daemon import run_daemon, stop_on_signals
    from pipeline.nlp.model import load_event_model

    load_event_model(settings.nlp.models_dir)  # a missing or stale model stops here, not in the middle of a cycle

    if once:
        from pipeline.cycle import run_cycle

        db = open_settings_db(settings)
        with stop_on_signals() as stop, progress_reporter() as progress:
            report = run_cycle(settings, db, every=True, stop=stop, progress=progress)
        click.echo(report.summary())
        _exit_if_stopped(stop)
        return
    run_daemon(settings)


def _exit_if_stopped(stop: StopRequest) -> None:
    """Work cut short by a signal exits 128 + the signal number (130 for Ctrl-C), as a shell expects."""
    if stop.is_set():
        raise click.exceptions.Exit(128 + (stop.signum or signal.SIGINT))


@click.command(short_help="Recompute events from stored article text.")
@settings_options
def reprocess(settings: Settings) -> None:
    """Recompute entities, events and partnerships from stored article text with the current NLP."""
    from pipeline.cycle import reprocess as reprocess_articles
    from pipeline.daemon import stop_on_signals
    from pipeline.nlp.model import load_event_model

    load_event_model(settings.nlp.models_dir)
    db = open_settings_db(settings)
    with stop_on_signals() as stop, progress_reporter() as progress:
        report = reprocess_articles(settings, db, stop=stop, progress=progress)
    click.echo(f"reprocessed {report.articles_analysed} articles: {report.new_events} events,"
               f" {report.errors} errors in {report.seconds:.1f} s{' (stopped early)' if stop.is_set() else ''}")
    _exit_if_stopped(stop)


COMMANDS = [run, reprocess]
