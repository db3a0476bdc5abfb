"""Which name matches are actors: persons, US states, birds, company names, nationalities of companies,
other countries' commissions, capitals as places (sentences written for pactwatch)."""

from __future__ import annotations

import pytest

from pipeline.nlp import Analyzer


def _labels(nlp: Analyzer, text: str) -> list[tuple[str, str]]:
    return [(m.text, m.label) for m in nlp.view(text).entities if m.label != "INSTRUMENT"]


@pytest.mark.parametrize(
    "text",
    [
        "Coach Michael Jordan thanked the fans after the final whistle.",
        "Chad Miller scored twice. Later, Chad said the pitch was poor.",
        "Georgia's governor promised tax breaks to the factory near Savannah.",
        "Turkey prices climbed ahead of Thanksgiving as farmers counted smaller flocks.",
        "Passengers praised Emirates Airline for its new lounge.",
        "Growth slowed in Inner Mongolia last year.",
    ],
    ids=["given-name-surname", "person-named-again", "us-state", "bird", "company-name", "region-of-a-country"],
)
def test_names_that_are_no_actor(nlp: Analyzer, text: str) -> None:
    analysis = nlp.view(text)
    assert analysis.actors == () and analysis.rule_events == ()


@pytest.mark.parametrize(
    ("text", "norp"),
    [
        ("A Saudi utility ordered turbines from the German engineering group.", ["Saudi", "German"]),
        ("The Japanese carmaker signed an agreement with a Chinese supplier.", ["Japanese", "Chinese"]),
        ("The Spanish football federation agreed a kit deal with an American sportswear maker.",
         ["Spanish", "American"]),
        ("A Ukraine expert and two China analysts said the talks were going well.", ["Ukraine", "China"]),
    ],
    ids=["utility-group", "carmaker-supplier", "federation-maker", "experts-on-a-country"],
)
def test_nationality_of_a_company_is_no_party(nlp: Analyzer, text: str, norp: list[str]) -> None:
    analysis = nlp.view(text)
    assert [m.text for m in analysis.entities if m.label == "NORP"] == norp
    assert analysis.actors == () and analysis.rule_events == ()


@pytest.mark.parametrize("officials", ["Japanese", "Japan"])
def test_nationality_of_officials_is_a_party(nlp: Analyzer, officials: str) -> None:
    text = f"{officials} officials and the EU signed a partnership on hydrogen."
    assert (officials, "COUNTRY") in _labels(nlp, text)
    assert [e.participants for e in nlp.view(text).rule_events] == [("EU", "JPN")]


@pytest.mark.parametrize("people", ["lawmakers", "policymakers"])
def test_lawmakers_act_for_their_state_where_carmakers_do_not(nlp: Analyzer, people: str) -> None:
    text = f"Ukrainian {people} ratified the association agreement with the EU on Tuesday."
    assert ("Ukrainian", "COUNTRY") in _labels(nlp, text)
    assert [e.participants for e in nlp.view(text).rule_events] == [("EU", "UKR")]


@pytest.mark.parametrize("team", ["U.S.", "American"])
def test_a_country_s_team_at_talks_is_a_party(nlp: Analyzer, team: str) -> None:
    """A team is a country's negotiators as often as its athletes: a sports report alone makes it a team of players."""
    text = f"The {team} team and Chinese negotiators agreed a trade deal in Geneva."
    assert (team, "COUNTRY") in _labels(nlp, text)
    assert [e.participants for e in nlp.analyse(text).events] == [("CHN", "USA")]


def test_another_countrys_commission_is_not_the_eu(nlp: Analyzer) -> None:
    text = "The Securities and Exchange Commission signed a memorandum of understanding with Britain's regulator."
    assert "EU" not in nlp.view(text).actors
    assert nlp.view("The Commission proposed new rules for the European Union.").actors == ("EU",)
    assert nlp.view("The Commission and Chile signed an advanced framework agreement.").actors == ("EU", "CHL")


def test_capitals_are_places_unless_they_act(nlp: Analyzer) -> None:
    text = "Meeting in Tokyo, the European Union and Australia signed a security and defence partnership."
    analysis = nlp.view(text)
    assert ("Tokyo", "PLACE") in _labels(nlp, text) and "JPN" not in analysis.actors
    assert [e.participants for e in analysis.rule_events] == [("AUS", "EU")]
    assert _labels(nlp, "Officials returned to Washington for the vote.") == [("Washington", "PLACE")]
    acting = nlp.view("Brussels and Canberra could relaunch trade talks later this year.")
    assert {m.label for m in acting.entities if m.code} == {"BLOC", "COUNTRY"}
    assert [(e.participants, e.status) for e in acting.rule_events] == [(("AUS", "EU"), "planned")]


def test_an_actor_name_is_not_an_instrument(nlp: Analyzer) -> None:
    text = "She was China's executive director at the International Monetary Fund until 2019."
    analysis = nlp.view(text)
    assert analysis.rule_events == ()
    assert [m.text for m in analysis.entities if m.label == "INSTRUMENT"] == []


def test_a_place_in_a_registry_name_is_no_actor(nlp: Analyzer) -> None:
    """The Samoa Agreement is the EU's and the OACPS's: "Samoa" in its name is where it was signed."""
    signed = _labels(nlp, "The EU and the OACPS signed the Samoa Agreement in Apia.")
    assert signed == [("EU", "BLOC"), ("OACPS", "BLOC")]
    assert ("Samoa", "COUNTRY") in _labels(nlp, "Samoa and Tonga signed a fisheries agreement.")
    named = _labels(nlp, "The EU-Japan Economic Partnership Agreement entered into force in 2019.")
    assert named == [("EU", "BLOC"), ("Japan", "COUNTRY")]


def test_every_word_list_of_the_rules_is_read_from_models(nlp: Analyzer) -> None:
    """The rules' word lists live in models/patterns/lexicon.tsv: a category misspelt in the code or the file would
    read as an empty list and silently turn a rule off."""
    from dataclasses import fields

    empty = [f"{owner.__class__.__name__}.{field.name}" for owner in (nlp.lex, nlp.senses) for field in fields(owner)
             if isinstance(getattr(owner, field.name), (frozenset, dict, tuple)) and not getattr(owner, field.name)]
    assert empty == []
    assert nlp.lex.nominal_status["signing"] == "signed" and "sidelines" in nlp.lex.setting_nouns
    assert nlp.lex.named_topic_heads == {"memorandum", "letter"} < nlp.lex.topic_heads
    assert "president" in nlp.senses.not_given and "valley" in nlp.senses.not_surnames
