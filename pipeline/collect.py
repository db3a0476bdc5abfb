"""The fetch stage: poll due feeds, download their pages.

Every feed and page is one task; the ``Fetcher``'s global and per-host semaphores bound them. A failure is stored
as state on its feed or article row (kind from the fixed vocabulary) and never stops the other tasks; entries and
articles already stored are never touched by a failed poll.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from pipeline import store
from pipeline.config import Settings
from pipeline.errors import ExtractError, FetchError, ParseError
from pipeline.extract import text_hash
from pipeline.extract_pool import Extractor
from pipeline.fetch import PAGE_ACCEPT, Fetcher, FetchResult
from pipeline.logs import RepeatedErrors
from pipeline.models import Article, CycleReport
from pipeline.parse import parse_feed
from pipeline.polling import max_age_seconds, next_check
from pipeline.progress import Progress
from pipeline.robots import RobotsCache
from pipeline.urls import publisher_of

log = logging.getLogger(__name__)
FINAL_PAGE_ERRORS = frozenset({"forbidden_address", "bad_url", "too_large", "robots", "redirect_loop"})


async def fetch_stage(settings: Settings, db: sqlite_utils.Database, feeds: list[dict], report: CycleReport,
                      stop: threading.Event, progress: Progress | None = None, *, pages: bool = True) -> Fetcher:
    """Poll ``feeds``, then download every page due (unless ``pages`` is false). Returns the closed ``Fetcher``
    (its ``requests`` and ``bytes_received`` say what the stage cost)."""
    async with Fetcher(settings.fetch) as fetcher:
        await run_all([poll_feed(fetcher, settings, db, f, report) for f in feeds], stop, "feeds", progress,
                      report.repeated)
        if pages and not stop.is_set():
            robots = RobotsCache(fetcher, settings.fetch.user_agent) if settings.fetch.respect_robots else None
            due = store.pending_fetches(db, limit=100_000)
            extractor = Extractor(settings.fetch.extract_workers, settings.fetch.extract_timeout)
            in_flight = asyncio.Semaphore(settings.fetch.concurrency * 2)  # bounds bodies waiting for extraction

            async def bounded(row: dict) -> None:
                async with in_flight:
                    await download_page(fetcher, settings, db, row, report, robots, extractor)

            try:
                await run_all([bounded(p) for p in due], stop, "pages", progress, report.repeated)
            finally:
                extractor.close(wait=not stop.is_set())
                report.stage_seconds["extract"] = report.stage_seconds.get("extract", 0.0) + extractor.seconds
    return fetcher


async def poll_feed(fetcher: Fetcher, settings: Settings, db: sqlite_utils.Database, feed: dict,
                    report: CycleReport) -> None:
    """Poll one feed: 304 or an identical body costs no parsing; new entries are stored; errors become feed state."""
    started = time.monotonic()
    context = {"stage": "fetch", "feed_id": feed["id"], "feed_url": feed["url"]}
    try:
        result = await fetcher.fetch(feed["url"], etag=feed["etag"], last_modified=feed["last_modified"])
        body_hash = hashlib.sha256(result.body).hexdigest() if not result.not_modified else None
        if result.not_modified or body_hash == feed.get("content_hash"):
            report.feeds_unchanged += 1
            _record_success(settings, db, feed, result, unchanged=True)
            log.info("feed unchanged", extra={**context, "duration_ms": _ms(started)})
            return
        try:
            parsed = await asyncio.to_thread(parse_feed, result.body, result.url, result.headers)
        except ParseError:
            raise
        except Exception as exc:  # parse_feed guards feedparser; this is the last line for a hostile body
            raise ParseError("parse_error", f"{type(exc).__name__}: {exc}"[:500], url=result.url) from exc
        new = store.add_entries(db, feed["id"], parsed.entries)
        report.new_articles += new
        _record_success(settings, db, feed, result, ttl_seconds=parsed.ttl_seconds, title=parsed.title,
                        site_url=parsed.site_url, parse_warning=parsed.warning, content_hash=body_hash)
        log.info("feed polled: %d entries, %d new articles%s", len(parsed.entries), new,
                 f" (ill-formed: {parsed.warning})" if parsed.warning else "",
                 extra={**context, "duration_ms": _ms(started)})
    except FetchError as exc:
        report.feeds_failed += 1
        report.errors += 1
        sched = settings.schedule
        when = next_check(datetime.now(UTC), base_interval=_base(settings, feed), min_interval=sched.min_interval,
                          max_interval=sched.max_interval, retry_after=exc.retry_after,
                          error_count=feed["error_count"] + 1)
        count = store.record_feed_error(db, feed["id"], kind=exc.kind, message=str(exc),
                                        next_check_at=store.to_utc_iso(when), error_limit=sched.error_limit,
                                        status_code=exc.status_code, run_id=report.run_id, url=feed["url"])
        level = logging.ERROR if count == sched.error_limit else logging.WARNING
        log.log(level, "feed failed (%d in a row%s): %s", count, ", now unhealthy" if count == sched.error_limit
                else "", exc, extra={**context, "error_kind": exc.kind, "duration_ms": _ms(started)})
    finally:
        report.feeds_polled += 1


def _base(settings: Settings, feed: dict) -> int:
    return feed["interval_seconds"] or settings.schedule.default_interval


def _record_success(settings: Settings, db: sqlite_utils.Database, feed: dict, result: FetchResult, *,
                    unchanged: bool = False, ttl_seconds: int | None = None, **fields: Any) -> None:
    sched = settings.schedule
    hint = feed["ttl_seconds"] if unchanged else ttl_seconds
    when = next_check(datetime.now(UTC), base_interval=_base(settings, feed), min_interval=sched.min_interval,
                      max_interval=sched.max_interval, ttl_seconds=hint,
                      max_age=max_age_seconds(result.headers.get("cache-control")))
    store.record_feed_success(db, feed["id"], status_code=result.status_code, next_check_at=store.to_utc_iso(when),
                              etag=result.etag, last_modified=result.last_modified, ttl_seconds=ttl_seconds,
                              url=result.permanent_url, unchanged=unchanged, **fields)


async def download_page(fetcher: Fetcher, settings: Settings, db: sqlite_utils.Database, row: dict,
                        report: CycleReport, robots: RobotsCache | None = None,
                        extractor: Extractor | None = None) -> None:
    """Download and extract one article page; robots.txt refusals and final failures fall back to the summary.

    ``extractor`` runs trafilatura (in a worker process); without one the page is extracted in a thread."""
    url, article_id = row["url"], row["id"]
    try:
        if robots is not None and not await robots.allowed(url):
            raise FetchError("robots", "robots.txt disallows this page", url=url)
        result = await fetcher.fetch(url, accept=PAGE_ACCEPT)
        extractor = extractor or Extractor(0)
        article = await extractor.extract(result.body, result.url, result.headers.get("content-type"))
        raw = result.body if settings.database.store_raw_html else None
    except FetchError as exc:
        report.errors += 1
        attempts = row["fetch_attempts"] + 1
        final = attempts >= settings.fetch.page_retries or exc.kind in FINAL_PAGE_ERRORS
        retry_in = min(exc.retry_after or settings.schedule.default_interval * 2 ** (attempts - 1),
                       settings.schedule.max_interval)
        store.record_page_error(db, article_id, kind=exc.kind, message=str(exc), url=url, run_id=report.run_id,
                                next_fetch_at=None if final else _iso_in(retry_in))
        log.warning("page failed: %s", exc, extra={"stage": "page", "article_id": article_id, "error_kind": exc.kind})
        if final:
            fall_back_to_summary(db, row, f"fetch_{exc.kind}")
        return
    except ExtractError as exc:
        log.info("page text not extracted (%s), using the feed summary", exc.reason,
                 extra={"stage": "extract", "article_id": article_id, "error_kind": exc.reason})
        fall_back_to_summary(db, row, exc.reason)
        report.pages_fetched += 1
        return
    store.save_article(db, article_id, article, text_hash=text_hash(article.text), publisher=publisher_of(result.url),
                       raw_html=raw)
    report.pages_fetched += 1


def fall_back_to_summary(db: sqlite_utils.Database, row: dict, reason: str) -> None:
    """Store the longest feed summary of the article's entries as its text, with ``reason`` as extraction error."""
    title, text = store.entry_summary(db, row["id"])
    article = Article(url=row["url"], title=title, text=text, extraction_method="feed_summary",
                      extraction_error=reason)
    store.save_article(db, row["id"], article, text_hash=text_hash(text + row["url"]),
                       publisher=publisher_of(row["url"]))


async def run_all(jobs: list[Coroutine[Any, Any, None]], stop: threading.Event, stage: str,
                  progress: Progress | None, repeated: RepeatedErrors | None = None) -> None:
    """Run coroutines concurrently (the fetcher's semaphores bound them); stop early when asked.

    An exception in one job never cancels the others: a database failure the next run may get past (disk full,
    locked) goes to ``repeated`` (logged once per kind, then counted), anything else is logged with its traceback.
    """
    done = 0
    total = len(jobs)
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        for next_done in asyncio.as_completed(tasks):
            try:
                await next_done
            except Exception as exc:
                kind = store.error_kind(exc)
                if kind and repeated is not None:
                    repeated.report(kind, f"{stage} not stored: {exc}; retried at the next run", stage=stage)
                else:
                    log.exception("unexpected failure in the %s stage", stage, extra={"stage": stage})
            done += 1
            if progress:
                progress(stage, done, total)
            if stop.is_set():
                break
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _iso_in(seconds: float) -> str:
    return store.to_utc_iso(datetime.now(UTC) + timedelta(seconds=seconds))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
