"""Round 7 (full-length articles): the article's current instrument and main pair carried into later
sentences. Each rule has sentences it changes and a near neighbour it leaves alone (written for pactwatch)."""

from __future__ import annotations

from datetime import date

from pipeline.nlp import Analyzer


def _events(nlp: Analyzer, text: str, title: str | None = None) -> set[tuple[str, str, tuple[str, ...], bool]]:
    found = nlp.view(text, published=date(2026, 5, 1), title=title).rule_events
    return {(e.type, e.status, e.participants, e.negated) for e in found}


_PAIRLESS = (
    "Peru and the European Union opened a water dialogue in Lima on Monday. Officials from Chile and Bolivia "
    "attended as observers, and Ecuador sent a delegation. The two sides signed a fisheries agreement in 2019."
)


def test_lead_event_sets_the_main_pair_when_counts_leave_it_open(nlp: Analyzer) -> None:
    found = _events(nlp, _PAIRLESS)
    assert ("partnership", "launched", ("EU", "PER"), False) in found
    assert ("agreement", "signed", ("EU", "PER"), False) in found
    assert not any("BOL" in codes or "ECU" in codes for _, _, codes, _ in found)


def test_lead_pair_never_comes_from_a_plan(nlp: Analyzer) -> None:
    text = (
        "Ghana and the EU intend to sign a cocoa agreement next year. Togo, Benin and Nigeria watch the talks. "
        "The two sides have held a yearly dialogue on trade since 2019."
    )
    found = _events(nlp, text)
    assert ("agreement", "planned", ("EU", "GHA"), False) in found
    assert not any(status == "held" for _, status, _, _ in found)


_CARRY = (
    "Ministers of the EU and Paraguay met in Asuncion on Tuesday to review trade. The Sustainable Forestry "
    "Agreement covers timber exports. That agreement entered into force in 2021, officials said."
)


def test_that_agreement_carries_the_named_instrument_and_pair(nlp: Analyzer) -> None:
    events = nlp.view(_CARRY, published=date(2026, 5, 1)).rule_events
    forestry = [e for e in events if e.type == "agreement" and e.participants == ("EU", "PRY")]
    assert forestry and any(e.status == "in_force" for e in forestry)


def test_a_bare_agreement_never_named_before_stays_unresolved(nlp: Analyzer) -> None:
    text = (
        "Ministers of the EU and Paraguay met in Asuncion on Tuesday to review trade and timber exports. "
        "That agreement entered into force in 2021, officials said."
    )
    assert not any(kind == "agreement" for kind, _, _, _ in _events(nlp, text))


def test_a_definite_agreement_joins_its_named_antecedent(nlp: Analyzer) -> None:
    text = (
        "The Blue Fisheries Agreement between the European Union and Senegal entered into force on Monday. "
        "The agreement was signed in Dakar last year. Gambia is watching closely."
    )
    found = [e for e in nlp.view(text, published=date(2026, 5, 1)).rule_events if e.type == "agreement"]
    assert [e.participants for e in found] == [("EU", "SEN")]
    assert found[0].instrument == "Blue Fisheries Agreement"


def test_plural_or_launched_anaphors_make_no_new_event(nlp: Analyzer) -> None:
    text = (
        "The EU and Paraguay signed the Green Timber Agreement on Monday. Uruguay is not involved. "
        "Officials said the agreements open up a new chapter in relations."
    )
    found = _events(nlp, text)
    assert found == {("agreement", "signed", ("EU", "PRY"), False)}
