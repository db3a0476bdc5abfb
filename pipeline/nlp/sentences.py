"""From the cheap pass's doc to :class:`Sentence` records: each actor labelled (a party, a place, a nationality
word), office holders and "the bloc" resolved to the actors they stand for, and the two choices that cost
time: which sentences the parser reads (a trigger word and a party or a reference to one) and which of those the
rule reader reads (its own, narrower filter, unchanged since the rules were written).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from spacy.tokens import Doc, Span

from pipeline.nlp.actors import is_dateline, is_locative
from pipeline.nlp.article import ActorSpan, InstrumentSpan, Sentence, dominant_bloc
from pipeline.nlp.components import ACTORS_KEY, EXT, INSTRUMENTS_KEY, PEOPLE_KEY
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.parties import main_pair
from pipeline.nlp.people import OfficeHolders
from pipeline.nlp.senses import NORP, PLACE, Senses, is_acting_metonym

MIN_CHARS = 12  # shorter "sentences" are list markers, bylines and the like


@dataclass(frozen=True)
class Cues:
    """The compiled word lists the sentence filters use."""

    triggers: re.Pattern[str]  # any trigger word (the parser's filter)
    rule_keywords: re.Pattern[str]  # the rule reader's event words
    omission: re.Pattern[str]
    left_out: re.Pattern[str]
    anaphor: re.Pattern[str]
    follow: re.Pattern[str]
    pairs: re.Pattern[str]
    bloc_ref: re.Pattern[str]
    country_ref: re.Pattern[str]  # "the Latin American country": the article's most named country


def compile_cues(lex: Lexicon) -> Cues:
    """The regular expressions of :class:`Cues`, from the lexicon."""
    words: set[str] = set()
    for table in (lex.anchors, lex.title_anchors, lex.bare, lex.talks):
        words.update(table)
    words.update(" ".join(p) for p in lex.phrasal_bare)
    words.update(lex.rule_keywords)
    pairs = sorted((" ".join(p) for p in lex.pairs if len(p) > 1), key=len, reverse=True)
    return Cues(
        triggers=_stems(set(lex.triggers) | words),
        rule_keywords=_stems(words),
        omission=re.compile(
            r"\b(?:no\s+(?:reference|mention)|(?:not|n't|never)\s+(?:mention|refer|include|cite|name)|omit|exclud"
            r"|leaves?\s+\w*\s*out|left\s+\w*\s*out|ignor|overlook|sideline)", re.IGNORECASE),
        left_out=re.compile(r"\b(?:not|never|n't)\s+(?:\w+\s+){0,2}(?:part\s+of|sign|join|take\s+part|participate)",
                            re.IGNORECASE),
        anaphor=re.compile(r"\b(?:the|that|this)\s+(?:agreement|deal|accord|pact|treaty|partnership|programme"
                           r"|dialogue|memorandum)\b", re.IGNORECASE),
        follow=re.compile(r"\b(?:follow(?:s|ed|ing)?|(?:do|does|did|done) the same)\b", re.IGNORECASE),
        pairs=re.compile(r"\b(?:" + "|".join(re.escape(p) for p in pairs) + r")\b", re.IGNORECASE),
        bloc_ref=re.compile(r"\bthe\s+(?:" + "|".join(sorted(lex.bloc_refs)) + r")\b", re.IGNORECASE),
        country_ref=re.compile(r"\bthe\s+(?:[A-Z][\w-]*\s+){1,3}(?:country|nation)\b"),
    )


def _stems(words: set[str]) -> re.Pattern[str]:
    stems = sorted({re.sub(r"(e|y)$", "", w) for w in words if len(w) > 2}, key=len, reverse=True)
    parts = [r"\s+".join(re.escape(part) for part in stem.split()) for stem in stems]
    return re.compile(r"\b(?:" + "|".join(parts) + r")", re.IGNORECASE)


@dataclass
class SentenceBuilder:
    """Turns one cheap-pass doc into :class:`Sentence` records (see the module docstring)."""

    lex: Lexicon
    senses: Senses
    kinds: dict[str, str]
    holders: OfficeHolders
    cues: Cues

    def labelled(self, doc: Doc, text: str) -> list[tuple[Span, str]]:
        """Each actor span with its label: its kind, PLACE (where something happens), PLACE? (a capital that
        may act for its government) or NORP."""
        out = []
        for span in sorted(doc.spans[ACTORS_KEY], key=lambda s: s.start):
            label = span.label_
            if label != NORP and (is_locative(text, span.start_char)
                                  or is_dateline(text, span.start_char, span.end_char)):
                label = PLACE
            elif label != NORP and not is_acting_metonym(doc, span, self.senses):
                label = f"{PLACE}?"
            out.append((span, label))
        return out

    def sentences(self, doc: Doc, labels: list[tuple[Span, str]], published: date | None, in_title: bool,
                  counts: Counter) -> Iterator[Sentence]:
        """The doc's sentences as records (the article numbers them); ``counts`` are the article's party mentions
        (they say which bloc "the bloc" is)."""
        people = [(s, code) for s in doc.spans.get(PEOPLE_KEY, ()) if (code := self.holders.code(s.kb_id_, published))]
        bloc = dominant_bloc(counts, self.kinds)
        named = _by_sentence(doc, [(s, label) for s, label in labels] + [(s, (code, "PERSON")) for s, code in people])
        tools_of = _by_sentence(doc, [(t, None) for t in doc.spans[INSTRUMENTS_KEY]])
        for number, sent in enumerate(doc.sents):
            body = sent.text
            if len(body.strip()) < MIN_CHARS:
                continue
            start = sent.start_char
            actors = [ActorSpan(*_code_label(s, what), s.start_char - start, s.end_char - start)
                      for s, what in named.get(number, ())]
            if "the " in body.lower():
                actors += self._references(body, actors, bloc, counts)
            tools = tuple(
                InstrumentSpan(t.start_char - start, t.end_char - start, t.label_, t.kb_id_,
                               tuple(t._.get(EXT.instrument_parties)))
                for t, _ in tools_of.get(number, ())
            )
            record = Sentence(0, in_title, start, body, tuple(sorted(actors, key=lambda a: a.start)),
                              tools)
            record.parsed = self._worth_parsing(record)
            yield record

    def _references(self, body: str, actors: list[ActorSpan], bloc: str | None, counts: Counter) -> list[ActorSpan]:
        """"the bloc" (the article's most named bloc) and "the Latin American country" (its most named country
        the sentence does not name) as GROUP actors."""
        found = []
        named = {a.code for a in actors}
        country = next((code for code, _ in counts.most_common() if self.kinds.get(code) == "country"
                        and code not in named), None)
        for pattern, code in ((self.cues.bloc_ref, bloc), (self.cues.country_ref, country)):
            for match in pattern.finditer(body) if code else ():
                if not any(a.start <= match.start() < a.end for a in actors):
                    found.append(ActorSpan(code, "GROUP", match.start(), match.end()))
        return found

    def _worth_parsing(self, sentence: Sentence) -> bool:
        if sentence.instruments:
            return True
        if not (sentence.parties or sentence.places or self.cues.pairs.search(sentence.text)):
            return False
        return self.cues.triggers.search(sentence.text) is not None

    def rules_read(self, sentence: Sentence, pair: set[str], several: bool) -> bool:
        """The rule reader's own filter (an event word plus two actors, a known instrument, "both sides" ...)."""
        body = sentence.text
        codes = {a.code for a in sentence.read_actors}
        tools = sentence.instruments
        known = any(t.parties for t in tools)
        omission = bool(codes) and (self.cues.omission.search(body) or self.cues.left_out.search(body)) is not None
        if not (tools or omission or self.cues.rule_keywords.search(body)):
            return False
        main = len(codes) == 1 and codes <= pair
        main = main or bool(not codes and pair and any(body[t.start:t.start + 1].isupper() for t in tools))
        follows = bool(codes) and self.cues.follow.search(body) is not None
        main = main or (not codes and several and self.cues.anaphor.search(body) is not None)
        return bool(len(codes) >= 2 or omission or main or follows or self.cues.pairs.search(body)
                    or (codes and known))


def party_counts(labels: list[tuple[Span, str]]) -> Counter:
    """Mentions per code of the actors named as parties (not places or nationality words)."""
    return Counter(span.kb_id_ for span, label in labels if label not in (NORP, PLACE, f"{PLACE}?"))


def _by_sentence(doc: Doc, spans: list[tuple[Span, Any]]) -> dict[int, list[tuple[Span, Any]]]:
    """Spans grouped by the number of the sentence they start in, in text order."""
    starts = [sent.start for sent in doc.sents]
    grouped: dict[int, list[tuple[Span, Any]]] = {}
    for span, what in sorted(spans, key=lambda item: item[0].start):
        grouped.setdefault(bisect_right(starts, span.start) - 1, []).append((span, what))
    return grouped


def _code_label(span: Span, what: Any) -> tuple[str, str]:
    """(code, label) of a labelled actor span or of an office holder's (code, "PERSON")."""
    return what if isinstance(what, tuple) else (span.kb_id_, what)


def rule_context(doc: Doc) -> tuple[set[str], bool]:
    """What the rule reader's filter knows of a doc: its main pair by mention counts of every actor name (maybe
    empty) and whether it names two actors or more."""
    codes = [span.kb_id_ for span in doc.spans[ACTORS_KEY]]
    return set(main_pair(codes) or ()), len(set(codes)) >= 2


__all__ = ["Cues", "SentenceBuilder", "compile_cues", "party_counts", "rule_context"]
