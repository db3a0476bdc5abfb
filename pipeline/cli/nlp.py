"""``pactwatch extract`` (NLP on one text or a JSONL batch) and ``pactwatch eval`` (score a gold file)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import click

from pipeline.cli.common import format_option, settings_options
from pipeline.cli.output import render
from pipeline.config import Settings
from pipeline.errors import InputError, UsageError
from pipeline.models import Analysis
from pipeline.nlp.limits import fit_text


def _date(value: str | None, where: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise UsageError(f"{where}: expected an ISO date, got {value!r}") from None


def _fit(text: str, max_chars: int, where: str) -> str:
    """``text`` cut to ``nlp.max_chars``, saying so on stderr when it was."""
    fitted, cut = fit_text(text, max_chars)
    if cut:
        click.echo(f"{where}: text of {len(text):,} characters cut to {len(fitted):,} (nlp.max_chars)", err=True)
    return fitted


class _JsonlReader:
    """The lines of a JSONL batch as (key, text, published) items; a bad line is reported and skipped."""

    def __init__(self, path: Path, max_chars: int) -> None:
        self.path = path
        self.max_chars = max_chars
        self.lines = 0
        self.bad: list[int] = []

    def __iter__(self) -> Iterator[tuple[tuple[int, Any], str, date | None]]:
        with (sys.stdin if str(self.path) == "-" else self.path.open(encoding="utf-8")) as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                self.lines += 1
                try:
                    item = json.loads(line)
                    text = _fit(str(item["text"]), self.max_chars, f"{self.path}:{number}")
                    parsed = (number, item["id"]), text, _date(item.get("published"), "published")
                except (json.JSONDecodeError, KeyError, TypeError, UsageError) as exc:
                    self.bad.append(number)
                    click.echo(f"{self.path}:{number}: skipped, expected {{\"id\", \"text\", \"published\"?}}:"
                               f" {type(exc).__name__}: {exc}", err=True)
                    continue
                yield parsed


def _contract(analysis: Analysis) -> dict:
    """The ``extract`` output contract of DESIGN.md: entities and events."""
    data = analysis.properties()
    return {"entities": data["entities"], "events": data["events"]}


def _language_note(text: str, where: str) -> None:
    """Say on stderr which language a text is in when it is not English (the NLP reads English only)."""
    from pipeline.nlp.language import detect_language, language_name

    code = detect_language(text)
    if code and code != "en":
        click.echo(f"{where}: the text is in {language_name(code)} ({code}); the NLP reads English only,"
                   " so expect no events", err=True)


@click.command(short_help="Run the NLP on one text or a JSONL batch.")
@settings_options
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option("--jsonl", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
              help='Batch: each line {"id", "text", "published"?} gives one output line {"id", "entities", "events"}.'
                   " Not with FILE or --published.")
@click.option("--published", metavar="DATE", help="The text's publication date (ISO), the default event date.")
@format_option("table", "json")
def extract(settings: Settings, file: Path | None, jsonl: Path | None, published: str | None, fmt: str) -> None:
    """Run the NLP on one text (FILE or stdin) and print its entities and events with evidence.

    A text not in English is named on stderr. With --jsonl, a line that is not {"id", "text", "published"?} is
    reported with its line number and skipped; the others are processed, and the exit status is then 1.
    """
    if jsonl and file:
        raise click.UsageError("give FILE or --jsonl BATCH, not both")
    if jsonl and published:
        raise click.UsageError("--published applies to one text; in a --jsonl batch each line has its own")
    from pipeline.nlp import load_nlp

    analyzer = load_nlp(settings.nlp.model, settings.nlp.models_dir)
    if jsonl:
        _extract_batch(analyzer, jsonl, settings)
        return
    try:
        text = sys.stdin.read() if file is None or str(file) == "-" else file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{file or 'stdin'}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    text = _fit(text, settings.nlp.max_chars, str(file or "stdin"))
    analysis = analyzer.analyse(text, _date(published, "--published"))
    _language_note(text, "extract")
    if fmt == "json":
        click.echo(json.dumps(_contract(analysis), ensure_ascii=False, indent=2))
        return
    click.echo("entities:")
    render([m.properties() for m in analysis.entities], "table", ["label", "code", "text", "start", "end"])
    click.echo("\nevents:")
    render([e.properties() for e in analysis.events], "table",
           ["type", "status", "participants", "negated", "date", "confidence", "instrument", "evidence"])


def _extract_batch(analyzer: Any, path: Path, settings: Settings) -> None:
    reader = _JsonlReader(path, settings.nlp.max_chars)

    def items() -> Iterator[tuple[tuple[int, Any], str, date | None]]:
        for key, text, published in reader:
            _language_note(text, f"{path}:{key[0]}")
            yield key, text, published

    for (_, key), analysis in analyzer.analyse_many(items(), batch_size=settings.nlp.batch_size,
                                                    n_process=settings.nlp.n_process):
        click.echo(json.dumps({"id": key, **_contract(analysis)}, ensure_ascii=False))
    if reader.bad:
        lines = ", ".join(map(str, reader.bad))
        raise InputError(f"{len(reader.bad)} of {reader.lines} lines of {path} could not be read"
                         f" (line{'s' if len(reader.bad) > 1 else ''} {lines}); the others were processed")


@click.command(name="eval", short_help="Score the NLP against a gold file.")
@settings_options
@click.argument("gold", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--cv", "folds", type=click.IntRange(2, 20), metavar="K",
              help="Grouped K-fold cross-validation by article: train on K-1 folds, score the held-out one.")
@click.option("--also", multiple=True, type=click.Path(path_type=Path, dir_okay=False, exists=True), metavar="GOLD",
              help="With --cv: more training data for every fold, never scored (e.g. an export-gold file).")
@click.option("--compare", "earlier", type=click.Path(path_type=Path, dir_okay=False, exists=True), metavar="REPORT",
              help="An earlier --format json report of the same file, scored the same way: show each figure's "
                   "change with a paired 95% interval, and the articles scored better or worse.")
@click.option("--verbose", "-v", is_flag=True, help="List each miss, false alarm and wrong status.")
@click.option("--pin-baseline", "baseline", type=click.Path(path_type=Path, dir_okay=False),
              help="Write these figures as the floors the quality test enforces (e.g. tests/eval_baseline.json).")
@click.option("--allow-lower", is_flag=True, help="With --pin-baseline: allow a floor to go down.")
@format_option("table", "json")
def eval_(settings: Settings, gold: Path, folds: int | None, also: tuple[Path, ...], earlier: Path | None,
          verbose: bool, baseline: Path | None, allow_lower: bool, fmt: str) -> None:
    """Score the NLP against a gold file (shared/eval/SCHEMA.md format): event P/R/F1, pair F1, status accuracy,
    negated events reported as positive, instrument match, type and status confusion tables, and the misses by
    reason (how far the NLP got towards each).

    With --cv K the shipped model is not used: K models are trained on the file itself, each scored on the
    articles it did not see (every article is held out exactly once).

    With --compare REPORT (an earlier run's --format json output) a change is judged on the same articles: e.g.
    save the report, retrain or add --also FILE, and score again with --compare.
    """
    from pipeline.eval_compare import compare, load_report, render_comparison
    from pipeline.evaluate import gold_hash, load_gold, pin_baseline, render_table, score

    articles = load_gold(gold)  # a malformed file or report is refused before the NLP loads
    if also and not folds:
        raise click.UsageError("--also adds training data to a cross-validation: give --cv K too")
    before = load_report(earlier, gold_hash(gold), folds or 0) if earlier else None
    if folds:
        from pipeline.nlp import Analyzer
        from pipeline.nlp.training import cross_validate, prepare

        analyzer = Analyzer(settings.nlp.model, settings.nlp.models_dir, event_model=False)
        prepared = prepare(analyzer, articles, source=gold.name)
        extra = [item for path in also for item in prepare(analyzer, load_gold(path), source=path.name)]
        report = cross_validate(prepared, folds, analyzer, gold_path=str(gold), sha256=gold_hash(gold), also=extra)
    else:
        from pipeline.nlp import load_nlp

        report = score(gold, load_nlp(settings.nlp.model, settings.nlp.models_dir))
    comparison = compare(before, report, str(earlier)) if before is not None else None
    if fmt == "json":
        extra = {"comparison": comparison.as_dict()} if comparison else {}
        click.echo(json.dumps({**report.as_dict(), **extra}, indent=2, ensure_ascii=False))
    else:
        click.echo(render_table(report, verbose))
        if comparison:
            click.echo("\n" + render_comparison(comparison, verbose))
    if baseline:
        pin_baseline(report, baseline, allow_lower=allow_lower)
        click.echo(f"floors pinned in {baseline}", err=True)


COMMANDS = [extract, eval_]
