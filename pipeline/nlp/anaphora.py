"""The article's current instrument carried into later sentences: "That agreement entered into force in
2021" is the agreement the article named before, between the parties it had there or the article's main pair."""

from __future__ import annotations

from spacy.tokens import Token

from pipeline.nlp.findings import Finding


def anaphoric(anchor: Token) -> bool:
    """"the agreement", "that deal", "this programme": a bare instrument noun pointing back to a named one."""
    children = list(anchor.children)
    pointing = any(c.dep_ == "det" and c.lower_ in ("the", "that", "this") for c in children)
    bare = not any(c.dep_ in ("amod", "compound", "prep", "poss", "nummod") for c in children)
    return pointing and bare and anchor.tag_ == "NN"


def antecedent(ready: list[Finding], finding: Finding, pair: tuple[str, str] | None) -> Finding | None:
    """The latest earlier event with the same head noun, type and a capitalised name (within the main pair)."""
    for earlier in reversed(ready):
        inside = pair is None or set(earlier.participants) <= set(pair)
        titled = (earlier.instrument or "")[:1].isupper()
        if earlier.head == finding.head and earlier.type == finding.type and inside and titled and not earlier.negated:
            return earlier
    return None


def named_before(findings: list[Finding], finding: Finding) -> bool:
    """True when an earlier sentence gave an instrument of this head and type a capitalised name."""
    return any(
        f.order < finding.order and f.head == finding.head and f.type == finding.type
        and (f.instrument or "")[:1].isupper() and not f.negated
        for f in findings
    )
