"""One daemon per database: an exclusive ``fcntl`` lock on ``<db>.lock`` held for the life of the process.

The kernel drops the lock when the process ends, however it ends (``kill -9`` included), so a stale lock file
never blocks a restart. The file holds the owner's pid, for the refusal message and for ``lock_holder``.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from pipeline.errors import AlreadyRunningError, DatabaseFileError


def lock_path(db_path: Path | str) -> Path:
    """The lock file beside a database: ``<db>.lock``."""
    return Path(f"{db_path}.lock")


class DaemonLock:
    """An exclusive, non-blocking lock on ``<db>.lock``; use as a context manager or call acquire/release."""

    def __init__(self, db_path: Path | str) -> None:
        self.db_path = Path(db_path)
        self.path = lock_path(db_path)
        self._fd: int | None = None

    def acquire(self) -> DaemonLock:
        """Take the lock or raise ``AlreadyRunningError`` at once (never waits)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise DatabaseFileError(f"cannot create the lock file {self.path}: {exc.strerror} (the database's"
                                    " directory must be writable by the daemon)") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            who = f"pid {holder}" if holder else "another process"
            raise AlreadyRunningError(f"a pactwatch daemon ({who}) is already running on {self.db_path}"
                                      f" (lock {self.path})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Drop the lock (the file stays: removing it would race with a starting daemon)."""
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DaemonLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_holder(db_path: Path | str) -> int | None:
    """The pid of the daemon running on ``db_path``, or None when none holds the lock."""
    path = lock_path(db_path)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_pid(fd) or -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read_pid(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    return int(text) if text.isdigit() else None
