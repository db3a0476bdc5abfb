"""Scoring the NLP against a gold file (``shared/eval/SCHEMA.md``) for ``pactwatch eval`` and the floor test.

Metrics (issue 4):

- actor F1: per article, F1 of the predicted set of actor codes against the gold ``countries``; the mean
  over articles (``actor_f1``), plus micro-averaged P/R/F1.
- events: one-to-one matching within each article; a match has the same type and the same participant
  set. Precision, recall and F1 over all articles; the same with participants only.
- negated gold events reported as positive: a gold event with ``negated`` true whose matched prediction
  (or, unmatched, any prediction with the same participants) says ``negated`` false. Must be 0.
- instrument match rate: among matched events whose gold instrument is not null, the share whose
  predicted instrument has the same key (:func:`pipeline.nlp.instruments.instrument_key`) or shares
  at least half of its words.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from pipeline.errors import GoldFileError, NlpError
from pipeline.models import Analysis, Event
from pipeline.nlp.errors import Errors
from pipeline.nlp.instruments import instrument_key


class _Analyzer(Protocol):
    def analyse(self, text: str, published: date | None = None, title: str | None = None) -> Analysis: ...


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


@dataclass
class EvalReport:
    """The scores of one gold file, with every miss and false alarm for ``--verbose``."""

    gold_path: str
    gold_sha256: str
    articles: int
    actor_f1: float
    actors: Counts
    events: Counts
    participants: Counts
    negated_gold: int
    negated_as_positive: int
    instruments_compared: int
    instruments_matched: int
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_alarms: list[dict[str, Any]] = field(default_factory=list)
    negation_errors: list[dict[str, Any]] = field(default_factory=list)
    actor_errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def instrument_match_rate(self) -> float:
        return self.instruments_matched / self.instruments_compared if self.instruments_compared else 1.0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (what ``pactwatch eval --format json`` prints)."""
        return {
            "gold": self.gold_path,
            "gold_sha256": self.gold_sha256,
            "articles": self.articles,
            "actor_f1": round(self.actor_f1, 4),
            "actors_micro": self.actors.as_dict(),
            "events": self.events.as_dict(),
            "participants_only": self.participants.as_dict(),
            "negated_gold": self.negated_gold,
            "negated_as_positive": self.negated_as_positive,
            "instrument_match_rate": round(self.instrument_match_rate, 4),
            "instruments_compared": self.instruments_compared,
            "instruments_matched": self.instruments_matched,
            "misses": self.misses,
            "false_alarms": self.false_alarms,
            "negation_errors": self.negation_errors,
            "actor_errors": self.actor_errors,
        }


def load_gold(path: Path) -> list[dict[str, Any]]:
    """Read and check a gold file: a list of articles with ``text`` and well-formed ``events``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GoldFileError(Errors.E105.format(path=path, reason=exc)) from exc
    if not isinstance(data, list) or not all(isinstance(a, dict) and "text" in a for a in data):
        raise GoldFileError(Errors.E105.format(path=path, reason="expected a list of objects with 'text'"))
    for number, article in enumerate(data):
        problem = _event_problem(article.get("events"))
        if problem:
            where = f"article {number} (id {article.get('id')!r})"
            raise GoldFileError(Errors.E105.format(path=path, reason=f"{where}: {problem}"))
    return data


def _event_problem(events: Any) -> str | None:
    """Why an article's ``events`` do not follow the schema, or None."""
    if events is None:
        return None
    if not isinstance(events, list):
        return "'events' must be a list"
    for index, event in enumerate(events):
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return f"event {index} needs a 'type' string"
        participants = event.get("participants")
        if not isinstance(participants, list) or not all(isinstance(p, str) for p in participants):
            return f"event {index} needs 'participants', a list of actor codes"
    return None


def gold_hash(path: Path) -> str:
    """sha256 of the gold file's bytes (pinned by the floor test's baseline)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _published(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _title(value: str | None) -> str | None:
    return None if not value or value.startswith("[inferred]") else value


def _instrument_ok(gold: str | None, predicted: str | None, participants: tuple[str, ...]) -> bool:
    if not predicted:
        return False
    a, b = instrument_key(gold, participants), instrument_key(predicted, participants)
    if a == b:
        return True
    wa, wb = set(a.split()), set(b.split())
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= 0.5


def _brief(event: dict[str, Any] | Event, article: str) -> dict[str, Any]:
    if isinstance(event, Event):
        event = {"type": event.type, "status": event.status, "participants": list(event.participants),
                 "instrument": event.instrument, "negated": event.negated, "evidence": event.evidence}
    return {"article": article, **{k: event.get(k) for k in ("type", "status", "participants", "instrument",
                                                             "negated", "evidence")}}


def _match(gold: list[dict], predicted: list[Event], with_type: bool) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for gi, g in enumerate(gold):
        want = (g["type"] if with_type else None, frozenset(g["participants"]))
        options = [
            pi for pi, p in enumerate(predicted)
            if pi not in used and (p.type if with_type else None, frozenset(p.participants)) == want
        ]
        if not options:
            continue
        keys = (tuple(sorted(g["participants"])))
        best = max(options, key=lambda pi: (predicted[pi].negated == bool(g.get("negated")),
                                            _instrument_ok(g.get("instrument"), predicted[pi].instrument, keys)))
        used.add(best)
        pairs.append((gi, best))
    return pairs


def score(gold_path: Path, analyzer: _Analyzer) -> EvalReport:
    """Run ``analyzer`` over every gold article and score it (see the module docstring)."""
    gold_path = Path(gold_path)
    articles = load_gold(gold_path)
    actor_sum, actors, events, participants = 0.0, Counts(), Counts(), Counts()
    report = EvalReport(str(gold_path), gold_hash(gold_path), len(articles), 0.0, Counts(), Counts(), Counts(),
                        0, 0, 0, 0)
    for article in articles:
        ident = str(article.get("id"))
        analysis = analyzer.analyse(article.get("text") or "", _published(article.get("published")),
                                    _title(article.get("title")))
        actors_of = getattr(analysis, "actors", None)  # an empty tuple means "no parties", not "unknown"
        predicted_codes = set(actors_of) if actors_of is not None else {m.code for m in analysis.entities if m.code}
        gold_codes = set(article.get("countries") or [])
        counts = Counts(len(predicted_codes & gold_codes), len(predicted_codes - gold_codes),
                        len(gold_codes - predicted_codes))
        actors += counts
        actor_sum += counts.f1 if gold_codes or predicted_codes else 1.0
        if counts.fp or counts.fn:
            report.actor_errors.append({"article": ident, "missing": sorted(gold_codes - predicted_codes),
                                        "extra": sorted(predicted_codes - gold_codes)})
        gold = list(article.get("events") or [])
        predicted = list(analysis.events)
        matched = _match(gold, predicted, with_type=True)
        events += Counts(len(matched), len(predicted) - len(matched), len(gold) - len(matched))
        loose = _match(gold, predicted, with_type=False)
        participants += Counts(len(loose), len(predicted) - len(loose), len(gold) - len(loose))
        gold_hit = {gi for gi, _ in matched}
        pred_hit = {pi for _, pi in matched}
        report.misses += [_brief(g, ident) for gi, g in enumerate(gold) if gi not in gold_hit]
        report.false_alarms += [_brief(p, ident) for pi, p in enumerate(predicted) if pi not in pred_hit]
        by_gold = dict(matched)
        for gi, g in enumerate(gold):
            if g.get("negated"):
                report.negated_gold += 1
                codes = frozenset(g["participants"])
                if gi in by_gold:
                    wrong = not predicted[by_gold[gi]].negated
                else:
                    wrong = any(not p.negated and frozenset(p.participants) == codes for p in predicted)
                if wrong:
                    report.negated_as_positive += 1
                    report.negation_errors.append(_brief(g, ident))
            if gi in by_gold and g.get("instrument"):
                report.instruments_compared += 1
                p = predicted[by_gold[gi]]
                report.instruments_matched += _instrument_ok(g["instrument"], p.instrument, p.participants)
    report.actor_f1 = actor_sum / len(articles) if articles else 1.0
    report.actors, report.events, report.participants = actors, events, participants
    return report


def render_table(report: EvalReport, verbose: bool = False) -> str:
    """A plain-text table of the scores; with ``verbose``, every miss, false alarm and negation error."""
    rows = [
        ("articles", str(report.articles)),
        ("actor F1 (mean per article)", f"{report.actor_f1:.3f}"),
        ("actor P/R/F1 (micro)", _prf(report.actors)),
        ("event P/R/F1 (type + participants)", _prf(report.events)),
        ("participants-only P/R/F1", _prf(report.participants)),
        ("negated gold events", str(report.negated_gold)),
        ("negated reported as positive", str(report.negated_as_positive)),
        ("instrument match rate", f"{report.instrument_match_rate:.3f} ({report.instruments_matched}/"
                                  f"{report.instruments_compared})"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    if verbose:
        for title, items in (("misses", report.misses), ("false alarms", report.false_alarms),
                             ("negated gold events reported as positive", report.negation_errors)):
            lines.append(f"\n{title} ({len(items)}):")
            lines += [_line(item) for item in items]
        lines.append(f"\nactor errors ({len(report.actor_errors)}):")
        lines += [f"  {e['article']}: missing {e['missing']} extra {e['extra']}" for e in report.actor_errors]
    return "\n".join(lines)


def _prf(counts: Counts) -> str:
    return (f"{counts.precision:.3f} / {counts.recall:.3f} / {counts.f1:.3f}  "
            f"(tp {counts.tp}, fp {counts.fp}, fn {counts.fn})")


def _line(item: dict[str, Any]) -> str:
    flag = " NEGATED" if item.get("negated") else ""
    evidence = (item.get("evidence") or "").replace("\n", " ")
    if len(evidence) > 110:
        evidence = evidence[:107] + "..."
    return (f"  {item['article']}: {item['type']}/{item['status']}{flag} {'+'.join(item['participants'])}"
            f" [{item.get('instrument')}] :: {evidence}")





FLOOR_METRICS = ("actor_f1", "event_f1", "event_precision", "event_recall", "participants_f1", "instrument_match_rate")


def floors_of(report: EvalReport) -> dict[str, float]:
    """The report's figures under the names the baseline pins (rounded down to 3 decimals)."""
    values = {
        "actor_f1": report.actor_f1,
        "event_f1": report.events.f1,
        "event_precision": report.events.precision,
        "event_recall": report.events.recall,
        "participants_f1": report.participants.f1,
        "instrument_match_rate": report.instrument_match_rate,
    }
    return {name: int(value * 1000) / 1000 for name, value in values.items()}


def check_floors(report: EvalReport, baseline: dict[str, Any]) -> list[str]:
    """Every way ``report`` falls short of ``baseline`` (floors, zero negated-as-positive, the gold hash)."""
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
        "max_negated_as_positive": 0,
    }
    path.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")
    return baseline


__all__ = [
    "Counts",
    "EvalReport",
    "check_floors",
    "floors_of",
    "gold_hash",
    "load_gold",
    "pin_baseline",
    "render_table",
    "score",
]
