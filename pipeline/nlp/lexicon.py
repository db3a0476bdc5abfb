"""The event vocabulary (``models/patterns/lexicon.tsv``) as sets the event reader can test tokens against."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from pipeline.nlp.assets import Assets

MODALS = frozenset({"will", "would", "shall", "could", "may", "might", "should", "'ll", "wo"})


def lemma_of(token: Token, known: dict[str, str] | frozenset[str] | None = None) -> str:
    """The token's lemma; when ``known`` lacks it, a regular-inflection guess it has ("relaunched")."""
    lemma = token.lemma_.lower()
    if known is None or lemma in known or token.pos_ not in ("VERB", "AUX"):
        return lemma
    text = token.lower_
    for suffix in ("ed", "d", "ing", "es", "s"):
        if text.endswith(suffix) and text[: -len(suffix)] in known:
            return text[: -len(suffix)]
    return lemma


@dataclass(frozen=True)
class Lexicon:
    """Cue sets by category; multi-word terms are tuples of lemmas."""

    anchors: dict[str, str]
    title_anchors: dict[str, str]
    status: dict[str, str]
    phrasal_status: dict[tuple[str, ...], str]
    bare: dict[str, tuple[str, str]]
    phrasal_bare: dict[tuple[str, ...], tuple[str, str]]
    hedges: frozenset[str]
    negations: frozenset[str]
    phrasal_negations: frozenset[tuple[str, ...]]
    talks: frozenset[str]
    held: frozenset[str]
    mention: frozenset[str]
    pairs: tuple[tuple[str, ...], ...]
    talk_topics: frozenset[str] = frozenset()  # "trade" in "trade talks": talks toward an agreement
    boosters: dict[tuple[str, ...], str] = field(default_factory=dict)  # "step up" (cooperation)
    eu_members: frozenset[str] = frozenset()  # ISO alpha-3 of the member states (EU-internal events)
    regulatory: frozenset[str] = frozenset()  # "state aid", "infringement": a regulatory act
    approvers: frozenset[str] = frozenset()  # "approve", "endorse": a decision on someone's own measure
    recommend: frozenset[str] = frozenset()  # "should", "must": a recommendation
    org_heads: frozenset[str] = frozenset()  # "association", "institute": an organisation's name
    triggers: dict[str, str] = field(default_factory=dict)  # lemma -> the type it points to (the model's cues)
    bloc_refs: frozenset[str] = frozenset()  # "the bloc": the article's most named bloc
    nominal_status: dict[str, str] = field(default_factory=dict)  # "signing" -> signed: an action on an instrument
    object_anchors: frozenset[str] = frozenset()  # "fund" in "launched a minerals fund"
    funders: frozenset[str] = frozenset()  # "finance": the subject funds the instrument
    allocators: frozenset[str] = frozenset()  # "pledge": a sum from a programme to a country
    membership: frozenset[str] = frozenset()  # "part" in "X is part of the agreement"
    group_nouns: frozenset[str] = frozenset()  # "countries" in "the countries associated with P"
    generic_names: frozenset[str] = frozenset()  # the words of "free trade deal": a generic instrument name
    topic_heads: frozenset[str] = frozenset()  # "memorandum": a name that goes on with its topic
    named_topic_heads: frozenset[str] = frozenset()  # the same for a capitalised name ("Memorandum of ...")
    name_noise: frozenset[str] = frozenset()  # "landmark", "existing": words that leave a name
    headline_verbs: frozenset[str] = frozenset()  # "sign" in "EU, Mauritania sign migration partnership"
    amounts: frozenset[str] = frozenset()  # "million": a sum of money before a name
    currencies: frozenset[str] = frozenset()  # "euro"
    multilateral: frozenset[str] = frozenset()  # "trilateral": more than two parties
    joiners: frozenset[str] = frozenset()  # "join", "accede": a new party to an existing instrument
    similar: frozenset[str] = frozenset()  # "a similar deal"
    speech: frozenset[str] = frozenset()  # "say": its subject is a speaker
    inclusion: frozenset[str] = frozenset()  # "invite": negated, it leaves a party out
    comparatives: frozenset[str] = frozenset()  # "stronger partnerships": an aspiration
    rule_keywords: frozenset[str] = frozenset()  # "sign", "summit": send a sentence to the rule reader
    xcomp_hedges: frozenset[str] = frozenset()  # "set" in "is set to sign"
    closing: frozenset[str] = frozenset()  # "conclude" (talks)
    setting_nouns: frozenset[str] = frozenset()  # "sidelines": where an event happens

    @classmethod
    def from_assets(cls, assets: Assets) -> Lexicon:
        """Build the sets from the ``lexicon.tsv`` categories."""
        status = assets.terms("status")
        bare = {k: tuple(v.split(":")) for k, v in assets.terms("bare").items()}
        negs = assets.terms("neg")
        return cls(
            anchors=dict(assets.terms("anchor")),
            title_anchors=dict(assets.terms("title_anchor")),
            status={k: v for k, v in status.items() if " " not in k},
            phrasal_status={tuple(k.split()): v for k, v in status.items() if " " in k},
            bare={k: v for k, v in bare.items() if " " not in k},  # type: ignore[misc]
            phrasal_bare={tuple(k.split()): v for k, v in bare.items() if " " in k},  # type: ignore[misc]
            hedges=frozenset(assets.terms("hedge")),
            negations=frozenset(k for k in negs if " " not in k),
            phrasal_negations=frozenset(tuple(k.split()) for k in negs if " " in k),
            talks=frozenset(assets.terms("talks")),
            held=frozenset(assets.terms("held")),
            mention=frozenset(assets.terms("mention")),
            pairs=tuple(sorted((tuple(k.split()) for k in assets.terms("pair")), key=len, reverse=True)),
            talk_topics=frozenset(assets.terms("talks_topic")),
            boosters={tuple(k.split()): v for k, v in assets.terms("boost").items()},
            eu_members=frozenset(k.upper() for k in assets.terms("eu_member")),
            regulatory=frozenset(assets.terms("regulatory")),
            approvers=frozenset(assets.terms("approve")),
            recommend=frozenset(assets.terms("recommend")),
            org_heads=frozenset(assets.terms("org_head")),
            triggers=dict(assets.terms("trigger")),
            bloc_refs=frozenset(assets.terms("bloc_ref")),
            nominal_status=dict(assets.terms("nominal_status")),
            object_anchors=frozenset(assets.terms("object_anchor")),
            funders=frozenset(assets.terms("fund")),
            allocators=frozenset(assets.terms("allocate")),
            membership=frozenset(assets.terms("membership")),
            group_nouns=frozenset(assets.terms("group_noun")),
            generic_names=frozenset(assets.terms("generic_name")),
            topic_heads=frozenset(assets.terms("topic_head")),
            named_topic_heads=frozenset(k for k, v in assets.terms("topic_head").items() if v == "named"),
            name_noise=frozenset(assets.terms("name_noise")),
            headline_verbs=frozenset(assets.terms("headline_verb")),
            amounts=frozenset(assets.terms("amount")),
            currencies=frozenset(assets.terms("currency")),
            multilateral=frozenset(assets.terms("multilateral")),
            joiners=frozenset(assets.terms("join")),
            similar=frozenset(assets.terms("similar")),
            speech=frozenset(assets.terms("speech")),
            inclusion=frozenset(assets.terms("inclusion")),
            comparatives=frozenset(assets.terms("comparative")),
            rule_keywords=frozenset(assets.terms("rule_keyword")),
            xcomp_hedges=frozenset(assets.terms("xcomp_hedge")),
            closing=frozenset(assets.terms("closing")),
            setting_nouns=frozenset(assets.terms("setting_noun")),
        )

    def money_word(self, token: Token) -> bool:
        """A currency sign or a word of a sum of money ("million", "euros")."""
        return token.is_currency or token.lower_ in self.amounts or token.lower_ in self.currencies

    def anchor_type(self, token: Token, titled: bool = False) -> str | None:
        """The event type a noun names, if it is an instrument noun."""
        lemma = token.lemma_.lower()
        if lemma in self.anchors:
            return self.anchors[lemma]
        if token.lower_ in self.anchors:
            return self.anchors[token.lower_]
        if titled:
            return self.title_anchors.get(lemma) or self.title_anchors.get(token.lower_)
        return None

    def phrasal(self, verb: Token, table: dict[tuple[str, ...], str] | dict) -> object | None:
        """Match a phrasal verb ("take place", "enter into force", "set up") on ``verb`` and its dependents."""
        words = [verb.lemma_.lower()]
        for child in verb.children:
            if child.dep_ in ("prt", "dobj", "prep", "advmod", "acomp"):
                words.append(child.lemma_.lower())
                words.extend(g.lemma_.lower() for g in child.children if g.dep_ == "pobj")
        for phrase, value in table.items():
            if phrase[0] == words[0] and all(word in words[1:] for word in phrase[1:]):
                return value
        return None

    def verb_status(self, verb: Token) -> str | None:
        """The status a verb gives to the instrument it governs."""
        found = self.phrasal(verb, self.phrasal_status) or self.status.get(lemma_of(verb, self.status))
        return found  # type: ignore[return-value]

    def booster_status(self, verb: Token) -> str | None:
        """The status a cooperation-boosting verb ("deepen", "step up") gives, if it is one."""
        found = self.phrasal(verb, {k: v for k, v in self.boosters.items() if len(k) > 1})
        return found or self.boosters.get((lemma_of(verb),))  # type: ignore[return-value]

    def is_negation(self, token: Token) -> bool:
        """A negation or exclusion cue word (not, without, fail, stall, standstill ...)."""
        return token.lemma_.lower() in self.negations or token.lower_ in self.negations or (
            token.pos_ == "VERB" and self.phrasal(token, {p: True for p in self.phrasal_negations}) is not None
        )
