"""Event rules added for unseen phrasing: exclusion subjects, settings, talks, boosters, joint actions,
EU programmes joined by lists of countries, instrument names (sentences written for pactwatch)."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.models import Event
from pipeline.nlp import Analyzer


def _events(nlp: Analyzer, text: str) -> set[tuple[str, tuple[str, ...], bool]]:
    return {(e.type, e.participants, e.negated) for e in nlp.view(text, published=date(2025, 2, 1)).rule_events}


def _only(nlp: Analyzer, text: str) -> Event:
    events = nlp.view(text, published=date(2025, 2, 1)).rule_events
    assert len(events) == 1, events
    return events[0]


def test_party_not_invited_is_left_out_of_a_summit_that_happened(nlp: Analyzer) -> None:
    text = "Belarus was not invited to the EU-Western Balkans summit in Tirana."
    assert _events(nlp, text) == {("partnership", ("EU", "WBALK"), False), ("partnership", ("BLR", "EU"), True)}


def test_exclusion_in_a_participle_clause(nlp: Analyzer) -> None:
    text = "The EU signed a readmission agreement with Gambia, going ahead without Guinea."
    assert _events(nlp, text) == {("agreement", ("EU", "GMB"), False), ("agreement", ("EU", "GIN"), True)}


@pytest.mark.parametrize(
    "text",
    [
        "Norway pulled out of talks with the EU on an electricity agreement.",
        "Negotiations on a fisheries agreement between the EU and Senegal were suspended in April.",
        "Talks between the EU and Peru on an aviation agreement have been frozen since the election.",
    ],
    ids=["pulled-out", "suspended-talks", "frozen-talks"],
)
def test_walking_away_from_talks_is_negated(nlp: Analyzer, text: str) -> None:
    event = _only(nlp, text)
    assert event.negated and event.type == "agreement"


def test_sidelines_of_a_summit_is_a_setting(nlp: Analyzer) -> None:
    text = "A letter of intent on hydrogen was signed between the EU and Oman on the sidelines of the G20 summit."
    event = _only(nlp, text)
    assert event.participants == ("EU", "OMN") and event.instrument == "letter of intent on hydrogen"


def test_trade_talks_are_talks_toward_an_agreement(nlp: Analyzer) -> None:
    event = _only(nlp, "Indonesia and the EU resumed trade talks in Jakarta.")
    assert (event.type, event.status, event.participants) == ("agreement", "negotiating", ("EU", "IDN"))
    assert _events(nlp, "The two leaders held talks on the weather in Paris.") == set()


def test_stepping_up_cooperation_is_a_cooperation_event(nlp: Analyzer) -> None:
    event = _only(nlp, "Kenya and the EU agreed to step up cooperation on geothermal energy.")
    assert (event.type, event.participants, event.negated) == ("cooperation", ("EU", "KEN"), False)


def test_a_relative_clause_that_boosts_cooperation_is_not_the_anchors_action(nlp: Analyzer) -> None:
    event = _only(nlp, "The EU signed a green partnership with Egypt, which will strengthen ties in energy.")
    assert (event.type, event.status, event.participants) == ("partnership", "signed", ("EGY", "EU"))


def test_joint_working_group_is_cooperation(nlp: Analyzer) -> None:
    event = _only(nlp, "Chile and the EU set up a joint working group on lithium refining.")
    assert (event.type, event.participants) == ("cooperation", ("CHL", "EU"))


def test_list_of_countries_joining_an_eu_programme_gives_one_association_each(nlp: Analyzer) -> None:
    text = "Albania, Serbia and Moldova are associated to Horizon Europe."
    assert _events(nlp, text) == {
        ("programme", ("ALB", "EU"), False), ("programme", ("EU", "SRB"), False), ("programme", ("EU", "MDA"), False)
    }


def test_instrument_name_stops_before_a_date(nlp: Analyzer) -> None:
    event = _only(nlp, "Singapore and the EU launched the Green Partnership on Tuesday.")
    assert event.instrument == "Green Partnership" and event.participants == ("EU", "SGP")


def test_memorandum_keeps_its_topic_and_object_relative_clause(nlp: Analyzer) -> None:
    event = _only(nlp, "The EU and Rwanda signed a memorandum of understanding on sustainable raw materials.")
    assert event.instrument == "memorandum of understanding on sustainable raw materials"
    relative = _only(nlp, "Critics attacked the memorandum that the EU signed with Rwanda.")
    assert (relative.participants, relative.status) == (("EU", "RWA"), "signed")


def test_initialled_agreement_is_signed(nlp: Analyzer) -> None:
    event = _only(nlp, "Uzbekistan and the EU initialled an enhanced partnership and cooperation agreement.")
    assert (event.status, event.participants) == ("signed", ("EU", "UZB"))
