"""One pass over due work: fetch feeds → parse → download pages → extract → NLP → events → partnerships.

``pactwatch run --once`` and the daemon call ``run_cycle``; the scheduler only decides when. Each stage reads
its input from the database and commits each item's output in its own transaction, so a crash loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from pipeline import store
from pipeline.collect import fetch_stage
from pipeline.config import Settings
from pipeline.feeds import sync_feed_list
from pipeline.progress import Progress

log = logging.getLogger(__name__)
NLP_SLICE = 16  # articles analysed between two looks at the stop event: about 1 s, so SIGTERM ends well within 10 s


@dataclass
class CycleReport:
    """What one cycle (or reprocess) did: the counts stored in ``runs``, timings, and whether it was stopped."""

    run_id: int | None = None
    feeds_polled: int = 0
    feeds_failed: int = 0
    feeds_unchanged: int = 0
    new_articles: int = 0
    pages_fetched: int = 0
    articles_analysed: int = 0
    new_events: int = 0
    errors: int = 0
    seconds: float = 0.0
    stopped: bool = False
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for the log, the ``runs`` row and ``run --once``; says "stopped" when it was cut short."""
        return (f"cycle {'stopped' if self.stopped else 'done'}: {self.feeds_polled} feeds polled"
                f" ({self.feeds_failed} failed, {self.feeds_unchanged} unchanged), {self.new_articles} new articles,"
                f" {self.pages_fetched} pages downloaded, {self.articles_analysed} articles analysed,"
                f" {self.new_events} events, {self.errors} errors in {self.seconds:.1f} s")


def nlp_stage(settings: Settings, db: sqlite_utils.Database, report: CycleReport, stop: threading.Event,
              progress: Progress | None = None) -> None:
    """Analyse every article with pending text, a batch at a time; one bad article never stops the rest."""
    from pipeline.nlp import load_nlp
    total = store.pending_nlp_count(db)
    if not total:
        return  # nothing to read: do not load the pipeline
    analyzer = load_nlp(settings.nlp.model)
    done, after_id = 0, 0
    if progress:
        progress("nlp", 0, total)
    while not stop.is_set():
        batch = store.pending_nlp(db, limit=NLP_SLICE, after_id=after_id)
        if not batch:
            break
        after_id = batch[-1]["id"]
        items = [(row["id"], row["text"] or "", _date_of(row["published_at"])) for row in batch]
        for article_id, analysis in _analyse_isolated(analyzer, items, settings, db):
            if analysis is not None:
                report.new_events += store.save_analysis(db, article_id, analysis, version=analyzer.version)
                report.articles_analysed += 1
            else:
                report.errors += 1
            done += 1
            if progress:
                progress("nlp", done, total)
            if stop.is_set():
                break


def _analyse_isolated(analyzer, items: list, settings: Settings, db: sqlite_utils.Database):
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
    for article_id, text, published in items:
        try:
            yield article_id, analyzer.analyse(text, published)
        except Exception as exc:
            log.error("NLP failed: %s", exc, extra={"stage": "nlp", "article_id": article_id, "error_kind": "nlp"})
            store.record_nlp_error(db, article_id, f"{type(exc).__name__}: {exc}")
            yield article_id, None


def _date_of(published_at: str | None):
    moment = store.parse_utc(published_at)
    return moment.date() if moment else None


def run_cycle(settings: Settings, db: sqlite_utils.Database, *, every: bool = False,
              stop: threading.Event | None = None, progress: Progress | None = None) -> CycleReport:
    """One full pass: due feeds (or ``every`` active feed), their new pages, then the NLP; recorded in ``runs``."""
    stop = stop or threading.Event()
    report = CycleReport()
    started = time.monotonic()
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
        store.finish_run(db, report.run_id, status="failed", message=f"{type(exc).__name__}: {exc}"[:500],
                         **_counts(report))
        raise
    report.stopped = stop.is_set()
    report.seconds = time.monotonic() - started
    store.finish_run(db, report.run_id, status="stopped" if report.stopped else "ok", message=report.summary(),
                     **_counts(report))


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
