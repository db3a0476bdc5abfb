"""Round 8 (full-length articles): negation only in the trigger's own clause, plural instruments each held with
the article's main actor, a headline's generic deal folded into the body's named one, EU programme money for the
partner just named. Each rule has sentences it changes and a near neighbour it leaves alone (written for pactwatch)."""

from __future__ import annotations

from datetime import date

from pipeline.nlp import Analyzer


def _events(nlp: Analyzer, text: str, title: str | None = None) -> set[tuple[str, str, tuple[str, ...], bool]]:
    found = nlp.view(text, published=date(2026, 5, 1), title=title).rule_events
    return {(e.type, e.status, e.participants, e.negated) for e in found}


def test_stall_in_a_relative_clause_leaves_the_main_event_positive(nlp: Analyzer) -> None:
    for text in (
        "The EU and Chile resumed trade talks that had stalled since 2008.",
        "The trade talks, which had stalled since 2008, resumed in Santiago on Monday between the EU and Chile.",
    ):
        assert _events(nlp, text) == {("agreement", "negotiating", ("CHL", "EU"), False)}, text
    found = _events(nlp, "The EU and Chile launched a hydrogen partnership, which Argentina refused to join.")
    assert ("partnership", "launched", ("CHL", "EU"), False) in found


def test_stall_in_the_triggers_own_clause_still_negates(nlp: Analyzer) -> None:
    assert _events(nlp, "Trade talks between the EU and Chile stalled in 2008.") == {
        ("agreement", "negotiating", ("CHL", "EU"), True)
    }
    # no verb of the main clause states the talks: the relative clause is their only clause
    assert _events(nlp, "The EU and Chile have trade talks that stalled in 2008.") == {
        ("agreement", "negotiating", ("CHL", "EU"), True)
    }
    text = "The EU and Chile failed to sign a fisheries agreement that both sides had negotiated for years."
    found = _events(nlp, text)
    assert ("agreement", "signed", ("CHL", "EU"), True) in found


_HOLDERS = (
    "The EU and Peru opened trade talks in Lima on Monday. Ecuador and Colombia already have agreements in force."
)


def test_plural_agreements_of_a_coordinated_subject_are_each_with_the_main_actor(nlp: Analyzer) -> None:
    found = _events(nlp, _HOLDERS)
    assert ("agreement", "in_force", ("COL", "EU"), False) in found
    assert ("agreement", "in_force", ("ECU", "EU"), False) in found
    assert not any(codes == ("COL", "ECU") for _, _, codes, _ in found)


def test_agreements_with_each_other_or_without_the_eu_stay_between_the_subjects(nlp: Analyzer) -> None:
    text = "The EU and Peru opened trade talks in Lima on Monday. Ecuador and Colombia have agreements with each other."
    assert ("agreement", "in_force", ("COL", "ECU"), False) in _events(nlp, text)
    assert _events(nlp, "Ecuador and Colombia already have trade agreements in force.") == {
        ("agreement", "in_force", ("COL", "ECU"), False)
    }


_BODY = (
    "The Sustainable Fisheries Partnership Agreement between the European Union and Gabon entered into force on "
    "Monday, giving EU vessels access to tuna stocks. Gabon will receive 2.6 million euros a year."
)


def test_a_headlines_generic_deal_merges_into_the_bodys_named_agreement(nlp: Analyzer) -> None:
    found = nlp.view(_BODY, published=date(2026, 5, 1), title="EU-Gabon trade deal enters into force").rule_events
    assert [(e.type, e.participants) for e in found] == [("agreement", ("EU", "GAB"))]
    assert found[0].instrument is not None and found[0].instrument.startswith("Sustainable Fisheries")
    found = nlp.view(_BODY, published=date(2026, 5, 1), title="EU and Gabon sign trade deal").rule_events
    assert len(found) == 1


def test_a_headline_deal_with_other_parties_or_a_named_title_stays(nlp: Analyzer) -> None:
    found = _events(nlp, _BODY, title="EU and Senegal sign trade deal")
    assert {codes for _, _, codes, _ in found} == {("EU", "SEN"), ("EU", "GAB")}
    named = nlp.view(_BODY, published=date(2026, 5, 1), title="EU and Gabon sign Economic Partnership Agreement")
    assert len(named.rule_events) == 2  # two capitalised names: not the generic headline deal


def test_programme_money_goes_to_the_partner_named_just_before(nlp: Analyzer) -> None:
    text = (
        "The European Union and Malawi signed a memorandum of understanding on water management in Lilongwe on "
        "Monday. The Commission also pledged 40 million euros from its Global Gateway programme for two dams."
    )
    found = _events(nlp, text)
    assert ("programme", "planned", ("EU", "MWI"), False) in found
    assert ("agreement", "signed", ("EU", "MWI"), False) in found


def test_programme_money_without_a_partner_anywhere_or_from_no_programme_stays_out(nlp: Analyzer) -> None:
    text = "The Commission pledged 40 million euros from its Global Gateway programme for two dams."
    assert _events(nlp, text) == set()
    text = (
        "The European Union and Malawi signed a memorandum of understanding on water management in Lilongwe on "
        "Monday. The Commission also praised its Global Gateway programme."
    )
    assert not any(type_ == "programme" for type_, _, _, _ in _events(nlp, text))
