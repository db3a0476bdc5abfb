"""The anchors of a parsed sentence: named instruments and instrument nouns, with their event types.

:func:`named_instruments` keeps the cheap pass's instrument spans that still name an instrument in the parse
(trimmed to their head's subtree, never a bare generic name or an organisation); :func:`instrument_nouns` adds
the nouns outside them that name one ("agreement", "a minerals fund" that was launched, "trade talks").
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from pipeline.nlp.findings import SentenceInput
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.scope import actor_prefixed, generic_name, one_party_body, organisation_name

__all__ = ["instrument_nouns", "named_instruments"]


def named_instruments(
    sentence: SentenceInput, actor_of: dict[int, tuple[int, str]], lex: Lexicon
) -> tuple[dict[int, Span], dict[int, tuple[str, ...]], dict[int, str | None]]:
    """The sentence's named instruments by head token: their spans, registry parties and event types."""
    doc = sentence.doc
    named: dict[int, Span] = {}
    parties: dict[int, tuple[str, ...]] = {}
    kinds: dict[int, str | None] = {}
    for start, end, kind, canonical, known_parties in sentence.instruments:
        span = _trim(doc.char_span(start, end, alignment_mode="expand"), actor_of)
        if span is not None and not canonical and generic_name(span, lex):
            span = actor_prefixed(span, actor_of)  # "EU-India Forum", never a bare "Forum"
        if span is None:
            continue
        root = span.root
        type_ = kind if kind != "INSTRUMENT" else lex.anchor_type(root, titled=True)
        if type_ is None or (not canonical and (organisation_name(root, actor_of, lex)
                                                or one_party_body(span, actor_of, lex))):
            continue
        named[root.i] = span
        kinds[root.i] = type_
        parties[root.i] = known_parties
        if canonical:
            span.label_ = canonical
    return named, parties, kinds


def instrument_nouns(
    doc: Doc, named: dict[int, Span], kinds: dict[int, str | None], actor_of: dict[int, tuple[int, str]],
    lex: Lexicon,
) -> dict[int, str]:
    """Every anchor of the sentence by token: the named instruments' heads, then the instrument nouns."""
    anchors: dict[int, str] = dict(kinds)
    for token in doc:
        if token.i in anchors or token.pos_ not in ("NOUN", "PROPN") or _inside(token, named):
            continue
        type_ = lex.anchor_type(token) or _object_anchor(token, lex)
        if type_ is None and token.lemma_.lower() in lex.talks and _topical(token, lex):
            type_ = "agreement"  # "trade talks", "accession negotiations": talks toward an agreement
        if type_ is None:
            continue
        if token.dep_ == "compound" and token.head.lemma_.lower() not in lex.talks | {"meeting"}:
            continue
        if token.lemma_.lower() == "association" and not _association_ok(token, named, actor_of):
            continue
        if organisation_name(token, actor_of, lex):
            continue
        anchors[token.i] = type_
    return anchors


def _object_anchor(token: Token, lex: Lexicon) -> str | None:
    """A lower-case name noun as the object of a signing/launching verb ("launched a minerals fund"),
    or a "joint declaration"."""
    lemma = token.lemma_.lower()
    if lemma not in lex.object_anchors:
        return None
    type_ = lex.anchor_type(token, titled=True)
    if any(c.dep_ == "amod" and c.lower_ == "joint" for c in token.children) and lemma == "declaration":
        return type_
    head = token.head
    if token.dep_ in ("dobj", "nsubjpass") and head.pos_ == "VERB" and lex.verb_status(head) in ("signed", "launched"):
        return type_
    if token.dep_ == "pobj" and head.lower_ == "under" and lemma in ("compact", "arrangement", "framework"):
        return type_  # "Under the new compact, X and Y will ..."
    return None


def _topical(token: Token, lex: Lexicon) -> bool:
    """Talks toward an agreement: "trade talks", "accession negotiations", "a new round of talks"."""
    if any(c.dep_ in ("compound", "amod") and c.lemma_.lower() in lex.talk_topics for c in token.children):
        return True
    prep = token.head
    return token.dep_ == "pobj" and prep.lower_ == "of" and prep.head.lemma_.lower() == "round"


def _inside(token: Token, named: dict[int, Span]) -> bool:
    """True when the token lies within one of the named instruments' spans."""
    return any(span.start <= token.i < span.end for span in named.values())


def _association_ok(token: Token, named: dict[int, Span], actor_of: dict) -> bool:
    """"association" is an instrument only when it is to or with someone or something named."""
    return any(child.i in actor_of or _inside(child, named) for child in token.subtree)


def _trim(span: Span | None, actor_of: dict) -> Span | None:
    """Cut a titled instrument span to the subtree of its head ("South Korea Signs Horizon ... Agreement")."""
    if span is None:
        return None
    doc = span.doc
    start = span.start
    root = span.root
    while start < root.i:
        token = doc[start]
        inside = start <= token.head.i < span.end or (token.i in actor_of and doc[start + 1].text in "-–")
        if token.pos_ in ("VERB", "AUX", "DET") or not inside:
            start += 1
            continue
        break
    return doc[start : span.end] if start < span.end else None
