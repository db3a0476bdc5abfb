"""Two scorings of one gold file compared article by article, for ``pactwatch eval --compare``.

The earlier scoring is a ``pactwatch eval --format json`` report of the same gold file, scored the same way (held
out, or cross-validated with as many folds). Each figure's change gets a 95% interval from the articles resampled
with replacement, one sample for both scorings (a paired bootstrap). What both scorings get right or wrong alike
cancels out, so a change can be measured where the two scorings' own intervals overlap. An interval that holds 0
is no measured change.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.errors import ReportFileError
from pipeline.evaluate import EvalReport, ratios, resampled
from pipeline.nlp.errors import Errors

FIGURES = {"event_p": "event precision", "event_r": "event recall", "event_f1": "event F1",
           "status_accuracy": "status accuracy", "negated_as_positive": "negated as positive",
           "positive_as_negated": "positive as negated"}
COUNTED = frozenset({"negated_as_positive", "positive_as_negated"})  # counts of errors: fewer is better
_COUNTS = ("tp", "fp", "fn", "status_right", "negated_as_positive", "positive_as_negated")
DIRECTIONS = ("better", "worse", "even")


@dataclass(frozen=True)
class Change:
    """One figure before and now, with the 95% interval of the change."""

    figure: str  # a key of FIGURES
    before: float
    now: float
    low: float
    high: float

    @property
    def change(self) -> float:
        return self.now - self.before

    @property
    def verdict(self) -> str:
        if self.low <= 0 <= self.high:
            return "no measured change"
        return "better" if (self.low > 0) != (self.figure in COUNTED) else "worse"


@dataclass(frozen=True)
class ArticleChange:
    """An article scored differently: its counts (``_COUNTS``) before and now."""

    article: str
    before: tuple[int, ...]
    now: tuple[int, ...]

    @property
    def direction(self) -> str:
        """``better``: fewer event errors (false and missed events); as many and more statuses right; or as many
        of those and fewer negation errors. ``worse`` the converse; ``even``: as good, with other errors."""
        before, now = _goodness(self.before), _goodness(self.now)
        return "better" if now > before else "worse" if now < before else "even"


def _goodness(counts: tuple[int, ...]) -> tuple[int, int, int]:
    _, fp, fn, status_right, negated_as_positive, positive_as_negated = counts
    return -(fp + fn), status_right, -(negated_as_positive + positive_as_negated)


@dataclass(frozen=True)
class Comparison:
    """A scoring set beside an earlier one: the change of each figure, and the articles scored differently."""

    before_path: str
    articles: int
    folds: int
    changes: list[Change]
    changed: list[ArticleChange]

    def as_dict(self) -> dict[str, Any]:
        """The JSON view (the ``comparison`` key of ``pactwatch eval --compare ... --format json``)."""
        return {
            "before": self.before_path,
            "articles": self.articles,
            "figures": {c.figure: {"before": round(c.before, 4), "now": round(c.now, 4), "change": round(c.change, 4),
                                   "interval_95": [round(c.low, 4), round(c.high, 4)], "verdict": c.verdict}
                        for c in self.changes},
            **{f"articles_{direction}": [_article_dict(a) for a in self.changed if a.direction == direction]
               for direction in DIRECTIONS},
        }


def _article_dict(change: ArticleChange) -> dict[str, Any]:
    return {"article": change.article, "before": dict(zip(_COUNTS, change.before, strict=True)),
            "now": dict(zip(_COUNTS, change.now, strict=True))}


def load_report(path: Path, gold_sha256: str, folds: int) -> dict[str, Any]:
    """Read an earlier ``--format json`` report and check it scored the same gold file the same way (and has the
    per-article counts of this pactwatch)."""
    def refuse(reason: str) -> ReportFileError:
        return ReportFileError(Errors.E111.format(path=path, reason=reason))

    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise refuse(f"not a JSON report ({exc})") from exc
    if not isinstance(report, dict) or not isinstance(report.get("per_article"), list):
        raise refuse("it has no 'per_article' scores (write it with pactwatch eval --format json)")
    if report.get("gold_sha256") != gold_sha256:
        raise refuse(f"it scored another gold file (sha256 {str(report.get('gold_sha256'))[:12]}..., this one "
                     f"{gold_sha256[:12]}...)")
    if report.get("folds", 0) != folds:
        raise refuse(f"it was scored {_how(report.get('folds', 0))}, this scoring {_how(folds)}")
    for row in report["per_article"]:
        if not isinstance(row, dict) or not all(isinstance(row.get(key), int) for key in _COUNTS):
            raise refuse(f"a per-article score is not {{'article', {', '.join(map(repr, _COUNTS))}}}: {row!r}")
    return report


def _how(folds: int) -> str:
    return f"by {folds}-fold cross-validation" if folds else "held out (no --cv)"


def compare(before: dict[str, Any], now: EvalReport, before_path: str = "") -> Comparison:
    """``now`` against an earlier report of the same articles (see :func:`load_report`), article by article."""
    earlier = _by_article(before["per_article"], before_path)
    later = _by_article([article.as_dict() for article in now.per_article], "this scoring")
    if earlier.keys() != later.keys():
        only_before, only_now = len(earlier.keys() - later.keys()), len(later.keys() - earlier.keys())
        raise ReportFileError(Errors.E111.format(
            path=before_path, reason=f"its articles differ ({only_before} only there, {only_now} only here)"))
    names = sorted(later)
    table_before = np.array([earlier[name] for name in names], dtype=float).reshape(-1, len(_COUNTS))
    table_now = np.array([later[name] for name in names], dtype=float).reshape(-1, len(_COUNTS))
    sampled_before, sampled_now = _figures(resampled(table_before)), _figures(resampled(table_now))
    point_before, point_now = _figures(table_before.sum(axis=0)), _figures(table_now.sum(axis=0))
    changes = []
    for figure in FIGURES:
        low, high = np.quantile(sampled_now[figure] - sampled_before[figure], [0.025, 0.975])
        changes.append(Change(figure, float(point_before[figure]), float(point_now[figure]), float(low),
                              float(high)))
    changed = [ArticleChange(name, earlier[name], later[name]) for name in names if earlier[name] != later[name]]
    return Comparison(before_path, len(names), now.folds, changes, changed)


def _by_article(rows: Sequence[dict[str, Any]], where: str) -> dict[str, tuple[int, ...]]:
    """Each article's ``_COUNTS`` by its id, from ``per_article`` rows."""
    scores: dict[str, tuple[int, ...]] = {}
    for row in rows:
        article = str(row.get("article"))
        if article in scores:
            raise ReportFileError(Errors.E111.format(
                path=where, reason=f"article id {article!r} repeats: pairing needs one id per article"))
        scores[article] = tuple(row[key] for key in _COUNTS)
    return scores


def _figures(counts: np.ndarray) -> dict[str, np.ndarray]:
    """The figures of summed ``_COUNTS`` along the last axis (as :class:`Counts` and the report define them)."""
    tp, fp, fn, right, negated_as_positive, positive_as_negated = np.moveaxis(counts, -1, 0)
    return {**ratios(tp, fp, fn, right), "negated_as_positive": negated_as_positive,
            "positive_as_negated": positive_as_negated}


def render_comparison(comparison: Comparison, verbose: bool = False) -> str:
    """The figures before and now with the intervals of their changes; ``verbose`` lists the changed articles."""
    by_direction = {d: [a for a in comparison.changed if a.direction == d] for d in DIRECTIONS}
    lines = [f"compared with {comparison.before_path}: the same {comparison.articles} articles, "
             f"scored {_how(comparison.folds)}",
             f"{'figure':<20} {'before':>7} {'now':>7} {'change':>7}  95% interval of the change (paired)"]
    for c in comparison.changes:
        form = ".0f" if c.figure in COUNTED else ".3f"
        lines.append(f"{FIGURES[c.figure]:<20} {c.before:>7{form}} {c.now:>7{form}} {c.change:>+7{form}}  "
                     f"{c.low:+{form}} to {c.high:+{form}}  {c.verdict}")
    lines.append(f"articles: {len(by_direction['better'])} better, {len(by_direction['worse'])} worse, "
                 f"{len(by_direction['even'])} with as many errors but other ones, "
                 f"{comparison.articles - len(comparison.changed)} the same (errors: false and missed events)")
    if verbose:
        for direction, items in by_direction.items():
            lines.append(f"\narticles scored {direction} ({len(items)}):")
            lines += [f"  {a.article}: " + ", ".join(f"{key} {b} -> {n}" for key, b, n in
                                                     zip(_COUNTS, a.before, a.now, strict=True) if b != n)
                      for a in items]
    return "\n".join(lines)


__all__ = ["COUNTED", "DIRECTIONS", "FIGURES", "ArticleChange", "Change", "Comparison", "compare", "load_report",
           "render_comparison"]
