"""The next-check policy, table-style, with no network."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from pipeline.polling import feed_hint_seconds, max_age_seconds, next_check

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
LIMITS = {"base_interval": 900, "min_interval": 300, "max_interval": 86_400}


@pytest.mark.parametrize(
    ("hints", "low", "high"),
    [
        ({}, 900, 900),
        ({"ttl_seconds": 3600}, 3600, 3600),
        ({"max_age": 1800, "ttl_seconds": 600}, 1800, 1800),
        ({"max_age": 60}, 900, 900),
        ({"retry_after": 7200}, 7200, 7200),
        ({"max_age": 10_000_000}, 86_400, 86_400),
        ({"retry_after": 10_000_000}, 86_400, 86_400),
        ({"base_interval": 60}, 300, 300),
        ({"error_count": 1}, 810, 990),
        ({"error_count": 3}, 3240, 3960),
        ({"error_count": 3, "retry_after": 7200}, 7200, 7200),
        ({"error_count": 1, "retry_after": 30}, 810, 990),
        ({"error_count": 9}, 77_760, 86_400),
        ({"error_count": 500}, 77_760, 86_400),
        ({"error_count": 2, "ttl_seconds": 40_000}, 1620, 1980),
    ],
    ids=["base", "rss-ttl", "max-age-beats-ttl", "short-max-age-ignored", "retry-after-on-success",
         "max-age-capped", "retry-after-capped", "floor", "first-error", "third-error-doubles-twice",
         "retry-after-beats-backoff", "short-retry-after-ignored", "backoff-capped", "huge-count-no-overflow",
         "errors-ignore-ttl"],
)
def test_next_check(hints: dict, low: float, high: float) -> None:
    arguments = {**LIMITS, **hints}
    for seed in range(20):
        seconds = (next_check(NOW, rng=random.Random(seed), **arguments) - NOW).total_seconds()
        assert low <= seconds <= high


def test_jitter_spreads_failing_feeds() -> None:
    times = {next_check(NOW, error_count=4, rng=random.Random(seed), **LIMITS) for seed in range(10)}
    assert len(times) > 5


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("max-age=600", 600), ("public, max-age=60, s-maxage=120", 120), ('max-age="30"', 30),
     ("no-store, max-age=600", None), ("no-cache", None), ("max-age=soon", None), (None, None)],
    ids=["max-age", "s-maxage-wins", "quoted", "no-store", "no-cache", "garbage", "absent"],
)
def test_max_age_seconds(header: str | None, seconds: int | None) -> None:
    assert max_age_seconds(header) == seconds


@pytest.mark.parametrize(
    ("ttl", "period", "frequency", "seconds"),
    [("60", None, None, 3600), (" 5 ", "daily", None, 300), ("0", "hourly", "2", 1800), (None, "daily", None, 86_400),
     (None, "weekly", "x", 604_800), (None, "sometimes", None, None), ("abc", None, None, None)],
    ids=["ttl-minutes", "ttl-wins", "zero-ttl-falls-to-sy", "sy-daily", "bad-frequency", "bad-period", "bad-ttl"],
)
def test_feed_hint_seconds(ttl: str | None, period: str | None, frequency: str | None, seconds: int | None) -> None:
    assert feed_hint_seconds(ttl, period, frequency) == seconds
