"""Reading the plain-text NLP assets in ``models/`` (gazetteers, lexicon, instrument registry).

Nothing is read at import: :func:`load_assets` runs from a component's ``initialize`` or from
:func:`pipeline.nlp.load_nlp`, and caches per directory.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import MODELS_DIR
from pipeline.errors import NlpError
from pipeline.nlp.errors import Errors

REQUIRED = (
    "gazetteers/countries.tsv",
    "gazetteers/demonyms.tsv",
    "gazetteers/actors.tsv",
    "gazetteers/aliases.tsv",
    "gazetteers/stop.tsv",
    "gazetteers/given_names.tsv",
    "gazetteers/other_senses.tsv",
    "gazetteers/name_tails.tsv",
    "gazetteers/office_holders.tsv",
    "instruments.jsonl",
    "patterns/instruments.jsonl",
    "patterns/lexicon.tsv",
)


@dataclass(frozen=True)
class Instrument:
    """One known instrument of the registry (``models/instruments.jsonl``)."""

    canonical: str
    aliases: tuple[str, ...]
    type: str
    parties: tuple[str, ...]
    generic: tuple[str, ...] = ()  # plain descriptions that mean this instrument between exactly its parties


@dataclass(frozen=True)
class OfficeHolder:
    """A person who speaks for a state or body in a term of office (``models/gazetteers/office_holders.tsv``)."""

    name: str
    code: str
    role: str
    start: str  # YYYY-MM
    end: str  # YYYY-MM, or "" while in office


@dataclass(frozen=True, eq=False)
class Assets:
    """Everything the rule components and the event reader need, as read from ``models/``."""

    path: Path
    country_aliases: tuple[tuple[str, str], ...]
    demonyms: tuple[tuple[str, str], ...]
    actors: tuple[tuple[str, str, str], ...]  # (code, kind, name) of non-country actors
    actor_aliases: tuple[tuple[str, str], ...]
    stop_phrases: tuple[str, ...]
    given_names: frozenset[str]
    instruments: tuple[Instrument, ...]
    instrument_patterns: tuple[dict, ...]
    lexicon: dict[str, dict[str, str]] = field(default_factory=dict)
    other_senses: tuple[tuple[str, str], ...] = ()  # (name, regex cue of its non-actor sense)
    name_tails: frozenset[str] = frozenset()  # "Airlines": a name before it is a company's
    metonyms: frozenset[str] = frozenset()  # capitals and seats standing for a government
    bare_names: frozenset[str] = frozenset()  # "Commission": the EU's only in a text about the EU
    office_holders: tuple[OfficeHolder, ...] = ()  # "von der Leyen" -> EU while in office

    def terms(self, category: str) -> dict[str, str]:
        """The lexicon entries of one category (term -> value)."""
        return self.lexicon.get(category, {})


def _rows(path: Path, width: int) -> list[list[str]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) < width or not cells[0].strip():
            raise NlpError(Errors.E102.format(line=number, path=path, reason=f"expected {width} tab-separated cells"))
        rows.append([c.strip() for c in cells])
    return rows


def _jsonl(path: Path) -> list[dict]:
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise NlpError(Errors.E102.format(line=number, path=path, reason=str(exc))) from exc
    return out


@functools.lru_cache(maxsize=4)
def load_assets(path: Path | str = MODELS_DIR) -> Assets:
    """Read and check every asset under ``path`` (default: the repository's ``models/``)."""
    root = Path(path)
    missing = [name for name in REQUIRED if not (root / name).is_file()]
    if missing:
        raise NlpError(Errors.E101.format(path=root, missing=", ".join(missing)))
    lexicon: dict[str, dict[str, str]] = {}
    for row in _rows(root / "patterns/lexicon.tsv", 2):
        lexicon.setdefault(row[0], {})[row[1].lower()] = row[2] if len(row) > 2 else ""
    instruments = tuple(
        Instrument(
            canonical=item["canonical"],
            aliases=tuple(item.get("aliases", ())),
            type=item["type"],
            parties=tuple(sorted(item.get("parties", ()))),
            generic=tuple(item.get("generic", ())),
        )
        for item in _jsonl(root / "instruments.jsonl")
    )
    countries = _rows(root / "gazetteers/countries.tsv", 2)
    aliases = _rows(root / "gazetteers/aliases.tsv", 2)
    notes = [(r[0], r[2] if len(r) > 2 else "") for r in (*countries, *aliases)]
    return Assets(
        path=root,
        country_aliases=tuple((r[0], r[1]) for r in countries),
        demonyms=tuple((r[0], r[1]) for r in _rows(root / "gazetteers/demonyms.tsv", 2)),
        actors=tuple((r[0], r[1], r[2]) for r in _rows(root / "gazetteers/actors.tsv", 3)),
        actor_aliases=tuple((r[0], r[1]) for r in aliases),
        stop_phrases=tuple(r[0] for r in _rows(root / "gazetteers/stop.tsv", 1)),
        given_names=frozenset(r[0] for r in _rows(root / "gazetteers/given_names.tsv", 1)),
        instruments=instruments,
        instrument_patterns=tuple(_jsonl(root / "patterns/instruments.jsonl")),
        lexicon=lexicon,
        other_senses=tuple((r[0], r[1]) for r in _rows(root / "gazetteers/other_senses.tsv", 2)),
        name_tails=frozenset(r[0] for r in _rows(root / "gazetteers/name_tails.tsv", 1)),
        metonyms=frozenset(name for name, note in notes if "metonym" in note),
        bare_names=frozenset(name for name, note in notes if note == "bare"),
        office_holders=tuple(_office_holders(root / "gazetteers/office_holders.tsv")),
    )


def _office_holders(path: Path) -> list[OfficeHolder]:
    holders = []
    for number, row in enumerate(_rows(path, 4), 1):
        end = row[4] if len(row) > 4 else ""
        if not all(_month(value) for value in (row[3], *([end] if end else []))):
            raise NlpError(Errors.E102.format(line=number, path=path, reason="from/to must be YYYY-MM"))
        holders.append(OfficeHolder(row[0], row[1], row[2], row[3], end))
    return holders


def _month(value: str) -> bool:
    return len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit()
