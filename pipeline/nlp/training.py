"""Training the event model from gold files, and cross-validating it by article.

:func:`prepare` reads each gold article once (views, candidate rows and their features, the gold events'
evidence sentences and their other tellings); :func:`fit` trains the five models of :mod:`pipeline.nlp.model`
with scikit-learn's logistic regression (lbfgs, fixed settings: the same data gives the same weights);
:func:`cross_validate` holds out every article exactly once; :func:`train` writes ``models/event_model/`` with
the data's hash, the extractor version and the cross-validated figures.

Sentence labels: a candidate (sentence, set) is positive for a type when a gold event of that type and set has
this sentence as its evidence. A sentence that repeats a gold event told elsewhere is left out of that type's
training (neither positive nor negative): annotators give one evidence sentence per event. The status model
learns from those other tellings too, with less weight (``TELLING_WEIGHT``): at prediction time an event's
evidence may be one of them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.evaluate import EvalReport, add_article, article_inputs, gold_hash, load_gold
from pipeline.models import Analysis
from pipeline.nlp import EXTRACTOR_VERSION
from pipeline.nlp.article import ArticleView
from pipeline.nlp.candidates import candidates
from pipeline.nlp.errors import Errors
from pipeline.nlp.features import (
    TYPES,
    Features,
    candidate_features,
    event_features,
    evidence_features,
    outcome_features,
    sentence_words,
    status_features,
)
from pipeline.nlp.model import FORMAT, MODEL_DIR, PARTS, STATUSES, EventModel, Linear, Thresholds

INNER_FOLDS = 3  # folds that give the event model out-of-fold sentence scores to learn from
STATUS_C = 0.5  # the status model's regularisation, chosen by cross-validation (2.0: status 0.560, 0.5: 0.567)
TELLING_WEIGHT = 0.2  # the weight, in the status model, of an event's other tellings (see _other_tellings)
MIN_ROWS = 3  # a feature seen in fewer training rows is left out
TOLERANCE = 1e-6  # lbfgs stops here; at scikit-learn's 1e-4 it stopped with weights up to 0.18 from the optimum
_PRUNE = 1e-4  # weights smaller than this are left out of model.json
_DIGITS = 5


@dataclass(frozen=True)
class Row:
    """One candidate (sentence, set) with its features and gold types."""

    position: int
    codes: frozenset[str]
    features: Features
    evidence_types: frozenset[str]  # gold types of this set whose evidence is this sentence
    article_types: frozenset[str]  # gold types of this set anywhere in the article


@dataclass(frozen=True)
class Outcome:
    """A sentence that tells a gold event, as the status and negation models read it: the gold evidence sentence,
    or (``evidence`` False) another telling, which only the status model learns from, with less weight."""

    status_features: Features
    negation_features: Features
    status: str
    negated: bool
    evidence: bool = True


@dataclass
class Prepared:
    """A gold article read once: its view, candidate rows and gold outcomes."""

    group: str  # the article's identity for cross-validation (source file and id)
    article: dict[str, Any]
    view: ArticleView
    rows: list[Row] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)


def _squash(text: str) -> str:
    return " ".join(text.split())


def evidence_position(view: ArticleView, evidence: str) -> int | None:
    """The position of the sentence that holds a gold event's evidence, or None.

    An event without evidence is placed at the article's first sentence, its headline, where news states its
    event. Our own gold file gives no evidence for 211 of its 258 events. Placing them nowhere instead leaves
    cross-validation on train.json as it is, but lowers dev precision (0.865 -> 0.846) and status (0.812 -> 0.727)
    and reports a negated event as positive (models/README.md)."""
    wanted = _squash(evidence)
    if not wanted:
        return next((s.position for s in view.sentences if len(_squash(s.text)) >= 12), None)
    for sentence in view.sentences:
        text = _squash(sentence.text)
        if len(text) >= 12 and (wanted[:60] in text or text[:60] in wanted):
            return sentence.position
    return None


def prepare(analyzer: Any, articles: Sequence[dict[str, Any]], source: str = "",
            progress: Callable[[int, int], None] | None = None) -> list[Prepared]:
    """Read gold ``articles`` with ``analyzer`` (an :class:`Analyzer`, model or not) into training material."""
    items = [(number, *article_inputs(article)) for number, article in enumerate(articles)]
    prepared: list[Prepared] = []
    for number, view in analyzer.views(items):
        article = articles[number]
        item = Prepared(f"{source}#{article.get('id', number)}", article, view)
        _read_gold(item, analyzer)
        prepared.append(item)
        if progress:
            progress(len(prepared), len(articles))
    return prepared


def _read_gold(item: Prepared, analyzer: Any) -> None:
    view, events = item.view, item.article.get("events") or []
    at: dict[tuple[int, frozenset[str]], set[str]] = {}
    anywhere: dict[frozenset[str], set[str]] = {}
    told: list[tuple[dict[str, Any], int]] = []
    for event in events:
        codes = frozenset(event["participants"])
        anywhere.setdefault(codes, set()).add(event["type"])
        position = evidence_position(view, event.get("evidence") or "")
        if position is not None:
            at.setdefault((position, codes), set()).add(event["type"])
            told.append((event, position))
    for sentence in view.sentences:
        if sentence.doc is None:
            continue
        words = sentence_words(sentence.doc)
        for codes, origins in candidates(view, sentence).items():
            features = candidate_features(view, sentence, codes, origins, analyzer.lex, words, analyzer.kinds)
            item.rows.append(Row(sentence.position, codes, features,
                                 frozenset(at.get((sentence.position, codes), ())),
                                 frozenset(anywhere.get(codes, ()))))
    for event, position in told:
        item.outcomes.append(_outcome(view, position, event, analyzer.lex, evidence=True))
        item.outcomes += [_outcome(view, other, event, analyzer.lex, evidence=False)
                          for other in _other_tellings(item.rows, event, position)]


def _other_tellings(rows: Sequence[Row], event: dict[str, Any], position: int) -> list[int]:
    """The other sentences that tell a gold event: its set as a candidate, with a trigger of its type tied to
    the set or the rule reader's event of its type there. The event's evidence sentence may be one of these at
    prediction time, so the status model learns what they say of the status too (CV status 0.576 -> 0.584)."""
    codes, cues = frozenset(event["participants"]), ("a_conn=" + event["type"], "rule_t=" + event["type"])
    return sorted({row.position for row in rows if row.codes == codes and row.position != position
                   and any(cue in row.features for cue in cues)})


def _outcome(view: ArticleView, position: int, event: dict[str, Any], lex: Any, evidence: bool) -> Outcome:
    sentence, codes, type_ = view.sentences[position], frozenset(event["participants"]), event["type"]
    outcome = outcome_features(view, sentence, codes, type_, lex)
    return Outcome(status_features(view, sentence, codes, type_, lex, outcome), outcome, event["status"],
                   bool(event.get("negated")), evidence)


def _vectorizer(feature_dicts: list[Features]):
    """A vectorizer over the features seen in at least ``MIN_ROWS`` rows (rarer ones are noise, and weight), and
    the rows as a matrix."""
    from sklearn.feature_extraction import DictVectorizer

    seen = Counter(name for features in feature_dicts for name in features)
    vectorizer = DictVectorizer()
    vectorizer.fit([{name: 1.0 for name, n in seen.items() if n >= MIN_ROWS}])
    return vectorizer, vectorizer.transform(feature_dicts)


def _logistic(c: float, balanced: bool = False):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=5000, tol=TOLERANCE, class_weight="balanced" if balanced else None)


def _linear(names: Sequence[str], coefs: list[Sequence[float]], biases: list[float], labels: Sequence[str],
            softmax: bool = False) -> Linear:
    """Per-label weight rows (``coefs``, aligned with ``names``) as one :class:`Linear`, tiny weights left out."""
    weights = {}
    for index, name in enumerate(names):
        row = tuple(round(float(c[index]), _DIGITS) for c in coefs)
        if any(abs(w) >= _PRUNE for w in row):
            weights[name] = row
    return Linear(tuple(labels), weights, tuple(round(float(b), _DIGITS) for b in biases), softmax)


def fit_sentence_model(prepared: Sequence[Prepared], c: float = 0.5) -> Linear:
    """One logistic model per type over the candidate rows (ambiguous rows left out per type)."""
    rows = [row for item in prepared for row in item.rows]
    vectorizer, matrix = _vectorizer([row.features for row in rows])
    coefs, biases = [], []
    for type_ in TYPES:
        keep = [i for i, row in enumerate(rows) if not (type_ in row.article_types and type_ not in
                                                         row.evidence_types)]
        labels = [type_ in rows[i].evidence_types for i in keep]
        if not any(labels) or all(labels):
            coefs.append([0.0] * matrix.shape[1])
            biases.append(-5.0 if not any(labels) else 5.0)
            continue
        model = _logistic(c).fit(matrix[keep], labels)
        coefs.append(model.coef_[0])
        biases.append(model.intercept_[0])
    return _linear(vectorizer.feature_names_, coefs, biases, TYPES)


def fit_evidence_model(prepared: Sequence[Prepared], c: float = 0.5) -> Linear:
    """Which sentence of an article tells its event the way annotators quote it: over the candidate rows of sets
    that have a gold event, the rows of the gold evidence sentence against the others."""
    rows = [row for item in prepared for row in item.rows if row.article_types]
    return _binary([evidence_features(row.features) for row in rows], [bool(row.evidence_types) for row in rows], c)


def _scored(item: Prepared, sentence_model: Linear, floor: float) -> dict:
    scored: dict[tuple[str, frozenset[str]], list[float]] = {}
    for row in item.rows:
        for type_, score in zip(TYPES, sentence_model.scores(row.features), strict=True):
            if score >= floor:
                scored.setdefault((type_, row.codes), []).append(score)
    for key in [(e.type, frozenset(e.participants)) for e in item.view.rule_events]:
        scored.setdefault(key, [])
    return {key: sorted(scores, reverse=True) for key, scores in scored.items()}


def _event_rows(item: Prepared, sentence_model: Linear, floor: float, lex: Any) -> list[tuple[Features, bool]]:
    gold = {(e["type"], frozenset(e["participants"])) for e in item.article.get("events") or []}
    scored = _scored(item, sentence_model, floor)
    rows = []
    for (type_, codes), scores in scored.items():
        others = max((s[0] for (t, c), s in scored.items() if c == codes and t != type_ and s), default=0.0)
        rows.append((event_features(item.view, type_, codes, scores, others, lex), (type_, codes) in gold))
    return rows


def _hash_order(prepared: Sequence[Prepared], salt: str = "") -> list[int]:
    """The articles' indexes ordered by a hash of ``salt`` and each article's identity: the same every run."""
    return sorted(range(len(prepared)), key=lambda i: hashlib.sha256(f"{salt}{prepared[i].group}".encode()).hexdigest())


def folds_of(prepared: Sequence[Prepared], k: int) -> list[int]:
    """A fold number per article, by a hash of its identity: each article in exactly one fold, and the same
    article always in the same fold."""
    folds = [0] * len(prepared)
    for rank, index in enumerate(_hash_order(prepared)):
        folds[index] = rank % k
    return folds


def fit(prepared: Sequence[Prepared], lex: Any, thresholds: Thresholds | None = None) -> EventModel:
    """Train the five models on ``prepared`` articles."""
    thresholds = thresholds or Thresholds()
    if not any(item.outcomes for item in prepared):
        raise ValueError(Errors.E110.format(reason="no gold event was found in its article's sentences"))
    sentence_model = fit_sentence_model(prepared)
    event_rows: list[tuple[Features, bool]] = []
    folds = folds_of(prepared, INNER_FOLDS)
    for fold in range(INNER_FOLDS):
        inner = fit_sentence_model([p for p, f in zip(prepared, folds, strict=True) if f != fold])
        for item, f in zip(prepared, folds, strict=True):
            if f == fold:
                event_rows += _event_rows(item, inner, thresholds.sentence_floor, lex)
    event_model = _binary([f for f, _ in event_rows], [y for _, y in event_rows], c=1.0)
    evidence_model = fit_evidence_model(prepared)
    outcomes = [o for item in prepared for o in item.outcomes]
    status_model = fit_status_model(outcomes)
    told = [o for o in outcomes if o.evidence]
    negation = _binary([o.negation_features for o in told], [o.negated for o in told], c=2.0, balanced=True)
    return EventModel(sentence_model, event_model, evidence_model, status_model, negation, thresholds)


def fit_status_model(outcomes: Sequence[Outcome]) -> Linear:
    """A softmax over the statuses, from the gold events' evidence sentences and (weighted down) their other
    tellings."""
    vectorizer, matrix = _vectorizer([o.status_features for o in outcomes])
    labels = [o.status for o in outcomes]
    rows: dict[str, tuple[Sequence[float], float]] = {}
    if len(set(labels)) == 1:
        rows[labels[0]] = ([0.0] * matrix.shape[1], 0.0)
    else:
        weights = [1.0 if o.evidence else TELLING_WEIGHT for o in outcomes]
        status = _logistic(STATUS_C).fit(matrix, labels, sample_weight=weights)
        classes = list(status.classes_)
        if len(classes) == 2:  # scikit-learn keeps one row, for the second class: the same softmax
            rows = {classes[0]: ([0.0] * matrix.shape[1], 0.0), classes[1]: (status.coef_[0], status.intercept_[0])}
        else:
            rows = {label: (status.coef_[k], status.intercept_[k]) for k, label in enumerate(classes)}
    absent = ([0.0] * matrix.shape[1], -30.0)
    return _linear(vectorizer.feature_names_, [rows.get(s, absent)[0] for s in STATUSES],
                   [rows.get(s, absent)[1] for s in STATUSES], STATUSES, softmax=True)


def _binary(features: list[Features], labels: list[bool], c: float, balanced: bool = False) -> Linear:
    vectorizer, matrix = _vectorizer(features)
    if len(set(labels)) < 2:
        return Linear(("yes",), {}, (5.0 if labels and labels[0] else -5.0,))
    model = _logistic(c, balanced).fit(matrix, labels)
    return _linear(vectorizer.feature_names_, [model.coef_[0]], [model.intercept_[0]], ("yes",))


def share_of(prepared: Sequence[Prepared], share: float, draw: int = 0) -> list[Prepared]:
    """``share`` (0 to 1) of the articles, at least one, chosen by a hash of each article's identity and ``draw``:
    the same arguments always give the same articles, in their given order."""
    if share >= 1.0:
        return list(prepared)
    wanted = max(1, round(len(prepared) * share))
    return [prepared[i] for i in sorted(_hash_order(prepared, f"{draw}#")[:wanted])]


def cross_validate(prepared: Sequence[Prepared], k: int, analyzer: Any, thresholds: Thresholds | None = None,
                   gold_path: str = "", sha256: str = "", also: Sequence[Prepared] = (), share: float = 1.0,
                   draw: int = 0) -> EvalReport:
    """Grouped K-fold by article: train on K-1 folds (plus every ``also`` article: more training data, never
    scored), score the held-out fold, summed over the folds. ``share`` < 1 trains each fold's model on that share
    of its training folds' articles (:func:`share_of` with ``draw``): a learning curve."""
    report = EvalReport(gold_path, sha256, folds=k)
    folds = folds_of(prepared, k)
    for fold in range(k):
        own = [p for p, f in zip(prepared, folds, strict=True) if f != fold]
        trained = share_of(own, share, draw) + list(also)
        model = fit(trained, analyzer.lex, thresholds)
        for item, f in zip(prepared, folds, strict=True):
            if f == fold:
                events, reach = model.events_and_reach(item.view, analyzer.lex, analyzer.kinds, analyzer.names)
                add_article(report, item.article, Analysis(entities=item.view.entities, events=events), reach,
                            fold)
    return report


def data_hash(paths: Sequence[Path]) -> str:
    """One sha256 over the training files' own hashes, in the order given."""
    return hashlib.sha256("".join(gold_hash(p) for p in paths).encode()).hexdigest()


def write_model(model: EventModel, folder: Path, manifest: dict[str, Any]) -> None:
    """Write ``model.json`` and ``manifest.json`` (sorted keys, no timestamps: the same data, the same bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.json").write_text(json.dumps(model.as_json(), sort_keys=True, separators=(",", ":")) + "\n",
                                       encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps(manifest, sort_keys=True, indent=2) + "\n", encoding="utf-8")


def train(paths: Sequence[Path], models_dir: Path, analyzer: Any, folds: int = 5,
          progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Read the gold ``paths``, cross-validate (``folds`` > 1), fit on everything and write the model to
    ``models_dir/event_model``. Returns the manifest."""
    prepared: list[Prepared] = []
    files = []
    for path in paths:
        articles = load_gold(path)
        name = Path(path).name
        note = (lambda done, total, name=name: progress("read " + name, done, total)) if progress else None
        prepared += prepare(analyzer, articles, source=name, progress=note)
        files.append({"file": Path(path).name, "sha256": gold_hash(path), "articles": len(articles),
                      "events": sum(len(a.get("events") or []) for a in articles)})
    if not prepared:
        raise ValueError(Errors.E110.format(reason="the gold files hold no article"))
    report = cross_validate(prepared, folds, analyzer) if folds > 1 else None
    model = fit(prepared, analyzer.lex)
    manifest = {
        "format": FORMAT,
        "extractor_version": EXTRACTOR_VERSION,
        "training": files,
        "data_sha256": data_hash([Path(p) for p in paths]),
        "cross_validation": {"folds": folds, **report.summary()} if report else None,
        "thresholds": model.thresholds.__dict__,
        "weights": {part: len(getattr(model, part).weights) for part in PARTS},
        "status_labels": dict(sorted(Counter(o.status for p in prepared for o in p.outcomes if o.evidence).items())),
    }
    write_model(dataclasses.replace(model, manifest=manifest),
                Path(models_dir) / MODEL_DIR, manifest)
    return manifest


__all__ = ["Outcome", "Prepared", "Row", "cross_validate", "data_hash", "evidence_position", "fit",
           "fit_evidence_model", "fit_sentence_model", "fit_status_model", "folds_of", "prepare", "train",
           "write_model"]
