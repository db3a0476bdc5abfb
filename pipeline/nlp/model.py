"""The trained event model: five linear models over named features, and how they turn a view into events.

1. ``sentence``: for each candidate participant set of each parsed sentence, the chance that the sentence states
   an event of each type between exactly those parties (one logistic model per type).
2. ``event``: for each (type, participant set) of the article, from its best sentence scores and what the rule
   reader concluded, the chance that the article reports such an event. Its probability is the event's confidence.
3. ``evidence``: among the sentences that scored for an accepted event, the one annotators would quote (the
   sentence model learns whether a sentence states an event, not which of its tellings is the clearest).
4. ``status`` (multinomial) and ``negation`` (binary): from the event's evidence sentence.

Where the rule reader read several instruments of one type between the same parties, each is an event (one
article can report two agreements between the same parties). A set of parties inside a larger set that has an
event of the same type, as sure or surer, is part of that event and no event of its own ("the EU signed the trade
agreement with Chile, Peru and Paraguay" is one event of four parties, not six pairs as well). The weights live in
``models/event_model/`` (``model.json``; ``manifest.json`` says what they were trained on and how they scored),
written by :mod:`pipeline.nlp.training`. Reading them checks the format and the extractor version.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from pipeline.errors import ModelFileError
from pipeline.evaluate import Reach, name_words
from pipeline.models import Event
from pipeline.nlp import EXTRACTOR_VERSION
from pipeline.nlp.article import ArticleView, Sentence
from pipeline.nlp.candidates import candidates
from pipeline.nlp.dates import stated_date
from pipeline.nlp.errors import Errors
from pipeline.nlp.features import (
    TYPES,
    Features,
    candidate_features,
    event_features,
    outcome_features,
    sentence_words,
    status_features,
)
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.naming import topic_end

FORMAT = 1
MODEL_DIR = "event_model"
MAX_PER_SET = 3  # events of one type between the same parties in one article
PARTS = ("sentence", "event", "evidence", "status", "negation")  # the linear models, in EventModel's order
EVIDENCE_OPTIONS = 8  # best-scored sentences the evidence model chooses among
STATUSES = ("planned", "negotiating", "signed", "launched", "held", "in_force", "ended")


@dataclass(frozen=True)
class Linear:
    """A linear model over named features: one logistic output per label, or a softmax over the labels."""

    labels: tuple[str, ...]
    weights: dict[str, tuple[float, ...]]
    bias: tuple[float, ...]
    softmax: bool = False

    def totals(self, features: Features) -> list[float]:
        """The linear score (log-odds) of each label, summed exactly (``math.fsum``): the same whatever the order of
        ``features``, which follows set order and so Python's hash seed; a plain sum varied in its last digits, and
        the event model, fitted on such scores, varied from one ``pactwatch train`` to the next."""
        terms = [[bias] for bias in self.bias]
        for name, value in features.items():
            weights = self.weights.get(name)
            if weights is not None:
                for k, weight in enumerate(weights):
                    terms[k].append(weight * value)
        return [math.fsum(label_terms) for label_terms in terms]

    def scores(self, features: Features) -> list[float]:
        """The probability of each label."""
        totals = self.totals(features)
        if self.softmax:
            top = max(totals)
            exps = [math.exp(t - top) for t in totals]
            return [e / sum(exps) for e in exps]
        return [1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, t)))) for t in totals]

    def as_json(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "softmax": self.softmax, "bias": list(self.bias),
                "weights": {name: list(w) for name, w in sorted(self.weights.items())}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Linear:
        return cls(tuple(data["labels"]), {k: tuple(v) for k, v in data["weights"].items()}, tuple(data["bias"]),
                   bool(data["softmax"]))


class Telling(NamedTuple):
    """One sentence's telling of a (type, set): its sentence score and the evidence model's log-odds that annotators
    quote it."""

    score: float
    sentence: Sentence
    quote: float


@dataclass(frozen=True)
class Thresholds:
    """The decision points, chosen by cross-validation (see models/README.md)."""

    sentence_floor: float = 0.03  # a sentence score that puts a (type, set) before the event model
    event: float = 0.35  # the event model's probability that makes an event
    negation: float = 0.35  # the negation model's probability that makes an event negated


@dataclass(frozen=True)
class EventModel:
    """The five models, the thresholds and the manifest they were trained with."""

    sentence: Linear
    event: Linear
    evidence: Linear
    status: Linear
    negation: Linear
    thresholds: Thresholds = field(default_factory=Thresholds)
    manifest: dict[str, Any] = field(default_factory=dict)

    def events(self, view: ArticleView, lex: Lexicon, kinds: dict[str, str],
               names: dict[str, str] | None = None) -> tuple[Event, ...]:
        """The events of one article view (see the module docstring); ``names`` (code -> short name) name the
        parties before a generic instrument name."""
        return self._decide(view, self.sentence_scores(view, lex, kinds), lex, names)

    def events_and_reach(self, view: ArticleView, lex: Lexicon, kinds: dict[str, str],
                         names: dict[str, str] | None = None) -> tuple[tuple[Event, ...], Reach]:
        """:meth:`events`, and how far the model got: the (type, set)s it weighed and the sets its candidates
        formed (``pactwatch eval`` sorts the misses by them)."""
        scored = self.sentence_scores(view, lex, kinds)
        sets = {codes for sentence in view.sentences if sentence.doc is not None
                for codes in candidates(view, sentence)}
        reach = Reach(frozenset(self.hypotheses(view, scored)), frozenset(sets))
        return self._decide(view, scored, lex, names), reach

    def _decide(self, view: ArticleView, scored: dict[tuple[str, frozenset[str]], list[Telling]], lex: Lexicon,
                names: dict[str, str] | None) -> tuple[Event, ...]:
        found: list[tuple[int, Event]] = []
        for (type_, codes), ranked in self.hypotheses(view, scored).items():
            if len(codes) < 2 or ("EU" in codes and all(c == "EU" or c in lex.eu_members for c in codes)):
                continue
            others = max((r[0].score for (t, c), r in scored.items() if c == codes and t != type_ and r),
                         default=0.0)
            probability = self.event.scores(event_features(view, type_, codes, [t.score for t in ranked], others,
                                                           lex))[0]
            if probability < self.thresholds.event:
                continue
            for sentence, instrument in self._evidence(view, type_, codes, ranked):
                named = with_parties(view, instrument, codes, names or {})
                found.append((sentence.position, self._event(view, sentence, named, type_, codes, probability, lex)))
        return without_parts([event for _, event in sorted(found, key=lambda item: item[0])])

    def sentence_scores(self, view: ArticleView, lex: Lexicon,
                        kinds: dict[str, str]) -> dict[tuple[str, frozenset[str]], list[Telling]]:
        """For each (type, set): its tellings, best sentence score first."""
        scored: dict[tuple[str, frozenset[str]], list[Telling]] = defaultdict(list)
        for sentence in view.sentences:
            if sentence.doc is None:
                continue
            words = sentence_words(sentence.doc)
            for codes, origins in candidates(view, sentence).items():
                features = candidate_features(view, sentence, codes, origins, lex, words, kinds)
                kept = [(type_, score) for type_, score in zip(TYPES, self.sentence.scores(features), strict=True)
                        if score >= self.thresholds.sentence_floor]
                if kept:  # the evidence model's weights name no words: as on evidence_features(features)
                    quote = self.evidence.totals(features)[0]
                    for type_, score in kept:
                        scored[(type_, codes)].append(Telling(score, sentence, quote))
        for ranked in scored.values():
            ranked.sort(key=lambda telling: (-telling.score, telling.sentence.position))
        return scored

    def hypotheses(self, view: ArticleView, scored: dict) -> dict[tuple[str, frozenset[str]], list]:
        """The (type, set)s the event model weighs: those a sentence scored, and those the rules concluded."""
        out = dict(scored)
        for event in view.rule_events:
            out.setdefault((event.type, frozenset(event.participants)), [])
        return out

    def _evidence(self, view: ArticleView, type_: str, codes: frozenset[str],
                  ranked: list[Telling]) -> list[tuple[Sentence, str | None]]:
        """The sentences (and instrument names) of the events of this (type, set): the rule reader's when it read
        several instruments there ("signed the Advanced Framework Agreement and the Interim Trade Agreement"),
        else the best sentence. (A second well-scored sentence is no second event: in cross-validation that
        added as many false events as true ones.)"""
        rules = [e for e in view.rule_events if e.type == type_ and frozenset(e.participants) == codes]
        by_text = {s.text.strip(): s for s in view.sentences}
        if len(rules) > 1:
            picks = [(by_text[e.evidence], e.instrument) for e in rules[:MAX_PER_SET] if e.evidence in by_text]
            if picks:
                return picks
        best = (_quoted(ranked) if ranked
                else next((by_text[e.evidence] for e in rules if e.evidence in by_text), None))
        if best is None:
            return []
        tellings = [t.sentence for t in ranked] or [best]  # the name: from the surest telling that has one
        named = (_instrument(view, sentence, type_, codes) for sentence in tellings)
        return [(best, next((name for name in named if name), None))]

    def _event(self, view: ArticleView, sentence: Sentence, instrument: str | None, type_: str,
               codes: frozenset[str], probability: float, lex: Lexicon) -> Event:
        outcome = outcome_features(view, sentence, codes, type_, lex)
        statuses = self.status.scores(status_features(view, sentence, codes, type_, lex, outcome))
        status = self.status.labels[max(range(len(statuses)), key=statuses.__getitem__)]
        negated = self.negation.scores(outcome)[0] >= self.thresholds.negation
        return Event(type=type_, status=status, participants=tuple(sorted(codes)),
                     instrument=instrument, negated=negated,
                     date=stated_date(sentence.text, view.published) or view.published,
                     evidence=sentence.text.strip(), confidence=round(probability, 3))

    def as_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "extractor_version": EXTRACTOR_VERSION, "thresholds": self.thresholds.__dict__,
                **{part: getattr(self, part).as_json() for part in PARTS}}


def without_parts(events: list[Event]) -> tuple[Event, ...]:
    """``events`` without those whose parties are a strict subset of another event's of the same type that is as
    sure or surer: the smaller set is part of that event (in cross-validation this dropped 8 false events and no
    true one)."""
    def part(event: Event) -> bool:
        return any(other.type == event.type and set(event.participants) < set(other.participants)
                   and other.confidence >= event.confidence for other in events)

    return tuple(event for event in events if not part(event))


def _quoted(ranked: list[Telling]) -> Sentence:
    """The telling annotators would quote: the evidence model's log-odds plus the sentence model's, over the
    best-scored few (in cross-validation the evidence sentence was the gold one for 324 of 562 matched events,
    against 307 for the best-scored sentence)."""
    def weight(telling: Telling) -> float:
        return telling.quote + math.log(max(telling.score, 1e-9) / max(1.0 - telling.score, 1e-9))

    return max(ranked[:EVIDENCE_OPTIONS], key=weight).sentence


def _instrument(view: ArticleView, sentence: Sentence, type_: str, codes: frozenset[str]) -> str | None:
    """The instrument's name: the rule reader's for this event or sentence, else a name the cheap pass found; a bare
    head noun gets its topic ("deal" -> "deal on critical raw materials")."""
    for event in view.rule_events_of(sentence):
        if frozenset(event.participants) == codes and event.instrument:
            return _with_topic(sentence, event.instrument)
    named = [f.instrument for f in sentence.findings if f.type == type_ and f.instrument]
    if named:
        return _with_topic(sentence, named[0])
    tools = [sentence.text[t.start: t.end] for t in sentence.instruments]
    return tools[0] if tools else None


def _with_topic(sentence: Sentence, name: str) -> str:
    words = name.split()
    if sentence.doc is None or len(words) > 2:
        return name
    head = next((t for t in sentence.doc if t.text == words[-1]), None)
    if head is None:
        return name
    end = topic_end(head, head.i + 1)
    return f"{name} {sentence.doc[head.i + 1: end].text}" if end > head.i + 1 else name


def _of_others(view: ArticleView, name: str, codes: frozenset[str]) -> bool:
    """True when ``name`` is a registry instrument the article names that is not one pair's: an EU programme a
    partner joins ("Horizon Europe", "Global Gateway") or an instrument of more parties. A registry name of another
    pair ("Digital Trade Agreement") is not."""
    return any(
        tool.parties and len(tool.parties) != 2 and set(tool.parties) != codes
        and (name.startswith(sentence.text[tool.start: tool.end]) or name.startswith(tool.canonical))
        for sentence in view.sentences for tool in sentence.instruments
    )


def with_parties(view: ArticleView, name: str | None, codes: frozenset[str], names: dict[str, str]) -> str | None:
    """A short generic name ("Summit", "trade deal") of a two-party event with its parties before it, as news
    write it ("EU-Canada Summit"); a name that already names a party, any other, or a registry instrument that is
    not one pair's (:func:`_of_others`), as it is."""
    if not name or len(codes) != 2:
        return name
    words = name_words(name)
    parties = {w for code in codes for w in name_words(names.get(code, code))} | {c.lower() for c in codes}
    if len(words) > 6 or words & parties or _of_others(view, name, codes):
        return name
    first, second = sorted(codes, key=lambda c: (c != "EU", names.get(c, c)))
    bare = re.sub(r"^(?:the|a|an)\s+", "", name.strip(), flags=re.IGNORECASE)
    return f"{names.get(first, first)}-{names.get(second, second)} {bare}"


def load_event_model(models_dir: Path) -> EventModel:
    """Read ``models_dir/event_model/model.json`` and its manifest; a :class:`ModelFileError` (exit 2) when missing,
    unreadable or of another extractor version."""
    folder = Path(models_dir) / MODEL_DIR
    path = folder / "model.json"
    if not path.is_file():
        raise ModelFileError(Errors.E107.format(path=folder))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest_path = folder / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(Errors.E109.format(path=folder, reason=exc)) from exc
    found = f"format {data.get('format')}, extractor {data.get('extractor_version')}"
    if data.get("format") != FORMAT or data.get("extractor_version") != EXTRACTOR_VERSION:
        raise ModelFileError(Errors.E108.format(path=folder, found=found,
                                          expected=f"format {FORMAT}, extractor {EXTRACTOR_VERSION}"))
    try:
        return EventModel(*(Linear.from_json(data[part]) for part in PARTS), Thresholds(**data["thresholds"]),
                          manifest)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(Errors.E109.format(path=folder, reason=f"{type(exc).__name__}: {exc}")) from exc


__all__ = ["FORMAT", "MODEL_DIR", "PARTS", "STATUSES", "EventModel", "Linear", "Telling", "Thresholds",
           "load_event_model", "without_parts"]
