"""A worker initializer for the extraction-pool tests: every pool worker after the first one starts slowly.

Pickled by reference, so a spawned worker imports this module before it opens its channel. The first worker to
import it starts at once; every later one ignores SIGTERM and waits until the test script stops the pool, then a
second more: a worker on a loaded machine that has not reached its channel when the pool is stopped. The marker
file's path comes from ``SLOW_START_MARKER``, which the test script sets once it has imported this module itself.
"""

from __future__ import annotations

import os
import signal
import time

STARTUP_SECONDS = 1.0  # after the stop begins; pebble kills a worker that ignores SIGTERM after 3 s
MARKER = os.environ.get("SLOW_START_MARKER")

if MARKER:  # set by the test script after its own import of this module, so only workers see it
    try:
        os.close(os.open(MARKER, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.close(os.open(MARKER + ".slow", os.O_CREAT))  # the test script stops the pool once it sees this
        deadline = time.monotonic() + 60
        while not os.path.exists(MARKER + ".stopping") and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(STARTUP_SECONDS)  # the pool is being stopped now: reach the channel only afterwards


def start() -> None:
    """Nothing to do once started."""
