"""The article's current instrument and partner carried into later sentences: "That agreement entered into force
in 2021" is the agreement the article named before, between the parties it had there or the article's main pair;
"The Commission pledged 60 million euros from its Global Gateway programme" is for the partner just named."""

from __future__ import annotations

from spacy.tokens import Token

from pipeline.nlp.findings import Finding
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.syntax import Governor


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


_SOURCE = frozenset({"from", "under", "through", "via"})


def funding(anchor: Token, gov: Governor, known: tuple[str, ...], who: set[str], lex: Lexicon) -> bool:
    """An amount from (or under) an EU programme, whose registry parties are just the EU, with no partner in its
    sentence: "pledged 60 million euros from its Global Gateway programme"."""
    verb = gov.verb
    if verb is None or set(known) != {"EU"} or who - {"EU"} or verb.lemma_.lower() not in lex.allocators:
        return False
    source = any(t.pos_ == "ADP" and t.lower_ in _SOURCE for t in gov.chain)  # the money comes from the programme
    return source and any(lex.money_word(t) for t in verb.subtree if t.i != anchor.i)


def recipient(ready: list[Finding], finding: Finding, pair: tuple[str, str] | None) -> set[str]:
    """The partner of the EU event just before (in the previous sentence or so), else the article's main pair."""
    for earlier in reversed(ready):
        if finding.order - earlier.order > 400:
            break
        if "EU" in earlier.participants and len(earlier.participants) == 2 and not earlier.negated:
            return set(earlier.participants)
    return set(pair) if pair and "EU" in pair else set()
