"""Parsed sentences to partnership events, then one article's events merged into :class:`Event` records.

:func:`read_sentence` works on one parsed sentence: instrument nouns ("agreement", a registry name, an
"EU-X Digital Partnership") and event verbs (cooperate, co-finance, ...) are anchors; the verb that governs an
anchor gives the status; the actors syntactically tied to it (subject, object, coordination, with/between
phrases, possessives, compounds) are the participants. :func:`finalise` resolves "both sides", drops events
with fewer than two parties and merges mentions of the same event within the article.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from spacy.tokens import Doc, Span, Token

from pipeline.models import Event
from pipeline.nlp.anaphora import anaphoric, antecedent, funding, named_before, recipient
from pipeline.nlp.anchorless import followers, omissions
from pipeline.nlp.anchors import instrument_nouns, named_instruments
from pipeline.nlp.findings import Finding, Flags, SentenceInput
from pipeline.nlp.lexicon import Lexicon, lemma_of
from pipeline.nlp.merging import merge_repeats
from pipeline.nlp.naming import anchor_name
from pipeline.nlp.participants import Participants, participants_of
from pipeline.nlp.parties import expand, pair_tokens, shape, similar_party
from pipeline.nlp.scope import eu_internal, frame_of_other, national_measure, recommendation, regulatory
from pipeline.nlp.syntax import Governor, governor, hedged, negated, status_of

__all__ = ["Finding", "SentenceInput", "finalise", "read_sentence"]


@dataclass(frozen=True)
class _Parse:
    """What the reader's helpers share about one parsed sentence: its actors, instruments, anchors, pair words."""

    doc: Doc
    actor_of: dict[int, tuple[int, str]]  # token index -> (actor number, code)
    named: dict[int, Span]  # head token index -> named instrument span
    parties: dict[int, tuple[str, ...]]  # head token index -> the registry's parties of the named instrument
    kinds: dict[int, str | None]  # head token index -> the named instrument's event type
    anchors: dict[int, str]  # token index -> event type, named instruments and instrument nouns
    pairs: set[int]  # tokens of "both sides", "the two" ...


def read_sentence(sentence: SentenceInput, lex: Lexicon) -> list[Finding]:
    """Every event the sentence states, with participants tied to its trigger."""
    parse = _parse(sentence, lex)
    findings: list[Finding] = []
    governed: set[int] = set()
    for index, type_ in sorted(parse.anchors.items()):
        findings.extend(_anchor_findings(parse, sentence, index, type_, governed, lex))
    findings.extend(_verb_findings(parse, sentence, governed, lex))
    findings.extend(omissions(parse.doc, sentence, parse.actor_of, parse.pairs, lex))
    findings.extend(followers(parse.doc, sentence, parse.actor_of, parse.pairs, lex))
    return _sentence_context(findings, parse, lex)


def _parse(sentence: SentenceInput, lex: Lexicon) -> _Parse:
    """The sentence's actor tokens, named instruments, pair words and anchors, in that order."""
    doc = sentence.doc
    actor_of = _actor_tokens(sentence)
    named, parties, kinds = named_instruments(sentence, actor_of, lex)
    pairs = pair_tokens(doc, lex)
    anchors = instrument_nouns(doc, named, kinds, actor_of, lex)
    return _Parse(doc, actor_of, named, parties, kinds, anchors, pairs)


def _actor_tokens(sentence: SentenceInput) -> dict[int, tuple[int, str]]:
    """Each token of an actor mention, mapped to the mention's number and actor code."""
    doc = sentence.doc
    actor_of: dict[int, tuple[int, str]] = {}
    for number, (start, end, code) in enumerate(sentence.actors):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            for token in span:
                actor_of[token.i] = (number, code)
    return actor_of


def _anchor_findings(
    parse: _Parse, sentence: SentenceInput, index: int, type_: str, governed: set[int], lex: Lexicon
) -> list[Finding]:
    """The events of one anchor (none when nested or out of scope); its governing verb is added to ``governed``."""
    doc = parse.doc
    anchor = doc[index]
    gov = governor(anchor, parse.anchors, lex)
    if gov.nested or frame_of_other(anchor, parse.anchors):
        return []
    if gov.verb is not None:
        governed.add(gov.verb.i)
    span, type_ = _instrument_of(parse, anchor, type_)
    known = _known_parties(parse, anchor, gov)
    who = participants_of(anchor, gov, parse.actor_of, parse.pairs, lex)
    if national_measure(anchor, gov, who.all | set(known), parse.actor_of, lex) or recommendation(
        anchor, gov, span is not None, parse.actor_of, lex
    ):
        return []  # a decision on one country's own measure; a recommendation on an unnamed instrument
    status, explicit, is_negated = _anchor_status(anchor, gov, who, parse.actor_of, lex)
    if type_ == "cooperation" and span is None and not explicit and status != "planned":
        return []
    name, is_named = anchor_name(anchor, span, lex)
    if set(known) - {"EU"} and (who.all - set(known) - {"EU"} or set(known) & sentence.unnamed):
        # the text names another partner than the registry's, or the article never names the registry's partner
        # ("CEPA" of India and the UAE, not of the EU and Armenia): keep the words, not the registry's identity
        known = ()
        if span is not None:
            name = _surface(span)
    base = Finding(
        type=type_,
        status=status,
        participants=frozenset(),
        instrument=name,
        named=is_named,
        head=(span.root if span is not None else anchor).lemma_.lower(),
        negated=is_negated,
        evidence=doc.text.strip(),
        when=sentence.when,
        confidence=0.0,
        explicit=explicit,
        order=sentence.offset + anchor.idx,
    )
    _flag_anchor(base, parse, anchor, gov, who, span, known, sentence.offset, lex)
    return expand(base, who, known, sentence.groups)


def _instrument_of(parse: _Parse, anchor: Token, type_: str) -> tuple[Span | None, str]:
    """The anchor's named instrument (its own, or a named compound's) and the event type that goes with it."""
    named = parse.named
    compound_named = next((named[c.i] for c in anchor.children if c.dep_ == "compound" and c.i in named), None)
    span = named.get(anchor.i) or compound_named
    if compound_named is not None and anchor.i not in named:
        type_ = parse.kinds[compound_named.root.i]  # type: ignore[assignment]
    return span, type_


def _known_parties(parse: _Parse, anchor: Token, gov: Governor) -> tuple[str, ...]:
    """The registry's parties of the anchor's instrument and of the named instruments near it."""
    index, parties, doc = anchor.i, parse.parties, parse.doc
    near = {index, *(t.i for t in gov.chain), *(t.i for t in anchor.subtree)}
    return tuple(parties.get(index, ())) + tuple(
        p for i, ps in parties.items() if i != index and (i in near or doc[i].head.i in near) for p in ps
    )


def _anchor_status(
    anchor: Token, gov: Governor, who: Participants, actor_of: dict[int, tuple[int, str]], lex: Lexicon
) -> tuple[str, bool, bool]:
    """The anchor's status, whether it is explicit, and its negation; a left-out party moves to ``who.excluded``."""
    status, explicit = status_of(anchor, gov, lex)
    is_negated = negated(anchor, gov, lex)
    left_out = _left_out(gov, actor_of, lex) - who.other if is_negated else set()
    if left_out:
        # "X was not invited to / was excluded from the EU-Y summit": the summit happened, without X
        who.excluded |= left_out
        who.subject -= left_out
        is_negated = False
    if not is_negated and hedged(anchor, gov, lex):
        status = "planned"
    return status, explicit, is_negated


def _flag_anchor(
    base: Finding, parse: _Parse, anchor: Token, gov: Governor, who: Participants, span: Span | None,
    known: tuple[str, ...], offset: int, lex: Lexicon,
) -> None:
    """Set what the anchor's form says on ``base.flags``: registry, anaphor, left out, each, funding, shape."""
    is_negated = base.negated
    base.flags.registry = bool(span is not None and span.label_ not in ("", "INSTRUMENT"))
    if span is None and anaphoric(anchor):
        base.flags.anaphor = True  # "That agreement entered into force": the article's instrument
    if is_negated and who.subject and who.all == who.subject and not who.pair and _definite(anchor):
        base.flags.left_out = True  # "X and Y did not sign the declaration": left out of the article's one
    elif _each_own(anchor, gov, who, is_negated):
        base.flags.each = True  # "X and Y already have agreements in force": each its own, with the EU
    if funding(anchor, gov, known, who.all, lex):
        base.flags.funding = True  # "pledged 60 million euros from its Global Gateway programme": for whom?
    base.flags = replace(base.flags, **shape(anchor, gov, parse.anchors, lex, offset))


def _verb_findings(parse: _Parse, sentence: SentenceInput, governed: set[int], lex: Lexicon) -> list[Finding]:
    """The events of the event verbs no anchor governs ("X and Y agreed to cooperate on ...")."""
    findings: list[Finding] = []
    for verb in parse.doc:
        bare = _bare_event(verb, governed, parse.anchors, lex)
        if bare is None:
            continue
        type_, status = bare
        gov = governor(verb, {}, lex, is_verb=True)
        who = participants_of(verb, gov, parse.actor_of, parse.pairs, lex)
        is_negated = negated(verb, gov, lex)
        if hedged(verb, gov, lex):
            status = "planned"
        base = Finding(
            type=type_,
            status=status,
            participants=frozenset(),
            instrument=_topic(verb),
            named=False,
            head=verb.lemma_.lower(),
            negated=is_negated,
            evidence=parse.doc.text.strip(),
            when=sentence.when,
            confidence=0.0,
            explicit=True,
            order=sentence.offset + verb.idx,
            flags=Flags(bilateral=True),
        )
        findings.extend(expand(base, who, (), sentence.groups))
    return findings


def _bare_event(verb: Token, governed: set[int], anchors: dict[int, str], lex: Lexicon) -> tuple[str, str] | None:
    """The ``(type, status)`` a verb states on its own, or None when it is no event verb or an anchor has it."""
    if verb.i in governed or verb.pos_ not in ("VERB",):
        return None
    bare = lex.phrasal(verb, lex.phrasal_bare) or lex.bare.get(lemma_of(verb, lex.bare))
    if not bare:
        return None
    if verb.lemma_.lower() == "sign" and any(c.dep_ in ("dobj", "nsubjpass") for c in verb.children):
        return None
    if verb.dep_ in ("relcl", "acl") and verb.head.i in anchors:
        return None  # "the partnership that the two signed in 2022": the verb's event is the partnership's
    return bare  # type: ignore[return-value]


def _sentence_context(findings: list[Finding], parse: _Parse, lex: Lexicon) -> list[Finding]:
    """What the whole sentence says of its findings: regulatory (registry only), background, a speaker's."""
    doc, actor_of = parse.doc, parse.actor_of
    if regulatory(doc, lex):  # a State aid decision, an infringement, a ruling: only registry instruments stay
        findings = [f for f in findings if f.flags.registry]
    here = frozenset(code for _, code in actor_of.values())
    for finding in findings:  # "the Digital Partnership, signed in 2022, ...": a background fact of the article's pair
        named = finding.named and finding.explicit and finding.instrument[:1].isupper()
        if not finding.participants and named and finding.status in _BACKGROUND and not finding.negated:
            finding.flags.background = here
    if len({code for _, code in actor_of.values()}) == 1 and _speaker_subject(doc, actor_of, lex):
        for finding in findings:
            finding.flags.complete = True
    return findings


_BACKGROUND = frozenset({"signed", "launched", "in_force", "held"})


def _definite(anchor: Token) -> bool:
    """"the agreement", "the final declaration": an instrument the article has already named."""
    return any(c.dep_ == "det" and c.lower_ == "the" for c in anchor.children)


def _each_own(anchor: Token, gov: Governor, who: Participants, is_negated: bool) -> bool:
    """"X and Y already have agreements": a plural instrument its coordinated subjects hold, with nobody named."""
    verb = gov.verb
    held = verb is not None and verb.lemma_.lower() == "have" and anchor.dep_ == "dobj" and not gov.chain
    return held and anchor.tag_ == "NNS" and len(who.subject) > 1 and who.all == who.subject and not (
        who.pair or is_negated
    )


_SPEAKERS = frozenset({"we", "they", "i", "he", "she"})


def _speaker_subject(doc: Doc, actor_of: dict, lex: Lexicon) -> bool:
    """True when the main clause (or a speech verb) has a person (a name that is no actor) or "we" as subject."""
    for token in doc:
        if token.dep_ == "ROOT" or token.lemma_.lower() in lex.speech:
            for subject in (c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")):
                named = subject.pos_ == "PROPN" and subject.i not in actor_of
                if subject.lower_ in _SPEAKERS or (named and not any(t.i in actor_of for t in subject.subtree)):
                    return True
    return False


def _left_out(gov: Governor, actor_of: dict, lex: Lexicon) -> set[str]:
    """The actors a negated inclusion verb leaves out: its passive subject ("X was not invited to ...")."""
    verb = gov.verb
    if verb is None or verb.lemma_.lower() not in lex.inclusion:
        return set()
    return {
        actor_of[t.i][1] for c in verb.children if c.dep_ == "nsubjpass" for t in c.subtree if t.i in actor_of
    }


def _surface(span: Span) -> str:
    """The span's own words, without a leading article."""
    words = [t for t in span if not t.is_space]
    while words and words[0].lower_ in ("the", "a", "an"):
        words = words[1:]
    return span.doc[words[0].i : words[-1].i + 1].text if words else span.text


def _topic(verb: Token) -> str | None:
    """What a bare event verb is about: "cooperation" and its first "on"/"in" phrase (nine tokens at most)."""
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in ("on", "in"):
            words = [t for t in child.subtree][:9]
            return "cooperation " + " ".join(t.text for t in words)
    return None


def finalise(
    findings: Iterable[Finding],
    pair: tuple[str, str] | None,
    published: date | None,
    lex: Lexicon,
    dominant: str | None = None,
) -> tuple[Event, ...]:
    """Resolve "both sides", drop events with fewer than two parties, merge repeats within the article.

    ``pair`` is the article's main pair (:func:`main_pair`); ``dominant`` its most named actor, the author
    of a document that "makes no reference to" someone; an event of the EU and its member states (``lex``) only is
    EU-internal and dropped.
    """
    ready: list[Finding] = []
    findings = sorted(findings, key=lambda f: f.order)
    for finding in findings:
        ready.extend(_resolved(finding, ready, findings, pair, dominant, lex.eu_members))
    return tuple(_event(f, published) for f in merge_repeats(ready, lex))


def _resolved(
    finding: Finding, ready: list[Finding], findings: list[Finding], pair: tuple[str, str] | None,
    dominant: str | None, members: frozenset[str],
) -> list[Finding]:
    """The finding with its parties resolved against the article: none, one, or one per party left out."""
    codes = set(finding.participants)
    if finding.pair and pair and codes <= set(pair):
        codes |= set(pair)
    if finding.flags.author and dominant and len(codes) == 1:
        codes.add(dominant)
    side = "EU" if pair and "EU" in pair else dominant
    if (finding.flags.left_out or finding.flags.each) and side and side not in codes:
        # each party left out of the instrument the article is about, by its main actor
        return [replace(finding, participants=frozenset({code, side})) for code in sorted(codes)
                if not eu_internal({code, side}, members)]
    finding, codes = _from_article(finding, codes, ready, findings, pair)
    if finding.flags.similar and len(codes) == 1:
        codes |= similar_party(ready, codes, dominant)
    if finding.flags.follow:
        previous = ready[-1] if ready and len(codes) == 1 else None
        if previous is None:
            return []
        codes |= similar_party(ready, codes, dominant)
        finding = replace(
            finding, type=previous.type, status=finding.status or previous.status, head=previous.head,
            instrument=previous.instrument, named=previous.named, explicit=previous.explicit,
        )
    if len(codes) < 2 or eu_internal(codes, members):
        return []
    return [replace(finding, participants=frozenset(codes))]


def _from_article(
    finding: Finding, codes: set[str], ready: list[Finding], findings: list[Finding], pair: tuple[str, str] | None
) -> tuple[Finding, set[str]]:
    """Parties the article supplies: its main pair (a speaker, a background fact), an antecedent, a recipient."""
    if finding.flags.complete and pair and len(codes) == 1 and codes < set(pair):
        codes = set(pair)
        finding = replace(finding, confidence=round(finding.confidence - 0.2, 2))
    if finding.flags.anaphor and not codes:
        finding, codes = _anaphor_parties(finding, codes, ready, findings, pair)
    if finding.flags.funding and codes == {"EU"}:
        codes |= recipient(ready, finding, pair)
    background = finding.flags.background
    if background is not None and pair and not codes and background <= set(pair):
        codes = set(pair)
        finding = replace(finding, confidence=round(finding.confidence - 0.2, 2))
    return finding, codes


def _anaphor_parties(
    finding: Finding, codes: set[str], ready: list[Finding], findings: list[Finding], pair: tuple[str, str] | None
) -> tuple[Finding, set[str]]:
    """"That agreement": the antecedent's parties and name, else the main pair of a name given earlier."""
    earlier = antecedent(ready, finding, pair)
    if earlier is not None:
        codes = set(earlier.participants)
        finding = replace(finding, instrument=earlier.instrument, named=earlier.named,
                          confidence=round(finding.confidence - 0.1, 2))
    elif pair and finding.explicit and finding.status in ("signed", "in_force") and named_before(
        findings, finding
    ):
        # a capitalised name given earlier without its parties: the article's main pair
        codes = set(pair)
        finding = replace(finding, confidence=round(finding.confidence - 0.2, 2))
    return finding, codes


def _event(finding: Finding, published: date | None) -> Event:
    """The :class:`Event` record of a resolved finding, dated by its sentence or else the article."""
    return Event(type=finding.type, status=finding.status, participants=tuple(sorted(finding.participants)),
                 instrument=finding.instrument, negated=finding.negated, date=finding.when or published,
                 evidence=finding.evidence, confidence=finding.confidence)
