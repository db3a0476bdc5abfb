"""Rules for counting parties and reading clauses: partner lists split into bilateral events, coordinated
instruments, joiners, "a similar deal", fronted "under" phrases, object control, "has yet to", lower-case
names as objects (sentences written for pactwatch)."""

from __future__ import annotations

from datetime import date

from pipeline.nlp import Analyzer


def _events(nlp: Analyzer, text: str) -> list[tuple[str, tuple[str, ...], bool]]:
    events = nlp.analyse(text, published=date(2025, 3, 1)).events
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
    analysis = nlp.analyse("A Dutch chip-equipment firm signed a deal with a Taiwanese foundry.")
    assert analysis.events == () and analysis.actors == ()
    assert nlp.analyse("Prices in Spain and Portugal fell sharply in May.").actors == ()
