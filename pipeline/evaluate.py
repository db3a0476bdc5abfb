"""Scoring the NLP against a gold file (``shared/eval/SCHEMA.md``) for ``pactwatch eval`` and the floor tests.

An event is matched one-to-one within its article: same type and same participant set (``pair``: the
participant set only). Where several gold events share type and set (two agreements between the same parties),
the instrument names tell which prediction is which event; status and polarity never decide a match, so a gold
event reported with both polarities has its wrong one counted.

- ``event_p/r/f1``: over all articles; ``pair_f1`` the same with participants only.
- ``status_accuracy``: the share of matched events whose status is the gold status.
- ``negated_as_positive``: negated gold events whose match says positive, or for which a positive prediction
  matched to no gold event names the same participants (both polarities reported: the wrong one counts).
  ``positive_as_negated`` is the converse on matches.
- ``instrument_match``: among matched events with a gold instrument, the share whose predicted name has the
  gold name's words (lower case, no articles or punctuation; Jaccard >= 0.5). No registry is consulted.
- confusion tables: gold type against predicted type on participant matches; gold against predicted status
  on event matches.
- actor F1: per article, F1 of the predicted actor codes against the gold ``countries``; the mean and micro.
- misses by reason (``miss_reasons``): how far the NLP got towards each missed gold event. Without a
  :class:`Reach` from the analyzer, the last three reasons are one, ``not_found``.
- how sure the figures are: a 95% interval for event F1 and status accuracy from the articles resampled with
  replacement (``INTERVAL_RESAMPLES`` times, a fixed seed), and in a cross-validation the event F1 of each fold.
  The interval is the figure's spread over other samples of articles like these; two versions scored on the
  same articles are compared more finely, article by article (``pipeline.eval_compare``).
- precision by confidence: per band of the events' confidence, how many predicted events are right, and from each
  band's lower edge up what a ``min_confidence`` keeps (events, precision, recall): what a confidence means.
- ``per_article`` (in ``--format json``): each article's event counts and statuses right, what ``--compare`` pairs.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import numpy as np

from pipeline.errors import GoldFileError, NlpError
from pipeline.models import Analysis, Event
from pipeline.nlp.errors import Errors

TYPES = ("agreement", "partnership", "programme", "cooperation")
STATUSES = ("planned", "negotiating", "signed", "launched", "held", "in_force", "ended")
_NAME_STOP = frozenset({"the", "a", "an", "of", "on", "for", "and", "to", "in", "with", "between", "its", "their"})
INTERVAL_RESAMPLES = 1000
CONFIDENCE_FLOORS = (0.0, 0.5, 0.7, 0.9)  # the lower edges of the confidence bands of precision_by_confidence


MISS_REASONS = {
    "second_event": "a second event of a (type, set) already found",
    "other_type": "its participant set found with another type",
    "rejected": "weighed by the event model and rejected",
    "under_floor": "a candidate set, no sentence scored over the floor",
    "no_candidate": "no candidate forms its participant set",
    "not_found": "not found (the analyzer gives no reach)",
}


class _Analyzer(Protocol):
    def analyse(self, text: str, published: date | None = None, title: str | None = None) -> Analysis: ...


@dataclass(frozen=True)
class Reach:
    """How far an analysis got in one article: the (type, participant set)s its event model weighed and the
    participant sets its candidates formed. It sorts the misses by reason."""

    weighed: frozenset[tuple[str, frozenset[str]]] = frozenset()
    candidate_sets: frozenset[frozenset[str]] = frozenset()


def miss_reason(gold: dict[str, Any], predicted: Sequence[Event], reach: Reach | None) -> str:
    """Why a gold event was missed (a key of :data:`MISS_REASONS`)."""
    codes = frozenset(gold["participants"])
    if any(e.type == gold["type"] and frozenset(e.participants) == codes for e in predicted):
        return "second_event"
    if any(frozenset(e.participants) == codes for e in predicted):
        return "other_type"
    if reach is None:
        return "not_found"
    if (gold["type"], codes) in reach.weighed:
        return "rejected"
    return "under_floor" if codes in reach.candidate_sets else "no_candidate"


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives, with P/R/F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


class ArticleScore(NamedTuple):
    """One article's event counts, matched events with the gold status and negation errors, and the fold that held
    it out."""

    article: str  # the gold article's id
    fold: int
    events: Counts
    status_right: int
    negated_gold: int = 0
    negated_as_positive: int = 0
    positive_as_negated: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Flat counts: what ``per_article`` of ``--format json`` holds and ``pactwatch eval --compare`` pairs."""
        return {"article": self.article, "fold": self.fold, "tp": self.events.tp, "fp": self.events.fp,
                "fn": self.events.fn, "status_right": self.status_right, "negated_gold": self.negated_gold,
                "negated_as_positive": self.negated_as_positive, "positive_as_negated": self.positive_as_negated}


def resampled(table: np.ndarray) -> np.ndarray:
    """Sums of the rows of ``table`` (one per article) over ``INTERVAL_RESAMPLES`` resamples of the articles with
    replacement, a fixed seed: the same articles drawn for every table of as many rows."""
    picks = np.random.default_rng(0).integers(0, len(table), (INTERVAL_RESAMPLES, len(table)))
    return table[picks].sum(axis=1)


def ratios(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, status_right: np.ndarray) -> dict[str, np.ndarray]:
    """Event precision, recall, F1 and status accuracy of summed counts, element-wise, as :class:`Counts` and
    :class:`EvalReport` define them (1.0 where nothing was there to count)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 1.0)
        recall = np.where(tp + fn > 0, tp / (tp + fn), 1.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
        status = np.where(tp > 0, status_right / tp, 1.0)
    return {"event_p": precision, "event_r": recall, "event_f1": f1, "status_accuracy": status}


@dataclass
class EvalReport:
    """The scores of one gold file (or of the held-out folds of a cross-validation), with every error."""

    gold_path: str
    gold_sha256: str
    actor_f1_sum: float = 0.0
    actors: Counts = field(default_factory=Counts)
    participants: Counts = field(default_factory=Counts)
    instruments_compared: int = 0
    instruments_matched: int = 0
    type_confusion: Counter = field(default_factory=Counter)  # (gold type, predicted type)
    status_confusion: Counter = field(default_factory=Counter)  # (gold status, predicted status)
    folds: int = 0  # > 0 for a cross-validation
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_alarms: list[dict[str, Any]] = field(default_factory=list)
    negation_errors: list[dict[str, Any]] = field(default_factory=list)
    status_errors: list[dict[str, Any]] = field(default_factory=list)
    actor_errors: list[dict[str, Any]] = field(default_factory=list)
    per_article: list[ArticleScore] = field(default_factory=list)  # the event figures are their sums
    confidences: list[tuple[float, bool]] = field(default_factory=list)  # each predicted event: confidence, right

    @property
    def articles(self) -> int:
        return len(self.per_article)

    @property
    def events(self) -> Counts:
        return sum((article.events for article in self.per_article), Counts())

    @property
    def status_right(self) -> int:
        return sum(article.status_right for article in self.per_article)

    @property
    def negated_gold(self) -> int:
        return sum(article.negated_gold for article in self.per_article)

    @property
    def negated_as_positive(self) -> int:
        return sum(article.negated_as_positive for article in self.per_article)

    @property
    def positive_as_negated(self) -> int:
        return sum(article.positive_as_negated for article in self.per_article)

    @property
    def actor_f1(self) -> float:
        return self.actor_f1_sum / self.articles if self.articles else 1.0

    @property
    def miss_reasons(self) -> Counter:
        """Missed gold events per reason (a key of :data:`MISS_REASONS`)."""
        return Counter(miss["reason"] for miss in self.misses)

    @property
    def status_accuracy(self) -> float:
        return self.status_right / self.events.tp if self.events.tp else 1.0

    @property
    def instrument_match(self) -> float:
        return self.instruments_matched / self.instruments_compared if self.instruments_compared else 1.0

    @property
    def event_f1_by_fold(self) -> list[float]:
        """The event F1 of each held-out fold (empty unless a cross-validation)."""
        if not self.folds:
            return []
        by_fold: dict[int, Counts] = {}
        for article in self.per_article:
            by_fold[article.fold] = by_fold.get(article.fold, Counts()) + article.events
        return [round(by_fold[fold].f1, 4) for fold in sorted(by_fold)]

    def intervals(self) -> dict[str, tuple[float, float]]:
        """95% intervals of event F1 and status accuracy, from the articles resampled with replacement."""
        if not self.per_article:
            return {}
        table = np.array([(a.events.tp, a.events.fp, a.events.fn, a.status_right) for a in self.per_article],
                         dtype=float)
        figures = ratios(*resampled(table).T)
        out = {}
        for name in ("event_f1", "status_accuracy"):
            low, high = np.quantile(figures[name], [0.025, 0.975])
            out[name] = (round(float(low), 4), round(float(high), 4))
        return out

    def precision_by_confidence(self) -> list[dict[str, Any]]:
        """Per confidence band: the predicted events in it and the share that are right (type and participants
        match a gold event); and from the band's lower edge up, what a ``min_confidence`` there keeps: events,
        precision and recall."""
        gold = self.events.tp + self.events.fn
        bands = []
        for low, high in zip(CONFIDENCE_FLOORS, (*CONFIDENCE_FLOORS[1:], 1.0), strict=True):
            inside = [right for confidence, right in self.confidences
                      if low <= confidence < high or (high == 1.0 and confidence == 1.0)]
            kept = [right for confidence, right in self.confidences if confidence >= low]
            bands.append({"from": low, "to": high, "events": len(inside), "right": sum(inside),
                          "precision": round(sum(inside) / len(inside), 4) if inside else None,
                          "at_least_events": len(kept),
                          "at_least_precision": round(sum(kept) / len(kept), 4) if kept else None,
                          "at_least_recall": round(sum(kept) / gold, 4) if gold else None})
        return bands

    def summary(self) -> dict[str, Any]:
        """The headline figures under stable keys (what floors and ``--format json`` use)."""
        return {
            "articles": self.articles,
            "folds": self.folds,
            "event_p": round(self.events.precision, 4),
            "event_r": round(self.events.recall, 4),
            "event_f1": round(self.events.f1, 4),
            "pair_p": round(self.participants.precision, 4),
            "pair_r": round(self.participants.recall, 4),
            "pair_f1": round(self.participants.f1, 4),
            "status_accuracy": round(self.status_accuracy, 4),
            "negated_gold": self.negated_gold,
            "negated_as_positive": self.negated_as_positive,
            "positive_as_negated": self.positive_as_negated,
            "instrument_match": round(self.instrument_match, 4),
            "actor_f1": round(self.actor_f1, 4),
        }

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (what ``pactwatch eval --format json`` prints)."""
        return {
            "gold": self.gold_path,
            "gold_sha256": self.gold_sha256,
            **self.summary(),
            "events": self.events.as_dict(),
            "pairs": self.participants.as_dict(),
            "actors_micro": self.actors.as_dict(),
            "instruments_compared": self.instruments_compared,
            "instruments_matched": self.instruments_matched,
            "type_confusion": _nested(self.type_confusion),
            "status_confusion": _nested(self.status_confusion),
            "miss_reasons": {reason: n for reason in MISS_REASONS if (n := self.miss_reasons[reason])},
            "intervals_95": {name: list(bounds) for name, bounds in self.intervals().items()},
            "event_f1_by_fold": self.event_f1_by_fold,
            "precision_by_confidence": self.precision_by_confidence(),
            "per_article": [article.as_dict() for article in self.per_article],
            "misses": self.misses,
            "false_alarms": self.false_alarms,
            "negation_errors": self.negation_errors,
            "status_errors": self.status_errors,
            "actor_errors": self.actor_errors,
        }


def _nested(confusion: Counter) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for (gold, predicted), count in sorted(confusion.items()):
        out.setdefault(gold, {})[predicted] = count
    return out


def load_gold(path: Path) -> list[dict[str, Any]]:
    """Read and check a gold file: a list of articles, each with ``text`` and well-formed ``events``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GoldFileError(Errors.E105.format(path=path, reason=exc)) from exc
    if not isinstance(data, list):
        raise GoldFileError(Errors.E105.format(path=path, reason="expected a list of objects, one per article"))
    for number, article in enumerate(data):
        problem = _article_problem(article)
        if problem:
            where = f"article {number} (id {article.get('id')!r})" if isinstance(article, dict) else f"article {number}"
            raise GoldFileError(Errors.E105.format(path=path, reason=f"{where}: {problem}"))
    return data


def _article_problem(article: Any) -> str | None:
    if not isinstance(article, dict) or not isinstance(article.get("text"), str):
        return "expected an object with a 'text' string"
    events = article.get("events") or []
    if not isinstance(events, list):
        return "'events' must be a list"
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            return f"event {index} is not an object"
        participants = event.get("participants")
        if not isinstance(participants, list) or not all(isinstance(p, str) for p in participants):
            return f"event {index} needs 'participants', a list of actor codes"
        if event.get("type") not in TYPES:
            return f"event {index} has an unknown type {event.get('type')!r}"
        if event.get("status") not in STATUSES:
            return f"event {index} has an unknown status {event.get('status')!r}"
    return None


def gold_hash(path: Path) -> str:
    """sha256 of the gold file's bytes (pinned by the floor tests' baselines)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def article_inputs(article: dict[str, Any]) -> tuple[str, date | None, str | None]:
    """``(text, published, title)`` of a gold article as the analyzer takes them ("[inferred]" titles dropped)."""
    value = article.get("published")
    try:
        published = date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        published = None
    title = article.get("title")
    title = None if not title or str(title).startswith("[inferred]") else str(title)
    return article.get("text") or "", published, title


def name_words(name: str | None) -> frozenset[str]:
    """An instrument name's words for comparison: folded, lower case, no articles or punctuation."""
    if not name:
        return frozenset()
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return frozenset(w for w in re.findall(r"[a-z0-9]+", folded) if w not in _NAME_STOP)


def same_name(gold: str | None, predicted: str | None) -> bool:
    """True when the predicted name has the gold name's words (Jaccard >= 0.5)."""
    a, b = name_words(gold), name_words(predicted)
    return bool(a and b) and len(a & b) / len(a | b) >= 0.5


def _brief(event: dict[str, Any] | Event, article: str) -> dict[str, Any]:
    if isinstance(event, Event):
        event = {"type": event.type, "status": event.status, "participants": list(event.participants),
                 "instrument": event.instrument, "negated": event.negated, "evidence": event.evidence}
    return {"article": article, **{k: event.get(k) for k in ("type", "status", "participants", "instrument",
                                                             "negated", "evidence")}}


def match(gold: Sequence[dict], predicted: Sequence[Event], with_type: bool = True) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs with the same participants (and type). Where several gold
    events share them, the instrument tells which is which: the pairing gives the most predictions the name of
    their gold event (an optimal assignment), else follows the order of both lists. Status and polarity never
    decide a match."""
    from scipy.optimize import linear_sum_assignment  # here, not at import: the analyzer imports this module

    groups: dict[tuple[str | None, frozenset[str]], tuple[list[int], list[int]]] = {}
    for gi, g in enumerate(gold):
        groups.setdefault((g["type"] if with_type else None, frozenset(g["participants"])), ([], []))[0].append(gi)
    for pi, p in enumerate(predicted):
        group = groups.get((p.type if with_type else None, frozenset(p.participants)))
        if group:
            group[1].append(pi)
    pairs: list[tuple[int, int]] = []
    for golds, preds in groups.values():
        if not preds:
            continue
        named = np.array([[same_name(gold[gi].get("instrument"), predicted[pi].instrument) for pi in preds]
                          for gi in golds], dtype=float)
        apart = np.subtract.outer(np.arange(len(golds)), np.arange(len(preds))) ** 2  # in order, when names agree
        rows, columns = linear_sum_assignment(apart * 1e-6 - named)
        pairs += [(golds[r], preds[c]) for r, c in zip(rows, columns, strict=True)]
    return sorted(pairs)


def _actor_codes(analysis: Analysis) -> set[str]:
    actors = getattr(analysis, "actors", None)  # an empty tuple means "no parties", not "unknown"
    return set(actors) if actors is not None else {m.code for m in analysis.entities if m.code}


def add_article(report: EvalReport, article: dict[str, Any], analysis: Analysis, reach: Reach | None = None,
                fold: int = 0) -> None:
    """Score one article's analysis into ``report`` (``reach``: how far it got, for the reasons of the misses;
    ``fold``: the cross-validation fold that held it out)."""
    ident = str(article.get("id"))
    predicted_codes, gold_codes = _actor_codes(analysis), set(article.get("countries") or [])
    counts = Counts(len(predicted_codes & gold_codes), len(predicted_codes - gold_codes),
                    len(gold_codes - predicted_codes))
    report.actors += counts
    report.actor_f1_sum += counts.f1 if gold_codes or predicted_codes else 1.0
    if counts.fp or counts.fn:
        report.actor_errors.append({"article": ident, "missing": sorted(gold_codes - predicted_codes),
                                    "extra": sorted(predicted_codes - gold_codes)})
    gold, predicted = list(article.get("events") or []), list(analysis.events)
    matched = match(gold, predicted)
    loose = match(gold, predicted, with_type=False)
    events = Counts(len(matched), len(predicted) - len(matched), len(gold) - len(matched))
    status_right = sum(gold[gi]["status"] == predicted[pi].status for gi, pi in matched)
    wrong_polarity = _negated_as_positive(gold, predicted, matched)
    positive_as_negated = sum(predicted[pi].negated and not gold[gi].get("negated") for gi, pi in matched)
    report.per_article.append(ArticleScore(ident, fold, events, status_right, sum(bool(g.get("negated")) for g in gold),
                                           len(wrong_polarity), positive_as_negated))
    report.negation_errors += [_brief(gold[gi], ident) for gi in wrong_polarity]
    report.participants += Counts(len(loose), len(predicted) - len(loose), len(gold) - len(loose))
    for gi, pi in loose:
        report.type_confusion[(gold[gi]["type"], predicted[pi].type)] += 1
    gold_hit, pred_hit = dict(matched), {pi for _, pi in matched}
    report.misses += [{**_brief(g, ident), "reason": miss_reason(g, predicted, reach)}
                      for gi, g in enumerate(gold) if gi not in gold_hit]
    report.false_alarms += [_brief(p, ident) for pi, p in enumerate(predicted) if pi not in pred_hit]
    report.confidences += [(p.confidence, pi in pred_hit) for pi, p in enumerate(predicted)]
    for gi, pi in matched:
        g, p = gold[gi], predicted[pi]
        report.status_confusion[(g["status"], p.status)] += 1
        if g["status"] != p.status:
            report.status_errors.append({**_brief(g, ident), "predicted_status": p.status})
        if g.get("instrument"):
            report.instruments_compared += 1
            report.instruments_matched += same_name(g["instrument"], p.instrument)


def _negated_as_positive(gold: Sequence[dict], predicted: Sequence[Event], matched: list[tuple[int, int]]) -> list[int]:
    """The negated gold events (indices) whose match says positive, or whose participants a positive prediction
    matched to no gold event names."""
    gold_hit, pred_hit = dict(matched), {pi for _, pi in matched}
    stray = [frozenset(p.participants) for pi, p in enumerate(predicted) if pi not in pred_hit and not p.negated]
    return [gi for gi, g in enumerate(gold) if g.get("negated") and (
        (gi in gold_hit and not predicted[gold_hit[gi]].negated) or frozenset(g["participants"]) in stray)]


def score(gold_path: Path, analyzer: _Analyzer) -> EvalReport:
    """Run ``analyzer`` over every article of a gold file and score it (see the module docstring); an analyzer
    with ``analyse_with_reach`` also says how far it got, for the reasons of the misses."""
    gold_path = Path(gold_path)
    articles = load_gold(gold_path)
    report = EvalReport(str(gold_path), gold_hash(gold_path))
    with_reach = getattr(analyzer, "analyse_with_reach", None)
    for article in articles:
        inputs = article_inputs(article)
        analysis, reach = with_reach(*inputs) if with_reach else (analyzer.analyse(*inputs), None)
        add_article(report, article, analysis, reach)
    return report


def render_table(report: EvalReport, verbose: bool = False) -> str:
    """A plain-text table of the scores and confusion tables; ``verbose`` lists every error too."""
    figures = report.summary()
    title = f"{report.folds}-fold cross-validation by article" if report.folds else "held-out scoring"
    rows = [
        ("articles", f"{report.articles} ({title})"),
        ("event P/R/F1 (type + participants)", _prf(report.events)),
        ("pair P/R/F1 (participants only)", _prf(report.participants)),
        ("status accuracy (matched events)", f"{report.status_accuracy:.3f} ({report.status_right}/"
                                             f"{report.events.tp})"),
        ("negated gold events", str(report.negated_gold)),
        ("negated reported as positive", f"{report.negated_as_positive}"),
        ("positive reported as negated", f"{report.positive_as_negated}"),
        ("instrument match (gold names)", f"{figures['instrument_match']:.3f} ({report.instruments_matched}/"
                                          f"{report.instruments_compared})"),
        ("actor F1 (mean per article)", f"{report.actor_f1:.3f}"),
        *_sureness(report),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    lines += ["", "type (rows: gold, columns: predicted; participant matches)"]
    lines += _confusion(report.type_confusion, TYPES)
    lines += ["", "status (rows: gold, columns: predicted; event matches)"]
    lines += _confusion(report.status_confusion, STATUSES)
    if report.confidences:
        lines += ["", "precision by confidence (events right: type and participants match; \"at least\": what a"
                      " min_confidence keeps)"]
        lines += _by_confidence(report.precision_by_confidence())
    reasons = report.miss_reasons
    if reasons:
        lines += ["", f"misses by reason ({report.events.fn})"]
        lines += [f"{reasons[reason]:>6}  {text}" for reason, text in MISS_REASONS.items() if reasons[reason]]
    if verbose:
        for heading, items in (("misses", report.misses), ("false alarms", report.false_alarms),
                               ("negated gold events reported as positive", report.negation_errors),
                               ("wrong status", report.status_errors)):
            lines.append(f"\n{heading} ({len(items)}):")
            lines += [_line(item) for item in items]
        lines.append(f"\nactor errors ({len(report.actor_errors)}):")
        lines += [f"  {e['article']}: missing {e['missing']} extra {e['extra']}" for e in report.actor_errors]
    return "\n".join(lines)


def _sureness(report: EvalReport) -> list[tuple[str, str]]:
    labels = {"event_f1": "event F1", "status_accuracy": "status accuracy"}
    rows = [(f"{labels[name]}, 95% interval", f"{low:.3f} to {high:.3f} (articles resampled)")
            for name, (low, high) in report.intervals().items()]
    if report.folds:
        rows.append(("event F1 by fold", "  ".join(f"{f1:.3f}" for f1 in report.event_f1_by_fold)))
    return rows


def _by_confidence(bands: list[dict[str, Any]]) -> list[str]:
    def share(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    lines = [f"{'confidence':<12} {'events':>7} {'right':>6} {'precision':>9}   {'at least':<8} {'events':>7} "
             f"{'precision':>9} {'recall':>7}"]
    for band in bands:
        lines.append(f"{band['from']:.2f}-{band['to']:.2f}    {band['events']:>7} {band['right']:>6} "
                     f"{share(band['precision']):>9}   {band['from']:<8.2f} {band['at_least_events']:>7} "
                     f"{share(band['at_least_precision']):>9} {share(band['at_least_recall']):>7}")
    return lines


def _confusion(confusion: Counter, labels: Sequence[str]) -> list[str]:
    width = max(len(label) for label in labels)
    head = " " * (width + 2) + " ".join(f"{label[:8]:>8}" for label in labels)
    rows = [head]
    for gold in labels:
        cells = " ".join(f"{confusion.get((gold, predicted), 0):>8}" for predicted in labels)
        rows.append(f"{gold:<{width}}  {cells}")
    return rows


def _prf(counts: Counts) -> str:
    return (f"{counts.precision:.3f} / {counts.recall:.3f} / {counts.f1:.3f}  "
            f"(tp {counts.tp}, fp {counts.fp}, fn {counts.fn})")


def _line(item: dict[str, Any]) -> str:
    flag = " NEGATED" if item.get("negated") else ""
    status = f"->{item['predicted_status']}" if item.get("predicted_status") else ""
    reason = f" ({MISS_REASONS[item['reason']]})" if item.get("reason") else ""
    evidence = (item.get("evidence") or "").replace("\n", " ")
    if len(evidence) > 110:
        evidence = evidence[:107] + "..."
    return (f"  {item['article']}: {item['type']}/{item['status']}{status}{flag} {'+'.join(item['participants'])}"
            f" [{item.get('instrument')}]{reason} :: {evidence}")


FLOOR_METRICS = ("event_f1", "event_p", "event_r", "pair_f1", "status_accuracy", "instrument_match", "actor_f1")


def floors_of(report: EvalReport) -> dict[str, float]:
    """The report's figures under the names the baseline pins (rounded down to 3 decimals)."""
    figures = report.summary()
    return {name: int(figures[name] * 1000) / 1000 for name in FLOOR_METRICS}


def check_floors(report: EvalReport, baseline: dict[str, Any]) -> list[str]:
    """Every way ``report`` falls short of ``baseline`` (floors, negated-as-positive cap, the gold hash)."""
    problems = []
    if baseline.get("gold_sha256") and baseline["gold_sha256"] != report.gold_sha256:
        problems.append(Errors.E106.format(path=report.gold_path, actual=report.gold_sha256,
                                           expected=baseline["gold_sha256"]))
    got = floors_of(report)
    for name, floor in baseline.get("floors", {}).items():
        if got.get(name, 0.0) < floor:
            problems.append(f"{name} {got.get(name, 0.0):.3f} is below its floor {floor:.3f}")
    if report.negated_as_positive > baseline.get("max_negated_as_positive", 0):
        problems.append(f"{report.negated_as_positive} negated gold events reported as positive")
    return problems


def pin_baseline(report: EvalReport, path: Path, *, allow_lower: bool = False) -> dict[str, Any]:
    """Write the report's figures as the new floors; lowering any floor needs ``allow_lower``."""
    path = Path(path)
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    new = floors_of(report)
    lowered = [n for n, v in old.get("floors", {}).items() if new.get(n, 0.0) < v]
    if lowered and not allow_lower:
        raise NlpError(f"refusing to lower the floors of {', '.join(lowered)} without allow_lower")
    baseline = {
        "gold": old.get("gold", report.gold_path),
        "gold_sha256": report.gold_sha256,
        "floors": new,
        "max_negated_as_positive": old.get("max_negated_as_positive", 0),
    }
    path.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")
    return baseline


__all__ = [
    "MISS_REASONS",
    "Counts",
    "EvalReport",
    "Reach",
    "add_article",
    "article_inputs",
    "check_floors",
    "floors_of",
    "gold_hash",
    "load_gold",
    "match",
    "miss_reason",
    "name_words",
    "pin_baseline",
    "ratios",
    "render_table",
    "resampled",
    "same_name",
    "score",
]
