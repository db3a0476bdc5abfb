"""When to poll a feed next: a pure function of its interval, the server's hints and its error count."""

from __future__ import annotations

import random
from datetime import datetime, timedelta


def next_check(
    now: datetime,
    *,
    base_interval: int,
    min_interval: int,
    max_interval: int,
    ttl_seconds: int | None = None,
    max_age: int | None = None,
    retry_after: float | None = None,
    error_count: int = 0,
    jitter: float = 0.1,
    rng: random.Random | None = None,
) -> datetime:
    """The next poll time.

    Success: the largest of the base interval, RSS ttl, Cache-Control max-age and Retry-After, clamped to
    [min_interval, max_interval]. After ``error_count`` consecutive errors: base * 2**(errors-1) with up to
    ``jitter`` random spread, capped at ``max_interval``; a Retry-After longer than that wins.
    """
    rng = rng or random
    candidates = [base_interval, ttl_seconds or 0, max_age or 0]
    seconds = float(max(candidates))
    if error_count > 0:
        seconds = min(base_interval * 2 ** (error_count - 1), max_interval)
        seconds *= 1 + rng.uniform(-jitter, jitter)
    seconds = max(seconds, float(retry_after or 0))
    seconds = min(max(seconds, min_interval), max(max_interval, float(retry_after or 0)))
    return now + timedelta(seconds=seconds)
