"""Round 5 (precision on EU press releases): what has the words of a partnership but is none. Each rule has
a sentence it removes and a near neighbour it keeps (sentences written for pactwatch)."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.nlp import Analyzer


def _events(nlp: Analyzer, text: str) -> set[tuple[str, tuple[str, ...], bool]]:
    return {(e.type, e.participants, e.negated) for e in nlp.view(text, published=date(2025, 3, 1)).rule_events}


@pytest.mark.parametrize(
    "text",
    [
        "The Commission and Finland signed a memorandum of understanding on the use of cohesion funds.",
        "Italy and the EU launched a programme for the southern regions.",
    ],
    ids=["memorandum", "programme"],
)
def test_eu_and_member_states_only_is_eu_internal(nlp: Analyzer, text: str) -> None:
    assert _events(nlp, text) == set()


def test_member_states_beside_an_outside_partner_still_make_an_event(nlp: Analyzer) -> None:
    found = _events(nlp, "The EU and Ghana signed a cocoa partnership agreement in Accra on Monday.")
    assert ("agreement", ("EU", "GHA"), False) in found


def test_a_decision_on_one_countrys_own_measure_is_no_event(nlp: Analyzer) -> None:
    assert _events(nlp, "The Commission has approved the Norwegian support mechanism for offshore wind.") == set()


def test_approving_a_programme_with_a_partner_stays_an_event(nlp: Analyzer) -> None:
    found = _events(nlp, "The Council approved the fisheries protocol with Mauritania.")
    assert ("agreement", ("EU", "MRT"), False) in found


def test_a_regulatory_act_is_no_event(nlp: Analyzer) -> None:
    text = "The Commission opened an infringement procedure against Hungary over its partnership with Russia."
    assert _events(nlp, text) == set()


def test_a_recommendation_on_an_unnamed_instrument_is_no_event(nlp: Analyzer) -> None:
    text = "Analysts say governments should build stronger EU-Asia partnerships on critical minerals."
    assert _events(nlp, text) == set()


def test_a_stated_plan_of_the_parties_stays_planned(nlp: Analyzer) -> None:
    found = _events(nlp, "The EU and Chile plan to launch a hydrogen partnership next year.")
    assert ("partnership", ("CHL", "EU"), False) in found


def test_an_organisation_with_a_nationality_word_is_no_instrument(nlp: Analyzer) -> None:
    text = "The Young Norwegian Association for European Union Law invites scholars to submit abstracts."
    assert _events(nlp, text) == set()


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("the White House National Security Council", False),
        ("China's State Council", False),
        ("the EU-Kenya Association Council", True),
        ("the EU/Kenya Association Council", True),
    ],
    ids=["one-party-national", "one-party-possessive", "two-parties", "two-parties-slash"],
)
def test_a_council_of_one_party_is_no_instrument_between_parties(nlp: Analyzer, body: str, kept: bool) -> None:
    """A council or forum named for one party is its own body: meeting it with another party is no partnership."""
    text = f"The meeting of {body} with Kenya's envoy was held on Tuesday."
    assert bool(_events(nlp, text)) is kept
    assert bool(nlp.analyse(text, date(2025, 3, 1)).events) is kept


def test_a_title_noun_keeps_the_actors_before_it_as_its_name(nlp: Analyzer) -> None:
    events = nlp.view("The EU-India Forum took place in Delhi on Monday.").rule_events
    assert [(e.participants, e.instrument) for e in events] == [(("EU", "IND"), "EU-India Forum")]


def test_an_amount_is_no_part_of_a_name(nlp: Analyzer) -> None:
    events = nlp.view("The EU and Morocco launched a €300 million green hydrogen programme.").rule_events
    assert [(e.participants, e.instrument) for e in events] == [(("EU", "MAR"), "green hydrogen programme")]


def test_the_arctic_is_a_place_not_a_party(nlp: Analyzer) -> None:
    analysis = nlp.view("The EU and Norway agreed to cooperate on research in the Arctic.")
    assert "ARCTIC" not in analysis.actors


def test_a_subject_the_parser_joins_to_a_fronted_phrase_is_still_the_subject(nlp: Analyzer) -> None:
    text = "At their meeting in Lisbon, EU and Mercosur negotiators launched a Digital Trade Dialogue on data flows."
    assert ("partnership", ("EU", "MERCOSUR"), False) in _events(nlp, text)


def test_a_joint_instrument_of_several_signatories_is_one_event(nlp: Analyzer) -> None:
    text = "Spain, Portugal and the EU signed a joint declaration with Morocco on renewable energy trade."
    assert _events(nlp, text) == {("agreement", ("ESP", "EU", "MAR", "PRT"), False)}


def test_a_joint_committee_is_a_standing_partnership(nlp: Analyzer) -> None:
    text = "The EU and Peru held their annual Joint Committee in Lima, reviewing cooperation on fisheries."
    assert _events(nlp, text) == {("partnership", ("EU", "PER"), False)}


def test_a_programme_after_under_frames_the_signed_agreement(nlp: Analyzer) -> None:
    text = "The Commission signed a loan agreement with Georgia under the Eastern Partnership Investment Facility."
    assert _events(nlp, text) == {("agreement", ("EU", "GEO"), False)}


def test_nationality_words_listed_before_company_nouns_name_no_party(nlp: Analyzer) -> None:
    analysis = nlp.view("Regulators fined two Austrian and Slovak energy companies for price fixing.")
    assert analysis.actors == ()
