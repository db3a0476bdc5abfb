"""Partnership identity across articles: normalised instruments, keys, status order, publishers."""

from __future__ import annotations

import pytest

from pipeline.models import Event
from pipeline.partnerships import STATUS_ORDER, later_status, normalise_instrument, partnership_key, publisher_key


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
    ],
    ids=["acronym", "article", "registry-generic", "deal-is-agreement", "mou", "pair-prefix", "word-order",
         "between-phrase"],
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


@pytest.mark.parametrize(
    ("url", "sitename", "expected"),
    [
        ("https://www.example.com/a", None, "example.com"),
        ("https://news.example.co.uk/b", None, "example.co.uk"),
        (None, "Example Wire", "example wire"),
    ],
    ids=["www", "second-level", "sitename"],
)
def test_publisher_key(url: str | None, sitename: str | None, expected: str) -> None:
    assert publisher_key(url, sitename) == expected
