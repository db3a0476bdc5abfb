"""The review pages ``pactwatch serve --review`` adds to Datasette: a plugin of ours (``register_routes``).

``/-/review`` shows the queue one event at a time (evidence in its paragraph, article title, source, date) with the
verdicts correct, wrong, edit, skip and undo; ``/-/review/partnership/ID`` merges, splits and undoes fixes. The pages
write only judgements and fixes, through the store, on their own connection; every form carries Datasette's CSRF
token (a POST without it is refused with 403). Configured by :func:`plugin_metadata`; imports Datasette, so only
``serve --review`` loads it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from datasette import hookimpl
from datasette.utils import MultiParams
from datasette.utils.asgi import Forbidden, Response

from pipeline.errors import UsageError
from pipeline.review.paragraph import paragraph_of
from pipeline.review.rules import EVENT_TYPES, FIELDS, VERDICTS, parse_assignments
from pipeline.store import open_db
from pipeline.store.fixes import list_fixes, merge_partnerships, split_partnership, undo_fix
from pipeline.store.judgements import (
    event_for_review,
    last_judgement,
    record_judgement,
    review_queue,
    undo_judgement,
    unjudged_count,
)

PLUGIN = "pactwatch-review"
STATUSES = ("planned", "negotiating", "signed", "launched", "held", "in_force", "ended")


def plugin_metadata(database: str, analyst: str) -> dict[str, Any]:
    """The ``plugins`` entry of the Datasette metadata that configures these pages."""
    return {PLUGIN: {"database": database, "analyst": analyst}}


def _config(datasette: Any) -> dict[str, Any]:
    return datasette.plugin_config(PLUGIN) or {}


async def _store(datasette: Any, work: Callable[..., Any], *args: Any, write: bool = False) -> Any:
    """Run a store function on a connection of our own, in a thread (the store is synchronous)."""
    path = Path(datasette.databases[_config(datasette)["database"]].path)

    def run() -> Any:
        db = open_db(path, create=False) if write else open_db(path, readonly=True)
        try:
            return work(db, *args)
        finally:
            db.close()

    return await asyncio.to_thread(run)


def _analyst(datasette: Any, request: Any) -> str:
    actor = request.actor or {}
    return str(actor.get("id") or _config(datasette).get("analyst") or "web")


async def _form(request: Any) -> MultiParams:
    """The POSTed form. Datasette's CSRF check (asgi-csrf) compares the form's token with the ``ds_csrftoken``
    cookie but lets a request with no cookies at all through; a cross-site form post carries none (SameSite), so
    these pages refuse a POST without the cookie as well."""
    if "ds_csrftoken" not in request.cookies:
        raise Forbidden("form-urlencoded POST field did not match cookie: no CSRF cookie (open the page first)")
    return MultiParams(parse_qs((await request.post_body()).decode("utf-8", "replace"), keep_blank_values=True))


def _skips(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def _queue_url(skips: list[int], message: str = "") -> str:
    query = urlencode([("skip", s) for s in skips] + ([("done", message)] if message else []))
    return "/-/review" + (f"?{query}" if query else "")


def _next_event(db: Any, skips: list[int], event_id: int | None) -> dict[str, Any]:
    item = event_for_review(db, event_id) if event_id else next(iter(review_queue(db, limit=1, skip=skips)), None)
    if item:
        item["paragraph"] = paragraph_of(item.pop("article_text"), item["evidence"])
    return {"item": item, "waiting": unjudged_count(db)}


async def queue_page(request: Any, datasette: Any) -> Response:
    """GET /-/review: the next event to judge (or ``?event=ID``)."""
    skips = _skips(request.args.getlist("skip"))
    event = request.args.get("event")
    data = await _store(datasette, _next_event, skips, int(event) if event and event.isdigit() else None)
    context = {**data, "skips": skips, "done": request.args.get("done", ""), "types": EVENT_TYPES,
               "statuses": STATUSES, "analyst": _analyst(datasette, request)}
    return Response.html(await datasette.render_template("pactwatch_review.html", context, request=request))


def _fields(form: Any, item: dict[str, Any]) -> dict[str, Any]:
    """The edited fields that differ from the event as it stands."""
    current = {"type": item["type"], "status": item["status"], "participants": item["participants"],
               "instrument": item["instrument"] or "", "negated": "yes" if item["negated"] else "no"}
    given = {name: (form.get(name) or "").strip() for name in FIELDS}
    return parse_assignments([f"{n}={v}" for n, v in given.items() if v != current[n] and (v or n == "instrument")])


def _judge(db: Any, form: Any, analyst: str) -> str:
    event_id = int(form.get("event_id") or 0)
    verdict = form.get("verdict")
    if verdict not in VERDICTS:
        raise UsageError(f"verdict must be one of {', '.join(VERDICTS)}")
    fields: dict[str, Any] = {}
    if verdict == "corrected":
        item = event_for_review(db, event_id)
        if item is None:
            raise UsageError(f"no event {event_id}")
        try:
            fields = _fields(form, item)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    judgement = record_judgement(db, event_id, verdict, fields, judged_by=analyst, note=form.get("note") or None)
    return f"event {event_id}: {verdict} (judgement {judgement})"


async def judge(request: Any, datasette: Any) -> Response:
    """POST /-/review/judge: record a verdict, then the next event."""
    form = await _form(request)
    skips = _skips(form.getlist("skip"))
    if form.get("verdict") == "skip":
        return Response.redirect(_queue_url([*skips, *_skips([form.get("event_id") or ""])], "skipped"))
    try:
        message = await _store(datasette, _judge, form, _analyst(datasette, request), write=True)
    except UsageError as exc:
        return Response.text(f"not saved: {exc}", status=400)
    return Response.redirect(_queue_url(skips, message))


def _undo_last(db: Any, analyst: str) -> str:
    judgement = last_judgement(db, analyst)
    if judgement is None:
        return "nothing to undo"
    return f"undone: event {undo_judgement(db, judgement)} is back in the queue"


async def undo(request: Any, datasette: Any) -> Response:
    """POST /-/review/undo: undo this analyst's latest judgement."""
    form = await _form(request)
    message = await _store(datasette, _undo_last, _analyst(datasette, request), write=True)
    return Response.redirect(_queue_url(_skips(form.getlist("skip")), message))


def _partnership(db: Any, partnership_id: int) -> dict[str, Any]:
    found = [dict(r) for r in db.query("SELECT * FROM partnerships WHERE id = ?", [partnership_id])]
    events = [dict(r) for r in db.query(
        "SELECT e.id, e.type, e.status, e.participants, e.instrument, e.verdict, e.evidence, a.title"
        " FROM events e JOIN articles a ON a.id = e.article_id WHERE e.partnership_id = ? ORDER BY e.id",
        [partnership_id])]
    fixes = [f for f in list_fixes(db) if partnership_id in (f["partnership_id"], f["into_partnership_id"])]
    return {"partnership": found[0] if found else None, "events": events, "fixes": fixes}


async def partnership_page(request: Any, datasette: Any) -> Response:
    """GET /-/review/partnership/ID: its events, with merge, split and undo forms."""
    data = await _store(datasette, _partnership, int(request.url_vars["id"]))
    if data["partnership"] is None:
        return Response.text("no such partnership", status=404)
    context = {**data, "done": request.args.get("done", "")}
    return Response.html(await datasette.render_template("pactwatch_partnership.html", context, request=request))


def _fix(db: Any, action: str, partnership_id: int, form: Any, analyst: str) -> tuple[int, str]:
    """Do a fix; (the partnership to show next, what was done)."""
    note = form.get("note") or None
    if action == "merge":
        into = int(form.get("into") or 0)
        fix_id = merge_partnerships(db, partnership_id, into, made_by=analyst, note=note, alias=bool(form.get("alias")))
        return into, f"fix {fix_id}: partnership {partnership_id} merged into {into}"
    if action == "split":
        fix_id, new_id = split_partnership(db, partnership_id, _skips(form.getlist("event")), made_by=analyst,
                                           note=note)
        return partnership_id, f"fix {fix_id}: split into partnership {new_id}"
    undo_fix(db, int(form.get("fix") or 0))
    return partnership_id, f"fix {form.get('fix')} undone"


async def fix(request: Any, datasette: Any) -> Response:
    """POST /-/review/partnership/ID/(merge|split|unfix)."""
    form = await _form(request)
    partnership_id, action = int(request.url_vars["id"]), request.url_vars["action"]
    try:
        shown, message = await _store(datasette, _fix, action, partnership_id, form, _analyst(datasette, request),
                                      write=True)
    except (UsageError, ValueError) as exc:
        return Response.text(f"not done: {exc}", status=400)
    return Response.redirect(f"/-/review/partnership/{shown}?{urlencode({'done': message})}")


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Callable[..., Any]]]:
    return [
        (r"^/-/review$", queue_page),
        (r"^/-/review/judge$", judge),
        (r"^/-/review/undo$", undo),
        (r"^/-/review/partnership/(?P<id>\d+)$", partnership_page),
        (r"^/-/review/partnership/(?P<id>\d+)/(?P<action>merge|split|unfix)$", fix),
    ]
