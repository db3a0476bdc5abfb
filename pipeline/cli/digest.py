"""``pactwatch digest``: send (or, with --dry-run, render) the digest of new partnerships."""

from __future__ import annotations

import json
import re
from email import policy
from email.message import EmailMessage
from pathlib import Path

import click

from pipeline.cli.common import format_option, open_settings_db, settings_options
from pipeline.cli.output import render
from pipeline.config import Settings
from pipeline.errors import DigestError

_COLUMNS = ["recipient", "status", "partnerships", "status_changes", "message_id", "error"]


@click.command(short_help="Send (or render) the digests of what is new.")
@settings_options
@click.option("--dry-run", is_flag=True,
              help="Render without sending or recording anything (schedules ignored); prints the text parts"
                   " unless --out is given.")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False),
              help="With --dry-run: write the rendered digest to FILE. A name ending in .html or .htm gets the"
                   " HTML part; any other name gets the whole message as .eml (RFC 5322, both parts and headers)."
                   " With several recipients each gets its own file, FILE-stem-ADDRESS.suffix. Nothing new: no file"
                   " is written, and stderr says so.")
@click.option("--to", "to", metavar="ADDRESS", callback=lambda ctx, param, value: _address(value),
              help="Test: send ADDRESS what it would get now (its filters if it is a configured recipient, else"
                   " everything), even if empty. Nothing is marked as sent. With --dry-run: render only that.")
@click.option("--now", "force", is_flag=True, help="Ignore the recipients' own schedules: everyone is due.")
@format_option("table", "json")
def digest(settings: Settings, dry_run: bool, out: Path | None, to: str | None, force: bool, fmt: str) -> None:
    """Send each recipient the partnerships first detected since their last digest, and status changes.

    A recipient with its own `schedule` cron is sent to only when it has fired since their last digest (unless
    --now). Nothing new means no mail. A failed send marks nothing and is retried next time; exit 1 if any failed.
    """
    from pipeline.digest import render_digests, send_due_digests, send_test_digest

    if out and not dry_run:
        raise click.UsageError("--out needs --dry-run")
    db = open_settings_db(settings)
    if not to and not settings.email.recipients:
        click.echo("no recipients configured ([[email.recipients]] in the settings); use --to ADDRESS", err=True)
    if dry_run:
        _dry_run(render_digests(settings, db, address=to), out)
        return
    results = [send_test_digest(settings, db, to)] if to else send_due_digests(settings, db, force=force)
    rows = [r.properties() for r in results]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    elif rows:
        render(rows, "table", _COLUMNS)
    failed = [r for r in results if r.status in ("failed", "test_failed")]
    if failed:
        raise DigestError(f"{len(failed)} of {len(results)} digests failed: "
                          + "; ".join(f"{r.recipient}: {r.error}" for r in failed))


def _dry_run(rendered: list, out: Path | None) -> None:
    messages: list[tuple[str, EmailMessage]] = []
    for content, message in rendered:
        if message is not None:
            messages.append((content.recipient, message))
            continue
        click.echo(f"{content.recipient}: nothing new, no digest" + (", no file written" if out else ""), err=True)
    if out is not None and not messages and out.exists():
        click.echo(f"{out} is left as it was: it holds an earlier digest", err=True)
    for address, message in messages:
        if out is None:
            click.echo(f"To: {address}\nSubject: {message['Subject']}\n")
            click.echo(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
            continue
        path = out if len(messages) == 1 else out.with_name(f"{out.stem}-{_slug(address)}{out.suffix}")
        path.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() in (".html", ".htm"):
            path.write_text(message.get_body(("html",)).get_content(), encoding="utf-8")  # type: ignore[union-attr]
            click.echo(f"{address}: wrote the HTML part to {path}", err=True)
        else:
            path.write_bytes(message.as_bytes(policy=policy.SMTP))
            click.echo(f"{address}: wrote the message (.eml) to {path}", err=True)


def _address(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[^@\s<>,;]+@[^@\s<>,;]+", value):
        raise click.BadParameter(f"expected one e-mail address, got {value!r}", param_hint="--to")
    return value


def _slug(address: str) -> str:
    return re.sub(r"[^A-Za-z0-9@._-]+", "_", address)


COMMANDS = [digest]
