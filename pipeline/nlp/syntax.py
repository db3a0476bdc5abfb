"""Dependency-parse rules of the event reader: governing verb, status, hedge, negation, participants, names.

Each rule takes an anchor token (an instrument noun, or an event verb) of a parsed sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from pipeline.nlp.lexicon import MODALS, NOMINAL_STATUS, Lexicon

NOUNS = ("NOUN", "PROPN", "PRON", "NUM")
VERBS = ("VERB", "AUX")
CLAUSES = frozenset({"relcl", "advcl", "ccomp", "parataxis", "csubj", "acl", "xcomp", "mark", "conj_clause"})
SKIP_PREPS = frozenset(
    {"in", "at", "during", "after", "before", "since", "until", "within", "across", "near", "amid", "despite",
     "following", "under", "through", "via", "over", "against", "around", "ahead"}
)
PARTNER_PREPS = frozenset({"with", "alongside"})
BETWEEN_PREPS = frozenset({"between", "among", "amongst"})
LIST_PREPS = frozenset({"including", "like", "notably", "especially", "incl"})
EXCLUDING_PREPS = frozenset({"without", "excluding", "except", "barring"})
NAME_PREPS = frozenset({"on", "of", "for", "regarding", "to", "in"})
XCOMP_HEDGES = frozenset({"set", "due", "poised", "likely", "ready", "expected", "about"})
RELATIVES = frozenset({"which", "that", "who", "whom", "whose"})
FRAME_PREPS = frozenset({"under"})  # "Under the deal struck in Rome, Italy and Libya will ...": the clause's parties
FUNDING = frozenset({"fund", "finance", "co-finance", "co-fund", "cofinance", "mobilise", "mobilize", "invest",
                     "earmark", "allocate"})
CLOSING_VERBS = frozenset({"conclude", "finalise", "finalize", "wrap"})
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


@dataclass
class Participants:
    """The actor codes tied to one anchor, by the syntactic role that tied them."""

    subject: set[str] = field(default_factory=set)
    partner: set[str] = field(default_factory=set)
    between: set[str] = field(default_factory=set)
    other: set[str] = field(default_factory=set)
    listed: set[str] = field(default_factory=set)
    excluded: set[str] = field(default_factory=set)
    pair: bool = False

    @property
    def all(self) -> set[str]:
        return self.subject | self.partner | self.between | self.other | self.listed

    @property
    def direct(self) -> bool:
        return len(self.all) >= 2

    def add(self, group: str, code: str) -> None:
        getattr(self, group).add(code)


SETTING_NOUNS = frozenset({"sideline", "sidelines", "margin", "margins", "fringe", "fringes", "eve", "occasion"})
SETTING_PREPS = frozenset({"at", "during", "after", "before", "since", "until", "amid", "following", "ahead", "in"})


def _status_verb(verb: Token, lex: Lexicon) -> bool:
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
              or _object_relative(c))),
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
            if head.dep_ == "acl" and head.head.lemma_.lower() in lex.talks and not _status_verb(head, lex):
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
        if head.lemma_.lower() in SETTING_NOUNS:
            gov.setting = True  # "signed on the sidelines of the G20 summit"
        gov.chain.append(head)
        token = head
    return gov


def _object_relative(verb: Token) -> bool:
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
            status = NOMINAL_STATUS.get(word.lemma_.lower())
            if status and status != "held" and word.pos_ in NOUNS:
                return status, True
    if gov.participle is not None:
        if _direct(anchor, gov, lex):
            return lex.verb_status(gov.verb), True  # "X endorsed the agreement, which had been held up ..."
        return lex.verb_status(gov.participle) or "signed", True
    for token in gov.chain:
        if token.lemma_.lower() in lex.talks and token.pos_ in NOUNS:
            if gov.verb is not None and gov.verb.lemma_.lower() in CLOSING_VERBS:
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
        status = NOMINAL_STATUS.get(token.lemma_.lower())
        if status:
            return status, True
    return "in_force", False


def _direct(anchor: Token, gov: Governor, lex: Lexicon) -> bool:
    """The anchor is a direct argument of a status verb (that outranks a relative clause on the anchor)."""
    return gov.verb is not None and not gov.chain and anchor.head.i == gov.verb.i and bool(lex.verb_status(gov.verb))


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
        if number and verb.lemma_.lower() in lex.hedges | XCOMP_HEDGES:
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
    """True when the sentence says the event did not happen (not, no, without, failed to, stalled ...)."""
    for token in (anchor, *gov.chain):
        if any(c.dep_ in ("det", "neg") and c.lower_ in ("no", "not", "never") for c in token.children):
            return True
        if token.pos_ == "ADP" and token.lower_ in EXCLUDING_PREPS:
            return True
        if token.pos_ in NOUNS and token is not anchor and lex.is_negation(token):
            return True
        if any(c.dep_ in ("acl", "relcl") and c.pos_ == "VERB" and lex.is_negation(c) for c in token.children):
            return True
    chain = _verb_chain(gov.verb)
    talks = anchor.lemma_.lower() in lex.talks or any(t.lemma_.lower() in lex.talks for t in gov.chain)
    for number, verb in enumerate(chain):
        if lex.is_negation(verb) or (talks and lex.verb_status(verb) == "ended"):
            return True  # "talks were frozen", "X suspended negotiations"
        if number and _yet_to(verb):
            return True  # "X has yet to sign", "the deal is yet to be ratified"
        if any(c.dep_ == "neg" for c in verb.children):
            direct = anchor.dep_ in ("dobj", "nsubjpass") or anchor.head.dep_ == "prep" or _status_verb(verb, lex)
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


def _yet_to(verb: Token) -> bool:
    return verb.lemma_.lower() in YET_VERBS and any(c.lower_ == "yet" and c.dep_ == "advmod" for c in verb.children)


def walk(root: Token, group: str, who: Participants, actor_of: dict, pairs: set[int], skip: set[int]) -> None:
    stack = [(root, group)]
    while stack:
        token, current = stack.pop()
        if token.i in skip:
            continue
        if token.i in actor_of:
            who.add(current, actor_of[token.i][1])
        if token.i in pairs:
            who.pair = True
        for child in token.children:
            word = child.lower_
            if child.i in skip:
                continue
            if word in EXCLUDING_PREPS and current != "excluded":
                stack.append((child, "excluded"))
                continue
            if child.dep_ in CLAUSES:
                continue
            if child.dep_ == "prep":
                if word in SKIP_PREPS and not _in_force(child):
                    continue
                if word in EXCLUDING_PREPS:
                    stack.append((child, "excluded"))
                    continue
                if word in LIST_PREPS or (word == "as" and any(c.lower_ == "such" for c in child.children)):
                    stack.append((child, "listed"))
                    continue
                if current not in ("listed", "excluded"):
                    if word in PARTNER_PREPS:
                        stack.append((child, "partner"))
                        continue
                    if word in BETWEEN_PREPS:
                        stack.append((child, "between"))
                        continue
            stack.append((child, current))


def _in_force(token: Token) -> bool:
    return token.dep_ == "prep" and token.lower_ == "in" and any(g.lower_ == "force" for g in token.children)


def subjects_of(verb: Token) -> list[Token]:
    """The subject tokens of a verb, inherited through xcomp/conj/advcl and relative clauses."""
    for _ in range(5):
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "agent", "expl")]
        subjects = [c for c in subjects if c.dep_ != "expl"]
        if subjects:
            if verb.dep_ == "relcl" and any(s.lower_ in RELATIVES for s in subjects):
                return [verb.head]
            return subjects
        if verb.dep_ in ("acl", "relcl"):
            noun = verb.head
            if noun.pos_ not in NOUNS and noun.head.i != noun.i:
                verb = noun
                continue
            if noun.dep_ in ("attr", "oprd") and noun.head.pos_ in VERBS:
                return [noun, *subjects_of(noun.head)]
            return [noun]
        if verb.dep_ == "xcomp" and verb.head.i != verb.i:
            controllers = [c for c in verb.head.children if c.dep_ == "dobj" and c.i < verb.i]
            if controllers:
                return controllers  # object control: "leaving Japan and the EU to launch ..."
        if verb.dep_ in ("xcomp", "conj", "advcl", "ccomp", "acomp") and verb.head.i != verb.i:
            verb = verb.head
        elif verb.dep_ == "pcomp" and verb.head.head.i != verb.head.i:
            verb = verb.head.head
        else:
            break
    return []


def _beneficiaries(verb: Token, who: Participants, actor_of: dict) -> None:
    """Countries a funding verb's money goes to: "mobilise 500 million for projects in Kenya"."""
    for child in verb.children:
        if child.dep_ not in ("dobj", "prep") or (child.dep_ == "prep" and child.lower_ != "for"):
            continue
        for token in child.subtree:
            if token.dep_ == "pobj" and token.head.lower_ in ("in", "for", "to") and token.i in actor_of:
                for part in (token, *(c for c in token.children if c.dep_ == "conj")):
                    if part.i in actor_of:
                        who.add("other", actor_of[part.i][1])


def _after_frame(verb: Token) -> list[Token]:
    """The words between the comma that closes a fronted phrase and the verb, when the parser lost the subject."""
    doc = verb.doc
    comma = next((t.i for t in reversed(doc[: verb.i]) if t.text == ","), None)
    if comma is None or any(t.pos_ in VERBS and t.dep_ != "aux" for t in doc[comma + 1 : verb.i]):
        return []
    return [t for t in doc[comma + 1 : verb.i] if t.pos_ in ("PROPN", "NOUN")]


def participants_of(
    anchor: Token, gov: Governor, actor_of: dict, pairs: set[int], lex: Lexicon
) -> Participants:
    """The actors tied to the anchor: its own modifiers and phrases, then its governing verb's arguments."""
    who = Participants()
    is_verb = gov.verb is not None and gov.verb.i == anchor.i
    anchors_conj = {c.i for c in anchor.children if c.dep_ == "conj"}
    if not is_verb:
        walk(anchor, "other", who, actor_of, pairs, anchors_conj)
        for clause in (c for c in anchor.children if c.dep_ == "acl" and any(a.lower_ == "to" for a in c.children)):
            for prep in (p for part in (clause, *clause.children) for p in part.children if p.dep_ == "prep"):
                if prep.lower_ in PARTNER_PREPS | BETWEEN_PREPS:  # "agreements to protect investment with X"
                    walk(prep, "partner" if prep.lower_ in PARTNER_PREPS else "between", who, actor_of, pairs, set())
    for noun in gov.chain:
        if noun.pos_ not in NOUNS:
            continue
        for child in noun.children:
            if child.dep_ in ("compound", "amod", "poss", "nmod"):
                walk(child, "other", who, actor_of, pairs, set())
            elif child.dep_ == "prep" and child.lower_ in PARTNER_PREPS:
                walk(child, "partner", who, actor_of, pairs, set())
            elif child.dep_ == "prep" and child.lower_ in BETWEEN_PREPS:
                walk(child, "between", who, actor_of, pairs, set())
            elif child.dep_ == "prep" and child.lower_ == "for" and noun.lemma_.lower() not in lex.talks:
                walk(child, "other", who, actor_of, pairs, set())
    verb = gov.participle or gov.verb
    if verb is None or gov.setting:
        return who
    inside = {anchor.i, *(t.i for t in gov.chain)}
    if gov.framed and gov.verb is not None:
        for subject in subjects_of(gov.verb) or _after_frame(gov.verb):
            if subject.i not in inside:  # "Under the deal (sealed ...), X and Y will share data"
                walk(subject, "subject", who, actor_of, pairs, inside)
    acts = _status_verb(verb, lex) or any(t.lemma_.lower() in lex.talks for t in gov.chain) or hedged(anchor, gov, lex)
    if not acts:
        for child in verb.children:
            if _in_force(child):
                walk(child, "other", who, actor_of, pairs, inside)
            if child.dep_ == "prep" and child.lower_ in PARTNER_PREPS | BETWEEN_PREPS:
                group = "partner" if child.lower_ in PARTNER_PREPS else "between"
                walk(child, group, who, actor_of, pairs, inside)
        return who
    if gov.participle is not None and _direct(anchor, gov, lex):
        for subject in subjects_of(gov.verb):  # the main clause's subject acts too
            walk(subject, "subject", who, actor_of, pairs, inside)
    if verb.lemma_.lower() in FUNDING:
        _beneficiaries(verb, who, actor_of)
    if gov.participle is None or _object_relative(gov.participle):
        for subject in subjects_of(verb):
            if subject.i not in inside:
                walk(subject, "subject", who, actor_of, pairs, inside)
    for child in verb.children:
        if child.i in inside:
            continue
        if child.dep_ in ("dobj", "dative", "attr", "oprd", "iobj"):
            walk(child, "other", who, actor_of, pairs, inside)
        elif child.dep_ == "agent":
            walk(child, "subject", who, actor_of, pairs, inside)
        elif child.lower_ in EXCLUDING_PREPS:
            walk(child, "excluded", who, actor_of, pairs, inside)
        elif child.dep_ == "prep" and child.lower_ in PARTNER_PREPS:
            walk(child, "partner", who, actor_of, pairs, inside)
        elif child.dep_ == "prep" and child.lower_ in BETWEEN_PREPS:
            walk(child, "between", who, actor_of, pairs, inside)
        elif child.dep_ == "prep" and child.lower_ in ("to", "from", "by", "upon", "on") and is_verb:
            walk(child, "partner", who, actor_of, pairs, inside)
        elif child.dep_ == "advcl":  # "..., going ahead without Senegal"
            for prep in child.children:
                if prep.dep_ == "prep" and prep.lower_ in EXCLUDING_PREPS:
                    walk(prep, "excluded", who, actor_of, pairs, inside)
    return who


def anchor_name(anchor: Token, span: Span | None) -> tuple[str | None, bool]:
    """The instrument's name: registry canonical, the capitalised name, or the noun phrase ("free trade agreement")."""
    if span is not None:
        if span.label_ and span.label_ != "INSTRUMENT":
            return span.label_, True
        words = list(span)
        while words and words[0].lower_ in ("the", "a", "an"):
            words = words[1:]
        end = _topic_end(span.root, span.end) if span.root.lemma_.lower() in ("memorandum", "letter") else span.end
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
    if anchor.lemma_.lower() in ("memorandum", "letter", "mou", "association", "agreement", "cooperation", "protocol"):
        end = _topic_end(anchor, end)
    words = [t for t in anchor.doc[start:end] if not (t.dep_ in ("det", "poss") and t.head.i == anchor.i)]
    while words and (words[0].is_punct or words[0].dep_ in ("det", "poss", "case")):
        words = words[1:]
    text = " ".join(t.text for t in words).replace(" - ", "-").replace(" – ", "–")
    return (text or anchor.text), False


def _topic_end(anchor: Token, end: int) -> int:
    """Where "memorandum of understanding on raw materials" ends: the topic phrase, without dates or parties."""
    doc = anchor.doc
    preps = [c for c in anchor.rights if c.dep_ == "prep" and c.lower_ in NAME_PREPS and c.i >= end - 1]
    if not preps and end < len(doc) and doc[end].lower_ in ("on", "for", "regarding", "concerning"):
        preps = [doc[end]]  # attached higher up by the parser, but right after the name
    for prep in preps[:1]:
        if not any(t.ent_type_ == "DATE" for t in prep.subtree):
            end = min(prep.right_edge.i + 1, end + 10)
    cut = next((t.i for t in doc[anchor.i + 1 : end] if t.lower_ in ("with", "between", "among")), end)
    return min(end, cut)


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
