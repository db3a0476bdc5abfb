"""Pure rules for analysts' judgements and partnership fixes (the store runs the SQL).

A judgement is anchored on what the extractor read, not on an event id (events are recomputed by
``pactwatch reprocess``): the article, the evidence sentence (:func:`evidence_key`) and the event's identity
(:func:`event_key`: participants plus normalised instrument, or type). :func:`attach` finds, among the events a
new analysis read from an article, the one each judged anchor now is; :func:`apply` turns an event into the event
as judged. :class:`Fixes` routes an event to its partnership key through aliases, splits and merges.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.models import Event
from pipeline.partnerships import STATUS_ORDER, partnership_key

VERDICTS = ("correct", "wrong", "corrected")
EVENT_TYPES = ("agreement", "partnership", "programme", "cooperation")
FIELDS = ("type", "status", "participants", "instrument", "negated")
_CODE = re.compile(r"[A-Z][A-Z0-9]{1,9}")

Anchor = tuple[str, str]  # (evidence key, event key) within one article


def evidence_key(sentence: str) -> str:
    """The evidence sentence folded (case, punctuation, spacing), so a re-segmented copy still meets it."""
    return re.sub(r"\W+", " ", sentence.lower()).strip()


def event_key(event: Event) -> str:
    """What identifies an event within its sentence: sorted participants plus normalised instrument or type."""
    return partnership_key(event)


def anchor_of(event: Event) -> Anchor:
    return evidence_key(event.evidence), event_key(event)


@dataclass(frozen=True)
class Judgement:
    """The judgement in force for one anchor; ``fields`` are the corrected (field, value) pairs."""

    id: int
    verdict: str
    evidence: str
    event_key: str
    fields: tuple[tuple[str, Any], ...] = ()
    members: tuple[int, ...] = ()  # every judgement row of the same anchor (undone ones too), to re-attach together

    @property
    def anchor(self) -> Anchor:
        return evidence_key(self.evidence), self.event_key


def check_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Validated corrected fields (participants sorted, codes upper-case); raises ValueError naming the problem."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in FIELDS:
            raise ValueError(f"unknown field {name!r}; one of {', '.join(FIELDS)}")
        if name == "type" and value not in EVENT_TYPES:
            raise ValueError(f"type must be one of {', '.join(EVENT_TYPES)}, not {value!r}")
        if name == "status" and value not in STATUS_ORDER:
            raise ValueError(f"status must be one of {', '.join(STATUS_ORDER)}, not {value!r}")
        if name == "participants":
            codes = sorted({c.strip().upper() for c in re.split(r"[,+ ]+", value) if c.strip()}) \
                if isinstance(value, str) else sorted({str(c).upper() for c in value})
            if len(codes) < 2 or not all(_CODE.fullmatch(c) for c in codes):
                raise ValueError(f"participants must be two or more actor codes (EU,JPN), not {value!r}")
            value = tuple(codes)
        if name == "negated":
            value = _boolean(value)
        if name == "instrument":
            value = (" ".join(str(value).split()) or None) if value is not None else None
        out[name] = value
    return out


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y"):
        return True
    if text in ("0", "false", "no", "n"):
        return False
    raise ValueError(f"negated must be true or false, not {value!r}")


def parse_assignments(assignments: Iterable[str]) -> dict[str, Any]:
    """``["status=signed", "participants=EU,JPN", "instrument="]`` as checked fields (``instrument=`` clears it)."""
    values: dict[str, Any] = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"expected FIELD=VALUE, got {item!r}")
        values[name.strip()] = value.strip()
    return check_fields(values)


def apply(event: Event, judgement: Judgement | None) -> Event:
    """The event as judged: a correction's fields replace what the extractor read."""
    if judgement is None or judgement.verdict != "corrected" or not judgement.fields:
        return event
    return dataclasses.replace(event, **dict(judgement.fields))


def attach(judged: Sequence[Judgement], events: Sequence[Event]) -> dict[int, Judgement]:
    """Which judgement each event (by index) now carries, after its article was analysed again.

    In order: the same sentence and identity; the same sentence and the identity a correction gave (a newer
    extractor that learned it); the same sentence and participants; the one judged event left in the sentence
    and the one event left there.
    """
    found: dict[int, Judgement] = {}
    left = list(judged)
    anchors = [anchor_of(e) for e in events]
    tests = (
        lambda j, i: j.anchor == anchors[i],
        lambda j, i: j.anchor[0] == anchors[i][0] and _learned(j, events[i]),
        lambda j, i: j.anchor[0] == anchors[i][0] and j.event_key.split("|")[0] == anchors[i][1].split("|")[0],
    )
    for test in tests:
        for index in range(len(events)):
            if index in found:
                continue
            match = next((j for j in left if test(j, index)), None)
            if match is not None:
                found[index] = match
                left.remove(match)
    for sentence in {j.anchor[0] for j in left}:
        waiting = [j for j in left if j.anchor[0] == sentence]
        free = [i for i in range(len(events)) if i not in found and anchors[i][0] == sentence]
        if len(waiting) == 1 and len(free) == 1:
            found[free[0]] = waiting[0]
    return found


def _learned(judgement: Judgement, event: Event) -> bool:
    """The event already reads what a correction of its identity (participants, instrument, type) said."""
    identity = {"participants", "instrument", "type"}
    if judgement.verdict != "corrected" or not identity & {name for name, _ in judgement.fields}:
        return False
    return event_key(apply(event, judgement)) == event_key(event)


def fold_wording(name: str | None) -> str:
    """An instrument wording folded for exact comparison (case and spacing)."""
    return " ".join((name or "").lower().split())


@dataclass(frozen=True)
class Split:
    """Events of ``from_key`` that go to ``into_key``: the anchors chosen, and later ones worded as they were."""

    from_key: str
    into_key: str
    wordings: frozenset[str] = frozenset()
    anchors: frozenset[tuple[int, str, str]] = frozenset()  # (article id, evidence key, event key)


@dataclass(frozen=True)
class Fixes:
    """Partnership fixes in force: wordings aliased to registry instruments, splits, merges (from key -> into)."""

    aliases: dict[str, str] = field(default_factory=dict)
    splits: tuple[Split, ...] = ()
    merges: dict[str, str] = field(default_factory=dict)

    def aliased(self, event: Event) -> Event:
        """The event with an aliased wording replaced by its registry instrument's name (for keying only)."""
        canonical = self.aliases.get(fold_wording(event.instrument))
        return dataclasses.replace(event, instrument=canonical) if canonical else event

    def route(self, key: str, event: Event, anchor: tuple[int, str, str]) -> str:
        """The partnership key an event lands under: its own key through merges, then each split in the order made
        (a later split may split what an earlier one split off), each result through merges again."""
        key = self.follow(key)
        for split in self.splits:
            if split.from_key == key and (anchor in split.anchors or fold_wording(event.instrument) in split.wordings):
                key = self.follow(split.into_key)
        return key

    def follow(self, key: str) -> str:
        """Where merges send a key (a loop stops where it would repeat)."""
        seen = {key}
        while key in self.merges and self.merges[key] not in seen:
            key = self.merges[key]
            seen.add(key)
        return key
