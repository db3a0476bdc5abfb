"""Pure rules for merging events across articles into partnerships (the storage layer runs the SQL).

A partnership is the set of events with the same participants (sorted codes) and the same normalised
instrument, or the same type when no instrument is named. :func:`partnership_key` is that identity;
:func:`later_status` follows one agreement through its life (planned -> negotiating -> signed -> in force
-> ended); :func:`publisher_key` tells independent sources apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from pipeline.models import Event
from pipeline.nlp.instruments import instrument_key

# Life stages in order; statuses on one stage (signed/launched) are equally far along.
STATUS_ORDER: dict[str, int] = {
    "planned": 0,
    "negotiating": 1,
    "signed": 2,
    "launched": 2,
    "held": 3,
    "in_force": 4,
    "ended": 5,
}
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu"})


def normalise_instrument(name: str | None, participants: Iterable[str] = (), type: str = "") -> str:
    """A key under which different wordings of one instrument meet.

    Known instruments (``models/instruments.jsonl``) give their canonical name; others are folded
    (case, articles, "EU-X" prefixes, actor names, parenthesised acronyms, "deal" = "agreement" ...).
    With no usable name the key is the event ``type``.
    """
    key = instrument_key(name, tuple(sorted(participants))) if name else ""
    return key or type


def partnership_key(event: Event) -> str:
    """The identity of the partnership an event belongs to: ``"CODE+CODE|normalised instrument"``."""
    codes = sorted(set(event.participants))
    return "+".join(codes) + "|" + normalise_instrument(event.instrument, codes, event.type)


def later_status(a: str | None, b: str | None) -> str | None:
    """The status further along the life of an agreement; on a tie ``b`` (the newer observation) wins."""
    if a is None or a not in STATUS_ORDER:
        return b
    if b is None or b not in STATUS_ORDER:
        return a
    return a if STATUS_ORDER[a] > STATUS_ORDER[b] else b


def publisher_key(url: str | None, sitename: str | None = None) -> str:
    """Who published an article: the site's registered domain (``news.example.co.uk`` -> ``example.co.uk``)."""
    host = (urlsplit(url).hostname or "") if url else ""
    if host:
        labels = host.lower().removeprefix("www.").split(".")
        keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
        return ".".join(labels[-keep:])
    return (sitename or "").strip().lower()
