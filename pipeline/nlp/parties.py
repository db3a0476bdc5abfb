"""How many events a sentence's parties make, and which: bilateral splits of partner lists, joiners of
a programme, lists, coordinated instruments, "a similar deal", "both sides" and the article's main pair."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from spacy.tokens import Doc, Token

from pipeline.nlp.findings import Finding
from pipeline.nlp.lexicon import Lexicon, lemma_of
from pipeline.nlp.participants import Participants
from pipeline.nlp.syntax import Governor


def shape(anchor: Token, gov: Governor, anchors: dict[int, str], lex: Lexicon, offset: int) -> dict:
    """What the anchor's form says about how to count parties: plural or talks (one event per partner listed
    after "with"), coordinated with another anchor (two events), joined by several, "a similar deal"."""
    shape: dict = {}
    plural = anchor.tag_ in ("NNS", "NNPS") or anchor.lemma_.lower() in lex.talks
    plural = plural or any(t.lemma_.lower() in lex.talks and t.tag_ == "NNS" for t in gov.chain)
    if plural and not any(c.lower_ in lex.multilateral for c in anchor.children):
        shape["bilateral"] = True
    if any(c.dep_ == "amod" and c.lower_ in lex.multilateral for c in anchor.children):
        shape["shared"] = True  # "a joint declaration": one instrument of everyone named
    if anchor.dep_ == "conj" and anchor.head.i in anchors:
        shape["coord"] = offset + anchor.head.idx
    elif any(c.dep_ == "conj" and c.i in anchors for c in anchor.children):
        shape["coord"] = offset + anchor.idx
    if gov.verb is not None and lemma_of(gov.verb, lex.joiners) in lex.joiners:
        shape["join"] = True
    if any(c.dep_ == "amod" and c.lower_ in lex.similar for c in anchor.children):
        shape["similar"] = True
    return shape


def expand(base: Finding, who: Participants, known: Iterable[str], groups: frozenset[str]) -> list[Finding]:
    """One finding per party combination the syntax gives (bilateral splits, lists, exclusions); ``groups`` are
    the sentence's actors that name no country."""
    known = set(known)
    everyone = who.all | known
    confidence = 0.5 + (0.15 if base.explicit else 0.0) + (0.1 if base.named else 0.0) + (0.1 if who.direct else 0.0)
    out: list[Finding] = []

    def add(codes: Iterable[str], negated: bool, pair: bool, penalty: float = 0.0) -> None:
        out.append(
            replace(
                base,
                participants=frozenset(codes),
                negated=negated,
                pair=pair,
                confidence=round(min(0.95, confidence - penalty), 2),
            )
        )

    rest = everyone - who.excluded
    joiners = rest - {"EU"}
    if known == {"EU"} and base.type == "programme" and len(joiners) >= 2 and not who.partner:
        # an EU programme that several countries join or are associated to: one association each
        for code in sorted(joiners):
            add({"EU", code}, base.negated, who.pair)
    elif (base.type == "programme" and who.subject == {"EU"} and len(who.other - groups) >= 2
          and not (who.partner or who.between or who.listed or known - {"EU"})):
        # "the Commission paid out ... under the Facility to Albania, Montenegro and Kosovo": one each (a region
        # named beside its member countries is their group, not one more recipient)
        for code in sorted(who.other - groups):
            add({"EU", code}, base.negated, who.pair)
    elif base.flags.join and len(who.subject) >= 2 and who.other and not who.other & who.subject:
        # "Ukraine and Moldova joined the EU's programme": one accession each
        for code in sorted(who.subject):
            add({code} | who.other, base.negated, who.pair)
    elif (base.flags.bilateral and len(who.partner) >= 2 and len(who.subject - who.partner) == 1
          and not who.between and who.other <= who.subject | who.partner):
        # "concluded talks with Gabon, Senegal and Cabo Verde": one bilateral event per partner
        for code in sorted(who.partner):
            add((who.subject - who.partner) | {code}, base.negated, who.pair)
    elif len(who.listed) >= 2:
        for code in sorted(who.listed):
            add((rest - who.listed) | {code}, base.negated, who.pair)
    elif (len(who.subject) >= 2 and who.partner and not who.subject & who.partner
          and who.other <= who.partner | known and not base.flags.shared):
        for code in sorted(who.subject):
            add({code} | who.partner | (known - who.subject), base.negated, who.pair)
    else:
        add(rest, base.negated, who.pair, 0.1 if who.pair else 0.0)
    actor_side = (who.subject - who.excluded) or (rest - who.listed)
    if not who.subject - who.excluded and "EU" in actor_side:
        actor_side = {"EU"}  # "X was not invited to the EU-Y summit": X is left out by the EU
    for code in sorted(who.excluded):
        add(actor_side | {code}, True, who.pair)
    return out


def similar_party(ready: list[Finding], codes: set[str], dominant: str | None) -> set[str]:
    """"A similar arrangement with Peru": the party of the previous event that would be Peru's partner."""
    for previous in reversed(ready):
        others = set(previous.participants) - codes
        for choice in ("EU", dominant):
            if choice in others:
                return {choice}
    return set()


def main_pair(codes: Sequence[str]) -> tuple[str, str] | None:
    """The article's two main parties (mention counts), when unambiguous; else None."""
    counts = Counter(codes).most_common()
    if len(counts) < 2:
        return None
    if len(counts) == 2 or counts[1][1] >= 2 * counts[2][1]:
        first, second = counts[0][0], counts[1][0]
        return (first, second) if first < second else (second, first)
    return None


def lead_pair(findings: Iterable[Finding], codes: Sequence[str], lead: int = 400) -> tuple[str, str] | None:
    """The article's main pair when mention counts leave it open: the two parties of the first positive
    two-party event of the title or lead (its first ``lead`` characters), both among the three most named."""
    top = {code for code, _ in Counter(codes).most_common(3)}
    for finding in sorted(findings, key=lambda f: f.order):
        if finding.order >= lead:
            break
        pair = set(finding.participants)
        if len(pair) == 2 and not finding.negated and finding.status != "planned" and pair <= top:
            first, second = sorted(pair)
            return first, second
    return None


def pair_tokens(doc: Doc, lex: Lexicon) -> set[int]:
    words = [t.lower_ for t in doc]
    hits: set[int] = set()
    for phrase in lex.pairs:
        size = len(phrase)
        for start in range(len(words) - size + 1):
            if tuple(words[start : start + size]) == phrase and not hits & set(range(start, start + size)):
                if size == 1 and doc[start].head.i + 1 < len(doc) and doc[start].dep_ == "preconj":
                    continue
                hits.update(range(start, start + size))
    return hits
