"""One event per article per instrument and party set: repeats of the same event merged, a headline's generic
"trade deal" folded into the body's named agreement between the same parties."""

from __future__ import annotations

from pipeline.nlp.findings import Finding
from pipeline.nlp.instruments import instrument_key
from pipeline.nlp.lexicon import Lexicon


def merge_repeats(ready: list[Finding], lex: Lexicon) -> list[Finding]:
    """Merge mentions of the same event, then a title's generic instrument into the body's one named instrument."""
    merged: list[Finding] = []
    for finding in ready:
        twin = next((m for m in merged if _same_event(m, finding)), None)
        if twin is None:
            merged.append(finding)
            continue
        _absorb(twin, finding)
    out: list[Finding] = []
    for finding in merged:
        body = _named_body(finding, merged, lex) if finding.flags.title and _generic(finding, lex) else None
        if body is None:
            out.append(finding)
        else:
            _absorb(body, finding)
    return out


def _generic(finding: Finding, lex: Lexicon) -> bool:
    """"EU-Kenya trade deal", "Trade Agreement": no word beyond an actor prefix and generic instrument words."""
    words = (finding.instrument or finding.head).replace("–", "-").split()
    words = [w for w in words if not ("-" in w and w[:1].isupper())]  # "EU-Kenya": the parties, already known
    return bool(words) and all(w.lower() in lex.generic_names for w in words)


def _named_body(title: Finding, merged: list[Finding], lex: Lexicon) -> Finding | None:
    """The body's single capitalised instrument of the same type, parties and negation as the title's."""
    found = [
        f for f in merged
        if not f.flags.title and f.type == title.type and f.participants == title.participants
        and f.negated == title.negated and (f.instrument or "")[:1].isupper() and not _generic(f, lex)
    ]
    return found[0] if len({_key(f) for f in found}) == 1 else None


def _key(finding: Finding) -> str:
    return instrument_key(finding.instrument, tuple(sorted(finding.participants))) if finding.named else ""


def _same_event(a: Finding, b: Finding) -> bool:
    if a.type != b.type or a.participants != b.participants:
        return False
    if a.flags.coord is not None and a.flags.coord == b.flags.coord and a.order != b.order:
        return False  # "an investment agreement and an air services agreement": two instruments
    if not a.named and not b.named:
        return True
    if a.named and b.named:
        return _key(a) == _key(b)
    if a.evidence == b.evidence:
        return True
    return a.head == b.head or a.instrument is None or b.instrument is None


def _absorb(kept: Finding, other: Finding) -> None:
    """Merge ``other`` into ``kept``: a negation wins, a stated status beats a default, names beat nouns."""
    kept.negated = kept.negated or other.negated
    if other.explicit and not kept.explicit:
        kept.status, kept.explicit = other.status, True
    if other.named and not kept.named:
        kept.instrument, kept.named, kept.head = other.instrument, True, other.head
    kept.when = kept.when or other.when
    kept.confidence = max(kept.confidence, other.confidence)
