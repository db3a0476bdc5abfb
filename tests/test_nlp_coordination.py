"""Rules for counting parties and reading clauses: partner lists split into bilateral events, coordinated
instruments, joiners, "a similar deal", fronted "under" phrases, object control, "has yet to", lower-case
names as objects (sentences written for pactwatch)."""

from __future__ import annotations

from datetime import date

from pipeline.nlp import Analyzer


def _events(nlp: Analyzer, text: str) -> list[tuple[str, tuple[str, ...], bool]]:
    events = nlp.view(text, published=date(2025, 3, 1)).rule_events
    return sorted((e.type, e.participants, e.negated) for e in events)


def test_talks_with_a_list_of_partners_are_bilateral(nlp: Analyzer) -> None:
    text = "The Commission closed talks with Tunisia and Jordan on readmission agreements."
    assert _events(nlp, text) == [("agreement", ("EU", "JOR"), False), ("agreement", ("EU", "TUN"), False)]


def test_plural_instruments_with_a_list_are_bilateral(nlp: Analyzer) -> None:
    text = "Japan has concluded agreements to avoid double taxation with Ghana and Zambia."
    assert _events(nlp, text) == [("agreement", ("GHA", "JPN"), False), ("agreement", ("JPN", "ZMB"), False)]


def test_one_trilateral_agreement_stays_one_event(nlp: Analyzer) -> None:
    text = "The EU signed a trilateral agreement with Jordan and Egypt on gas exports."
    assert _events(nlp, text) == [("agreement", ("EGY", "EU", "JOR"), False)]


def test_two_coordinated_instruments_are_two_events(nlp: Analyzer) -> None:
    text = "Peru and the EU signed a fisheries agreement and an aviation agreement in Lima."
    assert _events(nlp, text) == [("agreement", ("EU", "PER"), False)] * 2


def test_several_joiners_of_an_owned_programme_join_one_by_one(nlp: Analyzer) -> None:
    text = "Iceland and Norway joined the EU's defence industry programme on Friday."
    assert _events(nlp, text) == [("programme", ("EU", "ISL"), False), ("programme", ("EU", "NOR"), False)]


def test_a_similar_deal_takes_the_partner_of_the_previous_event(nlp: Analyzer) -> None:
    text = ("An air transport agreement between the EU and Qatar entered into force, "
            "and a similar deal with Oman is being negotiated.")
    assert _events(nlp, text) == [("agreement", ("EU", "OMN"), False), ("agreement", ("EU", "QAT"), False)]


def test_fronted_under_phrase_takes_the_clause_subjects(nlp: Analyzer) -> None:
    text = "Under the pact signed in Valletta last year, Malta and Tunisia patrol the strait together."
    assert _events(nlp, text) == [("agreement", ("MLT", "TUN"), False)]


def test_object_control_gives_the_launchers(nlp: Analyzer) -> None:
    text = "Canada stayed away, leaving Chile and the EU to launch the hydrogen fund alone."
    assert _events(nlp, text) == [("programme", ("CHL", "EU"), False)]


def test_has_yet_to_is_a_negation(nlp: Analyzer) -> None:
    assert _events(nlp, "Peru has yet to ratify the trade agreement with the EU.") == [
        ("agreement", ("EU", "PER"), True)
    ]
    assert _events(nlp, "Peru has ratified the trade agreement with the EU.") == [("agreement", ("EU", "PER"), False)]


def test_joint_declaration_of_several_states_is_one_agreement(nlp: Analyzer) -> None:
    text = "Spain, Portugal and Morocco signed a joint declaration on water security."
    assert _events(nlp, text) == [("agreement", ("ESP", "MAR", "PRT"), False)]


def test_hyphenated_company_descriptions_and_locative_lists_name_no_party(nlp: Analyzer) -> None:
    analysis = nlp.view("A Dutch chip-equipment firm signed a deal with a Taiwanese foundry.")
    assert analysis.rule_events == () and analysis.actors == ()
    assert nlp.view("Prices in Spain and Portugal fell sharply in May.").actors == ()


def test_main_status_verb_outranks_a_relative_clause_on_the_instrument(nlp: Analyzer) -> None:
    event = nlp.view("Chile ratified the treaty with Bolivia, which had been held up for a decade.").rule_events
    assert [(e.status, e.participants) for e in event] == [("signed", ("BOL", "CHL"))]


def test_funding_reaches_the_country_the_money_goes_to(nlp: Analyzer) -> None:
    text = "The EU will mobilise 80 million euros for water projects in Zambia under the Global Gateway."
    assert _events(nlp, text) == [("programme", ("EU", "ZMB"), False)]


def test_under_a_lower_case_compact_takes_the_clause_subjects(nlp: Analyzer) -> None:
    assert _events(nlp, "Under the 2023 compact, Senegal and Spain will exchange labour market data.") == [
        ("partnership", ("ESP", "SEN"), False)
    ]


def test_acting_capitals_and_coordinating_several_parties(nlp: Analyzer) -> None:
    assert _events(nlp, "Lisbon and Rabat relaunched their dialogue on energy.") == [
        ("partnership", ("MAR", "PRT"), False)
    ]
    text = "Canada, Norway and Japan agreed to coordinate sanctions on shipping."
    assert _events(nlp, text) == [("cooperation", ("CAN", "JPN", "NOR"), False)]
    assert nlp.view("The Paris Agreement turned ten this year.").actors == ()


def test_a_bare_council_is_no_instrument(nlp: Analyzer) -> None:
    entities = nlp.view("The Council approved the budget for next year.").entities
    assert all(e.label != "INSTRUMENT" for e in entities)
