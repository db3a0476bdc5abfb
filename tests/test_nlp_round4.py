"""Rules of the fourth recall round: bare EU institutions before a date, one member of a region, sports
reports, the main clause over a relative clause behind a preposition, possessive parties, rounds of talks,
absolute "with" clauses and parties named by ellipsis (sentences written for pactwatch)."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.nlp import Analyzer


def _events(nlp: Analyzer, text: str) -> set[tuple[str, tuple[str, ...], bool]]:
    return {(e.type, e.participants, e.negated) for e in nlp.view(text, published=date(2025, 3, 1)).rule_events}


def _parties(nlp: Analyzer, text: str) -> set[str]:
    return set(nlp.view(text).actors)


@pytest.mark.parametrize(
    "text",
    [
        "Armenia agreed a visa facilitation deal with the Commission on Friday.",
        "The Council approved the fisheries protocol with Gabon.",
        "The High Representative opened a strategic dialogue with Kazakhstan in Astana.",
    ],
    ids=["commission-before-weekday", "council", "high-representative"],
)
def test_eu_institutions_alone_are_the_eu(nlp: Analyzer, text: str) -> None:
    assert any("EU" in codes and len(codes) == 2 for _, codes, _ in _events(nlp, text))


def test_a_named_commission_is_not_the_eu(nlp: Analyzer) -> None:
    text = "The Federal Trade Commission fined the company. The Commission on Human Rights met in Geneva."
    assert "EU" not in _parties(nlp, text)


def test_one_member_of_a_region_is_not_the_region(nlp: Analyzer) -> None:
    text = "The EU signed a raw materials partnership with Namibia, the first with a sub-Saharan country."
    assert _events(nlp, text) == {("partnership", ("EU", "NAM"), False)}
    assert "SSA" not in _parties(nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "Brazil beat Argentina 3-0 in the qualifier, and Chile drew with Peru.",
        "Japan top the group after the match against Mexico, and their coach praised the squad.",
    ],
)
def test_sports_reports_name_teams_not_parties(nlp: Analyzer, text: str) -> None:
    assert _parties(nlp, text) == set()
    assert _events(nlp, text) == set()


def test_score_without_sport_words_keeps_countries(nlp: Analyzer) -> None:
    text = "Chile and Peru signed a 10-year fisheries agreement in Lima."
    assert _events(nlp, text) == {("agreement", ("CHL", "PER"), False)}


def test_main_clause_outranks_relative_clause_behind_a_preposition(nlp: Analyzer) -> None:
    text = "Leaders of the EU and ASEAN met in Bangkok for a summit that ended with a joint statement."
    assert ("partnership", ("ASEAN", "EU"), False) in _events(nlp, text)


def test_possessive_pronoun_on_an_action_noun_brings_the_subject(nlp: Analyzer) -> None:
    text = "Kenya finished its ratification of the economic partnership agreement with the EU."
    assert _events(nlp, text) == {("agreement", ("EU", "KEN"), False)}


def test_round_of_talks_is_a_negotiation_and_absolute_with_is_no_partner(nlp: Analyzer) -> None:
    text = "Thailand and the EU began a fourth round of talks, with Malaysia watching closely."
    assert _events(nlp, text) == {("agreement", ("EU", "THA"), False)}


def test_round_of_talks_status(nlp: Analyzer) -> None:
    events = nlp.view("The EU and India held a new round of negotiations in Delhi.").rule_events
    assert [(e.participants, e.status) for e in events] == [(("EU", "IND"), "negotiating")]


@pytest.mark.parametrize(
    ("follower", "expected"),
    [
        ("Montenegro is expected to follow next year.", ("agreement", ("EU", "MNE"), False)),
        ("Serbia followed suit in June.", ("agreement", ("EU", "SRB"), False)),
    ],
)
def test_party_named_by_ellipsis_repeats_the_previous_event(
    nlp: Analyzer, follower: str, expected: tuple[str, tuple[str, ...], bool]
) -> None:
    text = f"Albania signed a customs cooperation agreement with the EU on Monday. {follower}"
    assert _events(nlp, text) == {("agreement", ("ALB", "EU"), False), expected}


def test_follow_without_a_previous_event_is_nothing(nlp: Analyzer) -> None:
    assert _events(nlp, "Croatia and Slovenia are expected to follow.") == set()
