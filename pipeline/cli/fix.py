"""``pactwatch fix``: merge two partnerships that are one agreement, split one that holds two, undo, list."""

from __future__ import annotations

import click

from pipeline.cli.common import format_option, global_options, open_settings_db, settings_options
from pipeline.cli.output import render
from pipeline.cli.review import analyst_name
from pipeline.config import Settings


@click.group(short_help="Merge or split partnerships; the fix survives reprocessing.")
@global_options
def fix() -> None:
    """Partnership fixes: rules on partnership keys, so reprocessing and new articles follow them."""


@fix.command(short_help="Merge partnership ID into INTO_ID.")
@settings_options
@click.argument("partnership_id", type=int)
@click.argument("into_id", type=int)
@click.option("--alias", is_flag=True, help="Also make ID's instrument wordings aliases of INTO_ID's registry"
                                            " instrument, so the next article that words it so meets it.")
@click.option("--note", help="Why.")
def merge(settings: Settings, partnership_id: int, into_id: int, alias: bool, note: str | None) -> None:
    """Merge partnership ID into INTO_ID: its events, and every later event keyed like it, land in INTO_ID."""
    from pipeline.store.fixes import merge_partnerships

    fix_id = merge_partnerships(open_settings_db(settings), partnership_id, into_id, made_by=analyst_name(settings),
                                note=note, alias=alias)
    click.echo(f"fix {fix_id}: partnership {partnership_id} merged into {into_id}")


@fix.command(short_help="Move some events of partnership ID to a new partnership.")
@settings_options
@click.argument("partnership_id", type=int)
@click.argument("event_ids", type=int, nargs=-1, required=True)
@click.option("--note", help="Why.")
def split(settings: Settings, partnership_id: int, event_ids: tuple[int, ...], note: str | None) -> None:
    """Split partnership ID: EVENT_IDS go to a new partnership, and later events worded like them follow."""
    from pipeline.store.fixes import split_partnership

    fix_id, new_id = split_partnership(open_settings_db(settings), partnership_id, list(event_ids),
                                       made_by=analyst_name(settings), note=note)
    click.echo(f"fix {fix_id}: events {', '.join(map(str, event_ids))} split from partnership {partnership_id}"
               f" into partnership {new_id}")


@fix.command(short_help="Undo a merge or split.")
@settings_options
@click.argument("fix_id", type=int)
def undo(settings: Settings, fix_id: int) -> None:
    """Undo fix FIX_ID: its events go back where their keys lead without it."""
    from pipeline.store.fixes import undo_fix

    undo_fix(open_settings_db(settings), fix_id)
    click.echo(f"fix {fix_id} undone")


@fix.command(name="list", short_help="Every merge and split, newest first.")
@settings_options
@format_option()
def list_(settings: Settings, fmt: str) -> None:
    """Every merge and split, newest first, with the aliases a merge added."""
    from pipeline.store.fixes import list_fixes

    rows = list_fixes(open_settings_db(settings, readonly=True))
    render(rows, fmt, ["id", "kind", "partnership_id", "into_partnership_id", "made_by", "made_at", "undone_at",
                       "aliases"])


COMMANDS = [fix]
