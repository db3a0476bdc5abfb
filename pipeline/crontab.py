"""Crontab expressions as APScheduler 3 triggers, in UTC, with crontab's weekday numbers."""

from __future__ import annotations

from datetime import UTC

from apscheduler.triggers.cron import CronTrigger

_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def cron_trigger(expression: str) -> CronTrigger:
    """A 5-field crontab in UTC. Weekday numbers are crontab's (0 or 7 = Sunday); APScheduler 3's ``from_crontab``
    would count them from Monday, so numbers are translated to names. Raises ``ValueError`` on a bad expression."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
    minute, hour, day, month, weekday = fields
    days = []
    for part in weekday.lower().split(","):
        base, _, step = part.partition("/")
        first, _, last = base.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            days.append(part)  # '*', '*/2' or names read the same in both
            continue
        numbers = range(int(first), int(last or (7 if step else first)) + 1, int(step or 1))
        days.extend(_WEEKDAYS[n % 7] for n in numbers)
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=",".join(dict.fromkeys(days)),
                       timezone=UTC)
