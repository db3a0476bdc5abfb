"""Progress of long work (``reprocess``, a first run over many feeds): a tqdm bar per stage on a terminal,
plain log lines otherwise.

``progress_reporter()`` returns a callable ``(stage, done, total)``, the ``Progress`` type that
``cycle.run_cycle`` and ``cycle.reprocess`` accept, and a context manager that closes its bars and routes log
lines above the bar while it is open.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable
from typing import IO, Any

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)
UNITS = {"feeds": "feed", "pages": "page", "nlp": "article"}


class _Reporter:
    """Shared bookkeeping: one stage at a time, a fresh start when the stage changes."""

    def __init__(self, min_total: int) -> None:
        self.min_total = min_total
        self.stage: str | None = None

    def __enter__(self) -> _Reporter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < self.min_total:
            return
        if stage != self.stage:
            self._finish()
            self.stage = stage
            self._begin(stage, done, total)
        self._update(done, total)
        if done >= total:
            self._finish()
            self.stage = None

    def close(self) -> None:
        self._finish()
        self.stage = None

    def _begin(self, stage: str, done: int, total: int) -> None: ...

    def _update(self, done: int, total: int) -> None: ...

    def _finish(self) -> None: ...


class BarProgress(_Reporter):
    """A tqdm bar per stage on ``stream``; log records are written above the bar while it is open."""

    def __init__(self, stream: IO[str] | None = None, *, min_total: int = 1) -> None:
        super().__init__(min_total)
        self.stream = stream or sys.stderr
        self._bar: Any = None
        self._redirect: contextlib.ExitStack | None = None

    def __enter__(self) -> BarProgress:
        from tqdm.contrib.logging import logging_redirect_tqdm

        self._redirect = contextlib.ExitStack()
        self._redirect.enter_context(logging_redirect_tqdm())
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        if self._redirect is not None:
            self._redirect.close()
            self._redirect = None

    def _begin(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total, desc=stage, unit=UNITS.get(stage, "item"), file=self.stream,
                         dynamic_ncols=True, leave=True)

    def _update(self, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.total = total
            self._bar.update(done - self._bar.n)

    def _finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class LogProgress(_Reporter):
    """One log line per stage start, then at most one per ``every`` seconds, and one at the end."""

    def __init__(self, *, every: float = 30.0, min_total: int = 1, logger: logging.Logger | None = None) -> None:
        super().__init__(min_total)
        self.every = every
        self.log = logger or log
        self._started = 0.0
        self._timed = False
        self._last = 0.0
        self._total = 0
        self._done = 0

    def _begin(self, stage: str, done: int, total: int) -> None:
        self._started = self._last = time.monotonic()
        self._timed = done == 0  # a stage first heard of part-way has no honest duration
        self._total, self._done = total, done
        if done < total:  # a stage first heard of when it is already complete gets only its "done" line
            self.log.info("%s: %d/%d", stage, done, total, extra={"stage": stage})

    def _update(self, done: int, total: int) -> None:
        advanced = done > self._done
        self._done, self._total = done, total
        now = time.monotonic()
        if advanced and done < total and now - self._last >= self.every:
            self._last = now
            self.log.info("%s: %d/%d (%d%%)", self.stage, done, total, 100 * done // max(total, 1),
                          extra={"stage": self.stage})

    def _finish(self) -> None:
        if self.stage is None:
            return
        extra: dict[str, object] = {"stage": self.stage}
        if self._timed:
            extra["duration_ms"] = int((time.monotonic() - self._started) * 1000)
        outcome = "done" if self._done >= self._total else "stopped"  # closed early: stopped or failed
        self.log.info("%s: %d/%d %s", self.stage, self._done, self._total, outcome, extra=extra)


def progress_reporter(stream: IO[str] | None = None, *, tty: bool | None = None, min_total: int = 1,
                      every: float = 30.0) -> _Reporter:
    """A bar on a terminal, log lines elsewhere. Stages with fewer than ``min_total`` items show nothing."""
    stream = stream or sys.stderr
    if tty is None:
        tty = bool(getattr(stream, "isatty", lambda: False)())
    if tty:
        return BarProgress(stream, min_total=min_total)
    return LogProgress(every=every, min_total=min_total)
