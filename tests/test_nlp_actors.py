"""Actors: gazetteer names, aliases, demonyms, EU institutions, blocs, regions, places vs parties."""

from __future__ import annotations

import pycountry
import pytest

from pipeline.nlp import Analyzer, actor_table
from pipeline.nlp.actors import is_dateline, is_locative


def _codes(nlp: Analyzer, text: str) -> list[str]:
    return [m.code for m in nlp.view(text).entities if m.label != "INSTRUMENT"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Officials from the US and the U.S. Treasury met.", ["USA", "USA"]),
        ("America and Britain disagreed.", ["USA", "GBR"]),
        ("South Korea, the Republic of Korea and Korea are one country here.", ["KOR", "KOR", "KOR"]),
        ("Türkiye, formerly Turkey, hosted delegates from Czechia.", ["TUR", "TUR", "CZE"]),
        ("The UK and the United Kingdom are the same.", ["GBR", "GBR"]),
        ("Viet Nam and Vietnam, Côte d'Ivoire and Ivory Coast.", ["VNM", "VNM", "CIV", "CIV"]),
        ("Delegates from New Zealand and Papua New Guinea arrived.", ["NZL", "PNG"]),
        ("Macau and Macao, the KSA and Saudi Arabia.", ["MAC", "MAC", "SAU", "SAU"]),
        ("The European Community and the European Economic Community.", ["EU", "EU"]),
    ],
    ids=["us-abbreviations", "short-names", "korea", "turkey-czechia", "uk", "spellings", "longest-match",
         "news-spellings", "the-union-s-former-names"],
)
def test_country_names_and_aliases(nlp: Analyzer, text: str, expected: list[str]) -> None:
    assert _codes(nlp, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Japanese minister met a Canadian envoy.", ["JPN", "CAN"]),
        ("Dutch and Italian officials attended.", ["NLD", "ITA"]),
        ("The Indian Ocean and Latin American music.", []),
    ],
    ids=["demonyms", "demonym-pair", "blocked-phrases"],
)
def test_demonyms(nlp: Analyzer, text: str, expected: list[str]) -> None:
    assert _codes(nlp, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The European Commission proposed it.",
        "The EEAS and the European Parliament agreed.",
        "A spokesperson for the Council of the European Union spoke.",
    ],
    ids=["commission", "eeas-parliament", "council"],
)
def test_eu_institutions_are_the_eu(nlp: Analyzer, text: str) -> None:
    codes = _codes(nlp, text)
    assert codes and set(codes) == {"EU"}


def test_blocs_and_regions(nlp: Analyzer) -> None:
    text = "ASEAN, the African Union, Mercosur, the G20, the Western Balkans, sub-Saharan Africa and the Indo-Pacific."
    assert _codes(nlp, text) == ["ASEAN", "AU", "MERCOSUR", "G20", "WBALK", "SSA", "INDOPAC"]


def test_region_parts_do_not_leak(nlp: Analyzer) -> None:
    assert _codes(nlp, "Growth in Southeast Asia and North Africa slowed.") == []


def test_hyphenated_pair_yields_both_actors(nlp: Analyzer) -> None:
    analysis = nlp.view("Preparations for the EU-China summit and the India–EU dialogue continued.")
    assert [m.code for m in analysis.entities if m.code] == ["EU", "CHN", "IND", "EU"]


def test_offsets_point_into_the_text(nlp: Analyzer) -> None:
    text = "Yesterday South Korea signed."
    mention = next(m for m in nlp.view(text).entities if m.code == "KOR")
    assert text[mention.start : mention.end] == "South Korea"
    assert mention.label == "COUNTRY"


def test_places_and_datelines_are_not_parties(nlp: Analyzer) -> None:
    text = "Belgium, (Example Wire) The EU and Peru met at a conference in Luxembourg."
    analysis = nlp.view(text)
    assert {"BEL", "LUX"} <= {m.code for m in analysis.entities}
    assert set(analysis.actors) == {"EU", "PER"}


def test_locative_and_dateline_rules() -> None:
    text = "PERU, 5 May 2024 - talks in the Netherlands"
    assert is_dateline(text, 0, 4)
    assert is_locative(text, text.index("Netherlands") - 4)
    assert not is_dateline("Peru and Chile", 0, 4)


def test_actor_table_covers_every_country_and_bloc() -> None:
    rows = {row["code"]: row for row in actor_table()}
    assert {c.alpha_3 for c in pycountry.countries} <= set(rows)
    design = {"EU", "ASEAN", "AU", "G7", "G20", "NATO", "UN", "WTO", "OECD", "MERCOSUR"}
    design |= {"WBALK", "AFRICA", "SSA", "LATAM", "ASIA", "INDOPAC", "SOUTHNEIGH"}
    assert set(design) <= set(rows)
    assert rows["JPN"] == {"code": "JPN", "name": "Japan", "kind": "country", "iso2": "JP"}
    assert rows["EU"]["kind"] == "bloc" and rows["WBALK"]["kind"] == "region" and rows["WTO"]["kind"] == "org"
    assert all(set(row) == {"code", "name", "kind", "iso2"} for row in rows.values())


def test_given_names_are_not_countries_in_running_text(nlp: Analyzer) -> None:
    assert nlp.view("Prime Minister Georgia Smith met officials from Chile.").actors == ("CHL",)
    assert "GEO" in nlp.view("Georgia Signs Association Agreement With The EU").actors
