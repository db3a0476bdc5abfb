"""Page extraction beside the event loop: trafilatura in a small process pool, so it uses the second core.

One :class:`Extractor` lives for one fetch stage. Page bytes go in, an ``Article`` comes out; a page without usable
text raises ``ExtractError`` exactly as :func:`pipeline.extract.extract_article` does in-process. ``workers=0``
extracts in a thread instead (the old behaviour, for tiny machines). The pool starts on the first page (a cycle
with no page to download starts no process) and is shut down when the stage ends. A worker that dies (killed,
out of memory) costs only its page a retry in a thread; the pool is rebuilt for the next pages.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pipeline.errors import ExtractError
from pipeline.extract import extract_article
from pipeline.models import Article

log = logging.getLogger(__name__)

_Outcome = tuple[Article | None, str | None, str, float]  # (article, error reason, error message, seconds)


def _quiet_worker() -> None:
    """Ctrl-C reaches the whole process group; only the parent decides how to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _extract(body: bytes, url: str, content_type: str | None) -> _Outcome:
    """Runs in the worker: the outcome as plain values (``ExtractError`` does not survive pickling intact)."""
    started = time.perf_counter()
    try:
        article = extract_article(body, url, content_type=content_type)
    except ExtractError as exc:
        return None, exc.reason, str(exc), time.perf_counter() - started
    return article, None, "", time.perf_counter() - started


class Extractor:
    """``await extractor.extract(body, url, content_type)`` in a worker process (or a thread when ``workers`` is 0).

    ``seconds`` adds up the time spent extracting (in whichever process did it), for reports and benchmarks.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.seconds = 0.0
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: the daemon has threads (scheduler, event loop helpers) whose locks fork would copy
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_quiet_worker)
        return self._pool

    async def extract(self, body: bytes, url: str, content_type: str | None = None) -> Article:
        """The page's ``Article``; ``ExtractError`` when it has no usable main text."""
        job = functools.partial(_extract, body, url, content_type)
        if self.workers <= 0:
            outcome = await asyncio.to_thread(job)
        else:
            pool = self._executor()
            try:
                outcome = await asyncio.get_running_loop().run_in_executor(pool, job)
            except BrokenProcessPool:
                log.warning("an extraction worker died on %s; extracting this page in a thread and restarting the pool",
                            url, extra={"stage": "extract"})  # the logs' fixed keys have no page URL
                if self._pool is pool:
                    self._pool = None
                    pool.shutdown(wait=False, cancel_futures=True)
                outcome = await asyncio.to_thread(job)
        article, reason, message, seconds = outcome
        self.seconds += seconds
        if article is None:
            raise ExtractError(reason or "no_main_text", message, url=url)
        return article

    def close(self, *, wait: bool = True) -> None:
        """Stop the workers; ``wait=False`` (on a stop request) lets a busy worker finish its page on its own."""
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None
