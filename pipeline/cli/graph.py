"""``pactwatch graph --out FILE``: the partner network as a PNG, SVG or PDF picture."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.common import open_settings_db, parse_since, settings_options
from pipeline.config import Settings
from pipeline.errors import UsageError


@click.command(short_help="Draw the partner network as PNG, SVG or PDF.")
@settings_options
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Image to write; .png, .svg or .pdf picks the format.")
@click.option("--since", metavar="WHEN", help="Only events dated after 30d, 2w or an ISO date.")
@click.option("--until", metavar="WHEN", help="Only events dated up to an ISO date, or up to 7d, 2w... ago.")
@click.option("--country", metavar="CODE", help="Only partnerships involving this actor code (JPN, EU...).")
@click.option("--all", "draw_all", is_flag=True, help="Draw every actor, not only the 40 most mentioned.")
def graph(settings: Settings, out: Path, since: str | None, until: str | None, country: str | None,
          draw_all: bool) -> None:
    """Draw the partner network: actors as nodes, partnerships as edges weighted by mentions, coloured by type.

    By default the 40 most-mentioned actors (with --country, that actor always among them), each labelled without
    overlap, a legend of the types and a title giving the period. An event's date is the date it states, else its
    article's publication date.
    """
    try:
        from pipeline.graph import FORMATS, MAX_ACTORS, write_graph
    except ImportError as exc:
        raise UsageError(f"pactwatch graph needs the web extra (pip install 'pactwatch[web]'): {exc}") from None
    if out.suffix.lstrip(".").lower() not in FORMATS:
        raise UsageError(f"--out must end in {', '.join('.' + f for f in FORMATS)}, got {out.name!r}")
    db = open_settings_db(settings, readonly=True)
    summary = write_graph(db, out, since=parse_since(since), until=parse_since(until), country=country,
                          limit=None if draw_all else MAX_ACTORS)
    line = f"wrote {summary.path}: {summary.actors} actors, {summary.links} links, {summary.mentions} mentions"
    if summary.actors < summary.actors_in_period:
        line += f" (the most mentioned of {summary.actors_in_period} actors; --all draws every one)"
    if summary.labels_left_out:
        line += f"; {summary.labels_left_out} labels left out for lack of room"
    click.echo(line)


COMMANDS = [graph]
