"""Events: triggers, participants tied to the trigger, hedges, negations, pairs, dedupe (our own sentences)."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.models import Event
from pipeline.nlp import Analyzer
from pipeline.nlp.parties import main_pair

PUBLISHED = date(2024, 6, 1)


def _events(nlp: Analyzer, text: str) -> list[Event]:
    return list(nlp.view(text, published=PUBLISHED).rule_events)


def _one(nlp: Analyzer, text: str) -> Event:
    events = _events(nlp, text)
    assert len(events) == 1, events
    return events[0]


@pytest.mark.parametrize(
    ("text", "type_", "status", "participants"),
    [
        ("The European Union and Chile signed a new trade agreement on Monday.", "agreement", "signed", ("CHL", "EU")),
        ("Japan and the European Commission launched a green alliance on hydrogen.", "partnership", "launched",
         ("EU", "JPN")),
        ("Australia and the EU resumed negotiations on a free trade agreement.", "agreement", "negotiating",
         ("AUS", "EU")),
        ("The third EU-Kenya Business Forum was held in Nairobi.", "partnership", "held", ("EU", "KEN")),
        ("The agreement between the EU and Mercosur has entered into force.", "agreement", "in_force",
         ("EU", "MERCOSUR")),
        ("The EU and the African Union will co-finance a vaccine programme.", "programme", "planned", ("AU", "EU")),
        ("Canada will cooperate with the European Union on battery recycling research.", "cooperation", "planned",
         ("CAN", "EU")),
        ("The Commission and Japan concluded a digital partnership.", "partnership", "signed", ("EU", "JPN")),
        ("Norway, Iceland and the European Union signed an agreement on fisheries.", "agreement", "signed",
         ("EU", "ISL", "NOR")),
    ],
    ids=["signed", "launched", "negotiating", "held-hyphen-pair", "in-force", "co-finance", "cooperate",
         "institution-is-eu", "multi-party"],
)
def test_trigger_gives_type_status_and_parties(
    nlp: Analyzer, text: str, type_: str, status: str, participants: tuple[str, ...]
) -> None:
    event = _one(nlp, text)
    assert (event.type, event.status, event.participants, event.negated) == (type_, status, participants, False)
    assert event.evidence == text and 0 < event.confidence <= 1


@pytest.mark.parametrize(
    "text",
    [
        "The EU plans to sign a memorandum of understanding with Namibia on raw materials.",
        "India and the EU intend to conclude a free trade agreement by the end of the year.",
        "Ghana and the EU will sign a partnership agreement next month.",
    ],
    ids=["plans-to", "intend-to", "will"],
)
def test_hedges_make_events_planned(nlp: Analyzer, text: str) -> None:
    event = _one(nlp, text)
    assert event.status == "planned" and not event.negated


@pytest.mark.parametrize(
    ("text", "participants"),
    [
        ("Brazil refused to sign the pact with the European Union.", ("BRA", "EU")),
        ("The council said the EU would not conclude the agreement with Thailand.", ("EU", "THA")),
        ("Kenya and the EU did not sign the partnership agreement.", ("EU", "KEN")),
        ("Talks between Britain and the EU over a trade deal stalled on Thursday.", ("EU", "GBR")),
        ("Talks between Mexico and the EU on a modernised agreement failed to reach a conclusion.", ("EU", "MEX")),
        ("The EU failed to conclude an investment deal with China.", ("CHN", "EU")),
    ],
    ids=["refused", "would-not", "did-not", "stalled", "failed-talks", "failed-to"],
)
def test_negations_are_never_positive(nlp: Analyzer, text: str, participants: tuple[str, ...]) -> None:
    events = _events(nlp, text)
    assert events and all(e.negated for e in events)
    assert events[0].participants == participants


def test_no_reference_to_a_country_is_a_negated_partnership(nlp: Analyzer) -> None:
    text = "The EU set out its plan. The EU wants more trade. The new strategy makes no reference to the United States."
    event = _one(nlp, text)
    assert event.participants == ("EU", "USA") and event.negated and event.type == "partnership"


def test_excluded_party_gets_a_negated_event(nlp: Analyzer) -> None:
    text = "The EU signed the pact with Japan, excluding South Korea."
    events = {(e.participants, e.negated) for e in _events(nlp, text)}
    assert events == {(("EU", "JPN"), False), (("EU", "KOR"), True)}


@pytest.mark.parametrize(
    "text",
    [
        "Germany and France reported higher inflation in May.",
        "Ministers from Spain, Italy and Greece discussed migration with Tunisia.",
        "Officials from Peru visited Chile and Bolivia last week.",
    ],
    ids=["economy", "discussion", "visit"],
)
def test_countries_without_an_event(nlp: Analyzer, text: str) -> None:
    assert _events(nlp, text) == []


def test_only_actors_tied_to_the_trigger_take_part(nlp: Analyzer) -> None:
    event = _one(nlp, "During a visit to Egypt, the EU signed a partnership agreement with Jordan.")
    assert event.participants == ("EU", "JOR")


def test_setting_summit_does_not_borrow_the_verbs_parties(nlp: Analyzer) -> None:
    text = "At the EU-Japan summit, Canada and Mexico signed a trade agreement."
    events = {(e.type, e.participants) for e in _events(nlp, text)}
    assert events == {("partnership", ("EU", "JPN")), ("agreement", ("CAN", "MEX"))}


def test_both_sides_resolve_to_the_main_pair(nlp: Analyzer) -> None:
    text = "The European Union and Chile held talks in Santiago. Both sides agreed to set up a partnership on energy."
    event = _one(nlp, text)
    assert event.participants == ("CHL", "EU") and event.type == "partnership"


def test_coordinated_subjects_with_one_partner_split_into_bilateral_events(nlp: Analyzer) -> None:
    events = _events(nlp, "Japan and South Korea are negotiating association agreements with the EU.")
    assert sorted(e.participants for e in events) == [("EU", "JPN"), ("EU", "KOR")]


def test_same_event_twice_in_an_article_is_one_event(nlp: Analyzer) -> None:
    text = ("On 5 March 2024, the EU and Kenya signed an economic partnership agreement. "
            "The agreement between Kenya and the EU was signed after long talks.")
    event = _one(nlp, text)
    assert event.date == date(2024, 3, 5)


def test_date_defaults_to_published(nlp: Analyzer) -> None:
    assert _one(nlp, "Kenya and the EU signed an agreement.").date == PUBLISHED


def test_registry_instrument_gets_its_canonical_name(nlp: Analyzer) -> None:
    event = _one(nlp, "The EU-Japan Economic Partnership Agreement entered into force in 2019.")
    assert event.instrument == "EU-Japan Economic Partnership Agreement" and event.status == "in_force"


def test_registry_parties_do_not_override_the_text(nlp: Analyzer) -> None:
    event = _one(nlp, "The EU and Korea signed a digital trade agreement.")
    assert event.participants == ("EU", "KOR") and event.instrument == "digital trade agreement"


def test_registry_parties_the_article_never_names_are_not_its_parties(nlp: Analyzer) -> None:
    """"CEPA" is also the EU-Armenia agreement's short name: an article naming neither reads no EU-Armenia event."""
    text = "The first round of talks on the CEPA will be held in Accra. Ghana and Togo want to finish within a year."
    assert nlp.view(text, PUBLISHED).rule_events == ()
    named = nlp.view("The EU and Armenia signed the CEPA in 2017.", PUBLISHED).rule_events
    assert [(e.participants, e.instrument) for e in named] == [
        (("ARM", "EU"), "EU-Armenia Comprehensive and Enhanced Partnership Agreement")]


def test_title_is_read_when_the_text_lacks_it(nlp: Analyzer) -> None:
    analysis = nlp.view("The deal covers cars.", PUBLISHED, title="Peru and the EU sign a trade deal")
    assert [(e.type, e.participants) for e in analysis.rule_events] == [("agreement", ("EU", "PER"))]


def test_analyse_many_keeps_keys_and_order(nlp: Analyzer) -> None:
    items = [(7, "Kenya and the EU signed an agreement.", None), ("b", "Nothing happened.", PUBLISHED)]
    results = list(nlp.analyse_many(items, batch_size=1))
    assert [key for key, _ in results] == [7, "b"]
    assert len(results[0][1].events) == 1 and results[1][1].events == ()


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["EU", "JPN", "EU"], ("EU", "JPN")),
        (["EU", "EU", "EU", "JPN", "JPN", "KOR"], ("EU", "JPN")),
        (["EU", "EU", "JPN", "KOR"], None),
        (["EU"], None),
    ],
    ids=["two", "dominant-pair", "ambiguous", "one"],
)
def test_main_pair(codes: list[str], expected: tuple[str, str] | None) -> None:
    assert main_pair(codes) == expected


@pytest.mark.parametrize(
    ("text", "type_", "participants"),
    [
        ("The Commission adopted an adequacy decision for the United Kingdom.", "agreement", ("EU", "GBR")),
        ("The EU announced a Global Gateway investment package for Latin America.", "programme", ("EU", "LATAM")),
        ("Switzerland's association to Horizon Europe took effect on 1 January.", "programme", ("CHE", "EU")),
        ("Canada formally became associated to Horizon Europe in July.", "programme", ("CAN", "EU")),
        ("The European Investment Bank signed a loan with Kenya to build solar plants.", "programme", ("EU", "KEN")),
    ],
    ids=["adequacy", "eu-programme-for-region", "association-in-force", "associated-to", "loan"],
)
def test_known_programmes_bring_their_owner(
    nlp: Analyzer, text: str, type_: str, participants: tuple[str, ...]
) -> None:
    event = _one(nlp, text)
    assert (event.type, event.participants) == (type_, participants)


def test_speaker_with_one_named_partner_completes_the_main_pair(nlp: Analyzer) -> None:
    text = ("The European Union and Chile met. The EU and Chile talked. "
            "Maria Lopez said after summit talks with Chile that progress was made.")
    events = [e for e in _events(nlp, text) if e.type == "partnership"]
    assert [(e.status, e.participants) for e in events] == [("held", ("CHL", "EU"))]
    assert events[0].confidence < 0.7
