"""Dependency-parse rules of the event reader: governing verb, status, hedge, negation.

Each rule takes an anchor token (an instrument noun, or an event verb) of a parsed sentence. Who takes part is
:mod:`pipeline.nlp.participants`; what the instrument is called is :mod:`pipeline.nlp.naming`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from pipeline.nlp.lexicon import MODALS, Lexicon

NOUNS = ("NOUN", "PROPN", "PRON", "NUM")
VERBS = ("VERB", "AUX")
CLAUSES = frozenset({"relcl", "advcl", "ccomp", "parataxis", "csubj", "acl", "xcomp", "mark", "conj_clause"})
EXCLUDING_PREPS = frozenset({"without", "excluding", "except", "barring"})
RELATIVES = frozenset({"which", "that", "who", "whom", "whose"})
FRAME_PREPS = frozenset({"under"})  # "Under the deal struck in Rome, Italy and Libya will ...": the clause's parties
YET_VERBS = frozenset({"have", "be", "remain"})  # "has yet to sign", "is yet to be ratified"


@dataclass
class Governor:
    """Where an anchor sits: the verb governing it, the nouns and prepositions on the way, nesting."""

    verb: Token | None
    chain: list[Token] = field(default_factory=list)
    nested: bool = False
    participle: Token | None = None  # "the agreement, signed by ..." (an acl/relcl trigger on the anchor)
    setting: bool = False  # the anchor is where/when the verb happens ("At the EU-X summit, ... signed ...")
    framed: bool = False  # the anchor frames the clause ("Under the deal, X and Y will ...")


SETTING_PREPS = frozenset({"at", "during", "after", "before", "since", "until", "amid", "following", "ahead", "in"})


def status_verb(verb: Token, lex: Lexicon) -> bool:
    """True when the verb gives an event a status, hedges it, is an event verb itself or says "mention"."""
    lemma = verb.lemma_.lower()
    return bool(
        lex.verb_status(verb) or lex.booster_status(verb) or lemma in lex.bare or lemma in lex.hedges
        or lemma in lex.mention or lex.phrasal(verb, lex.phrasal_bare)
    )


def governor(anchor: Token, anchors: dict[int, str], lex: Lexicon, is_verb: bool = False) -> Governor:
    """Climb from the anchor to the verb that governs it, through prepositions and nouns ("talks on ...")."""
    if is_verb:
        return Governor(verb=anchor)
    participle = next(
        (c for c in anchor.children if c.dep_ in ("acl", "relcl") and c.pos_ == "VERB" and lex.verb_status(c)
         and (c.tag_ == "VBN" or any(g.lower_ in RELATIVES and g.dep_.startswith("nsubj") for g in c.children)
              or object_relative(c))),
        None,
    )
    token = anchor
    gov = Governor(verb=None, participle=participle)
    if anchor.dep_ == "appos" and anchor.head.i in anchors:
        gov.nested = True  # "Horizon Europe, the Framework Programme for ...": one instrument, two names
        return gov
    while token.dep_ in ("conj", "appos") and token.head.pos_ in NOUNS and token.head.i != token.i:
        token = token.head
    for _ in range(10):
        head = token.head
        if head.i == token.i:
            break
        if head.pos_ in VERBS or (head.pos_ == "ADJ" and token.dep_ == "prep"):
            if head.dep_ == "acl" and head.head.lemma_.lower() in lex.talks and not status_verb(head, lex):
                gov.chain.extend((head, head.head))
                token = head.head
                continue
            gov.verb = head
            gov.setting = gov.setting or (token.pos_ == "ADP" and token.lower_ in SETTING_PREPS)
            gov.framed = any(t.pos_ == "ADP" and t.lower_ in FRAME_PREPS for t in (*gov.chain, token))
            topic = token.pos_ == "ADP" and token.lower_ in ("for", "on", "regarding", "about", "covering")
            if topic and any(c.dep_ == "dobj" and c.i in anchors for c in head.children):
                gov.nested = True
            break
        if head.i in anchors and token.dep_ != "conj":
            gov.nested = True
            break
        if head.lemma_.lower() in lex.setting_nouns:
            gov.setting = True  # "signed on the sidelines of the G20 summit"
        gov.chain.append(head)
        token = head
    return gov


def object_relative(verb: Token) -> bool:
    """"the memorandum that the EU concluded with X": the anchor is the relative clause's object."""
    return verb.dep_ == "relcl" and any(c.dep_ == "dobj" and c.lower_ in RELATIVES for c in verb.children) and any(
        c.dep_ == "nsubj" for c in verb.children
    )


def status_of(anchor: Token, gov: Governor, lex: Lexicon) -> tuple[str, bool]:
    """The status the sentence gives the anchor, and whether a word stated it (False: the default)."""
    scope = [anchor, *gov.chain, *([gov.verb] if gov.verb is not None else [])]
    for token in scope:
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ == "in" and any(g.lower_ == "force" for g in child.children):
                return "in_force", True
    if anchor.lemma_.lower() in lex.held:
        return "held", True
    if gov.setting:
        return "in_force", False
    for token in gov.chain:
        for word in (token, *(c for c in token.children if c.dep_ in ("compound", "amod"))):
            status = lex.nominal_status.get(word.lemma_.lower())
            if status and status != "held" and word.pos_ in NOUNS:
                return status, True
    if gov.participle is not None:
        if direct_argument(anchor, gov, lex):
            return lex.verb_status(gov.verb), True  # "X endorsed the agreement, which had been held up ..."
        return lex.verb_status(gov.participle) or "signed", True
    for token in gov.chain:
        if token.lemma_.lower() in lex.talks and token.pos_ in NOUNS:
            if gov.verb is not None and gov.verb.lemma_.lower() in lex.closing:
                return "signed", True  # "concluded negotiations on ...", "wrapped up talks on ..."
            exploratory = any(c.lower_ in ("exploratory", "preliminary") for c in token.children)
            return ("planned" if exploratory else "negotiating"), True
    if anchor.lemma_.lower() in lex.talks:
        return "negotiating", True
    if gov.verb is not None:
        status = lex.verb_status(gov.verb) or lex.booster_status(gov.verb)
        if status == "in_force" and gov.verb.lemma_.lower() == "have" and anchor.dep_ != "dobj":
            status = None
        if status:
            return status, True
    for token in gov.chain:
        status = lex.nominal_status.get(token.lemma_.lower())
        if status:
            return status, True
    return "in_force", False


def direct_argument(anchor: Token, gov: Governor, lex: Lexicon) -> bool:
    """The anchor is a direct argument of a status verb, or the object of one preposition on it ("met for a
    summit that ended ..."): the main clause outranks a relative clause on the anchor."""
    if gov.verb is None or not lex.verb_status(gov.verb):
        return False
    if not gov.chain:
        return anchor.head.i == gov.verb.i
    prep = gov.chain[0]
    return len(gov.chain) == 1 and prep.dep_ == "prep" and anchor.head.i == prep.i and prep.head.i == gov.verb.i


def _verb_chain(verb: Token | None) -> list[Token]:
    chain: list[Token] = []
    while verb is not None and len(chain) < 4:
        chain.append(verb)
        climbs = verb.dep_ in ("xcomp", "ccomp", "conj", "advcl") and verb.head.i != verb.i
        if climbs and verb.head.pos_ in (*VERBS, "ADJ"):
            verb = verb.head
        elif verb.dep_ == "pcomp" and verb.head.head.pos_ in VERBS:
            verb = verb.head.head
        else:
            break
    return chain


def hedged(anchor: Token, gov: Governor, lex: Lexicon) -> bool:
    """True when the event is only planned: will/plans to/intends to/expected to, "future", "proposed" ..."""
    if gov.framed and gov.participle is not None:
        return False  # "Under a deal sealed on Monday, X and Y will ...": the deal exists
    for token in (anchor, *gov.chain):
        if any(c.dep_ in ("amod", "compound") and c.lemma_.lower() in lex.hedges for c in token.children):
            return True
    for number, verb in enumerate(_verb_chain(gov.verb)):
        if number and verb.lemma_.lower() in lex.hedges | lex.xcomp_hedges:
            return True
        if any(c.dep_ in ("aux", "auxpass") and (c.lower_ in MODALS or c.lemma_.lower() in MODALS)
               for c in verb.children):
            return True
        if number == 0 and verb.lemma_.lower() in lex.hedges and verb.lemma_.lower() not in lex.status:
            return True
        if verb.dep_ not in ("xcomp", "pcomp", "conj"):
            break
    return False


def negated(anchor: Token, gov: Governor, lex: Lexicon) -> bool:
    """True when the sentence says the event did not happen (not, no, without, failed to, stalled ...).

    A negation inside a relative clause on the instrument ("talks that had stalled since 2008") counts only
    when no verb of the anchor's own clause states the event ("... resumed", "agreed to relaunch")."""
    own_clause = _main_trigger(gov, lex)
    for token in (anchor, *gov.chain):
        if any(c.dep_ in ("det", "neg") and c.lower_ in ("no", "not", "never") for c in token.children):
            return True
        if token.pos_ == "ADP" and token.lower_ in EXCLUDING_PREPS:
            return True
        if token.pos_ in NOUNS and token is not anchor and lex.is_negation(token):
            return True
        if not own_clause and any(
            c.dep_ in ("acl", "relcl") and c.pos_ == "VERB" and lex.is_negation(c) for c in token.children
        ):
            return True
    chain = _verb_chain(gov.verb)
    talks = anchor.lemma_.lower() in lex.talks or any(t.lemma_.lower() in lex.talks for t in gov.chain)
    for number, verb in enumerate(chain):
        if lex.is_negation(verb) or (talks and lex.verb_status(verb) == "ended"):
            return True  # "talks were frozen", "X suspended negotiations"
        if number and _yet_to(verb):
            return True  # "X has yet to sign", "the deal is yet to be ratified"
        if any(c.dep_ == "neg" for c in verb.children):
            direct = anchor.dep_ in ("dobj", "nsubjpass") or anchor.head.dep_ == "prep" or status_verb(verb, lex)
            if number or direct or anchor.i == verb.i:
                return True
        for child in verb.children:
            if child.i == anchor.i or child.dep_ in CLAUSES:
                continue
            grand = [child, *(g for g in child.children if g.dep_ in ("pobj", "dobj", "attr", "acomp"))]
            if any(t.pos_ in ("NOUN", "ADJ") and lex.is_negation(t) for t in grand):
                return True
        if verb.dep_ not in ("xcomp", "pcomp", "conj"):
            break
    return False


def _main_trigger(gov: Governor, lex: Lexicon) -> bool:
    """True when a verb of the anchor's own clause (not "have"/"be") gives the event its status."""
    return any(
        status_verb(verb, lex) and verb.lemma_.lower() not in YET_VERBS and not lex.is_negation(verb)
        for verb in _verb_chain(gov.verb)
    )


def _yet_to(verb: Token) -> bool:
    return verb.lemma_.lower() in YET_VERBS and any(c.lower_ == "yet" and c.dep_ == "advmod" for c in verb.children)
