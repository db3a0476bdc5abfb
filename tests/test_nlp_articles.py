"""Round 6 (full-length articles): article-level rules. Each rule has sentences it changes and a near
neighbour it leaves alone (sentences written for pactwatch)."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.nlp import Analyzer
from pipeline.nlp.dates import time_word
from pipeline.nlp.instruments import instrument_key
from pipeline.nlp.naming import anchor_name


def _events(nlp: Analyzer, text: str) -> set[tuple[str, tuple[str, ...], bool]]:
    return {(e.type, e.participants, e.negated) for e in nlp.view(text, published=date(2026, 5, 1)).rule_events}


def _names(nlp: Analyzer, text: str) -> set[str | None]:
    return {e.instrument for e in nlp.view(text, published=date(2026, 5, 1)).rule_events}


def test_without_a_topic_excludes_no_party(nlp: Analyzer) -> None:
    text = "Leaders of the EU and Ghana held a summit on Monday, but without progress on the deal with Togo."
    found = _events(nlp, text)
    assert ("partnership", ("EU", "GHA"), False) in found
    assert not any(kind == "partnership" and "TGO" in codes for kind, codes, _ in found)


def test_without_a_party_still_leaves_it_out(nlp: Analyzer) -> None:
    found = _events(nlp, "The EU and Morocco held the summit without the United States.")
    assert ("partnership", ("EU", "MAR"), False) in found
    assert ("partnership", ("EU", "MAR", "USA"), True) in found


def test_part_of_a_programme_frames_the_signing(nlp: Analyzer) -> None:
    text = "The EU and Peru signed a loan agreement on Friday, part of the EU's Global Gateway investment drive."
    assert _events(nlp, text) == {("agreement", ("EU", "PER"), False)}


def test_a_programme_named_with_its_own_event_is_kept(nlp: Analyzer) -> None:
    found = _events(nlp, "The EU and Ghana launched the Clean Water Initiative, part of a wider effort.")
    assert ("programme", ("EU", "GHA"), False) in found


def test_each_coordinated_instrument_keeps_its_own_partner(nlp: Analyzer) -> None:
    text = "The EU signed a fisheries memorandum with Gabon in 2021 and a green partnership with Angola in 2023."
    found = _events(nlp, text)
    assert ("agreement", ("EU", "GAB"), False) in found
    assert ("partnership", ("AGO", "EU"), False) in found
    assert not any("AGO" in codes and "GAB" in codes for _, codes, _ in found)


def test_money_and_place_leave_the_name(nlp: Analyzer) -> None:
    text = "The EIB and the government of Ghana signed a 300 million euro financing agreement in Accra on Monday."
    assert _names(nlp, text) == {"financing agreement"}


@pytest.mark.parametrize(("sentence", "name"), [
    ("signed a memorandum of understanding on green hydrogen on Monday.",
     "memorandum of understanding on green hydrogen"),
    ("signed a cooperation agreement on fisheries in 2024.", "cooperation agreement on fisheries"),
    ("signed an agreement in the field of energy research.", "agreement in the field of energy research"),
    ("signed a memorandum of understanding on 12 May.", "memorandum of understanding"),
    ("signed a cooperation agreement in 2024.", "cooperation agreement"),
    ("signed a cooperation agreement in Nairobi on Monday.", "cooperation agreement"),
    ("signed an agreement for the period 2021-2027.", "agreement"),
    ("are negotiating an agreement for farmers to sell across the border.", "agreement"),
    ("signed an agreement for restoring trade across the border, which should serve as a model for the region.",
     "agreement for restoring trade across the border"),
    ("signed an agreement on the supply of vaccines to the clinics of the northern counties within the next year.",
     "agreement on the supply of vaccines to the clinics"),
])
def test_a_topic_is_part_of_the_name_and_a_time_or_place_is_not(nlp: Analyzer, sentence: str, name: str) -> None:
    """The parse runs without a named-entity recogniser: times and places are read from the words."""
    assert _names(nlp, "The EU and Kenya " + sentence) == {name}


def test_words_that_say_nothing_of_the_instrument_leave_its_name(nlp: Analyzer) -> None:
    assert _names(nlp, "The EU and Kenya signed the long-awaited new fisheries agreement.") == {"fisheries agreement"}
    assert _names(nlp, "The EU and Kenya held a two-day summit in Nairobi.") == {"two-day summit"}


@pytest.mark.parametrize(("headline", "name"), [
    ("Ghana and Togo seal customs deal in Lome", "customs deal"),
    ("Ghanaian, Togolese Leaders Sign Deal to Extend Customs Pact", "Deal to Extend Customs Pact"),
])
def test_a_headline_s_verb_is_no_part_of_the_name(nlp: Analyzer, headline: str, name: str) -> None:
    """Headlines tag their verb as part of a noun phrase: the name starts after it."""
    assert _names(nlp, headline) == {name}


def test_a_capitalised_name_starts_after_a_headline_s_verb_and_its_noise(nlp: Analyzer) -> None:
    """In "Ghana and Togo Sign Historic Customs Union Agreement" the parser takes "Sign" into the name."""
    doc = nlp.full("Ghana and Togo Sign Historic Customs Union Agreement")
    span = doc[3:]
    assert span.root.text == "Agreement"
    assert anchor_name(span.root, span, nlp.lex) == ("Customs Union Agreement", True)


@pytest.mark.parametrize(("word", "is_time"), [
    ("2024", True), ("2021-2027", True), ("mid-2015", True), ("1990s", True), ("May", True), ("Sept.", True),
    ("Monday", True), ("years", True), ("annual", True), ("may", False), ("march", False), ("energy", False),
    ("300", False), ("12019", False), ("Nairobi", False),
])
def test_time_words(word: str, is_time: bool) -> None:
    assert time_word(word) is is_time


def test_a_partnership_body_is_not_the_partnership(nlp: Analyzer) -> None:
    text = "Ministers of the EU and Japan met in Tokyo for the fifth EU-Japan Digital Partnership Council."
    assert _names(nlp, text) == {"Digital Partnership Council"}
    assert instrument_key("Digital Partnership Council", ("EU", "JPN")) != instrument_key(
        "Digital Partnership", ("EU", "JPN")
    )
    assert instrument_key("the Council") == ""


def test_parties_left_out_of_the_articles_instrument_pair_with_the_eu(nlp: Analyzer) -> None:
    text = "The EU and Mauritania signed a joint declaration on Friday. Senegal and Mali are not part of the agreement."
    found = _events(nlp, text)
    assert ("agreement", ("EU", "MRT"), False) in found
    assert ("agreement", ("EU", "SEN"), True) in found
    assert ("agreement", ("EU", "MLI"), True) in found


def test_a_party_that_did_not_sign_the_declaration(nlp: Analyzer) -> None:
    text = "The EU and Brazil signed a declaration on forests. Bolivia did not sign the declaration."
    assert ("agreement", ("BOL", "EU"), True) in _events(nlp, text)


def test_a_party_to_an_agreement_is_its_subject(nlp: Analyzer) -> None:
    assert ("agreement", ("EU", "NOR"), False) in _events(nlp, "Norway is a party to the agreement with the EU.")


def test_a_disbursement_to_listed_countries_is_one_event_each(nlp: Analyzer) -> None:
    text = (
        "The Commission paid out 900 million euros under the Growth Facility for the Western Balkans "
        "to Serbia and Albania."
    )
    assert _events(nlp, text) == {("programme", ("ALB", "EU"), False), ("programme", ("EU", "SRB"), False)}


def test_a_programme_for_a_bloc_and_a_country_is_not_split(nlp: Analyzer) -> None:
    assert _events(nlp, "The EU launched a programme for ASEAN and Japan.") == {
        ("programme", ("ASEAN", "EU", "JPN"), False)
    }


def test_countries_among_those_associated_with_a_programme(nlp: Analyzer) -> None:
    text = "Morocco joins Norway and Israel among the countries already associated with Horizon Europe."
    assert _events(nlp, text) == {
        ("programme", ("EU", "MAR"), False),
        ("programme", ("EU", "NOR"), False),
        ("programme", ("EU", "ISR"), False),
    }


def test_group_noun_without_named_members_adds_no_party(nlp: Analyzer) -> None:
    assert _events(nlp, "Officials from Japan and Korea met the countries associated with Horizon Europe.") == set()


def test_background_instrument_without_parties_belongs_to_the_main_pair(nlp: Analyzer) -> None:
    text = (
        "The EU and Chile held their annual summit in Santiago. The EU and Chile discussed lithium. "
        "Since the Green Hydrogen Agreement was signed in 2023, trade in clean hydrogen has doubled."
    )
    assert ("agreement", ("CHL", "EU"), False) in _events(nlp, text)


def test_a_planned_background_instrument_is_not_given_the_pair(nlp: Analyzer) -> None:
    text = (
        "The EU and Chile held their annual summit in Santiago. The EU and Chile discussed lithium. "
        "The signing of the Green Hydrogen Agreement is expected next year."
    )
    assert not any(kind == "agreement" for kind, _, _ in _events(nlp, text))


def test_a_background_instrument_beside_another_country_is_not_given_the_pair(nlp: Analyzer) -> None:
    text = (
        "The EU and Chile held their annual summit in Santiago. The EU and Chile discussed lithium. "
        "Peru praised the Green Hydrogen Agreement, signed in 2023."
    )
    assert not any(kind == "agreement" for kind, _, _ in _events(nlp, text))


def test_a_relative_signing_verb_is_the_instruments_event(nlp: Analyzer) -> None:
    text = "The EU and Angola expanded the green partnership that the two signed in 2023."
    assert all(kind == "partnership" for kind, _, _ in _events(nlp, text))
