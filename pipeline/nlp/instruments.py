"""Instrument names to comparison keys, with the registry of known instruments in ``models/``.

"EU-Canada Comprehensive Economic and Trade Agreement (CETA)", "CETA" and "the Comprehensive Economic
and Trade Agreement" all give the key ``comprehensive economic and trade agreement``.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from pipeline.nlp.actors import gazetteer
from pipeline.nlp.assets import Assets, Instrument, load_assets

_SYNONYMS = {
    "deal": "agreement",
    "pact": "agreement",
    "accord": "agreement",
    "agreements": "agreement",
    "fta": "free trade agreement",
    "mou": "memorandum of understanding",
    "moc": "memorandum of cooperation",
    "memo": "memorandum",
    "program": "programme",
    "programs": "programme",
    "programmes": "programme",
    "partnerships": "partnership",
    "initiatives": "initiative",
    "co-operation": "cooperation",
    "organization": "organisation",
    "dialog": "dialogue",
    "talks": "",
    "negotiations": "",
}
_NOISE = frozenset(
    {
        "a", "an", "the", "its", "their", "our", "his", "her", "new", "historic", "landmark", "long-awaited",
        "long-delayed", "ambitious", "first", "biggest", "major", "controversial", "revised", "updated",
        "modernised", "modernized", "proposed", "planned", "future", "so-called", "current", "existing",
        "official", "officially", "dedicated", "signed", "this", "that", "these", "those", "both", "two",
    }
)


@functools.lru_cache(maxsize=2)
def _actor_regex(assets: Assets) -> re.Pattern[str]:
    names = sorted({e.text.lower() for e in gazetteer(assets) if e.code}, key=len, reverse=True)
    names = [n for n in names if len(n) > 1]
    alternation = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?<![\w])(?:{alternation})(?:'s|’s)?(?![\w+])")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("–", "-").replace("—", "-")
    return text.lower()


def _simplify(name: str, assets: Assets) -> str:
    text = _fold(name)
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"[\"“”‘]", " ", text)
    text = re.sub(r"\bbetween\b.*?\band\b", " ", text)
    text = _actor_regex(assets).sub(" ", text)
    words = []
    for word in re.findall(r"[\w+][\w+'-]*", text):
        word = word.strip("-'")
        word = _SYNONYMS.get(word, word)
        if word and word not in _NOISE and word not in {"-", "and-"}:
            words.extend(word.split())
    deduped: list[str] = []
    for word in words:
        if not deduped or deduped[-1] != word:
            deduped.append(word)
    while deduped and deduped[0] in {"and", "of", "on", "for", "with", "-"}:
        deduped.pop(0)
    return " ".join(deduped)


@functools.lru_cache(maxsize=2)
def _registry_index(assets: Assets) -> dict[str, Instrument]:
    index: dict[str, Instrument] = {}
    for item in assets.instruments:
        for name in (item.canonical, *item.aliases):
            index.setdefault(_fold(name).strip(), item)
            simple = _simplify(name, assets)
            if simple and (item.parties or simple not in index):
                index.setdefault(simple, item)
    return index


def lookup(name: str | None, participants: tuple[str, ...] = (), assets: Assets | None = None) -> Instrument | None:
    """The registry entry a name refers to, if any (parties must not contradict ``participants``)."""
    if not name:
        return None
    assets = assets or load_assets()
    index = _registry_index(assets)
    item = index.get(_fold(name).strip()) or index.get(_simplify(name, assets))
    if item and item.parties and participants and not set(item.parties) <= set(participants) | {"EU"}:
        return None
    return item


def instrument_key(name: str | None, participants: tuple[str, ...] = (), assets: Assets | None = None) -> str:
    """A comparison key for an instrument name ("" for none): registry canonical form or the simplified name."""
    if not name:
        return ""
    assets = assets or load_assets()
    item = lookup(name, participants, assets)
    if item is not None:
        return _simplify(item.canonical, assets) or _fold(item.canonical)
    return _simplify(name, assets)
