"""``pactwatch review``: the review queue in a terminal, one key per verdict (click's getchar and prompts).

Each screen shows one event: its article's title, source and date, the evidence sentence highlighted in its
paragraph, and what the extractor read. Keys: c correct, w wrong, e edit (prompts for each field, Enter keeps it),
s skip (for this session), u undo (the last judgement of this session), q quit.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import click
import sqlite_utils

from pipeline.review.paragraph import paragraph_of
from pipeline.review.rules import FIELDS, parse_assignments
from pipeline.store.judgements import record_judgement, review_queue, undo_judgement, unjudged_count

KEYS = "[c]orrect  [w]rong  [e]dit  [s]kip  [u]ndo  [q]uit"
WIDTH = 78


@dataclass
class ReviewSession:
    """What one terminal session did: judgements made (for undo), events skipped."""

    judged: list[int] = field(default_factory=list)
    skipped: set[int] = field(default_factory=set)
    undone: int = 0


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=indent, subsequent_indent=indent)


def render_screen(item: dict[str, Any], waiting: int) -> str:
    """The screen for one event (plain text with ANSI emphasis on the evidence)."""
    before, sentence, after = paragraph_of(item["article_text"], item["evidence"])
    new = f"partnership {item['partnership_id']}" if item["partnership_id"] else "no partnership (negated)"
    lines = [
        click.style(f"event {item['id']}", bold=True) + f"  ({waiting} to review; {new})",
        _wrap(item["article_title"] or item["article_url"], ""),
        f"{item['article_source'] or '-'}  {(item['article_published'] or '')[:10] or 'no date'}"
        f"  {item['article_url']}",
        "",
        _wrap(" ".join(p for p in (before, "»" + sentence + "«", after) if p)),
        "",
        f"  type         {item['type']}",
        f"  status       {item['status']}",
        f"  participants {item['participants']}",
        f"  instrument   {item['instrument'] or '-'}",
        f"  negated      {'yes' if item['negated'] else 'no'}",
        f"  confidence   {item['confidence']:.2f}",
        "",
        KEYS,
    ]
    return "\n".join(lines)


def _edit(item: dict[str, Any], prompt: Callable[..., Any]) -> dict[str, Any]:
    """Ask for each field (Enter keeps it; "-" clears the instrument); the fields that changed, checked."""
    current = {"type": item["type"], "status": item["status"], "participants": item["participants"],
               "instrument": item["instrument"] or "", "negated": "yes" if item["negated"] else "no"}
    changed = []
    for name in FIELDS:
        value = str(prompt(f"{name}", default=current[name], show_default=True)).strip()
        if value != current[name]:
            changed.append(f"{name}={'' if value == '-' else value}")
    return parse_assignments(changed)


def run_review(db: sqlite_utils.Database, *, analyst: str, getchar: Callable[[], str] = click.getchar,
               prompt: Callable[..., Any] = click.prompt, echo: Callable[[str], None] = click.echo) -> ReviewSession:
    """Walk the queue until it is empty or the analyst quits."""
    session = ReviewSession()
    message = ""
    while True:
        queue = review_queue(db, limit=1, skip=session.skipped)
        if not queue:
            echo(f"{message}\nNothing left to review ({len(session.judged)} judged this session). [u]ndo  [q]uit")
            if not session.judged or getchar().lower() != "u":
                return session
            message = _act(db, "u", {}, session, analyst, prompt) or ""
            continue
        item = queue[0]
        echo(("\n" + message + "\n" if message else "\n") + render_screen(item, unjudged_count(db)))
        key = getchar().lower()
        message = _act(db, key, item, session, analyst, prompt)
        if message is None:
            echo(f"Bye ({len(session.judged)} judged this session).")
            return session


def _act(db: sqlite_utils.Database, key: str, item: dict[str, Any], session: ReviewSession, analyst: str,
         prompt: Callable[..., Any]) -> str | None:
    """Do what a key says; the message for the next screen (None: quit)."""
    if key == "q":
        return None
    if key in ("c", "w"):
        verdict = "correct" if key == "c" else "wrong"
        session.judged.append(record_judgement(db, item["id"], verdict, judged_by=analyst))
        return f"event {item['id']}: {verdict}"
    if key == "e":
        try:
            fields = _edit(item, prompt)
        except ValueError as exc:
            return f"not saved: {exc}"
        if not fields:
            return f"event {item['id']}: nothing changed (c marks it correct)"
        note = str(prompt("note", default="", show_default=False)).strip() or None
        session.judged.append(record_judgement(db, item["id"], "corrected", fields, judged_by=analyst, note=note))
        return f"event {item['id']}: corrected {', '.join(fields)}"
    if key == "s":
        session.skipped.add(item["id"])
        return f"event {item['id']}: skipped"
    if key == "u":
        if not session.judged:
            return "nothing to undo in this session"
        event_id = undo_judgement(db, session.judged.pop())
        session.undone += 1
        session.skipped.discard(event_id or -1)
        return f"undone: event {event_id} is back in the queue"
    return f"unknown key {key!r}: {KEYS}"
