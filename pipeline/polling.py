"""When to poll a feed next: pure functions of its interval, the server's hints and its error count.

Policy (``next_check``):

- success: the largest of the base interval, the feed's own hint (RSS ``ttl`` or ``sy:updatePeriod``),
  ``Cache-Control: max-age`` and ``Retry-After``, clamped to [min_interval, max_interval];
- error number n (consecutive): ``base * 2**(n-1)``, spread by +-``jitter`` so failing feeds do not retry in
  lockstep, capped at max_interval; a longer ``Retry-After`` wins;
- every hint is capped at max_interval, so no header can park a feed for longer than that. A feed is never dropped:
  after ``error_limit`` errors it is marked unhealthy (see ``store.record_feed_error``) and keeps being polled at
  the backoff cap.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

_SY_PERIODS = {"hourly": 3600, "daily": 86_400, "weekly": 604_800, "monthly": 2_592_000, "yearly": 31_536_000}


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
    """The next poll time (see the module docstring for the policy)."""
    rng = rng or random.Random()
    hint = float(min(retry_after or 0, max_interval))
    if error_count > 0:
        seconds = min(base_interval * 2.0 ** min(error_count - 1, 30), max_interval)
        seconds *= 1 + rng.uniform(-jitter, jitter)
        seconds = max(seconds, hint)
    else:
        seconds = float(max(base_interval, ttl_seconds or 0, max_age or 0, hint))
    seconds = min(max(seconds, min_interval), max_interval)
    return now + timedelta(seconds=seconds)


def max_age_seconds(cache_control: str | None) -> int | None:
    """``s-maxage`` or ``max-age`` of a Cache-Control header, in seconds; None when absent or ``no-store``."""
    directives: dict[str, str] = {}
    for part in (cache_control or "").split(","):
        name, _, value = part.strip().partition("=")
        directives[name.strip().lower()] = value.strip().strip('"')
    if "no-store" in directives:
        return None
    for name in ("s-maxage", "max-age"):
        if directives.get(name, "").isdigit():
            return int(directives[name])
    return None


def feed_hint_seconds(ttl_minutes: object = None, update_period: object = None,
                      update_frequency: object = None) -> int | None:
    """A feed's own refresh hint: RSS ``<ttl>`` (minutes), else ``sy:updatePeriod``/``sy:updateFrequency``."""
    ttl = str(ttl_minutes or "").strip()
    if ttl.isdigit() and int(ttl) > 0:
        return int(ttl) * 60
    period = _SY_PERIODS.get(str(update_period or "").strip().lower())
    if period is None:
        return None
    frequency = str(update_frequency or "1").strip()
    return period // max(1, int(frequency)) if frequency.isdigit() else period
