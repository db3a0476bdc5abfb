"""How the event model's cross-validated figures grow with its training data (a learning curve), in one process.

Usage: ``python benchmarks/learning_curve.py [--gold FILE] [--folds K] [--shares 0.25,0.5,0.75] [--draws N]
[--json]``

Reads the gold file (default ``../shared/eval/train.json``, never copied into the repo) once, then runs grouped
K-fold cross-validation by article (as ``pactwatch eval --cv K``) with each fold's model trained on all of its
training folds (the baseline) and on each share of them (``training.share_of``; ``--draws`` different draws per
share, averaged). Prints a table against the baseline and the gain in event F1 per doubling of the data, and
writes ``results/learning_curve.json``. One run takes about 2 minutes on 2 cores (a full one 130 s), so the
defaults with ``--draws 2`` take about 15 minutes.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.evaluate import gold_hash, load_gold  # noqa: E402
from pipeline.nlp import EXTRACTOR_VERSION, load_nlp  # noqa: E402
from pipeline.nlp.training import cross_validate, prepare  # noqa: E402

GOLD = ROOT.parent / "shared" / "eval" / "train.json"
RESULTS = ROOT / "benchmarks" / "results" / "learning_curve.json"
FIGURES = ("event_p", "event_r", "event_f1", "pair_f1", "status_accuracy")


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {name: round(sum(row[name] for row in rows) / len(rows), 4) for name in FIGURES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--shares", default="0.25,0.5,0.75", help="comma-separated shares of the training folds")
    parser.add_argument("--draws", type=int, default=1, help="draws of articles per share")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not args.gold.exists():
        print(f"no gold file at {args.gold}", file=sys.stderr)
        return 1

    analyzer = load_nlp()
    prepared = prepare(analyzer, load_gold(args.gold), source=args.gold.name)
    per_fold = len(prepared) * (args.folds - 1) / args.folds
    rows = []
    for share in sorted({float(s) for s in args.shares.split(",")} | {1.0}):
        started = time.perf_counter()
        draws = 1 if share >= 1.0 else args.draws
        runs = [cross_validate(prepared, args.folds, analyzer, share=share, draw=draw).summary()
                for draw in range(draws)]
        rows.append({"share": share, "training_articles": max(1, round(per_fold * share)), "draws": draws,
                     **_mean(runs), "seconds": round(time.perf_counter() - started, 1)})
        print(f"share {share:.3f}: event F1 {rows[-1]['event_f1']:.3f}", file=sys.stderr)

    full = rows[-1]
    smallest = rows[0]
    doublings = math.log2(full["training_articles"] / smallest["training_articles"]) if len(rows) > 1 else 0.0
    per_doubling = (full["event_f1"] - smallest["event_f1"]) / doublings if doublings else 0.0
    result = {"gold": args.gold.name, "gold_sha256": gold_hash(args.gold), "extractor_version": EXTRACTOR_VERSION,
              "folds": args.folds, "rows": rows, "event_f1_per_doubling": round(per_doubling, 4)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{args.folds}-fold CV on {args.gold.name}, extractor {EXTRACTOR_VERSION}; baseline: all training folds")
    print("share  articles/fold  event P  event R  event F1  pair F1  status  F1 / baseline")
    for row in rows:
        print(f"{row['share']:5.3f}  {row['training_articles']:13d}  {row['event_p']:7.3f}  {row['event_r']:7.3f}  "
              f"{row['event_f1']:8.3f}  {row['pair_f1']:7.3f}  {row['status_accuracy']:6.3f}  "
              f"{row['event_f1'] / full['event_f1']:13.3f}")
    print(f"event F1 per doubling of the training data: {per_doubling:+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
