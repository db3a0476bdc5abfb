"""What is no international partnership, although it has the words of one.

- an organisation's name ("Young Belgian Association for ...": a nationality word before an ``org_head``);
- one party's own council or forum ("the White House National Security Council");
- a bare generic noun as the whole name ("the Forum", once the actors before it are cut off);
- an authority's decision on one country's own measure ("Commission approves German capacity mechanism",
  "endorses Malta's plan": ``approve`` verbs);
- a sentence about a regulatory or judicial act (``regulatory``: State aid, infringement ...) that names no
  registry instrument;
- a recommendation ("they should develop stronger partnerships": ``recommend``) on an unnamed instrument;
- an EU-internal matter: the EU and member states only (``eu_member``), see :func:`eu_internal`.
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc, Span, Token

from pipeline.nlp.lexicon import Lexicon, lemma_of
from pipeline.nlp.syntax import Governor


def organisation_name(root: Token, actor_of: dict, lex: Lexicon) -> bool:
    """A capitalised organisation noun with a nationality word on it ("Young Belgian Association for ...")."""
    if root.lemma_.lower() not in lex.org_heads or not root.text[:1].isupper():
        return False
    return any(c.i in actor_of and c.dep_ in ("amod", "compound") and c.text[:1].isupper()
               and c.lower_ not in ("eu", "european") for c in root.children)


def one_party_body(span: Span, actor_of: dict, lex: Lexicon) -> bool:
    """A council or forum named for one party alone ("the White House National Security Council", "China's State
    Council"): that party's own body, not one between parties."""
    root = span.root
    if lex.anchor_type(root) is not None or lex.anchor_type(root, titled=True) != "partnership":
        return False
    start = _actors_before(span, actor_of, ("-", "–", "/", "'s", "’s"))
    owners = {actor_of[t.i][1] for t in span.doc[start : span.end] if t.i in actor_of}
    return len(owners) == 1


def _actors_before(span: Span, actor_of: dict, joiners: tuple[str, ...]) -> int:
    """Where the run of actors (and the words joining them) right before ``span`` starts ("EU-India Forum")."""
    start = span.start
    while start > 0 and (start - 1 in actor_of or span.doc[start - 1].text in joiners):
        start -= 1
    return start


def generic_name(span: Span, lex: Lexicon) -> bool:
    """Only a title noun is left of the name ("Forum", "Platform"): no name, and no instrument noun either."""
    words = [t for t in span if not t.is_punct and t.lower_ not in ("the", "a", "an")]
    if len(words) != 1:
        return False
    lemma = words[0].lemma_.lower()
    return lemma not in lex.anchors and words[0].lower_ not in lex.anchors


def actor_prefixed(span: Span, actor_of: dict) -> Span | None:
    """A bare title noun with the actors right before it ("EU-India Forum"); with none, no name at all."""
    start = _actors_before(span, actor_of, ("-", "–"))
    if start == span.start or start not in actor_of:
        return None
    return span.doc[start : span.end]


def national_measure(anchor: Token, gov: Governor, codes: set[str], actor_of: dict, lex: Lexicon) -> bool:
    """An authority's decision on one country's own measure: "approves the German capacity mechanism"."""
    verb = gov.verb
    if verb is None or lemma_of(verb, lex.approvers) not in lex.approvers:
        return False
    owners = {
        actor_of[t.i][1]
        for noun in (anchor, *gov.chain)
        for c in noun.children if c.dep_ in ("amod", "poss", "compound", "nmod")
        for t in c.subtree if t.i in actor_of
    }
    return len(owners) == 1 and codes - {"EU"} == owners


def regulatory(doc: Doc, lex: Lexicon) -> bool:
    """The sentence reports a regulatory or judicial act (State aid, infringement, ruling ...)."""
    text = doc.text.lower()
    return any(phrase in text for phrase in lex.regulatory)


def recommendation(anchor: Token, gov: Governor, named: bool, actor_of: dict, lex: Lexicon) -> bool:
    """"They should develop stronger partnerships": a recommendation on an unnamed instrument."""
    verb = gov.verb
    if named or verb is None:
        return False
    words = {c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")}
    words |= {verb.lemma_.lower()} if verb.lemma_.lower() == "need" else set()
    head = verb.head
    while head.dep_ in ("conj", "xcomp") and head.head.i != head.i:
        words |= {c.lower_ for c in head.children if c.dep_ in ("aux", "auxpass")} | {head.lemma_.lower()}
        head = head.head
    words |= {c.lower_ for c in head.children if c.dep_ in ("aux", "auxpass")} | {head.lemma_.lower()}
    if not words & lex.recommend:
        return False
    comparative = any(c.dep_ == "amod" and (c.tag_ == "JJR" or c.lower_ in lex.comparatives) for c in anchor.children)
    subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
    no_party = bool(subjects) and not any(t.i in actor_of for s in subjects for t in s.subtree)
    return comparative or no_party


def eu_internal(codes: Iterable[str], members: frozenset[str]) -> bool:
    """The EU and member states only: EU-internal (State aid, recovery plans, payments), no partnership."""
    codes = set(codes)
    return "EU" in codes and len(codes) >= 2 and codes - {"EU"} <= members


def frame_of_other(anchor: Token, anchors: dict[int, str]) -> bool:
    """"signed a financing agreement with X under the Y Facility" / "..., part of the EU's Y initiative": the
    programme frames the signing of the other instrument and is no event of its own."""
    prep = anchor.head
    verb = prep.head
    if anchor.dep_ == "pobj" and prep.lower_ == "under" and verb.pos_ == "VERB":
        return _governs_other(verb, anchor, anchors)
    token = anchor
    for _ in range(4):  # climb the noun phrase: "Gateway" -> "drive" -> "of" -> "part"
        if token.dep_ not in ("compound", "pobj", "prep", "nmod") or token.head.i == token.i:
            return False
        token = token.head
        if token.lemma_.lower() == "part":
            break
    else:
        return False
    owner = token.head
    if token.dep_ == "pobj" and owner.lower_ == "as":
        owner = owner.head
    if owner.i in anchors and owner.i != anchor.i:
        return True  # "a loan agreement, part of the Y programme"
    return owner.pos_ == "VERB" and token.dep_ in ("npadvmod", "appos", "advmod", "pobj", "dep") and _governs_other(
        owner, anchor, anchors
    )


def _governs_other(verb: Token, anchor: Token, anchors: dict[int, str]) -> bool:
    return any(c.dep_ in ("dobj", "nsubjpass") and c.i in anchors and c.i != anchor.i for c in verb.children)
