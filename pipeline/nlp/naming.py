"""What an instrument is called (registry name, capitalised name or noun phrase), and what a sentence
says it leaves unmentioned ("makes no reference to X")."""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from pipeline.nlp.dates import time_word
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.syntax import RELATIVES

NAME_PREPS = frozenset({"on", "of", "for", "regarding", "to", "in"})


def _amount(token: Token, lex: Lexicon) -> bool:
    """A word of a money amount before a name ("€90 billion")."""
    return token.is_currency or any(ch.isdigit() for ch in token.text) or token.lower_ in lex.amounts


def _noise(token: Token, lex: Lexicon) -> bool:
    """A lower-case word that says nothing of which instrument it is ("landmark", "new", "existing"); not the start
    of a hyphenated word ("two-day") nor of a proper name ("New Zealand")."""
    following = token.nbor(1).text if token.i + 1 < len(token.doc) else ""
    return token.is_lower and token.lower_ in lex.name_noise and following not in ("-", "–")


def _after_headline_verb(words: list[Token], head: Token, lex: Lexicon) -> list[Token]:
    """The words after a headline's verb before the name's head ("EU, Mauritania sign migration partnership"),
    without the title-cased noise words that follow it ("Sign Historic Free Trade Agreement")."""
    verbs = [i for i, t in enumerate(words) if t.i < head.i and t.lower_ in lex.headline_verbs]
    if not verbs:
        return words
    rest = words[verbs[-1] + 1 :]
    while len(rest) > 1 and rest[0].i < head.i and rest[0].lower_ in lex.name_noise:
        rest = rest[1:]
    return rest


def anchor_name(anchor: Token, span: Span | None, lex: Lexicon) -> tuple[str | None, bool]:
    """The instrument's name: registry canonical, the capitalised name, or the noun phrase ("free trade agreement")."""
    if span is not None:
        if span.label_ and span.label_ != "INSTRUMENT":
            return span.label_, True
        words = _after_headline_verb(list(span), span.root, lex)
        while words and (words[0].lower_ in ("the", "a", "an") or _noise(words[0], lex) or _amount(words[0], lex)):
            words = words[1:]  # "the €90 billion Ukraine Support Loan": the name, not the amount
        end = topic_end(span.root, span.end) if span.root.lemma_.lower() in lex.named_topic_heads else span.end
        text = span.doc[words[0].i : end].text if words else span.text
        return text, True
    start = anchor.i
    doc = anchor.doc
    while start > 0:
        before = doc[start - 1]
        modifies = before.head.i >= start - 1 and before.head.i <= anchor.i
        if not modifies or before.is_space or before.pos_ in ("VERB", "AUX", "DET", "PRON", "ADP", "CCONJ"):
            break
        if before.is_punct and before.text not in "-–":
            break
        start -= 1
    end = anchor.i + 1
    if anchor.lemma_.lower() in lex.topic_heads:
        end = topic_end(anchor, end)
    words = [t for t in anchor.doc[start:end] if not (t.dep_ in ("det", "poss") and t.head.i == anchor.i)]
    words = _after_headline_verb(words, anchor, lex)
    money = False
    while words and (words[0].is_punct or words[0].dep_ in ("det", "poss", "case") or _amount(words[0], lex)
                     or (money and words[0].lower_ in lex.currencies) or _noise(words[0], lex)):
        money = _amount(words[0], lex)
        words = words[1:]  # "a 500 million euro loan agreement", "the landmark trade deal": the words that name it
    text = " ".join(t.text for t in words).replace(" - ", "-").replace(" – ", "–")
    return (text or anchor.text), False


def topic_end(anchor: Token, end: int) -> int:
    """Where "memorandum of understanding on raw materials" ends: the topic phrase, without dates or parties."""
    doc = anchor.doc
    start = end  # the name before its topic: never cut back further
    preps = [c for c in anchor.rights if c.dep_ == "prep" and c.lower_ in NAME_PREPS and c.i >= end - 1]
    if not preps and end < len(doc) and doc[end].lower_ in ("on", "for", "regarding", "concerning"):
        preps = [doc[end]]  # attached higher up by the parser, but right after the name
    for prep in preps[:1]:
        if prep.right_edge.i == prep.i:
            break  # "an agreement for troops to leave": "for" opens a clause and has no object of its own
        place = prep.lower_ == "in"  # "an agreement in Accra" (a proper noun after "in"): where, not what
        if place and any(c.lower_ == "force" for c in prep.children):
            break  # "agreements in force": a status, no part of the name
        if not any(time_word(t.text) or (place and t.pos_ == "PROPN") for t in prep.subtree):
            end = min(prep.right_edge.i + 1, end + 10)
    cut = next((t.i for t in doc[anchor.i + 1 : end] if t.lower_ in ("with", "between", "among")), end)
    return _tidy_end(doc, start, min(end, cut))


_RELATIVE = RELATIVES | {"where"}
_LOOSE_END = frozenset({"DET", "ADP", "CCONJ", "SCONJ", "PART", "PRON", "AUX", "PUNCT"})
_CLOSING = frozenset({")", "]", "”", "’", '"', "'"})


def _tidy_end(doc: Doc, start: int, end: int) -> int:
    """Where a topic cut at its longest ends as a name: before a relative clause and an unclosed bracket, and on a
    content word ("agreement for restoring trade across the border , which should serve" -> "agreement for
    restoring trade across the border")."""
    for token in doc[start:end]:
        after_comma = token.i > start and doc[token.i - 1].text == ","
        if token.lower_ in _RELATIVE and (token.lower_ != "that" or after_comma):
            end = token.i
            break
        if token.text == "(" and not any(t.text == ")" for t in doc[token.i : end]):
            end = token.i
            break
    while end > start and doc[end - 1].pos_ in _LOOSE_END and doc[end - 1].text not in _CLOSING:
        end -= 1
    return end


def mentioned(verb: Token, lex: Lexicon) -> list[Token] | None:
    """For "makes no reference to X", "does not mention X", "omits X", "leaves X out": the tokens naming X."""
    lemma = verb.lemma_.lower()
    left_out = lemma == "leave" and any(c.lower_ == "out" for c in verb.children)
    if verb.pos_ == "VERB" and (lemma in lex.mention or left_out):
        negative = lex.is_negation(verb) or any(c.dep_ == "neg" for c in verb.children) or lemma == "leave"
        if not negative:
            return None
        objects = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")]
        objects += [g for c in verb.children if c.dep_ == "prep" and c.lower_ in ("to", "of") for g in c.children]
        return objects or None
    if verb.pos_ == "NOUN" and lemma in lex.mention and any(c.lower_ == "no" for c in verb.children):
        return [c for c in verb.children if c.dep_ == "prep" and c.lower_ in ("to", "of")] or None
    return None
