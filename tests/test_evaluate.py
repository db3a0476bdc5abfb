"""Scoring against gold files: exact metric arithmetic on a stub analyzer, the real analyzer on our
small gold file, and the quality floor on ../shared/eval/dev.json (skipped when absent)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pipeline.errors import NlpError
from pipeline.evaluate import (
    Reach,
    check_floors,
    gold_hash,
    match,
    pin_baseline,
    render_table,
    same_name,
    score,
)
from pipeline.models import Analysis, Event, Mention

DATA = Path(__file__).resolve().parent / "data" / "nlp"
SMALL = DATA / "gold_small.json"
BASELINE = Path(__file__).resolve().parent / "eval_baseline.json"
OWN_GOLD = Path(__file__).resolve().parent / "data" / "nlp_gold.json"
OWN_BASELINE = Path(__file__).resolve().parent / "nlp_gold_baseline.json"
DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.json"


def _event(type_: str, codes: tuple[str, ...], negated: bool = False, instrument: str | None = None) -> Event:
    return Event(type_, "signed", codes, instrument, negated, None, "evidence", 0.9)


class StubAnalyzer:
    """Returns fixed analyses by the first word of the text."""

    def __init__(self, answers: dict[str, Analysis]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, date | None, str | None]] = []

    def analyse(self, text: str, published: date | None = None, title: str | None = None) -> Analysis:
        self.calls.append((text.split()[0], published, title))
        return self.answers[text.split()[0]]


def _stub() -> StubAnalyzer:
    return StubAnalyzer({
        "Peru": Analysis(
            entities=(Mention("Peru", "COUNTRY", "PER", 0, 4), Mention("European Union", "BLOC", "EU", 9, 23),
                      Mention("Ecuador", "COUNTRY", "ECU", 80, 87)),
            events=(_event("agreement", ("EU", "PER"), instrument="fisheries pact"),
                    _event("agreement", ("ECU", "EU"))),
        ),
        "Talks": Analysis(
            entities=(Mention("Norway", "COUNTRY", "NOR", 14, 20), Mention("EU", "BLOC", "EU", 29, 31)),
            events=(_event("agreement", ("EU", "NOR"), negated=False, instrument="fisheries agreement"),),
        ),
    })


def test_metrics_are_computed_exactly() -> None:
    stub = _stub()
    report = score(SMALL, stub)
    # t1: predicted {PER, EU, ECU} vs gold {PER, EU}: F1 0.8; t2: {NOR, EU} vs {NOR, EU, ISL}: F1 0.8
    assert report.actor_f1 == pytest.approx(0.8)
    assert (report.actors.tp, report.actors.fp, report.actors.fn) == (4, 1, 1)
    assert (report.events.tp, report.events.fp, report.events.fn) == (2, 1, 1)
    assert report.events.precision == pytest.approx(2 / 3) and report.events.recall == pytest.approx(2 / 3)
    assert report.negated_gold == 1 and report.negated_as_positive == 1
    assert (report.instruments_compared, report.instruments_matched) == (2, 2)  # gold names' words, no registry
    assert report.status_right == 1 and report.status_accuracy == pytest.approx(0.5)  # t2 is negotiating, not signed
    assert report.status_confusion[("negotiating", "signed")] == 1
    assert report.type_confusion[("agreement", "agreement")] == 2
    assert stub.calls[0] == ("Peru", date(2024, 5, 2), "Peru and the EU sign a fisheries pact")
    assert stub.calls[1] == ("Talks", None, None)  # "[inferred]" titles are not the article's words


def test_events_of_one_type_and_set_are_told_apart_by_their_names() -> None:
    def gold(name: str, status: str) -> dict:
        return {"type": "agreement", "status": status, "participants": ["EU", "JPN"], "instrument": name}

    def said(name: str | None, status: str) -> Event:
        return Event("agreement", status, ("EU", "JPN"), name, False, None, "evidence", 0.9)

    old_one, new_one = gold("Economic Partnership Agreement", "in_force"), gold("Digital Trade Agreement", "signed")
    # one prediction, the second gold event by its name: matched to it, not to the first of the list
    assert match([old_one, new_one], [said("digital trade agreement", "signed")]) == [(1, 0)]
    assert match([old_one, new_one], [said("a digital pact", "signed")]) == [(0, 0)]  # no name agrees: in order
    two = [said("Digital Trade Agreement", "signed"), said("EU-Japan Economic Partnership Agreement", "in_force")]
    assert match([old_one, new_one], two) == [(0, 1), (1, 0)]
    assert match([old_one, new_one], [said(None, "planned"), said(None, "in_force")]) == [(0, 0), (1, 1)]
    # status never decides: with no name, the first gold event takes the one prediction, whatever its status
    assert match([old_one, new_one], [said(None, "signed")]) == [(0, 0)]


def test_participants_only_ignores_the_type() -> None:
    stub = _stub()
    stub.answers["Peru"] = Analysis(events=(_event("partnership", ("EU", "PER")),))
    report = score(SMALL, stub)
    assert report.events.tp == 1 and report.participants.tp == 2


def test_a_gold_event_reported_with_both_polarities_counts_the_wrong_one() -> None:
    stub = _stub()
    both = (_event("agreement", ("EU", "NOR"), negated=True, instrument="fisheries agreement"),
            _event("agreement", ("EU", "NOR"), negated=False, instrument="fisheries agreement"))
    stub.answers["Talks"] = Analysis(events=both)
    report = score(SMALL, stub)
    assert report.negated_as_positive == 1  # the negated one matched; the stray positive one still counts
    stub.answers["Talks"] = Analysis(events=both[::-1])
    assert score(SMALL, stub).negated_as_positive == 1  # order does not let the agreeing polarity win
    stub.answers["Talks"] = Analysis(events=both[:1])
    assert score(SMALL, stub).negated_as_positive == 0


def test_a_positive_gold_event_reported_negated_is_counted() -> None:
    stub = _stub()
    stub.answers["Peru"] = Analysis(events=(_event("agreement", ("EU", "PER"), negated=True),))
    report = score(SMALL, stub)
    assert report.positive_as_negated == 1 and report.events.tp == 2


@pytest.mark.parametrize(("gold", "predicted", "same"), [
    ("EU-Peru fisheries pact", "fisheries pact", True),
    ("EU-Peru fisheries pact", "the Fisheries Pact", True),
    ("Economic Partnership Agreement", "EPA", False),  # no registry: an acronym is not the gold name's words
    ("Horizon Europe association", "association agreement", False),
    ("Digital Trade Agreement", None, False),
], ids=["subset", "case-and-article", "acronym", "other-words", "none"])
def test_instrument_names_are_compared_by_their_words(gold: str, predicted: str | None, same: bool) -> None:
    assert same_name(gold, predicted) is same


def test_summary_has_the_keys_analysts_script_against() -> None:
    figures = score(SMALL, _stub()).summary()
    for key in ("event_p", "event_r", "event_f1", "pair_f1", "status_accuracy", "negated_gold", "negated_as_positive",
                "instrument_match"):
        assert key in figures


def test_render_table_lists_misses_and_false_alarms_when_verbose() -> None:
    report = score(SMALL, _stub())
    short = render_table(report, verbose=False)
    assert "event P/R/F1" in short and "misses (" not in short
    assert "misses by reason (1)" in short  # the stub gives no reach: one reason, "not found"
    long = render_table(report, verbose=True)
    assert "misses (1)" in long and "t2: cooperation/planned EU+ISL" in long
    assert "false alarms (1)" in long and "ECU+EU" in long
    assert "reported as positive (1)" in long
    assert json.loads(json.dumps(report.as_dict()))["events"]["tp"] == 2


def one_event_gold(tmp_path: Path, articles: int) -> Path:
    """A gold file of ``articles`` articles ("ArticleN text.", id aN), each with one EU-JPN agreement signed."""
    path = tmp_path / "gold.json"
    path.write_text(json.dumps([{"id": f"a{i}", "text": f"Article{i} text.", "countries": ["EU", "JPN"],
                                 "events": [{"type": "agreement", "status": "signed", "participants": ["EU", "JPN"]}]}
                                for i in range(articles)]), encoding="utf-8")
    return path


def test_intervals_say_how_sure_the_figures_are(tmp_path: Path) -> None:
    gold = one_event_gold(tmp_path, 40)
    found = Analysis(events=(_event("agreement", ("EU", "JPN")),))
    right = {f"Article{i}": found if i % 4 else Analysis() for i in range(40)}  # 30 of 40 found, all signed
    report = score(gold, StubAnalyzer(right))
    (f1_low, f1_high), (status_low, status_high) = report.intervals().values()
    assert f1_low < report.events.f1 < f1_high and f1_low > 0.7 and f1_high < 1.0
    assert status_low == status_high == 1.0  # every matched event has the gold status: no spread to show
    assert report.intervals() == score(gold, StubAnalyzer(right)).intervals()  # a fixed seed: the same twice
    perfect = score(gold, StubAnalyzer({f"Article{i}": found for i in range(40)}))
    assert perfect.intervals()["event_f1"] == (1.0, 1.0)
    assert report.event_f1_by_fold == []  # not a cross-validation
    table = render_table(report)
    assert "event F1, 95% interval" in table and "by fold" not in table
    assert json.loads(json.dumps(report.as_dict()))["intervals_95"]["event_f1"] == [f1_low, f1_high]


def test_precision_by_confidence_says_what_a_confidence_floor_keeps(tmp_path: Path) -> None:
    gold = one_event_gold(tmp_path, 10)

    def said(codes: tuple[str, ...], confidence: float) -> Event:
        return Event("agreement", "signed", codes, None, False, None, "evidence", confidence)

    answers = {f"Article{i}": Analysis(events=(said(("EU", "JPN"), 0.95),)) for i in range(4)}  # 4 right, sure
    answers |= {f"Article{i}": Analysis(events=(said(("EU", "JPN"), 0.6), said(("CAN", "EU"), 0.4)))
                for i in range(4, 8)}  # 4 right and 4 wrong, less sure
    answers |= {"Article8": Analysis(events=(said(("EU", "KOR"), 1.0),)), "Article9": Analysis()}
    bands = score(gold, StubAnalyzer(answers)).precision_by_confidence()
    assert [(b["from"], b["events"], b["right"], b["precision"]) for b in bands] == [
        (0.0, 4, 0, 0.0), (0.5, 4, 4, 1.0), (0.7, 0, 0, None), (0.9, 5, 4, 0.8)]  # 1.0 falls in the top band
    assert [(b["at_least_events"], b["at_least_precision"], b["at_least_recall"]) for b in bands] == [
        (13, round(8 / 13, 4), 0.8), (9, round(8 / 9, 4), 0.8), (5, 0.8, 0.4), (5, 0.8, 0.4)]
    table = render_table(score(gold, StubAnalyzer(answers)))
    assert "precision by confidence" in table and "0.70-0.90          0      0         -" in table


class ReachingStub(StubAnalyzer):
    """A stub that also says how far it got: the (type, set)s it weighed and the sets its candidates formed."""

    def __init__(self, answers: dict[str, Analysis], reach: Reach) -> None:
        super().__init__(answers)
        self.reach = reach

    def analyse_with_reach(self, text: str, published: date | None = None,
                           title: str | None = None) -> tuple[Analysis, Reach]:
        return self.analyse(text, published, title), self.reach


def test_misses_are_sorted_by_how_far_the_analysis_got(tmp_path: Path) -> None:
    def gold(type_: str, codes: list[str], instrument: str | None = None) -> dict:
        return {"type": type_, "status": "signed", "participants": codes, "instrument": instrument,
                "negated": False, "evidence": "Asia news."}

    path = tmp_path / "gold.json"
    path.write_text(json.dumps([{"id": "a1", "published": None, "title": None, "text": "Asia news.",
                                 "countries": ["EU", "JPN", "CAN", "KOR", "IND", "CHN"],
                                 "events": [gold("agreement", ["EU", "JPN"], "trade agreement"),
                                            gold("agreement", ["EU", "JPN"], "data agreement"),
                                            gold("partnership", ["CAN", "EU"]),
                                            gold("programme", ["EU", "KOR"]),
                                            gold("cooperation", ["EU", "IND"]),
                                            gold("agreement", ["CHN", "EU"])]}]))
    answer = Analysis(events=(_event("agreement", ("EU", "JPN")), _event("agreement", ("CAN", "EU"))))
    reach = Reach(frozenset({("programme", frozenset({"EU", "KOR"}))}),
                  frozenset({frozenset({"EU", "IND"}), frozenset({"EU", "KOR"})}))
    report = score(path, ReachingStub({"Asia": answer}, reach))
    assert report.events.fn == 5 and sum(report.miss_reasons.values()) == 5
    assert report.as_dict()["miss_reasons"] == {"second_event": 1, "other_type": 1, "rejected": 1,
                                                "under_floor": 1, "no_candidate": 1}
    assert [m["reason"] for m in report.misses] == ["second_event", "other_type", "rejected", "under_floor",
                                                    "no_candidate"]
    table = render_table(report)
    assert "misses by reason (5)" in table and "weighed by the event model and rejected" in table
    blind = score(path, StubAnalyzer({"Asia": answer}))  # no reach: how far it got is unknown
    assert blind.as_dict()["miss_reasons"] == {"second_event": 1, "other_type": 1, "not_found": 3}


def test_the_real_analyzer_reports_its_reach(nlp) -> None:
    analysis, reach = nlp.analyse_with_reach("Chile and the European Union signed a trade agreement in Brussels on "
                                             "Friday. Argentina's minister watched.", date(2025, 1, 3))
    assert analysis == nlp.analyse("Chile and the European Union signed a trade agreement in Brussels on Friday. "
                                   "Argentina's minister watched.", date(2025, 1, 3))
    assert analysis.events
    for event in analysis.events:
        assert (event.type, frozenset(event.participants)) in reach.weighed
        assert frozenset(event.participants) in reach.candidate_sets
    assert "not_found" not in score(SMALL, nlp).miss_reasons


def test_real_analyzer_on_our_small_gold(nlp) -> None:
    report = score(SMALL, nlp)
    assert report.negated_as_positive == 0
    assert report.events.tp == 2 and report.events.fp == 0
    assert report.actor_f1 == pytest.approx(1.0)


def test_bad_gold_file_is_an_nlp_error(tmp_path: Path) -> None:
    bad = tmp_path / "gold.json"
    bad.write_text('{"not": "a list"}')
    with pytest.raises(NlpError, match="E105"):
        score(bad, _stub())
    bad.write_text(json.dumps([{"id": "x", "text": "t", "events": [{"type": "deal", "status": "signed",
                                                                      "participants": ["EU", "JPN"]}]}]))
    with pytest.raises(NlpError, match="unknown type 'deal'"):
        score(bad, _stub())


def test_pin_baseline_refuses_to_lower_floors_without_the_flag(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"floors": {"event_f1": 0.99}}))
    report = score(SMALL, _stub())
    with pytest.raises(NlpError, match="event_f1"):
        pin_baseline(report, path)
    pinned = pin_baseline(report, path, allow_lower=True)
    assert pinned["gold_sha256"] == gold_hash(SMALL) and pinned["floors"]["event_f1"] == 0.666


@pytest.mark.skipif(not DEV.exists(), reason="../shared/eval/dev.json is not available")
def test_dev_set_stays_above_its_floors(nlp) -> None:
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    report = score(DEV, nlp)
    problems = check_floors(report, baseline)
    assert not problems, "\n".join(problems) + "\n\n" + render_table(report, verbose=True)


@pytest.mark.xfail(strict=True, reason="issue 11 target not met yet: dev event F1 0.835 with the model trained on"
                                      " train.json and our own gold (target 0.85)")
@pytest.mark.skipif(not DEV.exists(), reason="../shared/eval/dev.json is not available")
def test_dev_set_meets_the_issue_targets(nlp) -> None:
    report = score(DEV, nlp)
    assert report.status_accuracy >= 0.75 and report.negated_as_positive == 0  # met
    assert report.events.f1 >= 0.85  # not met: the strict xfail turns red the day it is


def test_our_gold_set_stays_above_its_floors(nlp) -> None:
    """tests/data/nlp_gold.json: news-like paragraphs we wrote (passives, lists, hedges, exclusions, non-events).
    The shipped model is trained on them too, so this is a check that it fits them, not a held-out figure."""
    baseline = json.loads(OWN_BASELINE.read_text(encoding="utf-8"))
    report = score(OWN_GOLD, nlp)
    problems = check_floors(report, baseline)
    assert not problems, "\n".join(problems) + "\n\n" + render_table(report, verbose=True)
