"""``pactwatch run``: APScheduler drives the same ``cycle.run_cycle`` as ``run --once``; it only decides *when*.

Jobs: ``poll`` every ``schedule.poll_every`` seconds (due feeds, their pages, then the NLP), ``digest`` on
``schedule.digest_cron`` (and each recipient's own cron), ``maintenance`` on ``schedule.maintenance_cron``. All
run on ONE worker thread, so they never overlap and never write to the database at the same time; each has
``max_instances=1``, ``coalesce`` and a misfire grace time. Signals are handled in the main thread:

- SIGTERM / SIGINT: set the ``stop`` event; the running job ends at its next item (in-flight HTTP is cancelled),
  its open transaction commits or rolls back, and the process exits 0 within ``SHUTDOWN_SECONDS``.
- SIGHUP: re-read the feed list (added feeds start polling at once, removed ones stop).

A ``kill -9`` loses nothing: every stage commits per item, and the next start marks the killed run interrupted.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from types import FrameType

import sqlite_utils
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from pipeline import store
from pipeline.config import Settings
from pipeline.crontab import cron_trigger
from pipeline.errors import ConfigError
from pipeline.feeds import load_feed_list, sync_feed_list
from pipeline.lock import DaemonLock
from pipeline.logs import RepeatedErrors
from pipeline.progress import progress_reporter

log = logging.getLogger(__name__)

SHUTDOWN_SECONDS = 9.0  # from the signal to the exit, leaving margin under systemd's and the 10 s
FIRST_RUN_PROGRESS = 20  # stages with at least this many items show progress (bar on a TTY, log lines otherwise)


def _not_a_skip(record: logging.LogRecord) -> bool:
    """A poll that falls due while the last one still runs is skipped by design; that is not worth a line."""
    return "maximum number of running instances reached" not in record.getMessage()


class Daemon:
    """The scheduler, its jobs and the stop/reload signals around one open database."""

    def __init__(self, settings: Settings, db: sqlite_utils.Database) -> None:
        self.settings = settings
        self.db = db
        self.stop = threading.Event()
        self._reload = threading.Event()
        self._busy = threading.Lock()  # held while a job runs; shutdown waits on it
        self._signals = 0
        self._feed_list_error: str | None = None  # the last bad feed list reported, so it is reported once
        self.repeated = RepeatedErrors(log)  # disk full, locked: logged once, counted across jobs until it passes
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"max_instances": 1, "coalesce": True},
            timezone=UTC,
        )

    # -- jobs ---------------------------------------------------------------------------------------------------

    def add_jobs(self) -> None:
        """Schedule the poll (at once, then every ``poll_every`` s), digest and maintenance jobs."""
        sched = self.settings.schedule
        self.scheduler.add_job(self._job(self.poll), IntervalTrigger(seconds=sched.poll_every, timezone=UTC),
                               id="poll", name="poll", next_run_time=datetime.now(UTC),
                               misfire_grace_time=max(sched.poll_every, 30))
        self.scheduler.add_job(self._job(self.digest), _digest_trigger(self.settings), id="digest", name="digest",
                               misfire_grace_time=6 * 3600)
        self.scheduler.add_job(self._job(self.maintenance),
                               cron_trigger(sched.maintenance_cron),
                               id="maintenance", name="maintenance", misfire_grace_time=6 * 3600)

    def poll(self) -> None:
        """One cycle over due feeds (not every feed), then the pending articles; an idle tick is no cycle."""
        from pipeline.cycle import run_cycle

        self.sync_feeds()
        if not (store.due_feeds(self.db) or store.pending_fetches(self.db, limit=1)
                or store.pending_nlp(self.db, limit=1)):
            log.debug("nothing due", extra={"stage": "cycle"})
            return
        with progress_reporter(min_total=FIRST_RUN_PROGRESS) as progress:
            run_cycle(self.settings, self.db, every=False, stop=self.stop, progress=progress, sync=False,
                      repeated=self.repeated)

    def digest(self) -> None:
        """Send every digest that is due (``send_due_digests`` decides who is due)."""
        from pipeline.digest import send_due_digests

        send_due_digests(self.settings, self.db)

    def maintenance(self) -> None:
        """Raw-HTML retention, ``PRAGMA optimize`` and a WAL checkpoint, recorded as a ``maintenance`` run."""
        started = time.monotonic()
        run_id = store.start_run(self.db, kind="maintenance")
        try:
            report = store.run_maintenance(self.db,
                                           raw_html_retention_days=self.settings.database.raw_html_retention_days)
        except BaseException as exc:
            store.finish_run(self.db, run_id, status="failed", message=f"{type(exc).__name__}: {exc}"[:500])
            raise
        store.finish_run(self.db, run_id, status="ok", message=report.summary())
        log.info(report.summary(), extra={"stage": "maintenance", "run_id": run_id,
                                          "duration_ms": int((time.monotonic() - started) * 1000)})

    def sync_feeds(self) -> tuple[list[str], list[str]] | None:
        """Bring the feeds table in line with the feed list: (added, removed) URLs. A list with an error (unknown
        key, bad URL, file gone) keeps the old one in force: one error line, not repeated until it changes."""
        try:
            changes = sync_feed_list(self.settings, self.db)
        except ConfigError as exc:
            if str(exc) != self._feed_list_error:
                log.error("feed list not reloaded, the old one stays in force: %s", exc, extra={"stage": "reload"})
                self._feed_list_error = str(exc)
            return None
        if self._feed_list_error:
            log.info("feed list valid again", extra={"stage": "reload"})
            self._feed_list_error = None
        return changes

    def reload_feeds(self) -> None:
        """Re-read the feed list now; an added feed is due at once (the next poll picks it up)."""
        changes = self.sync_feeds()
        if changes is None:
            return
        added, removed = changes
        log.info("feed list reloaded: %d added, %d removed", len(added), len(removed), extra={"stage": "reload"})
        for url in added:
            log.info("feed added", extra={"stage": "reload", "feed_url": url})
        for url in removed:
            log.info("feed removed", extra={"stage": "reload", "feed_url": url})

    def _job(self, work: Callable[[], None]) -> Callable[[], None]:
        """Wrap a job: skip after a stop, hold the busy lock, and log every failure without ending the daemon."""
        name = work.__name__

        def job() -> None:
            if self.stop.is_set():
                return
            with self._busy:
                before = sum(self.repeated.counts.values())
                try:
                    work()
                except sqlite3.OperationalError as exc:  # database locked, disk full: retried at the next run
                    kind = store.error_kind(exc) or "database"
                    self.repeated.report(kind, f"{name} job failed: {exc}; retried at its next run", stage=name)
                    _roll_back(self.db)
                    return
                except Exception as exc:
                    log.exception("%s job failed: %s", name, exc, extra={"stage": name})
                    _roll_back(self.db)
                    return
                if self.repeated.counts and sum(self.repeated.counts.values()) == before:
                    self.repeated.flush(name, " before this job went through")
                    log.info("the database takes writes again", extra={"stage": name})

        job.__name__ = name
        return job

    # -- signals and the main loop -------------------------------------------------------------------------------

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if signum == signal.SIGHUP:
            self._reload.set()
            return
        self._signals += 1
        if self._signals > 1:
            os.write(2, b"second signal: exiting now\n")
            os._exit(1)
        self.stop.set()

    def install_signals(self) -> None:
        """SIGTERM/SIGINT stop the daemon, SIGHUP asks for a feed-list reload."""
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._on_signal)

    def serve(self) -> None:
        """Run until SIGTERM/SIGINT: start the scheduler, handle reloads, then shut down within the limit."""
        self.install_signals()
        logging.getLogger("apscheduler.scheduler").addFilter(_not_a_skip)
        self.add_jobs()
        self.scheduler.start()
        sched = self.settings.schedule
        log.info("daemon started: pid %d, database %s, polling every %d s", os.getpid(), self.settings.database.path,
                 sched.poll_every, extra={"stage": "daemon"})
        while not self.stop.wait(0.2):
            if self._reload.is_set():
                self._reload.clear()
                log.info("SIGHUP: reloading the feed list", extra={"stage": "reload"})
                # the reload runs on the job thread (one writer at a time); the poll queued after it polls new feeds
                self.scheduler.add_job(self._job(self.reload_feeds), id="reload", name="reload",
                                       replace_existing=True, misfire_grace_time=None)
                self.scheduler.modify_job("poll", next_run_time=datetime.now(UTC))
        self.shutdown()

    def shutdown(self) -> None:
        """Stop the scheduler and wait for the running job, exiting at once past ``SHUTDOWN_SECONDS``."""
        deadline = time.monotonic() + SHUTDOWN_SECONDS
        log.info("stopping: waiting for the running job to finish", extra={"stage": "daemon"})
        self.scheduler.shutdown(wait=False)
        if not self._busy.acquire(timeout=max(0.0, deadline - time.monotonic())):
            log.warning("a job is still running after %.0f s; exiting, its open transaction is rolled back",
                        SHUTDOWN_SECONDS, extra={"stage": "daemon"})
            _flush_logs()
            os._exit(0)
        self._busy.release()
        log.info("daemon stopped", extra={"stage": "daemon"})


def _digest_trigger(settings: Settings) -> CronTrigger | OrTrigger:
    """``schedule.digest_cron``, or-ed with each recipient's own cron: ``send_due_digests`` decides who is due."""
    crons = [settings.schedule.digest_cron]
    crons += [r.schedule for r in settings.email.recipients if r.schedule and r.schedule not in crons]
    triggers = [cron_trigger(cron) for cron in crons]
    return triggers[0] if len(triggers) == 1 else OrTrigger(triggers)


def _roll_back(db: sqlite_utils.Database) -> None:
    try:
        if db.conn.in_transaction:
            db.conn.rollback()
    except sqlite3.Error:
        pass


def _flush_logs() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stderr.flush()


class StopRequest(threading.Event):
    """A request to stop; ``signum`` is the signal that made it (None when set otherwise)."""

    signum: int | None = None


@contextlib.contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    """For one-shot work (``run --once``, ``reprocess``): SIGTERM/SIGINT set the event, a second one interrupts."""
    stop = StopRequest()

    def handler(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        log.info("%s: stopping after the current item (again to abort)", signal.Signals(signum).name,
                 extra={"stage": "cycle"})
        stop.signum = signum
        stop.set()

    previous = {signum: signal.signal(signum, handler) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def run_daemon(settings: Settings) -> None:
    """Check the feed list (a bad one exits 2 at once), lock the database (so does a second daemon), open it
    (which marks runs killed with their process interrupted) and serve until stopped."""
    load_feed_list(settings.feeds.file)
    with DaemonLock(settings.database.path):
        db = store.open_db(settings.database.path, busy_timeout=settings.database.busy_timeout)
        try:
            Daemon(settings, db).serve()
        finally:
            db.close()
