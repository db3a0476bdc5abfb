"""Events a sentence states without an instrument noun or event verb of its own: omissions ("the strategy
makes no reference to X") and parties named by ellipsis ("Georgia is expected to follow")."""

from __future__ import annotations

from spacy.tokens import Doc, Token

from pipeline.nlp.findings import Finding, Flags, SentenceInput
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.naming import mentioned
from pipeline.nlp.participants import Participants, subjects_of, walk
from pipeline.nlp.syntax import governor, hedged, negated


def omissions(
    doc: Doc, sentence: SentenceInput, actor_of: dict, pairs: set[int], lex: Lexicon
) -> list[Finding]:
    """"The strategy makes no reference to X" / "omits X": a negated partnership between the author and X."""
    out = []
    for token in doc:
        objects = mentioned(token, lex)
        if not objects:
            continue
        left = Participants()
        right = Participants()
        verb = token if token.pos_ == "VERB" else token.head
        for subject in subjects_of(verb):
            owners = [subject, *(c for c in subject.children if c.dep_ in ("poss", "conj"))]
            for owner in owners:
                if owner.i in actor_of:
                    left.add("other", actor_of[owner.i][1])
                if owner.i in pairs:
                    left.pair = True
        for obj in objects:
            walk(obj, "other", right, actor_of, pairs, set())
        if not right.all:
            continue
        codes = left.all | right.all
        out.append(
            Finding(
                type="partnership",
                status="in_force",
                participants=frozenset(codes),
                instrument=None,
                named=False,
                head=token.lemma_.lower(),
                negated=True,
                evidence=doc.text.strip(),
                when=sentence.when,
                confidence=0.6 if left.all else 0.45,
                explicit=True,
                pair=left.pair,
                order=sentence.offset + token.idx,
                flags=Flags(author=not left.all),
            )
        )
    return out


def followers(
    doc: Doc, sentence: SentenceInput, actor_of: dict, pairs: set[int], lex: Lexicon
) -> list[Finding]:
    """"Georgia is expected to follow", "X followed suit", "Y will do the same": the previous event again, with
    the subject as the new party (completed by :func:`pipeline.nlp.reader.finalise`)."""
    out = []
    for verb in doc:
        if verb.pos_ != "VERB" or not _follows(verb):
            continue
        gov = governor(verb, {}, lex, is_verb=True)
        who = Participants()
        for subject in subjects_of(verb):
            walk(subject, "subject", who, actor_of, pairs, set())
        if not who.subject:
            continue
        out.append(
            Finding(
                type="",
                status="planned" if hedged(verb, gov, lex) else "",
                participants=frozenset(who.subject),
                instrument=None,
                named=False,
                head="follow",
                negated=negated(verb, gov, lex),
                evidence=doc.text.strip(),
                when=sentence.when,
                confidence=0.55,
                explicit=True,
                order=sentence.offset + verb.idx,
                flags=Flags(follow=True),
            )
        )
    return out


def _follows(verb: Token) -> bool:
    objects = [c.lower_ for c in verb.children if c.dep_ in ("dobj", "attr")]
    lemma = verb.lemma_.lower()
    return (lemma == "follow" and objects in ([], ["suit"])) or (lemma == "do" and objects == ["same"])
