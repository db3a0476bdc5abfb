"""``pactwatch train``: rebuild the trained event model in models/ from gold files."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from pipeline.cli.common import format_option, settings_options
from pipeline.config import Settings

REPOSITORY = Path(__file__).resolve().parents[2]
DEFAULT_GOLD = (REPOSITORY.parent / "shared" / "eval" / "train.json", REPOSITORY / "tests" / "data" / "nlp_gold.json")


@click.command(short_help="Rebuild the trained event model from gold files.")
@settings_options
@click.argument("gold", nargs=-1, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--models-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Write DIR/event_model/ (model.json, manifest.json); default nlp.models_dir.")
@click.option("--folds", type=click.IntRange(0, 20), default=5, show_default=True,
              help="Cross-validate by article with this many folds first (0 or 1: skip).")
@format_option("table", "json")
def train(settings: Settings, gold: tuple[Path, ...], models_dir: Path | None, folds: int, fmt: str) -> None:
    """Rebuild the event model from GOLD files (shared/eval/SCHEMA.md format), deterministically.

    Without GOLD: ../shared/eval/train.json and tests/data/nlp_gold.json. The figures of the cross-validation
    and the training data's hash go into DIR/event_model/manifest.json. Run `pactwatch reprocess` afterwards so
    stored events use the new model.
    """
    from pipeline.evaluate import load_gold
    from pipeline.nlp import Analyzer
    from pipeline.nlp.training import train as train_model

    paths = list(gold) or [p for p in DEFAULT_GOLD if p.exists()]
    if not paths:
        missing = ", ".join(map(str, DEFAULT_GOLD))
        raise click.UsageError(f"no GOLD file given and none of the defaults exists: {missing}")
    for path in paths:
        load_gold(path)  # a malformed file is refused before the NLP loads
    started = time.monotonic()
    models_dir = models_dir or settings.nlp.models_dir
    analyzer = Analyzer(settings.nlp.model, settings.nlp.models_dir, event_model=False)

    def progress(stage: str, done: int, total: int) -> None:
        if done == total or done % 100 == 0:
            click.echo(f"{stage}: {done}/{total}", err=True)

    manifest = train_model(paths, models_dir, analyzer, folds=folds if folds > 1 else 0, progress=progress)
    seconds = time.monotonic() - started
    if fmt == "json":
        click.echo(json.dumps({**manifest, "seconds": round(seconds, 1)}, indent=2))
        return
    sources = ", ".join(f"{f['file']} ({f['articles']} articles, {f['events']} events)" for f in manifest["training"])
    click.echo(f"wrote {models_dir / 'event_model'} in {seconds:.0f} s from {sources}")
    cv = manifest.get("cross_validation")
    if cv:
        click.echo(f"{cv['folds']}-fold cross-validation by article: event P/R/F1 {cv['event_p']:.3f} /"
                   f" {cv['event_r']:.3f} / {cv['event_f1']:.3f}, pair F1 {cv['pair_f1']:.3f}, status accuracy"
                   f" {cv['status_accuracy']:.3f}, negated reported as positive {cv['negated_as_positive']} of"
                   f" {cv['negated_gold']}")
    sys.stdout.flush()


COMMANDS = [train]
