"""Instrument names to comparison keys, with the registry of known instruments in ``models/``.

"EU-Canada Comprehensive Economic and Trade Agreement (CETA)", "CETA" and "the Comprehensive Economic
and Trade Agreement" all give one key: the canonical name's content words, folded and sorted
(``agreement comprehensive economic trade``), so that word order and function words do not matter.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from pipeline.nlp.actors import gazetteer
from pipeline.nlp.assets import Assets, Instrument, load_assets

_FUNCTION = frozenset({"and", "of", "on", "for", "with", "to", "in", "between", "regarding", "-", "&", "s"})


@functools.lru_cache(maxsize=2)
def _protected(assets: Assets) -> tuple[str, ...]:
    """Stop phrases ("horizon europe") whose actor names must survive simplification."""
    return tuple(sorted((p.lower() for p in assets.stop_phrases), key=len, reverse=True))


@functools.lru_cache(maxsize=2)
def _actor_regex(assets: Assets) -> re.Pattern[str]:
    names = sorted({e.text.lower() for e in gazetteer(assets) if e.code}, key=len, reverse=True)
    names = [n for n in names if len(n) > 1]
    alternation = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?<![\w])(?:{alternation})(?:'s|’s)?(?![\w+])")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("–", "-").replace("—", "-")
    return text.lower()


@functools.lru_cache(maxsize=2)
def _name_words(assets: Assets) -> tuple[dict[str, str], frozenset[str]]:
    """The synonyms ("pact" -> "agreement") and the words that leave a name ("landmark") from ``lexicon.tsv``."""
    return dict(assets.terms("name_synonym")), frozenset(assets.terms("name_noise"))


def _simplify(name: str, assets: Assets) -> str:
    synonyms, noise = _name_words(assets)
    text = _fold(name)
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"[\"“”‘]", " ", text)
    text = re.sub(r"\bbetween\b.*?\band\b", " ", text)
    for phrase in _protected(assets):
        text = text.replace(phrase, phrase.replace(" ", "_"))
    # a body's head noun ("Digital Partnership Council"), not the EU's Council
    text = re.sub(r"(?<=\w )(?<!\bthe )(?<!\ba )(?<!\ban )(council|committee)\s*$", r"\1_", text)
    text = _actor_regex(assets).sub(" ", text).replace("_", " ")
    words = []
    for word in re.findall(r"[\w+][\w+'-]*", text):
        word = word.strip("-'")
        word = synonyms.get(word, word)
        if word and word not in noise and word not in {"-", "and-"}:
            words.extend(word.split())
    words = re.sub(r"\bfree[ -]trade\b", "trade", " ".join(words)).split()  # after the synonyms: "FTA" too
    return " ".join(sorted({w for w in words if w not in _FUNCTION}))


@functools.lru_cache(maxsize=2)
def _registry_index(assets: Assets) -> dict[str, list[Instrument]]:
    index: dict[str, list[Instrument]] = {}
    for item in assets.instruments:
        for name in (item.canonical, *item.aliases):
            for key in {_fold(name).strip(), _simplify(name, assets)} - {""}:
                if item not in index.setdefault(key, []):
                    index[key].append(item)
    return index


def lookup(name: str | None, participants: tuple[str, ...] = (), assets: Assets | None = None) -> Instrument | None:
    """The registry entry a name refers to, if any (parties must not contradict ``participants``)."""
    if not name:
        return None
    assets = assets or load_assets()
    index = _registry_index(assets)
    simple = _simplify(name, assets)
    allowed = set(participants) | {"EU"}
    for item in (*index.get(_fold(name).strip(), ()), *index.get(simple, ())):
        if not participants or not item.parties or set(item.parties) <= allowed:
            return item
    if participants:
        wanted = tuple(sorted(participants))
        for item in assets.instruments:
            if item.parties == wanted and simple in {_simplify(g, assets) for g in item.generic}:
                return item
    return None


def instrument_key(name: str | None, participants: tuple[str, ...] = (), assets: Assets | None = None) -> str:
    """A comparison key for an instrument name ("" for none): registry canonical form or the simplified name."""
    if not name:
        return ""
    assets = assets or load_assets()
    item = lookup(name, participants, assets)
    if item is not None:
        return _simplify(item.canonical, assets) or _fold(item.canonical)
    return _simplify(name, assets)
