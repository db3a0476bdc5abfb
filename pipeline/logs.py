"""Logging: one line per happening, human text or JSON lines, with fixed structured keys."""

from __future__ import annotations

import json
import logging
import sys
import time

from pipeline.config import LogSettings

KEYS = ("stage", "feed_id", "feed_url", "article_id", "error_kind", "duration_ms", "run_id")


class _TextFormatter(logging.Formatter):
    converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{k}={getattr(record, k)}" for k in KEYS if getattr(record, k, None) is not None)
        line = f"{self.formatTime(record, '%Y-%m-%dT%H:%M:%SZ')} {record.levelname:<7} {record.getMessage()}"
        if extras:
            line += f"  [{extras}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class _JsonFormatter(logging.Formatter):
    converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        payload = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%SZ"), "level": record.levelname,
                   "logger": record.name, "message": record.getMessage()}
        payload.update({k: getattr(record, k) for k in KEYS if getattr(record, k, None) is not None})
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def configure_logging(settings: LogSettings) -> None:
    """Send pipeline logs to stderr in the configured format and level (replacing earlier handlers)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonFormatter() if settings.format == "json" else _TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.level)
    for noisy in ("httpx", "httpcore", "trafilatura", "apscheduler.executors", "apscheduler.scheduler", "courlan",
                  "htmldate", "spacy"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


class RepeatedErrors:
    """Errors that repeat (disk full, a locked database): the first of each kind is logged with its kind, the rest
    are counted, and :meth:`flush` logs one line per kind with how often it repeated."""

    def __init__(self, logger: logging.Logger) -> None:
        self._log = logger
        self.counts: dict[str, int] = {}

    def report(self, kind: str, message: str, *, stage: str, **extra: object) -> bool:
        """Count one error; log it only if it is the first of its kind since the last flush. True if logged."""
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if self.counts[kind] > 1:
            return False
        self._log.error("%s (further %s errors are counted, not logged)", message, kind,
                        extra={"stage": stage, "error_kind": kind, **extra})
        return True

    def flush(self, stage: str, where: str = "") -> None:
        """One line per kind that repeated, then start counting afresh."""
        for kind, count in self.counts.items():
            if count > 1:
                self._log.error("%s happened %d times%s", kind, count, where, extra={"stage": stage,
                                                                                   "error_kind": kind})
        self.counts.clear()
