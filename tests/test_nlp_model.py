"""The trained event model: training on gold files we write, its determinism, cross-validation folds, clear errors
for a missing or stale model, the language gate, people standing for their states, and the mission's example
(../shared/eval/seed.txt, skipped when absent)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from pipeline.errors import NlpError
from pipeline.evaluate import load_gold
from pipeline.models import Event
from pipeline.nlp import EXTRACTOR_VERSION, Analyzer
from pipeline.nlp.assets import MODELS_DIR
from pipeline.nlp.candidates import candidates
from pipeline.nlp.features import evidence_features, status_features
from pipeline.nlp.model import Linear, load_event_model, without_parts
from pipeline.nlp.training import (
    cross_validate,
    evidence_position,
    fit,
    fit_evidence_model,
    fit_status_model,
    folds_of,
    prepare,
    share_of,
    train,
)

OWN_GOLD = Path(__file__).resolve().parent / "data" / "nlp_gold.json"
SEED = Path(__file__).resolve().parents[2] / "shared" / "eval" / "seed.txt"


@pytest.fixture(scope="module")
def views_only() -> Analyzer:
    """An analyzer that builds views without a trained model (what training uses)."""
    return Analyzer(event_model=False)


@pytest.fixture(scope="module")
def small_gold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Forty articles of our own gold file: enough for every model to see both classes."""
    path = tmp_path_factory.mktemp("gold") / "small.json"
    path.write_text(json.dumps(load_gold(OWN_GOLD)[:40]), encoding="utf-8")
    return path


def test_training_twice_gives_identical_artefacts(small_gold: Path, views_only: Analyzer, tmp_path: Path) -> None:
    first = train([small_gold], tmp_path / "a", views_only, folds=2)
    second = train([small_gold], tmp_path / "b", views_only, folds=2)
    assert first == second
    for name in ("model.json", "manifest.json"):
        assert (tmp_path / "a/event_model" / name).read_bytes() == (tmp_path / "b/event_model" / name).read_bytes()
    manifest = json.loads((tmp_path / "a/event_model/manifest.json").read_text())
    assert manifest["extractor_version"] == EXTRACTOR_VERSION and manifest["training"][0]["articles"] == 40
    assert len(manifest["data_sha256"]) == 64 and manifest["cross_validation"]["folds"] == 2
    model = load_event_model(tmp_path / "a")  # the written model reads back and decides
    view = views_only.view("Chile and the EU put their names to a framework deal in Santiago on Friday.",
                           date(2025, 1, 1))
    assert all(len(e.participants) >= 2 for e in model.events(view, views_only.lex, views_only.kinds))


def test_gold_evidence_is_found_in_its_sentence_and_none_means_the_headline(views_only: Analyzer) -> None:
    title = "Ruritania and the EU sign a fisheries pact"
    text = ("Ruritania and the European Union signed a fisheries agreement on Monday. The pact runs for four years. "
            "Talks on a second protocol stalled in May.")
    view = next(view for _, view in views_only.views([(0, text, None, title)]))
    first = view.sentences[0].position
    assert evidence_position(view, "Talks on a second protocol stalled in May.") == view.sentences[-1].position
    assert evidence_position(view, "") == evidence_position(view, "  ") == first  # our own gold gives none
    assert view.sentences[0].in_title and evidence_position(view, "A sentence the article never says.") is None


def test_cross_validation_folds_never_share_an_article(small_gold: Path, views_only: Analyzer) -> None:
    prepared = prepare(views_only, load_gold(small_gold), source="small")
    folds = folds_of(prepared, 5)
    assert sorted(set(folds)) == [0, 1, 2, 3, 4] and len(folds) == len(prepared)
    for fold in range(5):
        held = {p.group for p, f in zip(prepared, folds, strict=True) if f == fold}
        trained = {p.group for p, f in zip(prepared, folds, strict=True) if f != fold}
        assert held and not held & trained
    assert folds == folds_of(prepare(views_only, load_gold(small_gold), source="small"), 5)  # stable
    report = cross_validate(prepared, 2, views_only)
    assert report.articles == len(prepared) and report.folds == 2  # every article scored exactly once
    assert sum(report.miss_reasons.values()) == report.events.fn and "not_found" not in report.miss_reasons
    by_fold = report.event_f1_by_fold  # each fold's own score
    assert len(by_fold) == 2 and min(by_fold) <= report.events.f1 <= max(by_fold)


def test_a_learning_curve_trains_each_fold_on_a_share_of_its_articles(small_gold: Path,
                                                                       views_only: Analyzer) -> None:
    prepared = prepare(views_only, load_gold(small_gold), source="small")
    half = share_of(prepared, 0.5)
    assert len(half) == round(len(prepared) / 2) and half == share_of(prepared, 0.5)  # the same draw, the same half
    chosen = {p.group for p in half}
    assert [p.group for p in half] == [p.group for p in prepared if p.group in chosen]  # in the given order
    assert {p.group for p in share_of(prepared, 0.5, draw=1)} != chosen
    assert {p.group for p in share_of(prepared, 0.25)} <= chosen  # a smaller share is part of a larger one
    assert len(share_of(prepared, 0.001)) == 1 and share_of(prepared, 1.0) == prepared
    report = cross_validate(prepared, 2, views_only, share=0.5)
    assert report.articles == len(prepared)  # every article is still scored once


def test_the_sentence_model_learns_from_evidence_sentences(small_gold: Path, views_only: Analyzer) -> None:
    prepared = prepare(views_only, load_gold(small_gold), source="small")
    assert sum(bool(row.evidence_types) for p in prepared for row in p.rows) >= 20
    model = fit(prepared, views_only.lex)
    weights = model.sentence.weights
    assert set(model.sentence.labels) == {"agreement", "partnership", "programme", "cooperation"}
    assert weights and model.status.softmax and len(model.status.labels) == 7


def test_the_evidence_model_prefers_the_sentence_annotators_quote(views_only: Analyzer) -> None:
    prepared = prepare(views_only, load_gold(OWN_GOLD), source="own")
    model = fit_evidence_model(prepared)
    assert not any(name.startswith(("ng=", "w=")) for name in model.weights)  # it weighs no words

    def quoted(choose) -> tuple[int, int]:  # sets told in several sentences: is the chosen one the quoted one?
        right = told = 0
        for item in prepared:
            for codes in {row.codes for row in item.rows if row.evidence_types}:
                rows = [row for row in item.rows if row.codes == codes]
                if len(rows) > 1:
                    told, right = told + 1, right + bool(max(rows, key=choose).evidence_types)
        return right, told

    right, told = quoted(lambda row: model.totals(evidence_features(row.features))[0])
    first, _ = quoted(lambda row: -row.position)  # the first telling: right for most of our own short articles
    assert told >= 40 and right > first, (right, first, told)


def test_the_status_model_also_learns_from_an_event_s_other_tellings(views_only: Analyzer) -> None:
    text = ("Chile and the European Union will sign a trade agreement in Brussels next month, officials said. "
            "The trade agreement between the EU and Chile is expected to cut tariffs on wine. "
            "Chilean officials also met Argentina's foreign minister on Monday.")
    article = {"id": "t1", "published": "2025-04-02", "title": None, "text": text, "countries": ["ARG", "CHL", "EU"],
               "events": [{"type": "agreement", "status": "planned", "participants": ["CHL", "EU"],
                           "instrument": "trade agreement", "negated": False,
                           "evidence": "Chile and the European Union will sign a trade agreement in Brussels next "
                                       "month, officials said."}]}
    [item] = prepare(views_only, [article], source="tellings")
    quoted = [o for o in item.outcomes if o.evidence]
    others = [o for o in item.outcomes if not o.evidence]
    assert len(quoted) == 1 and len(others) == 1  # the second sentence tells it again; the third names no such set
    assert others[0].status == "planned" and "tt=agreement" in others[0].status_features
    plain = fit_status_model(quoted * 3 + [dataclasses.replace(quoted[0], status="signed", evidence=True)])
    weighted = fit_status_model(quoted * 3 + [dataclasses.replace(quoted[0], status="signed", evidence=False)])
    at = quoted[0].status_features
    # the same sentence, labelled "signed" once: as another telling it pulls the model less than as evidence
    assert weighted.scores(at)[weighted.labels.index("signed")] < plain.scores(at)[plain.labels.index("signed")]


def test_status_features_read_the_verbs_tied_to_the_parties(views_only: Analyzer) -> None:
    lex = views_only.lex
    coming = views_only.view("The EU and Japan will sign the agreement in Tokyo next year.", date(2025, 3, 1))
    found = status_features(coming, coming.sentences[0], frozenset({"EU", "JPN"}), "agreement", lex)
    assert {"taux=will", "tv=sign", "spos=0"} <= set(found)
    past = views_only.view("Under the agreement the EU and Japan signed in 2016, tariffs fell.", date(2025, 3, 1))
    found = status_features(past, past.sentences[0], frozenset({"EU", "JPN"}), "agreement", lex)
    assert {"y_past", "tvt=sign_VBD"} <= set(found) and "y_future" not in found


def test_a_missing_model_is_a_clear_error_at_start(tmp_path: Path) -> None:
    assets = tmp_path / "models"
    shutil.copytree(MODELS_DIR, assets, ignore=shutil.ignore_patterns("event_model"))
    with pytest.raises(NlpError, match="E107"):
        Analyzer(models_dir=assets)


def test_a_model_from_another_version_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "event_model"
    folder.mkdir()
    data = json.loads((MODELS_DIR / "event_model" / "model.json").read_text())
    data["extractor_version"] = "2000.1.1"
    (folder / "model.json").write_text(json.dumps(data))
    with pytest.raises(NlpError, match=r"E108.*2000\.1\.1"):
        load_event_model(tmp_path)
    (folder / "model.json").write_text("{not json")
    with pytest.raises(NlpError, match="E109"):
        load_event_model(tmp_path)


def test_a_linear_score_does_not_depend_on_the_order_of_its_features() -> None:
    """Feature dicts follow set order, which Python's hash seed changes from one process to the next; a plain sum
    in that order differed in its last digits, enough to move the event model trained on such scores."""
    model = Linear(("yes",), {"a": (1e16,), "b": (1.0,), "c": (-1e16,), "d": (0.1,)}, (0.3,))
    features = {"a": 1.0, "b": 1.0, "c": 1.0, "d": 3.0}
    orders = [{name: features[name] for name in order} for order in ("abcd", "bacd", "acbd", "dcba")]
    totals = {tuple(model.totals(order)) for order in orders}
    assert len(totals) == 1 and totals.pop()[0] == pytest.approx(1.6)  # a plain sum gave 0.3, 1.3, 1.6, ...


def _event(type_: str, parties: tuple[str, ...], confidence: float) -> Event:
    return Event(type=type_, status="signed", participants=parties, instrument=None, negated=False, date=None,
                 evidence="", confidence=confidence)


def test_a_pair_s_names_go_before_a_generic_name_not_before_a_programme_of_the_eu(nlp: Analyzer) -> None:
    joined = nlp.analyse("Canada became the latest country to join Horizon Europe, the research programme of the"
                         " European Union, officials said on Monday.").events
    assert [(e.participants, e.instrument) for e in joined] == [(("CAN", "EU"), "Horizon Europe")]
    deal = nlp.analyse("The European Union and Kenya signed a trade deal in Nairobi on Monday.").events
    assert [(e.participants, e.instrument) for e in deal] == [(("EU", "KEN"), "EU-Kenya trade deal")]


def test_a_pair_inside_a_surer_larger_event_of_its_type_is_part_of_it() -> None:
    group = _event("agreement", ("CHL", "EU", "PER", "PRY"), 0.8)
    inside = _event("agreement", ("CHL", "EU"), 0.7)
    as_sure = _event("agreement", ("EU", "PER"), 0.8)
    surer = _event("agreement", ("EU", "PRY"), 0.9)  # surer than the group: its own event
    other_type = _event("programme", ("CHL", "EU"), 0.5)  # another type: its own event
    apart = _event("agreement", ("EU", "JPN"), 0.4)  # not inside the group
    kept = without_parts([group, inside, as_sure, surer, other_type, apart])
    assert kept == (group, surer, other_type, apart)


def test_text_in_another_language_gives_no_events(nlp: Analyzer) -> None:
    german = ("Die Europäische Union und Japan haben am Montag in Brüssel ein Abkommen über digitalen Handel"
              " unterzeichnet, teilte die Kommission mit. Es tritt im nächsten Jahr in Kraft.")
    analysis = nlp.analyse(german, date(2025, 3, 1))
    assert analysis.language == "de" and analysis.events == ()
    english = nlp.analyse("The European Union and Japan signed a digital trade agreement in Brussels on Monday.")
    assert english.language == "en" and english.events


def test_office_holders_stand_for_their_state_on_the_article_date(nlp: Analyzer) -> None:
    view = nlp.view("Lula and von der Leyen signed the deal in Brasilia.", date(2024, 12, 1))
    sentence = view.sentences[0]
    assert {(a.code, a.label) for a in sentence.actors} >= {("BRA", "PERSON"), ("EU", "PERSON")}
    assert frozenset({"BRA", "EU"}) in candidates(view, sentence)
    before = nlp.view("Juncker met Tsipras in Athens.", date(2016, 5, 1)).sentences[0]
    assert {(a.code, a.label) for a in before.actors} >= {("EU", "PERSON")}
    after = nlp.view("Juncker met the press in Athens.", date(2024, 5, 1)).sentences[0]
    assert not any(a.label == "PERSON" for a in after.actors)  # out of office: he speaks for nobody


def test_the_rule_reader_reads_office_holders_as_their_state(nlp: Analyzer) -> None:
    text = "In Berlin on Friday, Olaf Scholz signed a new defence cooperation agreement with Emmanuel Macron."
    view = nlp.view(text, date(2023, 5, 5))
    assert ("agreement", ("DEU", "FRA")) in {(e.type, e.participants) for e in view.rule_events}
    out_of_office = nlp.view(text, date(2010, 5, 5))  # neither held office then: nobody's agreement
    assert not out_of_office.rule_events


def test_the_latin_american_country_is_the_article_s_country(nlp: Analyzer) -> None:
    view = nlp.view("Brazil hosted the talks. The bloc and the Latin American country signed the agreement.")
    groups = {(a.code, a.label) for s in view.sentences for a in s.actors if a.label == "GROUP"}
    assert groups == {("EU", "GROUP"), ("BRA", "GROUP")}
    assert frozenset({"EU", "BRA"}) in candidates(view, view.sentences[-1])
    assert [(e.type, e.participants) for e in view.rule_events] == [("agreement", ("BRA", "EU"))]  # the rules too


def test_seats_of_government_stand_for_it(nlp: Analyzer) -> None:
    view = nlp.view("The White House and the Kremlin agreed to resume talks, Downing Street said.")
    assert [(a.code, a.label) for a in view.sentences[0].actors] == [("USA", "COUNTRY"), ("RUS", "COUNTRY"),
                                                                    ("GBR", "COUNTRY")]


def test_the_bloc_is_the_article_s_bloc(nlp: Analyzer) -> None:
    view = nlp.view("ASEAN leaders met in Jakarta. The bloc agreed a digital economy pact with Japan.")
    groups = [a for s in view.sentences for a in s.actors if a.label == "GROUP"]
    assert [a.code for a in groups] == ["ASEAN"]


@pytest.mark.skipif(not SEED.exists(), reason="../shared/eval/seed.txt is not available")
def test_the_seed_article(nlp: Analyzer) -> None:
    """The article pactwatch started from: agreements signed with Singapore and South Korea, and the United States
    left out (only negated)."""
    events = nlp.analyse(SEED.read_text(encoding="utf-8"), date(2025, 6, 6)).events
    found = {(e.type, e.status, e.participants, e.negated) for e in events}
    for partner in ("SGP", "KOR"):
        assert ("agreement", "signed", ("EU", partner), False) in found
    us = [e for e in events if e.participants == ("EU", "USA")]
    assert us and all(e.negated for e in us)


@pytest.mark.xfail(strict=True, reason="issue 11 target not met yet: the seed's sentence on joint research"
                                      " programmes with three partners names no EU; the model scores EU-JPN 0.05")
@pytest.mark.skipif(not SEED.exists(), reason="../shared/eval/seed.txt is not available")
def test_the_seed_article_research_programmes(nlp: Analyzer) -> None:
    events = nlp.analyse(SEED.read_text(encoding="utf-8"), date(2025, 6, 6)).events
    found = {(e.type, e.status, e.participants, e.negated) for e in events}
    for partner in ("CAN", "JPN", "KOR"):
        assert ("programme", "planned", tuple(sorted(("EU", partner))), False) in found


def test_the_language_of_each_article_is_stored_and_counted(db, nlp: Analyzer) -> None:
    from analyst_db import add_article

    from pipeline import store

    german = "Die Europäische Union und Japan haben ein Abkommen über digitalen Handel unterzeichnet, hieß es."
    for url, text in (("http://news.example.org/de", german),
                      ("http://news.example.org/en", "The European Union and Japan signed a digital trade agreement"
                                                     " in Tokyo on Monday, officials from both sides said.")):
        article_id = add_article(db, url, "A title", text)
        store.save_analysis(db, article_id, nlp.analyse(text), version=nlp.version)
    languages = dict(db.execute("SELECT url, text_language FROM articles").fetchall())
    assert languages == {"http://news.example.org/de": "de", "http://news.example.org/en": "en"}
    summary = store.status_summary(db)
    assert summary["counts"]["articles_not_english"] == 1 and summary["languages"] == {"de": 1, "en": 1}
    assert db.execute("SELECT count(*) FROM events e JOIN articles a ON a.id = e.article_id"
                      " WHERE a.text_language = 'de'").fetchone() == (0,)


def test_run_without_a_model_stops_at_start_with_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    from pipeline.cli import main

    assets = tmp_path / "models"
    shutil.copytree(MODELS_DIR, assets, ignore=shutil.ignore_patterns("event_model"))
    monkeypatch.setenv("PACTWATCH_NLP__MODELS_DIR", str(assets))
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--once", "--db", str(tmp_path / "p.db")])
    err = capsys.readouterr().err.strip().splitlines()
    assert stopped.value.code == 2 and err[-1].startswith("ModelFileError: [E107] No trained event model")
    assert not (tmp_path / "p.db").exists()  # nothing was started
