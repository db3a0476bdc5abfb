"""``pactwatch review`` (the terminal queue), ``pactwatch judge`` (one event, for scripts) and
``pactwatch export-gold`` (the judged articles as a gold file)."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

import click

from pipeline.cli.common import format_option, open_settings_db, settings_options
from pipeline.config import Settings
from pipeline.errors import UsageError


def analyst_name(settings: Settings) -> str:
    """Who judgements and fixes are recorded as: ``review.analyst``, else the login name."""
    if settings.review.analyst:
        return settings.review.analyst
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "analyst"


@click.command(short_help="Judge events in the terminal, one key per verdict.")
@settings_options
def review(settings: Settings) -> None:
    """Walk the review queue: events of partnerships not yet in a digest first, lowest confidence first.

    Each event shows its evidence sentence in its paragraph, with the article's title, source and date.
    Keys: c correct, w wrong, e edit (type, status, participants, instrument, negated), s skip, u undo, q quit.
    """
    if not sys.stdin.isatty():
        raise UsageError("pactwatch review needs a terminal; use pactwatch judge EVENT_ID ... in scripts")
    from pipeline.review.terminal import run_review

    run_review(open_settings_db(settings), analyst=analyst_name(settings))


@click.command(short_help="Judge one event: --correct, --wrong, --set FIELD=VALUE or --undo.")
@settings_options
@click.argument("event_id", type=int)
@click.option("--correct", is_flag=True, help="The event is right as the extractor read it.")
@click.option("--wrong", is_flag=True, help="The event is wrong: it leaves partnerships and digests.")
@click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE",
              help="Correct a field: type, status, participants (EU,JPN), instrument (empty: none), negated."
                   " Repeatable.")
@click.option("--undo", is_flag=True, help="Undo the judgement in force on the event.")
@click.option("--note", help="Why (kept with the judgement, exported with the gold file).")
@format_option("table", "json")
def judge(settings: Settings, event_id: int, correct: bool, wrong: bool, assignments: tuple[str, ...], undo: bool,
          note: str | None, fmt: str) -> None:
    """Judge one event without interaction: correct, wrong, corrected (--set), or undo the judgement in force.

    Event ids come from pactwatch events (or the review queue); pactwatch reprocess renumbers events, and the
    judgement follows the event (same article, evidence sentence and parties).
    """
    from pipeline.review.rules import parse_assignments
    from pipeline.store.judgements import judgement_in_force, record_judgement, undo_judgement

    if sum((correct, wrong, bool(assignments), undo)) != 1:
        raise click.UsageError("give one of --correct, --wrong, --set FIELD=VALUE ... or --undo")
    db = open_settings_db(settings)
    if undo:
        judgement_id = judgement_in_force(db, event_id)
        if judgement_id is None:
            raise UsageError(f"event {event_id} has no judgement to undo")
        undo_judgement(db, judgement_id)
        done = "undone"
    else:
        try:
            fields = parse_assignments(assignments)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--set") from None
        done = "correct" if correct else "wrong" if wrong else "corrected"
        judgement_id = record_judgement(db, event_id, done, fields, judged_by=analyst_name(settings), note=note)
    row = db.execute("SELECT id, type, status, participants, instrument, negated, verdict, partnership_id"
                     " FROM events WHERE id = ?", (event_id,)).fetchone()
    if fmt == "json":
        keys = ("id", "type", "status", "participants", "instrument", "negated", "verdict", "partnership_id")
        click.echo(json.dumps({"judgement": judgement_id, "action": done, "event": dict(zip(keys, row, strict=True))}))
        return
    click.echo(f"event {event_id} {done} (judgement {judgement_id}): {row[1]} {row[2]} {row[3]}"
               f" {row[4] or '-'}{' negated' if row[5] else ''}; partnership {row[7] or '-'}")


@click.command(name="export-gold", short_help="The judged articles as a gold file.")
@settings_options
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The gold file to write (shared/eval/SCHEMA.md format).")
def export_gold(settings: Settings, out: Path) -> None:
    """Write every article whose events are all judged as a gold file: text from the database, events as judged.

    pactwatch train takes it beside shared/eval/train.json; pactwatch eval scores against it.
    """
    from pipeline.review.gold import export_gold as write_gold

    result = write_gold(open_settings_db(settings, readonly=True), out)
    click.echo(f"{out}: {result.articles} articles, {result.events} events"
               f"{f'; {result.incomplete} articles left out (events not judged yet)' if result.incomplete else ''}",
               err=True)


COMMANDS = [review, judge, export_gold]
