"""Partnership identity across articles: normalised instruments, keys, status order, merged state."""

from __future__ import annotations

import pytest

from pipeline.models import Event
from pipeline.partnerships import (
    STATUS_ORDER,
    EventRecord,
    independent_sources,
    later_status,
    normalise_instrument,
    partnership_key,
    summarise,
)


def _event(codes: tuple[str, ...], instrument: str | None, type_: str = "agreement") -> Event:
    return Event(type_, "signed", codes, instrument, False, None, "evidence", 0.8)


@pytest.mark.parametrize(
    ("a", "b", "codes"),
    [
        ("EU-Canada Comprehensive Economic and Trade Agreement (CETA)", "CETA", ("CAN", "EU")),
        ("the Comprehensive Economic and Trade Agreement", "CETA", ("CAN", "EU")),
        ("EU-Japan free trade agreement", "Economic Partnership Agreement", ("EU", "JPN")),
        ("a trade deal", "the free trade agreement", ("EU", "NZL")),
        ("Memorandum of Understanding on hydrogen", "MoU on hydrogen", ("EU", "NAM")),
        ("EU–Canada Digital Partnership", "the digital partnership", ("CAN", "EU")),
        ("association to Horizon Europe", "Horizon Europe association", ("EU", "NZL")),
        ("Agreement between the European Union and Japan on Science", "EU-Japan agreement on science", ("EU", "JPN")),
        ("the long-awaited landmark green pact", "green agreement", ("EU", "NZL")),
        ("Chile-Uruguay FTA", "Chile-Uruguay free-trade agreement", ("CHL", "URY")),
    ],
    ids=["acronym", "article", "registry-generic", "deal-is-agreement", "mou", "pair-prefix", "word-order",
         "between-phrase", "noise-words", "fta"],
)
def test_wordings_of_one_instrument_meet(a: str, b: str, codes: tuple[str, ...]) -> None:
    assert normalise_instrument(a, codes, "agreement") == normalise_instrument(b, codes, "agreement")


def test_different_instruments_stay_apart() -> None:
    codes = ("CHL", "EU")
    assert normalise_instrument("Advanced Framework Agreement", codes, "agreement") != normalise_instrument(
        "Interim Trade Agreement", codes, "agreement"
    )


def test_registry_identity_needs_matching_parties() -> None:
    # "digital trade agreement" is a known EU-Singapore instrument, but not between the EU and Korea
    assert normalise_instrument("Digital Trade Agreement", ("EU", "KOR"), "agreement") == "agreement digital trade"


def test_no_instrument_falls_back_to_the_type() -> None:
    assert normalise_instrument(None, ("EU", "JPN"), "cooperation") == "cooperation"
    assert normalise_instrument("", ("EU", "JPN"), "programme") == "programme"


def test_partnership_key_sorts_participants() -> None:
    one = partnership_key(_event(("JPN", "EU"), "EU-Japan Economic Partnership Agreement"))
    two = partnership_key(_event(("EU", "JPN"), "the EU-Japan trade deal"))
    assert one == two and one.startswith("EU+JPN|")
    assert partnership_key(_event(("EU", "JPN"), None, "cooperation")) == "EU+JPN|cooperation"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("planned", "negotiating", "negotiating"),
        ("signed", "negotiating", "signed"),
        ("signed", "in_force", "in_force"),
        ("in_force", "ended", "ended"),
        ("signed", "launched", "launched"),
        (None, "held", "held"),
        ("planned", None, "planned"),
    ],
    ids=["negotiations-start", "no-going-back", "enters-force", "ends", "tie-newer-wins", "first", "missing"],
)
def test_later_status(a: str | None, b: str | None, expected: str) -> None:
    assert later_status(a, b) == expected


def test_status_order_covers_every_status() -> None:
    assert set(STATUS_ORDER) == {"planned", "negotiating", "signed", "launched", "held", "in_force", "ended"}


def _record(event_id: int, status: str, on_date: str, publisher: str, evidence: str = "evidence",
            confidence: float = 0.8, instrument: str | None = "Digital Partnership") -> EventRecord:
    return EventRecord(event_id, "partnership", status, instrument, evidence, confidence,
                       f"{on_date}T12:00:00Z", on_date, publisher)


def test_summarise_follows_the_latest_status_by_date_not_by_arrival() -> None:
    events = [
        _record(1, "negotiating", "2025-03-01", "a.example", evidence="Talks went on.", confidence=0.6),
        _record(2, "signed", "2025-06-01", "b.example", evidence="They signed it.", confidence=0.9),
        _record(3, "negotiating", "2024-11-01", "c.example"),  # a late report of old talks
    ]
    state = summarise(events)
    assert state.status == "signed" and state.status_event.event_id == 2
    assert state.mentions == 3 and state.sources == 3
    assert state.best_evidence == "They signed it."
    assert (state.first_reported, state.last_reported) == ("2024-11-01", "2025-06-01")


def test_a_wire_story_reprinted_by_several_sites_is_one_source() -> None:
    wire = "The two sides signed the partnership in Brussels on Tuesday."
    events = [_record(i, "signed", "2025-06-01", f"site{i}.example", evidence=wire) for i in range(10)]
    events.append(_record(10, "signed", "2025-06-02", "own-reporting.example", evidence="Our reporter saw it."))
    assert independent_sources(events) == 2
    assert summarise(events).mentions == 11
