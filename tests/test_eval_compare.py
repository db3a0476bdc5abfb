"""Two scorings of one gold file compared article by article (``pactwatch eval --compare``): paired intervals on
stub analyzers over gold files we write, the refusals of reports that cannot be compared, and the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.errors import ReportFileError
from pipeline.eval_compare import compare, load_report, render_comparison
from pipeline.evaluate import gold_hash, score
from pipeline.models import Analysis, Event
from tests.test_cli_inputs import one_line, pactwatch
from tests.test_evaluate import SMALL, StubAnalyzer, one_event_gold

FOUND = Analysis(events=(Event("agreement", "signed", ("EU", "JPN"), None, False, None, "evidence", 0.9),))
FALSE = Analysis(events=(Event("agreement", "signed", ("CAN", "EU"), None, False, None, "evidence", 0.9),))


def _saved(tmp_path: Path, gold: Path, answers: dict[str, Analysis]) -> dict:
    """A report as ``pactwatch eval --format json`` writes it, read back as the comparison reads it."""
    path = tmp_path / "before.json"
    path.write_text(json.dumps(score(gold, StubAnalyzer(answers)).as_dict()), encoding="utf-8")
    return load_report(path, gold_hash(gold), 0)


def test_a_change_on_a_few_articles_is_measured_against_the_same_articles(tmp_path: Path) -> None:
    gold = one_event_gold(tmp_path, 40)
    before = {f"Article{i}": FOUND if i % 4 else Analysis() for i in range(40)}  # 30 of 40 found
    now = {**before, **{f"Article{i}": FOUND for i in (0, 4, 8, 12, 16)}}  # five more found, nothing lost
    report = score(gold, StubAnalyzer(now))
    comparison = compare(_saved(tmp_path, gold, before), report, "before.json")
    f1 = {c.figure: c for c in comparison.changes}["event_f1"]
    assert (round(f1.before, 4), round(f1.now, 4)) == (round(2 * 30 / 70, 4), round(2 * 35 / 75, 4))
    assert 0 < f1.low <= f1.change <= f1.high and f1.verdict == "better"
    before_low, before_high = score(gold, StubAnalyzer(before)).intervals()["event_f1"]
    now_low, now_high = report.intervals()["event_f1"]
    assert before_low < now_low < before_high < now_high  # their own intervals overlap: they cannot tell
    assert [(a.article, a.direction) for a in comparison.changed] == [(f"a{i}", "better") for i in (0, 12, 16, 4, 8)]
    table = render_comparison(comparison, verbose=True)
    f1_line = next(line for line in table.splitlines() if line.startswith("event F1 "))
    assert f1_line.split()[2:6] == ["0.857", "0.933", "+0.076", "+0.015"] and "5 better, 0 worse" in table
    assert "  a12: tp 0 -> 1, fn 1 -> 0" in table
    figures = json.loads(json.dumps(comparison.as_dict()))["figures"]
    assert figures["event_f1"]["verdict"] == "better" and figures["event_f1"]["interval_95"][0] > 0


def test_gains_and_losses_that_cancel_are_no_measured_change(tmp_path: Path) -> None:
    gold = one_event_gold(tmp_path, 40)
    before = {f"Article{i}": FOUND if i % 4 else Analysis() for i in range(40)}
    now = {**before, "Article0": FOUND, "Article1": Analysis(), "Article2": Analysis(events=(*FOUND.events,
                                                                                             *FALSE.events))}
    comparison = compare(_saved(tmp_path, gold, before), score(gold, StubAnalyzer(now)), "before.json")
    f1 = {c.figure: c for c in comparison.changes}["event_f1"]
    assert f1.low < 0 < f1.high and f1.verdict == "no measured change"
    assert {a.article: a.direction for a in comparison.changed} == {"a0": "better", "a1": "worse", "a2": "worse"}
    planned = Event("agreement", "planned", ("EU", "JPN"), None, False, None, "evidence", 0.9)  # a wrong status
    traded = {**before, "Article0": Analysis(events=(planned, *FALSE.events))}  # one false event for one miss
    assert [a.direction for a in compare(_saved(tmp_path, gold, before), score(gold, StubAnalyzer(traded))).changed
            ] == ["even"]
    same = compare(_saved(tmp_path, gold, before), score(gold, StubAnalyzer(before)))
    assert same.changed == [] and {(c.low, c.high, c.verdict) for c in same.changes} == {
        (0.0, 0.0, "no measured change")}


@pytest.mark.parametrize(("report", "problem"), [
    ("not json", "not a JSON report"),
    ('{"event_f1": 0.5}', "no 'per_article' scores"),
    ('{"gold_sha256": "0", "folds": 0, "per_article": []}', "another gold file"),
    ('{"gold_sha256": "SAME", "folds": 5, "per_article": []}', "scored by 5-fold cross-validation, this scoring held"),
    ('{"gold_sha256": "SAME", "folds": 0, "per_article": [{"article": "a0", "tp": "1"}]}', "per-article score"),
])
def test_a_report_that_cannot_be_compared_is_refused(tmp_path: Path, report: str, problem: str) -> None:
    gold = one_event_gold(tmp_path, 3)
    path = tmp_path / "before.json"
    path.write_text(report.replace("SAME", gold_hash(gold)), encoding="utf-8")
    with pytest.raises(ReportFileError, match=r"\[E111\]") as error:
        load_report(path, gold_hash(gold), 0)
    assert str(path) in str(error.value) and problem in str(error.value)


def test_reports_of_other_articles_or_repeated_ids_are_refused(tmp_path: Path) -> None:
    gold = one_event_gold(tmp_path, 3)
    answers = {f"Article{i}": FOUND for i in range(3)}
    before = _saved(tmp_path, gold, answers)
    now = score(gold, StubAnalyzer(answers))
    with pytest.raises(ReportFileError, match="1 only there, 0 only here"):
        compare({**before, "per_article": [*before["per_article"], {**before["per_article"][0], "article": "x"}]}, now)
    with pytest.raises(ReportFileError, match="'a0' repeats"):
        compare({**before, "per_article": [*before["per_article"], before["per_article"][0]]}, now)


def test_eval_compare_on_the_command_line(nlp, tmp_path: Path) -> None:
    before = tmp_path / "before.json"
    result = CliRunner().invoke(cli, ["eval", str(SMALL), "--format", "json"])
    assert result.exit_code == 0, result.output
    before.write_text(result.stdout, encoding="utf-8")
    assert {"article", "fold", "tp", "fp", "fn", "status_right"} <= set(json.loads(result.stdout)["per_article"][0])
    result = CliRunner().invoke(cli, ["eval", str(SMALL), "--compare", str(before), "--format", "json"])
    assert result.exit_code == 0, result.output
    comparison = json.loads(result.stdout)["comparison"]
    assert comparison["articles_better"] == comparison["articles_worse"] == []
    assert comparison["figures"]["event_f1"]["change"] == 0.0
    table = CliRunner().invoke(cli, ["eval", str(SMALL), "--compare", str(before)]).stdout
    assert f"compared with {before}: the same" in table and "no measured change" in table


def test_a_report_of_another_file_is_refused_before_the_nlp_loads(tmp_path: Path) -> None:
    gold = one_event_gold(tmp_path, 3)
    before = tmp_path / "before.json"
    before.write_text(json.dumps({"gold_sha256": "0" * 64, "folds": 0, "per_article": []}), encoding="utf-8")
    line = one_line(pactwatch("eval", str(gold), "--compare", str(before), "--cv", "3"), 2, "ReportFileError: [E111]")
    assert "scored another gold file" in line


def test_negation_errors_are_compared_as_counts(tmp_path: Path) -> None:
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps([{"id": f"a{i}", "text": f"Article{i} text.", "events": [
        {"type": "agreement", "status": "signed", "participants": ["EU", "JPN"], "negated": True}]}
        for i in range(30)]), encoding="utf-8")
    negated = Analysis(events=(Event("agreement", "signed", ("EU", "JPN"), None, True, None, "evidence", 0.9),))
    before = {f"Article{i}": FOUND if i < 10 else negated for i in range(30)}  # 10 negated events said positive
    now = {**before, **{f"Article{i}": negated for i in range(8)}}  # 2 left
    comparison = compare(_saved(tmp_path, gold, before), score(gold, StubAnalyzer(now)))
    wrong = {c.figure: c for c in comparison.changes}["negated_as_positive"]
    assert (wrong.before, wrong.now, wrong.change) == (10, 2, -8) and wrong.high < 0 and wrong.verdict == "better"
    assert [a.direction for a in comparison.changed] == ["better"] * 8  # the same events, fewer negation errors
    line = next(line for line in render_comparison(comparison).splitlines() if line.startswith("negated as"))
    assert line.split()[3:6] == ["10", "2", "-8"]
