"""``pactwatch serve``: Datasette over the database, read-only, with the project's canned queries."""

from __future__ import annotations

import click

from pipeline.cli.common import settings_options
from pipeline.config import Settings
from pipeline.errors import UsageError


@click.command(short_help="Datasette over the database, read-only.")
@settings_options
@click.option("--host", default="127.0.0.1", show_default=True, envvar="PACTWATCH_SERVE_HOST",
              help="Interface to listen on [env PACTWATCH_SERVE_HOST].")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535), envvar="PACTWATCH_SERVE_PORT",
              help="Port to listen on [env PACTWATCH_SERVE_PORT].")
@click.option("--immutable", is_flag=True,
              help="Open the file as immutable: faster, but only for a snapshot copy nothing writes to.")
@click.option("--review", is_flag=True, help="Add the review pages (/-/review): judge events, merge and split"
                                             " partnerships. They write judgements and fixes, nothing else.")
def serve(settings: Settings, host: str, port: int, immutable: bool, review: bool) -> None:
    """Browse and query the database in Datasette (read-only): descriptions, facets, canned queries.

    With --review, also the review pages at /-/review, which write only judgements and partnership fixes (forms
    carry a CSRF token). Not with --immutable.
    """
    try:
        from pipeline.serve import is_loopback, make_app
        from pipeline.serve import serve as run_server
    except ImportError as exc:
        raise UsageError(f"pactwatch serve needs the web extra (pip install 'pactwatch[web]'): {exc}") from None
    if review and immutable:
        raise click.UsageError("--review writes judgements: not with --immutable")
    from pipeline.cli.review import analyst_name

    path = settings.database.path
    app = make_app(path, immutable=immutable, busy_timeout=settings.database.busy_timeout,
                   review_by=analyst_name(settings) if review else None)
    if not is_loopback(host):
        click.echo(f"warning: --host {host} serves the database to every machine that can reach this one, without"
                   " a password; use 127.0.0.1 (the default) behind a reverse proxy with authentication", err=True)
    mode = "with the review pages at /-/review (they write judgements and fixes)" if review else "read-only"
    click.echo(f"serving {path} {mode} on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    run_server(app, host=host, port=port)


COMMANDS = [serve]
