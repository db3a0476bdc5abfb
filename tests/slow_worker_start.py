"""A worker initializer for the extraction-pool tests: every pool worker after the first one starts slowly.

Pickled by reference, so a spawned worker imports this module before it opens its channel. The first worker to
import it starts at once; every later one ignores SIGTERM and sleeps, as a worker on a loaded machine that has not
reached its channel when the pool is stopped. The marker file's path comes from ``SLOW_START_MARKER``,
which the test script sets once it has imported this module itself.
"""

from __future__ import annotations

import os
import signal
import time

STARTUP_SECONDS = 2.0
MARKER = os.environ.get("SLOW_START_MARKER")

if MARKER:  # set by the test script after its own import of this module, so only workers see it
    try:
        os.close(os.open(MARKER, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.close(os.open(MARKER + ".slow", os.O_CREAT))  # the test script stops the pool once it sees this
        time.sleep(STARTUP_SECONDS)


def start() -> None:
    """Nothing to do once started."""
