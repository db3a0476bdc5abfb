"""Who takes part in an event: the actors syntactically tied to an anchor (subject, object, coordination,
with/between phrases, possessives, compounds, lists, exclusions), by the role that tied them."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.syntax import (
    CLAUSES,
    EXCLUDING_PREPS,
    NOUNS,
    RELATIVES,
    VERBS,
    Governor,
    direct_argument,
    hedged,
    object_relative,
    status_verb,
)

SKIP_PREPS = frozenset(
    {"in", "at", "during", "after", "before", "since", "until", "within", "across", "near", "amid", "despite",
     "following", "under", "through", "via", "over", "against", "around", "ahead"}
)
PARTNER_PREPS = frozenset({"with", "alongside"})
BETWEEN_PREPS = frozenset({"between", "among", "amongst"})
LIST_PREPS = frozenset({"including", "like", "notably", "especially", "incl"})
OWN_PRONOUNS = frozenset({"its", "their"})


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


def _action(noun: Token, lex: Lexicon) -> bool:
    """A noun naming what a party does to an instrument: its ratification, signing, talks, launch."""
    lemma = noun.lemma_.lower()
    return lemma in lex.nominal_status or lemma in lex.talks


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
                if excludes_party(child, actor_of):
                    stack.append((child, "excluded"))
                continue
            if child.dep_ in CLAUSES or _absolute(child):
                continue
            if child.dep_ == "prep":
                if word in SKIP_PREPS and not _in_force(child):
                    continue
                if word in EXCLUDING_PREPS:
                    if excludes_party(child, actor_of):
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


def excludes_party(prep: Token, actor_of: dict) -> bool:
    """"without Japan", "excluding Chinese participation": the excluded object is a party (or a party's noun),
    not a topic that merely mentions one ("without a breakthrough on the agreement with X")."""
    for obj in (c for c in prep.children if c.dep_ in ("pobj", "pcomp")):
        for part in (obj, *(c for c in obj.children if c.dep_ == "conj")):
            if part.i in actor_of:
                return True
            near = [c for c in part.children if c.dep_ in ("poss", "amod", "compound", "nmod")]
            near += [g for c in part.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children]
            if any(t.i in actor_of for t in near):
                return True
    return False


def _group_referents(verb: Token | None, lex: Lexicon) -> list[Token]:
    """The actors a group noun with a participle stands for: "X joins Y among the countries associated with P",
    "X is one of the partners taking part in P": the subject and object of the clause the group noun hangs on."""
    if verb is None or verb.dep_ != "acl" or verb.head.lemma_.lower() not in lex.group_nouns:
        return []
    noun = verb.head
    prep = noun.head
    if noun.dep_ == "pobj" and prep.lower_ == "of" and prep.head.dep_ in ("attr", "nsubj"):
        prep = prep.head.head if prep.head.dep_ == "attr" else prep.head  # "one of the countries ..."
        return [c for c in prep.children if c.dep_ in ("nsubj", "nsubjpass")] if prep.pos_ in VERBS else []
    if noun.dep_ != "pobj" or prep.lower_ not in ("among", "as", "like") or prep.head.pos_ not in VERBS:
        return []
    return [c for c in prep.head.children if c.dep_ in ("nsubj", "nsubjpass", "dobj")]


def _own_partner(noun: Token) -> bool:
    return any(c.dep_ == "prep" and c.lower_ in PARTNER_PREPS for c in noun.children)


def _absolute(token: Token) -> bool:
    """"with Uruguay pressing for ...": a verb with its own subject after a preposition is a clause."""
    own_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in token.children)
    return token.dep_ == "pcomp" and token.pos_ == "VERB" and own_subject


def _in_force(token: Token) -> bool:
    return token.dep_ == "prep" and token.lower_ == "in" and any(g.lower_ == "force" for g in token.children)


def _swallowed_subject(verb: Token) -> Token | None:
    """"At the summit in Brussels, EU and ASEAN leaders launched ...": the parser joins the subject to the
    fronted phrase's last noun by conj; the first conjunct after the comma is the subject."""
    doc = verb.doc
    for prep in (c for c in verb.children if c.dep_ == "prep" and c.i < verb.i):
        for token in prep.subtree:
            if token.dep_ == "conj" and token.i > 0 and doc[token.i - 1].text == "," and token.pos_ in NOUNS:
                return token
    return None


def subjects_of(verb: Token) -> list[Token]:
    """The subject tokens of a verb, inherited through xcomp/conj/advcl and relative clauses."""
    for _ in range(5):
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "agent", "expl")]
        subjects = [c for c in subjects if c.dep_ != "expl"]
        if subjects:
            if verb.dep_ == "relcl" and any(s.lower_ in RELATIVES for s in subjects):
                return [verb.head]
            return subjects
        if verb.dep_ == "ROOT" and (swallowed := _swallowed_subject(verb)) is not None:
            return [swallowed]
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
    for referent in _group_referents(gov.verb, lex):  # "X joins Y and Z among the countries associated with P"
        walk(referent, "other", who, actor_of, pairs, {anchor.i})
    is_verb = gov.verb is not None and gov.verb.i == anchor.i
    if not is_verb:
        _anchor_phrases(anchor, who, actor_of, pairs)
    _chain_phrases(anchor, gov, who, actor_of, pairs, lex)
    verb = gov.participle or gov.verb
    if verb is None or gov.setting:
        return who
    inside = {anchor.i, *(t.i for t in gov.chain)}
    if gov.framed and gov.verb is not None:
        for subject in subjects_of(gov.verb) or _after_frame(gov.verb):
            if subject.i not in inside:  # "Under the deal (sealed ...), X and Y will share data"
                walk(subject, "subject", who, actor_of, pairs, inside)
    if not _acts(anchor, gov, verb, lex):
        _setting_phrases(verb, inside, who, actor_of, pairs)
        return who
    _verb_subjects(anchor, gov, verb, inside, who, actor_of, pairs, lex)
    _verb_arguments(verb, inside, is_verb, who, actor_of, pairs)
    return who


def _anchor_phrases(anchor: Token, who: Participants, actor_of: dict, pairs: set[int]) -> None:
    """The anchor's own subtree (not its conjuncts) and the with/between phrases of its "to" clauses."""
    anchors_conj = {c.i for c in anchor.children if c.dep_ == "conj"}
    walk(anchor, "other", who, actor_of, pairs, anchors_conj)
    for clause in (c for c in anchor.children if c.dep_ == "acl" and any(a.lower_ == "to" for a in c.children)):
        for prep in (p for part in (clause, *clause.children) for p in part.children if p.dep_ == "prep"):
            if prep.lower_ in PARTNER_PREPS | BETWEEN_PREPS:  # "agreements to protect investment with X"
                walk(prep, "partner" if prep.lower_ in PARTNER_PREPS else "between", who, actor_of, pairs, set())


def _chain_phrases(
    anchor: Token, gov: Governor, who: Participants, actor_of: dict, pairs: set[int], lex: Lexicon
) -> None:
    """The modifiers and with/between/for phrases of the nouns between the anchor and its verb."""
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
            if child.dep_ == "poss" and child.lower_ in OWN_PRONOUNS and gov.verb is not None and _action(noun, lex):
                for subject in subjects_of(gov.verb):  # "Ecuador completed its ratification of the agreement"
                    walk(subject, "subject", who, actor_of, pairs, {anchor.i, *(t.i for t in gov.chain)})


def _acts(anchor: Token, gov: Governor, verb: Token, lex: Lexicon) -> bool:
    """True when the verb's arguments act on the anchor: a status verb, talks, a hedge, membership ("part of")."""
    acts = status_verb(verb, lex) or any(t.lemma_.lower() in lex.talks for t in gov.chain) or hedged(anchor, gov, lex)
    return acts or any(t.dep_ == "attr" and t.lemma_.lower() in lex.membership for t in gov.chain)  # "X is part of"


def _setting_phrases(verb: Token, inside: set[int], who: Participants, actor_of: dict, pairs: set[int]) -> None:
    """A verb that does not act on the anchor: only its "in force" and with/between phrases."""
    for child in verb.children:
        if _in_force(child):
            walk(child, "other", who, actor_of, pairs, inside)
        if child.dep_ == "prep" and child.lower_ in PARTNER_PREPS | BETWEEN_PREPS:
            group = "partner" if child.lower_ in PARTNER_PREPS else "between"
            walk(child, group, who, actor_of, pairs, inside)


def _verb_subjects(
    anchor: Token, gov: Governor, verb: Token, inside: set[int], who: Participants, actor_of: dict,
    pairs: set[int], lex: Lexicon,
) -> None:
    """The acting verb's subjects (and a main clause's, for a participle), and a funding verb's beneficiaries."""
    if gov.participle is not None and direct_argument(anchor, gov, lex):
        for subject in subjects_of(gov.verb):  # the main clause's subject acts too
            walk(subject, "subject", who, actor_of, pairs, inside)
    if verb.lemma_.lower() in lex.funders:
        _beneficiaries(verb, who, actor_of)
    if gov.participle is None or object_relative(gov.participle):
        for subject in subjects_of(verb):
            if subject.i not in inside:
                walk(subject, "subject", who, actor_of, pairs, inside)


def _verb_arguments(
    verb: Token, inside: set[int], is_verb: bool, who: Participants, actor_of: dict, pairs: set[int]
) -> None:
    """The acting verb's objects, agent, with/between/excluding phrases (and "to/from/by" for a verb anchor)."""
    for child in verb.children:
        if child.i in inside:
            continue
        if child.dep_ in ("dobj", "dative", "attr", "oprd", "iobj"):
            if who.partner and _own_partner(child):
                continue  # "signed a memorandum with X and a partnership with Y": Y's partnership is not X's
            walk(child, "other", who, actor_of, pairs, inside)
        elif child.dep_ == "agent":
            walk(child, "subject", who, actor_of, pairs, inside)
        elif child.lower_ in EXCLUDING_PREPS:
            if excludes_party(child, actor_of):
                walk(child, "excluded", who, actor_of, pairs, inside)
        elif child.dep_ == "prep" and child.lower_ in PARTNER_PREPS:
            walk(child, "partner", who, actor_of, pairs, inside)
        elif child.dep_ == "prep" and child.lower_ in BETWEEN_PREPS:
            walk(child, "between", who, actor_of, pairs, inside)
        elif child.dep_ == "prep" and child.lower_ in ("to", "from", "by", "upon", "on") and is_verb:
            walk(child, "partner", who, actor_of, pairs, inside)
        elif child.dep_ == "advcl":  # "..., going ahead without Senegal"
            for prep in child.children:
                if prep.dep_ == "prep" and prep.lower_ in EXCLUDING_PREPS and excludes_party(prep, actor_of):
                    walk(prep, "excluded", who, actor_of, pairs, inside)
