"""Candidate participant sets: every set of actors a sentence names or implies, with how it was formed.

High recall is the point; the trained model decides. For one parsed sentence:

- ``pair``: every two parties it names; ``pair_place``: a party and a name read as a place ("in Kenya");
- ``all``: all its parties when there are three or more; ``all_place``: its parties and its places;
- ``all_ctx`` / ``all_pair``: its parties plus a side of the article's main pair (or its two most named
  actors) that the sentence leaves implicit ("signed the deal with Kenya" in an article about the EU);
- ``ctx``: one party it names with one of the article's three most named actors;
- ``main``: the article's main pair, for a sentence that names no party ("The two sides signed the deal");
- ``rule``: what the rule reader concluded from this sentence.
"""

from __future__ import annotations

from itertools import combinations

from pipeline.nlp.article import ArticleView, Sentence

MAX_PARTIES = 16  # larger sets are lists of signatories the model cannot learn from 600 articles

Candidates = dict[frozenset[str], frozenset[str]]  # participant set -> the ways it was formed


def candidates(view: ArticleView, sentence: Sentence) -> Candidates:
    """The candidate participant sets of ``sentence`` (see the module docstring)."""
    found: dict[frozenset[str], set[str]] = {}

    def add(codes, origin: str) -> None:
        codes = frozenset(codes)
        if 2 <= len(codes) <= MAX_PARTIES:
            found.setdefault(codes, set()).add(origin)

    parties = sorted(sentence.parties)
    places = sorted(sentence.places)
    for pair in combinations(parties, 2):
        add(pair, "pair")
    for party in parties:
        for place in places:
            add((party, place), "pair_place")
    if len(parties) >= 3:
        add(parties, "all")
    if parties and places:
        add(set(parties) | set(places), "all_place")
    context = view.context
    if parties:
        for side in context:
            if side not in parties:
                add(set(parties) | {side}, "all_ctx")
        if view.pair:
            add(set(parties) | set(view.pair), "all_pair")
    for party in parties:
        for other in view.top[:3]:
            if other != party and other not in parties:
                add((party, other), "ctx")
    if not parties and view.pair:
        add(view.pair, "main")
    for event in view.rule_events_of(sentence):
        add(event.participants, "rule")
    return {codes: frozenset(origins) for codes, origins in found.items()}


__all__ = ["MAX_PARTIES", "Candidates", "candidates"]
