"""One pass over due work: fetch feeds → parse → download pages → extract → NLP → events → partnerships.

``pactwatch run --once`` and the daemon call ``run_cycle``; the scheduler only decides when. Each stage reads
its input from the database and commits each item's output in its own transaction, so a crash loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Coroutine, Iterator
from typing import Any

import sqlite_utils

from pipeline import store
from pipeline.collect import fetch_stage
from pipeline.config import Settings
from pipeline.feeds import sync_feed_list
from pipeline.logs import RepeatedErrors
from pipeline.models import CycleReport
from pipeline.nlp.limits import fit_text
from pipeline.progress import Progress

__all__ = ["CycleReport", "nlp_stage", "reprocess", "run_cycle"]  # CycleReport lives in models (stages use it)

log = logging.getLogger(__name__)
NLP_SLICE = 16  # articles analysed between two looks at the stop event: about 1 s, so SIGTERM ends well within 10 s


def nlp_stage(settings: Settings, db: sqlite_utils.Database, report: CycleReport, stop: threading.Event,
              progress: Progress | None = None) -> None:
    """Analyse every article with pending text, a batch at a time; one bad article never stops the rest."""
    from pipeline.nlp import load_nlp
    total = store.pending_nlp_count(db)
    if not total:
        return  # nothing to read: do not load the pipeline
    analyzer = load_nlp(settings.nlp.model, settings.nlp.models_dir)
    done, after_id = 0, 0
    if progress:
        progress("nlp", 0, total)
    while not stop.is_set():
        batch = store.pending_nlp(db, limit=NLP_SLICE, after_id=after_id)
        if not batch:
            break
        after_id = batch[-1]["id"]
        items, cut = _fitted(batch, settings.nlp.max_chars)
        for article_id, analysis in _analyse_isolated(analyzer, items, settings, db, report):
            if analysis is None:
                report.errors += 1
            elif not _stored(db, article_id, analysis, analyzer.version, cut.get(article_id), report):
                return  # the database takes no writes now (disk full, locked): the next run analyses the rest
            else:
                report.articles_analysed += 1
            done += 1
            if progress:
                progress("nlp", done, total)
            if stop.is_set():
                break


def _stored(db: sqlite_utils.Database, article_id: int, analysis: Any, version: str, analysed_chars: int | None,
            report: CycleReport) -> bool:
    """Save one analysis; False (reported once per kind, then counted) when the database takes no writes."""
    try:
        report.new_events += store.save_analysis(db, article_id, analysis, version=version,
                                                 analysed_chars=analysed_chars)
    except sqlite3.OperationalError as exc:
        kind = store.error_kind(exc)
        if kind is None:
            raise
        report.errors += 1
        report.repeated.report(kind, f"NLP results not stored: {exc}; retried at the next run", stage="nlp",
                               article_id=article_id)
        return False
    return True


def _fitted(batch: list[dict], max_chars: int) -> tuple[list[tuple], dict[int, int]]:
    """The NLP's (id, text, published, title) items, texts cut to ``max_chars``; and {id: characters read} of those
    cut. The title is read too when the text does not open with it."""
    items, cut = [], {}
    for row in batch:
        text, was_cut = fit_text(row["text"] or "", max_chars)
        if was_cut:
            cut[row["id"]] = len(text)
            log.warning("text of %d characters cut to %d for the NLP (nlp.max_chars)", len(row["text"]), len(text),
                        extra={"stage": "nlp", "article_id": row["id"], "error_kind": "too_long"})
        items.append((row["id"], text, _date_of(row["published_at"]), row.get("title")))
    return items, cut


def _analyse_isolated(analyzer, items: list, settings: Settings, db: sqlite_utils.Database, report: CycleReport):
    """Yield (article_id, Analysis or None); if a batch fails, retry its articles one by one to find the bad one."""
    try:
        results = list(analyzer.analyse_many(items, batch_size=settings.nlp.batch_size,
                                             n_process=settings.nlp.n_process))
    except Exception:
        log.exception("NLP batch failed; retrying one article at a time", extra={"stage": "nlp"})
        results = None
    if results is not None:
        yield from results
        return
    for article_id, text, published, title in items:
        try:
            yield article_id, analyzer.analyse(text, published, title)
        except Exception as exc:
            log.error("NLP failed: %s", exc, extra={"stage": "nlp", "article_id": article_id, "error_kind": "nlp"})
            try:
                store.record_nlp_error(db, article_id, f"{type(exc).__name__}: {exc}")
            except sqlite3.OperationalError as store_exc:
                if store.error_kind(store_exc) is None:
                    raise
                report.repeated.report(store.error_kind(store_exc) or "database", f"NLP error not stored: {store_exc}",
                                       stage="nlp", article_id=article_id)
            yield article_id, None


def _date_of(published_at: str | None):
    moment = store.parse_utc(published_at)
    return moment.date() if moment else None


def run_cycle(settings: Settings, db: sqlite_utils.Database, *, every: bool = False,
              stop: threading.Event | None = None, progress: Progress | None = None,
              sync: bool = True, repeated: RepeatedErrors | None = None) -> CycleReport:
    """One full pass: due feeds (or ``every`` active feed), their new pages, then the NLP; recorded in ``runs``.

    ``sync`` first brings the feeds table in line with the feed list (the daemon does that itself). Repeated
    database failures are logged once per kind and counted; with ``repeated`` (the daemon's, which spans cycles)
    the caller says when they stopped, else the cycle's end does."""
    stop = stop or threading.Event()
    report = CycleReport() if repeated is None else CycleReport(repeated=repeated)
    started = time.monotonic()
    if sync:
        sync_feed_list(settings, db)
    _ensure_actors(db)
    with _recorded_run(db, report, "cycle", stop, started):
        feeds = store.due_feeds(db, every=every)
        mark = time.monotonic()
        asyncio.run(_until_stopped(fetch_stage(settings, db, feeds, report, stop, progress), stop))
        report.stage_seconds["fetch"] = time.monotonic() - mark
        mark = time.monotonic()
        if not stop.is_set():
            nlp_stage(settings, db, report, stop, progress)
        report.stage_seconds["nlp"] = time.monotonic() - mark
    if repeated is None:
        report.repeated.flush("cycle", " in this cycle")
    log.info(report.summary(), extra={"stage": "cycle", "run_id": report.run_id,
                                      "duration_ms": int(report.seconds * 1000)})
    return report


async def _until_stopped(work: Coroutine[Any, Any, Any], stop: threading.Event) -> None:
    """Run ``work``; once ``stop`` is set, cancel it, cutting in-flight requests short (store writes are
    synchronous, so a cancellation never lands inside a transaction)."""
    task = asyncio.ensure_future(work)
    while not task.done():
        await asyncio.wait({task}, timeout=0.1)
        if stop.is_set() and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    if not task.cancelled():
        task.result()


@contextlib.contextmanager
def _recorded_run(db: sqlite_utils.Database, report: CycleReport, kind: str, stop: threading.Event,
                  started: float) -> Iterator[None]:
    """A row in ``runs`` around the work: ok or stopped with the summary, or failed with the error (then re-raised)."""
    report.run_id = store.start_run(db, kind=kind)
    try:
        yield
    except BaseException as exc:
        report.errors += 1
        _finish(db, report, status="failed", message=f"{type(exc).__name__}: {exc}"[:500])
        raise
    report.stopped = stop.is_set()
    report.seconds = time.monotonic() - started
    _finish(db, report, status="stopped" if report.stopped else "ok", message=report.summary())


def _finish(db: sqlite_utils.Database, report: CycleReport, *, status: str, message: str) -> None:
    """Close the run's row; when the database takes no writes the row stays 'running' until the next command
    that writes finds its process gone and marks it interrupted."""
    try:
        store.finish_run(db, report.run_id, status=status, message=message, **_counts(report))
    except sqlite3.OperationalError as exc:
        kind = store.error_kind(exc)
        if kind is None:
            raise
        report.repeated.report(kind, f"run #{report.run_id} not closed: {exc}", stage="cycle")


def _counts(report: CycleReport) -> dict[str, int]:
    return {"feeds_polled": report.feeds_polled, "feeds_failed": report.feeds_failed,
            "new_articles": report.new_articles, "new_events": report.new_events, "errors": report.errors}


_actors_loaded = False


def _ensure_actors(db: sqlite_utils.Database) -> None:
    """Fill the actors table from the NLP's data once per process."""
    global _actors_loaded
    if _actors_loaded and store.actor_count(db):
        return
    from pipeline.nlp import actor_table

    store.load_actors(db, actor_table())
    _actors_loaded = True


def reprocess(settings: Settings, db: sqlite_utils.Database, *, stop: threading.Event | None = None,
              progress: Progress | None = None) -> CycleReport:
    """Recompute entities, events and partnerships from stored text with the current NLP."""
    stop = stop or threading.Event()
    report = CycleReport()
    _ensure_actors(db)
    with _recorded_run(db, report, "reprocess", stop, time.monotonic()):
        queued = store.mark_for_reprocess(db)
        log.info("reprocessing %d articles", queued, extra={"stage": "nlp"})
        nlp_stage(settings, db, report, stop, progress)
    return report
