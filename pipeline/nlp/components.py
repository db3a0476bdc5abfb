"""Custom spaCy components of the cheap first pass: line breaks, actor ruler, instrument ruler.

Each factory declares what it assigns; assets are read in ``initialize`` (never at import).
Extension attributes are named once in :data:`EXT` and registered by :func:`register_extensions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.errors import NlpError
from pipeline.nlp.actors import gazetteer
from pipeline.nlp.assets import MODELS_DIR, load_assets
from pipeline.nlp.dates import CALENDAR_NAMES
from pipeline.nlp.errors import Errors
from pipeline.nlp.people import OfficeHolders
from pipeline.nlp.senses import Senses, keep, persons_named

ACTORS_KEY = "pw_actors"
INSTRUMENTS_KEY = "pw_instruments"
PEOPLE_KEY = "pw_people"


@dataclass(frozen=True)
class Extensions:
    """Names of the extension attributes pactwatch sets (one place, spacy-layout habit)."""

    instrument_parties: str = "pw_parties"  # Span: registry parties of a known instrument


EXT = Extensions()


def register_extensions() -> None:
    """Register every extension attribute (idempotent, ``force=True``)."""
    Span.set_extension(EXT.instrument_parties, default=(), force=True)


@Language.component("pactwatch_line_breaks", assigns=["token.is_sent_start"], requires=["token.is_sent_start"])
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break, so headlines and list items stand alone."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


class _RulerBase:
    def __init__(self, nlp: Language, name: str, models_dir: str) -> None:
        self.nlp = nlp
        self.name = name
        self.models_dir = models_dir
        self._ready = False

    def initialize(self, get_examples: Callable[[], Iterable] | None = None, *, nlp: Language | None = None) -> None:
        self._load(load_assets(Path(self.models_dir or MODELS_DIR)))
        self._ready = True

    def _load(self, assets) -> None:
        raise NotImplementedError

    def _check(self) -> None:
        if not self._ready:
            raise NlpError(Errors.E104.format(name=self.name))


class ActorRuler(_RulerBase):
    """Gazetteer matcher: country names, aliases, demonyms, blocs, regions and EU institutions.

    Sets ``doc.spans["pw_actors"]``: longest non-overlapping matches, ``label_`` COUNTRY|BLOC|REGION|ORG
    and ``kb_id_`` the canonical code. Stop phrases ("Indian Ocean") block the shorter matches inside them.
    """

    def _load(self, assets) -> None:
        self.senses = Senses.from_assets(assets)
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.meaning: dict[str, tuple[str | None, str | None]] = {}
        for entry in gazetteer(assets):
            key = f"{entry.code or '-'}|{entry.label or '-'}"
            self.meaning[key] = (entry.code, entry.label)
            self.matcher.add(key, [self.nlp.make_doc(entry.text)])

    def __call__(self, doc: Doc) -> Doc:
        self._check()
        spans = [
            Span(doc, start, end, label=key) for key, start, end in self.matcher(doc, as_spans=False)
        ]
        matches = []
        for span in filter_spans(spans):
            code, label = self.meaning[span.label_]
            if code:
                matches.append(Span(doc, span.start, span.end, label=label, kb_id=code))
        persons = persons_named(doc, matches, self.senses)
        found = []
        for span in matches:
            label = keep(doc, span, self.senses, persons)
            if label is not None:
                found.append(Span(doc, span.start, span.end, label=label, kb_id=span.kb_id_))
        doc.spans[ACTORS_KEY] = found
        return doc


class InstrumentRuler(_RulerBase):
    """Instrument names: the registry's canonical names and aliases, then patterns for unseen ones.

    Sets ``doc.spans["pw_instruments"]``: ``label_`` is the event type when known (registry, or a typed
    pattern such as "adequacy decision") or ``INSTRUMENT``; ``kb_id_`` is the registry's canonical name
    or ""; ``span._.pw_parties`` the registry's parties.
    """

    def _load(self, assets) -> None:
        self.exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.known: dict[str, object] = {}
        for number, item in enumerate(assets.instruments):
            key = f"reg{number}"
            self.known[key] = item
            for name in (item.canonical, *item.aliases):
                doc = self.nlp.make_doc(name)
                (self.folded if len(doc) > 1 else self.exact).add(key, [doc])
        self.patterns = Matcher(self.nlp.vocab)
        self.pattern_labels: dict[str, str] = {}
        for number, item in enumerate(assets.instrument_patterns):
            self.patterns.add(f"pat{number}", [item["pattern"]])
            self.pattern_labels[f"pat{number}"] = item.get("label", "INSTRUMENT")

    def __call__(self, doc: Doc) -> Doc:
        self._check()
        spans = []
        for matcher in (self.exact, self.folded):
            for key, start, end in matcher(doc):
                spans.append(Span(doc, start, end, label=self.nlp.vocab.strings[key]))
        registry = filter_spans(spans + _chained(doc, spans))
        taken = {i for span in registry for i in range(span.start, span.end)}
        for actor in doc.spans.get(ACTORS_KEY, ()):
            taken.update(range(actor.start, actor.end))  # "International Monetary Fund" is an actor, not a fund
        pattern_spans = [
            Span(doc, start, end, label=self.pattern_labels[self.nlp.vocab.strings[key]])
            for key, start, end in self.patterns(doc)
            if not any(i in taken for i in range(start, end))
        ]
        found = []
        for span in filter_spans(registry + pattern_spans):
            if span.label_ == "INSTRUMENT":
                span = _trim_trailing_date(doc, _trim_leading(doc, span))
            span = _with_acronym(doc, span)
            if span is None:
                continue
            item = self.known.get(span.label_)
            if item is None:
                found.append(Span(doc, span.start, span.end, label=span.label_))
                continue
            known = Span(doc, span.start, span.end, label=item.type, kb_id=item.canonical)
            known._.set(EXT.instrument_parties, item.parties)
            found.append(known)
        doc.spans[INSTRUMENTS_KEY] = found
        doc.spans[ACTORS_KEY] = [actor for actor in doc.spans.get(ACTORS_KEY, ()) if not _names_place(actor, found)]
        return doc


def _names_place(actor: Span, instruments: list[Span]) -> bool:
    """An actor inside a registry name that lists parties, and none of them: the place it is named after ("Samoa"
    in the EU-OACPS "Samoa Agreement"). A name without listed parties is anyone's ("EU-Korea Digital Partnership
    Council")."""
    return any(
        tool.kb_id_ and tool.start <= actor.start and actor.end <= tool.end
        and actor.kb_id_ not in (tool._.get(EXT.instrument_parties) or (actor.kb_id_,))
        for tool in instruments
    )


class PeopleRuler(_RulerBase):
    """Office holders' names (``models/gazetteers/office_holders.tsv``) outside actor names.

    Sets ``doc.spans["pw_people"]``: ``label_`` PERSON, ``kb_id_`` the name as listed (whom it stands for depends
    on the article's date: :meth:`pipeline.nlp.people.OfficeHolders.code`).
    """

    def _load(self, assets) -> None:
        self.holders = OfficeHolders.from_assets(assets)
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        for name in self.holders.terms:
            self.matcher.add(name, [self.nlp.make_doc(name)])

    def __call__(self, doc: Doc) -> Doc:
        self._check()
        taken = {i for span in doc.spans.get(ACTORS_KEY, ()) for i in range(span.start, span.end)}
        spans = [Span(doc, start, end, label="PERSON", kb_id=self.nlp.vocab.strings[key])
                 for key, start, end in self.matcher(doc) if not taken & set(range(start, end))]
        doc.spans[PEOPLE_KEY] = filter_spans(spans)
        return doc


def _chained(doc: Doc, spans: list[Span]) -> list[Span]:
    """"EU-Korea Digital Partnership" + "Digital Partnership Council" overlapping: the body of the partnership,
    "EU-Korea Digital Partnership Council" (the right-hand name is the head, as in any English compound)."""
    out = []
    for left in spans:
        for right in spans:
            if left.start < right.start < left.end < right.end:
                out.append(Span(doc, left.start, right.end, label=right.label))
    return out


def _trim_leading(doc: Doc, span: Span) -> Span | None:
    """Drop leading function words a capitalised pattern swallowed ("At the ... Summit" -> "... Summit")."""
    start = span.start
    while start < span.end - 1 and (doc[start].is_stop or not doc[start].text[:1].isupper()):
        if doc[start].text[:1].isdigit():
            break
        start += 1
    if span.end - start == 1 and doc[start].text == "Council":
        return None  # a bare "Council" is the EU institution, not an instrument's name
    return Span(doc, start, span.end, label=span.label_, kb_id=span.kb_id_)


_DATE_WORDS = CALENDAR_NAMES | {"today"}


def _trim_trailing_date(doc: Doc, span: Span | None) -> Span | None:
    """Cut "... Digital Partnership on Monday" before the preposition that introduces a date."""
    if span is None:
        return None
    for token in span[1:]:
        if token.lower_ in _DATE_WORDS and token.i - 1 > span.start and doc[token.i - 1].is_lower:
            return Span(doc, span.start, token.i - 1, label=span.label_, kb_id=span.kb_id_)
    return span


def _with_acronym(doc: Doc, span: Span | None) -> Span | None:
    """Extend ``span`` over a following parenthesised acronym: "Interim Trade Agreement (ITA)"."""
    if span is None:
        return None
    end = span.end
    if end + 2 < len(doc) and doc[end].text == "(" and doc[end + 2].text == ")" and doc[end + 1].is_upper:
        return Span(doc, span.start, end + 3, label=span.label_, kb_id=span.kb_id_)
    return span


@Language.factory(
    "pactwatch_actors",
    assigns=["doc.spans"],
    default_config={"models_dir": ""},
)
def make_actor_ruler(nlp: Language, name: str, models_dir: str) -> ActorRuler:
    """The gazetteer actor ruler; ``models_dir`` defaults to the repository's ``models/``."""
    return ActorRuler(nlp, name, models_dir)


@Language.factory(
    "pactwatch_instruments",
    assigns=["doc.spans"],
    default_config={"models_dir": ""},
)
def make_instrument_ruler(nlp: Language, name: str, models_dir: str) -> InstrumentRuler:
    """The instrument ruler (registry + patterns); ``models_dir`` defaults to the repository's ``models/``."""
    return InstrumentRuler(nlp, name, models_dir)


@Language.factory(
    "pactwatch_people",
    assigns=["doc.spans"],
    default_config={"models_dir": ""},
)
def make_people_ruler(nlp: Language, name: str, models_dir: str) -> PeopleRuler:
    """The office-holder ruler; ``models_dir`` defaults to the repository's ``models/``."""
    return PeopleRuler(nlp, name, models_dir)
