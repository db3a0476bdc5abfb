"""Mentions to canonical actor codes: pycountry for countries, ``models/gazetteers`` for the rest.

Countries are ISO 3166-1 alpha-3 codes; blocs, bodies and regions use the codes of DESIGN.md.
EU institutions are the actor ``EU``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pycountry

from pipeline.nlp.assets import Assets, load_assets

LABELS = {"country": "COUNTRY", "bloc": "BLOC", "region": "REGION", "org": "ORG"}
# Words that, right before a mention, make it a place where something happens rather than a party.
_LOCATIVE = frozenset({"in", "at", "across", "throughout", "within", "near", "around", "inside", "outside"})
_LOCATIVE_LIST = re.compile(
    r"\b(?:" + "|".join(sorted(_LOCATIVE)) + r")\s+(?:[A-Z][\w.'’-]*\s+){1,3}(?:and|or)\s+$"
)
_DATELINE_TAIL = re.compile(
    r"\s*(?:,\s*)?(?:\(|[-–—]\s|(?:\d{1,2}\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class GazetteerEntry:
    """One surface form and what it means; ``code`` None means a blocking phrase (no actor)."""

    text: str
    code: str | None
    label: str | None


def _clean(name: str) -> str:
    return re.sub(r"\s*\(.*?\)\s*", " ", name).strip()


def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value and "," not in value:
                names[_clean(value)] = country.alpha_3
    return names


def actor_kinds(assets: Assets | None = None) -> dict[str, str]:
    """Code -> kind (country | bloc | region | org) for every actor the NLP can emit."""
    assets = assets or load_assets()
    kinds = {c.alpha_3: "country" for c in pycountry.countries}
    kinds.update({code: kind for code, kind, _ in assets.actors})
    return kinds


def actor_table(assets: Assets | None = None) -> list[dict]:
    """Rows ``{code, name, kind, iso2}`` for every country (pycountry) and every bloc, body and region."""
    assets = assets or load_assets()
    rows = [
        {
            "code": c.alpha_3,
            "name": getattr(c, "common_name", None) or c.name,
            "kind": "country",
            "iso2": c.alpha_2,
        }
        for c in pycountry.countries
    ]
    seen = {row["code"] for row in rows}
    for code, kind, name in assets.actors:
        if code not in seen:
            rows.append({"code": code, "name": name, "kind": kind, "iso2": "XK" if code == "XKX" else None})
            seen.add(code)
    return sorted(rows, key=lambda row: row["code"])


def short_names(assets: Assets | None = None) -> dict[str, str]:
    """Code -> the short name news use for it: "EU", "US", "UK", "Russia", "South Korea", "Western Balkans"."""
    assets = assets or load_assets()
    aliases: dict[str, list[str]] = {}
    for alias, code in assets.country_aliases:
        if alias not in assets.metonyms:
            aliases.setdefault(code, []).append(alias)
    names = {}
    for country in pycountry.countries:
        code = country.alpha_3
        plain = _clean(getattr(country, "common_name", None) or country.name)
        initials = [a for a in aliases.get(code, ()) if len(a) == 2 and a.isupper()]
        spelled = [a for a in aliases.get(code, ()) if not a.isupper()]
        if initials:
            names[code] = initials[0]
        elif spelled and (len(spelled[0]) < len(plain) or "," in plain):
            names[code] = spelled[0]
        else:
            names[code] = plain
    for code, kind, name in assets.actors:
        names[code] = code if kind in ("bloc", "org") else name
    return names


def gazetteer(assets: Assets | None = None) -> list[GazetteerEntry]:
    """Every surface form the actor ruler matches (case-sensitive), with its code and mention label."""
    assets = assets or load_assets()
    kinds = actor_kinds(assets)
    entries: dict[str, GazetteerEntry] = {}

    def add(text: str, code: str | None) -> None:
        label = LABELS[kinds[code]] if code else None
        for form in {text, text.upper()}:
            entries.setdefault(form, GazetteerEntry(form, code, label))

    for phrase in assets.stop_phrases:
        add(phrase, None)
    for alias, code in assets.actor_aliases:
        add(alias, code)
    for alias, code in assets.country_aliases:
        add(alias, code)
    for name, code in _country_names().items():
        add(name, code)
    for demonym, code in assets.demonyms:
        add(demonym, code)
    return list(entries.values())


def is_dateline(text: str, start: int, end: int) -> bool:
    """True when a mention opens the text as a dateline ("PARIS, (Agency) ..." or "Belgium, 5 May 2024 ...")."""
    if text[:start].strip():
        return False
    return bool(_DATELINE_TAIL.match(text, end))


def is_locative(text: str, start: int) -> bool:
    """True when the words before a mention make it a place ("a meeting in Luxembourg", "at the UN")."""
    if _LOCATIVE_LIST.search(text[max(0, start - 60) : start]):
        return True  # "inflation in Poland and Hungary"
    words = re.findall(r"[A-Za-z]+", text[max(0, start - 20) : start])
    if words and words[-1].lower() == "the":
        words = words[:-1]
    return bool(words) and words[-1].lower() in _LOCATIVE
