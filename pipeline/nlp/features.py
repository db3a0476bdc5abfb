"""Features of the trained event model, as ``{name: value}`` dicts (a linear model weighs each name).

- :func:`candidate_features`: one candidate participant set in one sentence: how the set was formed, what its
  actors are, the words and the dependency path between them, trigger words tied to them and their type, the
  sentence with the set's actors masked (``AAA``, other actors ``OOO``, places ``PPP``), and what the rule
  reader made of the sentence and the article.
- :func:`event_features`: one (type, participant set) of an article, from the sentence scores and the rules.
- :func:`evidence_features`: a candidate's features without its words, for choosing an event's evidence.
- :func:`outcome_features`: the evidence sentence of an event, for its polarity (and its status).
- :func:`status_features`: the outcome features, the verbs tied to the event's parties and where the sentence
  stands in the article (news comes first; background, coded ``in_force``, later and with past years).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from spacy.tokens import Doc, Token

from pipeline.nlp.article import ArticleView, Sentence
from pipeline.nlp.lexicon import Lexicon

Features = dict[str, float]
TYPES = ("agreement", "partnership", "programme", "cooperation")
_KEEP_STOP = frozenset({"not", "no", "never", "without", "will", "would", "with", "between", "both", "against"})
_NEAR = 4  # dependency steps within which a trigger is tied to an actor
_MAX_PATH = 40
_TIED = 3  # dependency steps within which a verb or trigger speaks of the event's parties
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_SINCE = re.compile(r"\bsince\b", re.IGNORECASE)


def sentence_words(doc: Doc) -> Features:
    """What a sentence says whatever the candidate: its content lemmas and its main verb's form."""
    found: Features = {}
    for token in doc:
        if token.is_punct or token.is_space:
            continue
        lemma = token.lemma_.lower()
        if not token.is_stop or lemma in _KEEP_STOP:
            found["w=" + lemma] = 1.0
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is not None:
        found["root=" + root.lemma_.lower()] = 1.0
        found["roottag=" + root.tag_] = 1.0
        for child in root.children:
            if child.dep_ in ("aux", "auxpass", "neg"):
                found["rootaux=" + child.lower_] = 1.0
    return found


def _roots(sentence: Sentence, doc: Doc) -> dict[str, list[Token]]:
    roots: dict[str, list[Token]] = defaultdict(list)
    for actor in sentence.actors:
        span = doc.char_span(actor.start, actor.end, alignment_mode="expand")
        if span is not None:
            roots[actor.code].append(span.root)
    return roots


def _path(a: Token, b: Token) -> tuple[int, str]:
    """Steps between two tokens through their lowest common ancestor, and the dependency labels on the way."""
    up = [a, *a.ancestors]
    down = [b, *b.ancestors]
    common = next((t for t in up if t in down), None)
    if common is None:
        return 99, ""
    rise, fall = up[: up.index(common)], down[: down.index(common)]
    return len(rise) + len(fall), "/".join(t.dep_ for t in rise) + "^" + "/".join(t.dep_ for t in reversed(fall))


def _first_conjunct(token: Token) -> Token:
    """The first item of the coordinated list ``token`` is in (itself when it is in none)."""
    while token.dep_ == "conj" and token.head.i != token.i:
        token = token.head
    return token


def _between(doc: Doc, roots: dict[str, list[Token]], codes: list[str]) -> Features:
    """The two actors' syntactic roles, the words between them and the path that joins them."""
    found: Features = {}
    for code in codes:
        for root in roots[code][:2]:
            found["dep=" + root.dep_] = 1.0
            first = _first_conjunct(root)
            if first is not root:  # "with Peru, Chile and Colombia": the list's own place in the sentence
                found["listed"] = 1.0
                found["cdep=" + first.dep_] = 1.0
                if first.dep_ == "pobj":
                    found["cprep=" + first.head.lower_] = 1.0
                    found["cprephead=" + first.head.head.lemma_.lower()] = 1.0
            found["head=" + root.head.lemma_.lower()] = 1.0
            if root.dep_ == "pobj":
                found["prep=" + root.head.lower_] = 1.0
                found["prephead=" + root.head.head.lemma_.lower()] = 1.0
            if root.dep_ in ("poss", "compound"):
                found["modof=" + root.head.lemma_.lower()] = 1.0
    if len(codes) != 2:
        return found
    a, b = roots[codes[0]][0], roots[codes[1]][0]
    if a.head == b or b.head == a:
        found["adjacent_dep"] = 1.0
    if (b.dep_ == "conj" and b.head == a) or (a.dep_ == "conj" and a.head == b):
        found["conj"] = 1.0
    low, high = sorted((a.i, b.i))
    found[f"gap={min(high - low - 1, 10)}"] = 1.0
    for token in doc[low + 1: high]:
        if not token.is_punct:
            found["btw=" + token.lemma_.lower()] = 1.0
    _, path = _path(a, b)
    if path:
        found["path=" + path[:_MAX_PATH]] = 1.0
    return found


def _triggers(doc: Doc, roots: dict[str, list[Token]], codes: list[str], lex: Lexicon) -> Features:
    """Trigger words tied to the candidate's actors: their type, lemma, modifiers and governing verb."""
    found: Features = {}
    for token in doc:
        lemma = token.lemma_.lower()
        type_ = lex.triggers.get(lemma) or lex.anchors.get(lemma)
        if type_ is None and token.text[:1].isupper():
            type_ = lex.title_anchors.get(lemma)
        if type_ is None:
            continue
        steps = [min(_path(token, root)[0] for root in roots[code]) for code in codes]
        far = max(steps) if steps else 99
        if far <= _NEAR:
            found["a_conn=" + type_] = 1.0
            found["a_lem=" + lemma] = 1.0
            for child in token.children:
                if child.dep_ in ("amod", "compound"):
                    found[f"a_mod={child.lemma_.lower()}_{lemma}"] = 1.0
            if token.head.pos_ == "VERB":
                found[f"a_verb={token.head.lemma_.lower()}_{type_}"] = 1.0
        if far <= 2:
            found["a_close=" + type_] = 1.0
    return found


def masked_text(sentence: Sentence, codes: frozenset[str]) -> str:
    """The sentence with the candidate's actors as AAA, other parties as OOO and places as PPP; one CTX per
    actor of the set the sentence does not name."""
    parts, position = [], 0
    for actor in sentence.actors:
        if actor.start < position:
            continue
        parts.append(sentence.text[position: actor.start])
        parts.append(" AAA " if actor.code in codes else " OOO " if actor.party else " PPP ")
        position = actor.end
    parts.append(sentence.text[position:])
    named = {a.code for a in sentence.actors}
    return "CTX " * len(codes - named) + " ".join("".join(parts).split())


def ngrams(text: str, prefix: str = "ng=", sizes: Iterable[int] = (1, 2, 3)) -> Features:
    """Word n-grams of ``text`` (lower case), weighted so that a long sentence weighs no more than a short one."""
    words = re.findall(r"\w+|[,;:]", text.lower())
    grams = {" ".join(words[i: i + n]) for n in sizes for i in range(len(words) - n + 1)}
    weight = 1.0 / max(1.0, len(grams)) ** 0.5
    return {prefix + gram: weight for gram in grams}


def candidate_features(view: ArticleView, sentence: Sentence, codes: frozenset[str], origins: frozenset[str],
                       lex: Lexicon, words: Features, kinds: dict[str, str]) -> Features:
    """The features of one candidate participant set in one parsed sentence (see the module docstring)."""
    found: Features = dict(words)
    parties = sentence.parties
    inside = [code for code in sorted(codes) if code in parties]
    found[f"n={min(len(codes), 5)}"] = 1.0
    found[f"insent={min(len(inside), 4)}"] = 1.0
    found["allin"] = float(len(inside) == len(codes))
    found["exact"] = float(codes == parties)
    found[f"nparty={min(len(parties), 5)}"] = 1.0
    found.update({"origin=" + origin: 1.0 for origin in origins})
    found["kinds=" + "+".join(sorted(kinds.get(c, "country") for c in codes)[:4])] = 1.0
    found["hasEU"] = float("EU" in codes)
    members = sum(code in lex.eu_members for code in codes)
    found["eu_internal"] = float("EU" in codes and members == len(codes) - 1)
    found["n_members"] = float(members)
    if view.pair:
        found["mainpair"] = float(codes == frozenset(view.pair))
        found["inmain"] = float(bool(codes & set(view.pair)))
    found[f"mincount={min(min(view.counts.get(c, 0) for c in codes), 5)}"] = 1.0
    found["title"] = float(sentence.in_title)
    found[f"pos={min(sentence.position, 5)}"] = 1.0
    found.update(_rule_features(view, sentence, codes))
    found.update(_instrument_features(sentence, codes))
    if sentence.doc is not None:
        roots = _roots(sentence, sentence.doc)
        named = [code for code in sorted(codes) if code in roots]
        found.update(_between(sentence.doc, roots, named))
        found.update(_triggers(sentence.doc, roots, named, lex))
    found.update(ngrams(masked_text(sentence, codes)))
    return found


def evidence_features(features: Features) -> Features:
    """A candidate's features (:func:`candidate_features`) without its words and n-grams: what the evidence model
    weighs when it chooses which telling of an event annotators would quote."""
    return {name: value for name, value in features.items() if not name.startswith(("ng=", "w="))}


def _rule_features(view: ArticleView, sentence: Sentence, codes: frozenset[str]) -> Features:
    found: Features = {}
    for event in view.rule_events_of(sentence):
        theirs = frozenset(event.participants)
        if theirs == codes:
            found["rule_t=" + event.type] = 1.0
            found["rule_st=" + event.status] = 1.0
            found["rule_neg"] = float(event.negated)
        elif theirs > codes:
            found["rule_super"] = 1.0
        elif theirs < codes:
            found["rule_sub"] = 1.0
    for event in view.rule_events:
        if frozenset(event.participants) == codes:
            found["rule_art_t=" + event.type] = 1.0
            found["rule_art_set"] = 1.0
    return found


def _instrument_features(sentence: Sentence, codes: frozenset[str]) -> Features:
    found: Features = {}
    for tool in sentence.instruments:
        found["inst=" + tool.label] = 1.0
        if tool.canonical:
            found["inst_reg"] = 1.0
        inside = {a.code for a in sentence.actors if a.start >= tool.start and a.end <= tool.end}
        if inside and inside <= codes:
            found["inst_names_P"] = 1.0  # "the EU-Japan Economic Partnership Agreement"
        if tool.parties and set(tool.parties) <= codes:
            found["inst_registry_P"] = 1.0
    return found


def event_features(view: ArticleView, type_: str, codes: frozenset[str], scores: list[float],
                   others: float, lex: Lexicon) -> Features:
    """The features of one (type, participant set) of an article: the best sentence scores for it (``scores``,
    highest first), the best score of another type for the same set (``others``) and the rule reader's events."""
    found: Features = {"max": scores[0] if scores else 0.0, "second": scores[1] if len(scores) > 1 else 0.0,
                       "sum": min(sum(scores), 3.0), f"n>0.2={min(sum(s > 0.2 for s in scores), 3)}": 1.0,
                       "other_t_max": others}
    same = [e for e in view.rule_events if e.type == type_ and frozenset(e.participants) == codes]
    found[f"rule_n={min(len(same), 2)}"] = 1.0
    found["rule_conf"] = max((e.confidence for e in same), default=0.0)
    found["rule_P_other"] = float(any(frozenset(e.participants) == codes and e.type != type_
                                      for e in view.rule_events))
    found["rule_super"] = float(any(frozenset(e.participants) > codes for e in view.rule_events))
    found["rule_sub"] = float(any(frozenset(e.participants) < codes for e in view.rule_events))
    found[f"n={min(len(codes), 4)}"] = 1.0
    found["hasEU"] = float("EU" in codes)
    found["eu_internal"] = float("EU" in codes and all(c == "EU" or c in lex.eu_members for c in codes))
    if view.pair:
        found["main"] = float(codes == frozenset(view.pair))
    typed = {f"{type_}#{name}": value for name, value in found.items()}
    return {"T=" + type_: 1.0, **found, **typed}


def outcome_features(view: ArticleView, sentence: Sentence, codes: frozenset[str], type_: str,
                     lex: Lexicon) -> Features:
    """What says an event's status and polarity in its evidence sentence: verbs and their tense, negation and
    hedge words, modals, what the rule reader concluded, the event's type, and the sentence's words."""
    found: Features = {"T=" + type_: 1.0, "title": float(sentence.in_title)}
    if sentence.doc is not None:
        for token in sentence.doc:
            lemma = token.lemma_.lower()
            if token.pos_ in ("VERB", "AUX"):
                found["v=" + lemma] = 1.0
                found["vtag=" + token.tag_] = 1.0
            if token.dep_ == "neg" or lemma in lex.negations:
                found["neg=" + lemma] = 1.0
            if lemma in lex.hedges:
                found["hedge=" + lemma] = 1.0
            if token.tag_ == "MD":
                found["modal=" + lemma] = 1.0
    for event in view.rule_events_of(sentence):
        if frozenset(event.participants) == codes:
            found["rst=" + event.status] = 1.0
            found["rneg"] = float(event.negated)
            found["rt=" + event.type] = 1.0
    for finding in sentence.findings:
        found["fst=" + (finding.status or "")] = 1.0
        if finding.negated:
            found["fneg"] = 1.0
    found.update(ngrams(sentence.text, "tx=", (1, 2)))
    return found


def status_features(view: ArticleView, sentence: Sentence, codes: frozenset[str], type_: str, lex: Lexicon,
                    outcome: Features | None = None) -> Features:
    """What says an event's status: its outcome features, the verbs and trigger words tied to its parties with
    their tense and auxiliaries ("will sign", "signed in 2016", "the agreement, signed ..."), and where and how
    the article tells it (position, past or coming years, "since", a known instrument, the rule reader's statuses
    for the set anywhere in the article). ``outcome``: the outcome features when already at hand."""
    found = dict(outcome if outcome is not None else outcome_features(view, sentence, codes, type_, lex))
    if sentence.doc is not None:
        found.update(_tied_words(sentence, sentence.doc, codes, lex))
    found.update(_telling(view, sentence, codes))
    return found


def _tied_words(sentence: Sentence, doc: Doc, codes: frozenset[str], lex: Lexicon) -> Features:
    found: Features = {}
    roots = _roots(sentence, doc)
    ends = [root for code in codes for root in roots.get(code, ())]
    if not ends:
        return found
    for token in doc:
        lemma = token.lemma_.lower()
        trigger = lemma in lex.triggers or lemma in lex.anchors
        verb = token.pos_ in ("VERB", "AUX")
        if not (trigger or verb) or min(_path(token, end)[0] for end in ends) > _TIED:
            continue
        if verb:
            found.update({"tv=" + lemma: 1.0, f"tvt={lemma}_{token.tag_}": 1.0, "tvdep=" + token.dep_: 1.0})
            for child in token.children:
                if child.dep_ in ("aux", "auxpass", "neg"):
                    found.update({"taux=" + child.lower_: 1.0, f"tauxv={child.lower_}_{lemma}": 1.0})
        if trigger:
            found.update({"tt=" + lemma: 1.0, "ttdep=" + token.dep_: 1.0})
            head = token.head
            if head is not token and head.pos_ in ("VERB", "AUX"):
                found[f"tth={head.lemma_.lower()}_{head.tag_}"] = 1.0
                found.update({"thaux=" + c.lower_: 1.0 for c in head.children if c.dep_ in ("aux", "auxpass", "neg")})
    return found


def _telling(view: ArticleView, sentence: Sentence, codes: frozenset[str]) -> Features:
    position = sentence.position
    place = "title" if sentence.in_title else str(position) if position < 4 else "4-9" if position < 10 else "10+"
    found: Features = {"spos=" + place: 1.0}
    if view.pair:
        found["s_main"] = float(codes == frozenset(view.pair))
    years = [int(year) for year in _YEAR.findall(sentence.text)]
    if years and view.published:
        now = view.published.year
        found.update({name: 1.0 for name, hit in (("y_past", min(years) < now), ("y_now", now in years),
                                                  ("y_future", max(years) > now)) if hit})
    if _SINCE.search(sentence.text):
        found["since"] = 1.0
    if any(tool.canonical for tool in sentence.instruments):
        found["s_inst_reg"] = 1.0
    found.update({"art_rst=" + e.status: 1.0 for e in view.rule_events if frozenset(e.participants) == codes})
    told = sum(1 for s in view.sentences if codes <= s.parties)
    found[f"s_sents={min(told, 4)}"] = 1.0
    return found


__all__ = ["TYPES", "Features", "candidate_features", "event_features", "evidence_features", "masked_text", "ngrams",
           "outcome_features", "sentence_words", "status_features"]
