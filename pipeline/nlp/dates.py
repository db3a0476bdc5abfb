"""Dates stated in a sentence ("13 December 2023", "May 16", "2024-05-07"; the year defaults to the article's), and
the words of a time expression ("in 2019", "for five years"), which are no part of an instrument's name."""

from __future__ import annotations

import re
from datetime import date

_MONTH_NAMES = (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
                ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
                ("nov", "november"), ("dec", "december"))  # abbreviations first, the full name last
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names}
_WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
CALENDAR_NAMES = _WEEKDAYS | {names[-1] for names in _MONTH_NAMES}  # day and month names in full, lower case
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_TIME_NOUNS = frozenset({
    "today", "yesterday", "tomorrow", "tonight", "morning", "evening", "night", "weekend", "minute", "minutes", "hour",
    "hours", "day", "days", "week", "weeks", "month", "months", "quarter", "year", "years", "decade", "decades",
    "century", "centuries", "daily", "weekly", "monthly", "annual", "annually", "spring", "summer", "autumn",
    "winter", "season",
})
_YEAR_IN_WORD = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")  # "2019", "2021-2027", "mid-2015", "2020s"
_PATTERNS = (
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)\b"),
    re.compile(rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?P<year>(?:19|20)\d\d))?\b", re.I),
    re.compile(rf"\b{_MONTH}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d))?", re.I),
)


def time_word(word: str) -> bool:
    """A word of a time expression ("2019", "mid-2015", "May", "Monday", "years", "annual"): what a named-entity
    recogniser would tag DATE, read from the word alone (month and day names count when capitalised)."""
    lower = word.lower()
    if lower in _TIME_NOUNS or _YEAR_IN_WORD.search(lower):
        return True
    return word[:1].isupper() and (lower.rstrip(".") in _MONTHS or lower in _WEEKDAYS)


def stated_date(text: str, published: date | None = None) -> date | None:
    """The first full calendar date in ``text``; without a year, the published year (None if unknown)."""
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            parts = match.groupdict()
            month = int(parts["mnum"]) if parts.get("mnum") else _MONTHS[parts["month"].lower().rstrip(".")]
            year = int(parts["year"]) if parts.get("year") else (published.year if published else None)
            if year is None:
                continue
            try:
                return date(year, month, int(parts["day"]))
            except ValueError:
                continue
    return None
