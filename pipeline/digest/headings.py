"""Item headings that say who and what: "EU – Morocco: Green Partnership (signed)".

Who: the EU first, then the other participants by their short names. What: the instrument without the parties
it repeats ("EU-Morocco Green Partnership" gives "Green Partnership"), or the event type when the instrument is
only a generic word ("MoU", "cooperation", "Alliance", "Trust Fund" give "Agreement", "Cooperation",
"Partnership", "Programme"). Then the status, or the change of status.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

HOME = "EU"  # the actor every partnership is seen from: named first
_FILLER = frozenset({"a", "an", "the", "new", "of", "on", "for", "and", "to", "in", "with", "between", "joint",
                     "bilateral", "eu", "understanding", "intent", "letter", "trust", "co-operation", "cooperation",
                     "mou", "moc", "memorandum", "framework"})


@functools.cache
def _generic_words() -> frozenset[str]:
    """The NLP's instrument nouns (``anchor`` and ``title_anchor`` in models/patterns/lexicon.tsv) and filler."""
    from pipeline.nlp.assets import load_assets

    assets = load_assets()
    nouns = {word for category in ("anchor", "title_anchor") for term in assets.terms(category)
             for word in term.split()}
    return frozenset(nouns | {f"{n}s" for n in nouns} | _FILLER)


def short_name(code: str, actor: Mapping[str, Any] | None) -> str:
    """How a heading names an actor: blocs and organisations by their code (EU, ASEAN, G7), countries and regions
    by name, unless the name is an inverted official one ("Congo, The Democratic Republic of the": the code)."""
    if code == HOME or not actor or not actor.get("name") or actor.get("kind") in ("bloc", "org"):
        return code
    name = str(actor["name"])
    return code if "," in name else name


def who(codes: Sequence[str], actors: Mapping[str, Mapping[str, Any]]) -> str:
    """"EU – Morocco", "EU – Japan, South Korea", "Japan – South Korea"."""
    names = [short_name(c, actors.get(c)) for c in codes]
    if HOME in codes:
        others = [n for c, n in zip(codes, names, strict=True) if c != HOME]
        return f"{HOME} – {', '.join(others)}" if others else HOME
    return " – ".join(names)


def _without_parties(instrument: str, names: Sequence[str]) -> str:
    """The instrument without a leading run of its parties' names ("EU-Morocco Green Partnership")."""
    party = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True) if n)
    if not party:
        return instrument
    match = re.match(rf"(?:the\s+)?(?:{party})(?:['’]s)?(?:\s*(?:[-–—/]|and)\s*(?:{party})(?:['’]s)?)*\s+(?=\S)",
                     instrument, flags=re.IGNORECASE)
    return instrument[match.end():] if match else instrument


def generic_instrument(instrument: str | None) -> bool:
    """True when the name is no more than generic instrument words: "MoU", "Trust Fund", "the Alliance"."""
    words = re.findall(r"[\w’'-]+", (instrument or "").lower())
    return all(w.strip("-'’") in _generic_words() for w in words)


def heading(codes: Sequence[str], actors: Mapping[str, Mapping[str, Any]], *, type_: str, status: str,
            instrument: str | None, statuses: Sequence[str] = ()) -> str:
    """The item's heading; ``statuses`` (oldest first) when its status changed."""
    names = [n for c in codes for n in (c, short_name(c, actors.get(c)), (actors.get(c) or {}).get("name"))
             if n] + ["European Union", "European"]
    what = _without_parties(" ".join(instrument.split()), names) if instrument else ""
    if not what or generic_instrument(what):
        what = type_.capitalize()
    what = what[0].upper() + what[1:]  # "trade agreement" opens a heading as "Trade agreement"
    shown = " → ".join(s.replace("_", " ") for s in statuses) if statuses else status.replace("_", " ")
    return f"{who(codes, actors)}: {what} ({shown})"
