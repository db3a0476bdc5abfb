"""Page extraction beside the event loop: trafilatura in a small process pool, so it uses the second core.

One :class:`Extractor` lives for one fetch stage. Page bytes go in, an ``Article`` comes out; a page without usable
text raises ``ExtractError`` exactly as :func:`pipeline.extract.extract_article` does in-process. ``workers=0``
extracts in a thread instead (the old behaviour, for tiny machines; no time limit can stop a thread). The pool
(pebble's ``ProcessPool``) starts on the first page (a cycle with no page to download starts no process) and is
shut down when the stage ends.

Limits: a page whose extraction takes longer than ``timeout`` seconds has its worker killed (pebble replaces it)
and fails with reason ``extract_timeout``; on a stop request :meth:`Extractor.close` kills busy workers rather than
waiting for them. Every worker asks the kernel to kill it when its parent dies (``PR_SET_PDEATHSIG``), so a
``kill -9`` of pactwatch leaves no worker, and so no resource tracker, behind. A worker that dies on its own
(killed, out of memory) costs only its page a retry in a thread, and the pool is started again if needed.
Workers are stopped before their channel is released (:class:`WorkerPool`), so a worker still starting up when the
stage ends is stopped quietly instead of failing with a traceback in the log.
"""

from __future__ import annotations

import asyncio
import ctypes
import functools
import logging
import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures.process import BrokenProcessPool

from pebble import ProcessExpired, ProcessPool

from pipeline.errors import ExtractError
from pipeline.extract import extract_article
from pipeline.models import Article

log = logging.getLogger(__name__)

_Outcome = tuple[Article | None, str | None, str, float]  # (article, error reason, error message, seconds)
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
STOP_SECONDS = 2.0  # how long close(wait=False) waits for killed workers to be reaped


def die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when the process that started it ends (``kill -9`` included); exit at once
    if it already has. Elsewhere (no ``prctl``) this does nothing."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)


def _worker_start(parent: int) -> None:
    """In each worker: die with the parent; Ctrl-C reaches the whole process group, only the parent decides."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _extract(body: bytes, url: str, content_type: str | None) -> _Outcome:
    """Runs in the worker: the outcome as plain values (``ExtractError`` does not survive pickling intact)."""
    started = time.perf_counter()
    try:
        article = extract_article(body, url, content_type=content_type)
    except ExtractError as exc:
        return None, exc.reason, str(exc), time.perf_counter() - started
    return article, None, "", time.perf_counter() - started


class WorkerPool(ProcessPool):
    """pebble's ``ProcessPool``, stopping its workers before it releases their channel.

    pebble (5.2.1 on) closes the channel, unlinking its named semaphores, and only then stops the workers. A worker
    still starting up in that gap (the second of two, when one page ended the stage) fails to open the semaphores
    and prints a ``FileNotFoundError`` traceback into the daemon's log. Here the workers are stopped first.
    """

    def _stop_pool(self) -> None:
        if self._pool_manager_loop is not None:
            self._pool_manager_loop.join()  # the loop that replaces dead workers has ended: no worker starts after
        self._pool_manager.worker_manager.force_stop_workers()
        super()._stop_pool()


class Extractor:
    """``await extractor.extract(body, url, content_type)`` in a worker process (or a thread when ``workers`` is 0).

    ``timeout`` bounds one page's extraction in a worker. ``seconds`` adds up the time spent extracting (in
    whichever process did it), for reports and benchmarks.
    """

    def __init__(self, workers: int, timeout: float | None = None) -> None:
        self.workers = workers
        self.timeout = timeout
        self.seconds = 0.0
        self._pool: WorkerPool | None = None

    def _executor(self) -> WorkerPool:
        if self._pool is None:
            # spawn, not fork: the daemon has threads (scheduler, event loop helpers) whose locks fork would copy
            self._pool = WorkerPool(self.workers, context=multiprocessing.get_context("spawn"),
                                     initializer=_worker_start, initargs=(os.getpid(),))
        return self._pool

    async def extract(self, body: bytes, url: str, content_type: str | None = None) -> Article:
        """The page's ``Article``; ``ExtractError`` when it has no usable main text or takes too long."""
        job = functools.partial(_extract, body, url, content_type)
        if self.workers <= 0:
            outcome = await asyncio.to_thread(job)
        else:
            outcome = await self._in_worker(job, url)
        article, reason, message, seconds = outcome
        self.seconds += seconds
        if article is None:
            raise ExtractError(reason or "no_main_text", message, url=url)
        return article

    async def _in_worker(self, job: functools.partial, url: str) -> _Outcome:
        try:
            future = self._executor().schedule(job.func, args=job.args, timeout=self.timeout)
        except RuntimeError:  # pebble gives up on a pool whose idle worker was killed: start a new one
            self.close(wait=False)
            future = self._executor().schedule(job.func, args=job.args, timeout=self.timeout)
        try:
            return await asyncio.wrap_future(future)
        except TimeoutError:
            self.seconds += self.timeout or 0.0
            return None, "extract_timeout", f"extraction took more than {self.timeout:g} s; its worker was stopped", 0.0
        except (ProcessExpired, BrokenProcessPool):
            log.warning("an extraction worker died on %s; extracting this page in a thread", url,
                        extra={"stage": "extract"})  # the logs' fixed keys have no page URL
            return await asyncio.to_thread(job)
        finally:
            future.cancel()  # a cancelled await (SIGTERM) also stops the worker's task

    def close(self, *, wait: bool = True) -> None:
        """Stop the workers: ``wait`` lets them finish their pages; otherwise (a stop request) busy ones are killed."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        if wait:
            pool.close()
            pool.join()
            return
        pool.stop()
        try:
            pool.join(timeout=STOP_SECONDS)
        except TimeoutError:
            log.warning("extraction workers did not stop within %.0f s", STOP_SECONDS, extra={"stage": "extract"})
