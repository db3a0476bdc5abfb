"""A synthetic pactwatch database at scale (default 1,000,000 events over 200,000 articles) for query benchmarks.

The file is created through ``pipeline.store.open_db``, so the real migrations build every table, view, index and
FTS trigger; the rows are then bulk-loaded with ``executemany`` in large transactions, the triggers indexing each
article as the daemon would. Rows follow the shapes the pipeline writes (``store.save_analysis`` semantics):
partnerships keyed by participants plus instrument or type, aggregates as ``_refresh_partnership`` computes them,
one status-change row at creation and one per change of the latest dated status.

Distributions: actors from ``pipeline.nlp.actor_table()`` with Zipf-like frequency (a handful of big partners, a
long tail), the EU in most events, articles spread over three years ending at build time, about five events per
article, partnerships with a flattened Zipf popularity and a status lifecycle, and a share of negated events.
Deterministic for a given seed (apart from the build time the dates end at).
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline import store
from pipeline.nlp import actor_table

GENERATOR_VERSION = 3
_HEAD = ["USA", "CHN", "JPN", "IND", "UKR", "GBR", "KOR", "CAN", "AUS", "BRA", "ASEAN", "AU", "TUR", "ZAF", "MEX",
         "NATO", "G7", "SGP", "NOR", "CHE", "VNM", "IDN", "EGY", "MAR", "NZL", "CHL", "ARG", "MERCOSUR", "SRB", "KEN"]
_INSTRUMENTS = [  # (name, type)
    ("Global Gateway", "programme"), ("Economic Partnership Agreement", "agreement"),
    ("Free Trade Agreement", "agreement"), ("Digital Partnership", "partnership"),
    ("Strategic Partnership", "partnership"), ("Green Alliance", "partnership"),
    ("Digital Trade Agreement", "agreement"), ("Trade and Technology Council", "cooperation"),
    ("Horizon Europe", "programme"), ("Critical Raw Materials Partnership", "partnership"),
    ("Security and Defence Partnership", "partnership"), ("Investment Protection Agreement", "agreement"),
    ("Hydrogen Partnership", "partnership"), ("Association Agreement", "agreement"),
    ("Partnership and Cooperation Agreement", "agreement"), ("Just Energy Transition Partnership", "partnership"),
    ("Team Europe Initiative", "programme"), ("Erasmus+", "programme"), ("High-Level Dialogue", "cooperation"),
    ("Summit", "cooperation"), ("Memorandum of Understanding on Energy", "agreement"),
    ("Sustainable Investment Facilitation Agreement", "agreement"), ("Connectivity Partnership", "partnership"),
    ("Migration Partnership", "partnership"), ("Fisheries Partnership Agreement", "agreement"),
    ("Science and Technology Agreement", "agreement"), ("Copernicus", "programme"),
    ("Ocean Partnership", "partnership"), ("Semiconductor Dialogue", "cooperation"),
    ("Health Partnership", "partnership"),
]
_PATHS = {"agreement": ("planned", "negotiating", "signed", "in_force"), "partnership": ("planned", "launched"),
          "programme": ("planned", "launched"), "cooperation": ("planned", "held")}
_VERBS = {"planned": "plan", "negotiating": "are negotiating", "signed": "signed", "launched": "launched",
          "held": "held", "in_force": "brought into force", "ended": "ended"}
_TOPICS = ["hydrogen", "semiconductors", "critical raw materials", "batteries", "ports", "railways", "vaccines",
           "renewable energy", "digital connectivity", "undersea cables", "migration", "fisheries", "research",
           "education", "climate finance", "customs", "agriculture", "cybersecurity", "space", "water"]
_FILLER = [
    "Officials said the talks covered {t} and {u}.", "The Commission expects investment in {t} to grow.",
    "Ministers met in {c} to discuss {t}.", "Critics warned that the plans for {t} lack funding.",
    "The deal also addresses {u} and standards for {t}.", "Business groups welcomed the focus on {t}.",
]
_STATUS_RANK = {s: r for r, s in enumerate(("planned", "negotiating", "signed", "launched", "held", "in_force",
                                             "ended"))}
_ISO = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Scale:
    articles: int = 200_000
    events: int = 1_000_000
    pool: int = 60_000  # candidate partnerships; most get at least one event
    feeds: int = 120
    days: int = 3 * 365
    negated_share: float = 0.06
    seed: int = 8


@dataclass
class _Partnership:
    id: int
    participants: tuple[str, ...]
    type: str
    instrument: str | None
    first_seen: str
    status: str = ""
    latest: tuple[str, int] = ("", -1)
    last_seen: str = ""
    first_reported: str = "9999"
    last_reported: str = ""
    status_changed_at: str | None = None
    mentions: int = 0
    publishers: set[str] = field(default_factory=set)
    confidence: float = -1.0
    best_evidence: str = ""


def cache_path(directory: Path, scale: Scale) -> Path:
    """Where the database for ``scale`` lives, keyed by generator version and scale.

    Migrations added after the file was built are applied to it by ``open_db``, as on a deployed database; bump
    ``GENERATOR_VERSION`` when the rows the generator writes change (a new column to fill, a new distribution).
    """
    key = hashlib.sha1(repr((GENERATOR_VERSION, scale)).encode()).hexdigest()
    return directory / f"pactwatch-queries-g{GENERATOR_VERSION}-{scale.events // 1000}k-{key[:8]}.db"


def build(path: Path, scale: Scale, *, now: datetime | None = None, progress=print) -> None:
    """Create the database at ``path`` (which must not exist) and fill it."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    db = store.open_db(path)
    try:
        _Builder(db, scale, now, progress).run()
    finally:
        db.close()


class _Builder:
    def __init__(self, db, scale: Scale, now: datetime, progress) -> None:
        self.db, self.conn, self.scale, self.now, self.progress = db, db.conn, scale, now, progress
        self.rng = random.Random(scale.seed)
        self.start = now - timedelta(days=scale.days)
        actors = actor_table()
        self.names = {a["code"]: a["name"] for a in actors}
        others = [a["code"] for a in actors if a["code"] != "EU"]
        tail = [c for c in others if c not in _HEAD]
        self.rng.shuffle(tail)
        self.ranked = [c for c in _HEAD if c in self.names] + tail
        self.actor_weights = _cumulative([1.0 / (k + 4) for k in range(len(self.ranked))])
        self.publishers = [f"news{k}.example.{('org', 'com', 'net', 'eu')[k % 4]}" for k in range(300)]
        self.publisher_weights = _cumulative([1.0 / (k + 3) for k in range(len(self.publishers))])
        self.pool = self._pool()
        self.pool_weights = _cumulative([1.0 / (k + 10) for k in range(len(self.pool))])
        self.partnerships: dict[int, _Partnership] = {}
        self.changes: list[tuple] = []

    def run(self) -> None:
        conn = self.conn
        conn.execute("PRAGMA foreign_keys = OFF")  # ids are assigned here; checked once at the end
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -1000000")
        store.load_actors(self.db, actor_table())
        store.sync_feeds(self.db, [store.FeedSpec(f"https://news{k}.example.org/feed.xml", f"Feed {k}")
                                   for k in range(self.scale.feeds)])
        per_article = self._events_per_article()
        event_id, chunk = 0, 5_000
        for first in range(0, self.scale.articles, chunk):
            conn.execute("BEGIN")
            articles, entries, events, participants = [], [], [], []
            for article_id in range(first + 1, min(first + chunk, self.scale.articles) + 1):
                article, rows = self._article(article_id, per_article[article_id - 1], event_id)
                event_id += len(rows)
                articles.append(article)
                entries.extend(self._entries(article))
                for row in rows:
                    events.append(row)
                    participants.extend((row[0], code) for code in row[5].split(","))
            conn.executemany(f"INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES ({_marks(_ARTICLE_COLUMNS)})",
                             articles)
            conn.executemany("INSERT INTO entries (feed_id, guid, url, title, summary, published_at, article_id,"
                             " first_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", entries)
            conn.executemany(f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES ({_marks(_EVENT_COLUMNS)})", events)
            conn.executemany("INSERT INTO event_participants (event_id, actor_code) VALUES (?, ?)", participants)
            conn.execute("COMMIT")
            if (first // chunk) % 8 == 0:
                self.progress(f"  {first + len(articles):,} articles, {event_id:,} events")
        self._write_partnerships()
        self._write_runs()
        with store.transaction(self.db) as write:
            store.rebuild_summaries(write)  # what save_analysis keeps in step, computed once for the bulk load
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"synthetic data breaks foreign keys: {problems[:5]}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # --- generation -------------------------------------------------------------------------------------------

    def _actor(self) -> str:
        return self.ranked[_pick(self.rng, self.actor_weights)]

    def _pool(self) -> list[tuple[tuple[str, ...], str, str | None, float, float]]:
        """Candidate partnerships: (participants, type, instrument, lifecycle start in days, stage length)."""
        rng, seen, pool = self.rng, set(), []
        instrument_weights = _cumulative([1.0 / (k + 1) for k in range(len(_INSTRUMENTS))])
        while len(pool) < self.scale.pool:
            shape = rng.random()
            count = 2 if shape < 0.85 else 3
            members = {"EU"} if shape < 0.7 or 0.85 <= shape < 0.95 else set()
            while len(members) < count:
                members.add(self._actor())
            if rng.random() < 0.65:
                instrument, type_ = _INSTRUMENTS[_pick(rng, instrument_weights)]
            else:
                instrument, type_ = None, rng.choice(("agreement", "partnership", "programme", "cooperation"))
            participants = tuple(sorted(members))
            key = "+".join(participants) + "|" + (instrument or type_).lower()
            if key in seen:
                continue
            seen.add(key)
            pool.append((participants, type_, instrument, rng.uniform(-400, self.scale.days), rng.uniform(60, 400)))
        # Partnerships of the big partners are the most reported ones (with noise, so the tail still gets some).
        rank = {code: k for k, code in enumerate(self.ranked)}
        noise = {entry[0] + (entry[2] or entry[1],): rng.uniform(0, 300) for entry in pool}
        return sorted(pool, key=lambda e: sum(rank[c] for c in e[0] if c != "EU") + noise[e[0] + (e[2] or e[1],)])

    def _events_per_article(self) -> list[int]:
        rng, n = self.rng, self.scale.articles
        counts = [1 + min(11, int(rng.expovariate(1 / 4.0))) for _ in range(n)]
        diff = self.scale.events - sum(counts)
        while diff:
            k = rng.randrange(n)
            step = 1 if diff > 0 else -1
            if 1 <= counts[k] + step <= 20:
                counts[k] += step
                diff -= step
        return counts

    def _article(self, article_id: int, n_events: int, last_event_id: int) -> tuple[tuple, list[tuple]]:
        rng = self.rng
        offset = (article_id - 0.5) / self.scale.articles * self.scale.days
        published = self.start + timedelta(days=offset, minutes=rng.uniform(-30, 30))
        first_seen = min(published + timedelta(minutes=rng.uniform(5, 180)), self.now - timedelta(minutes=3))
        fetched = first_seen + timedelta(seconds=rng.uniform(10, 120))
        processed = fetched + timedelta(seconds=rng.uniform(5, 60))
        detected = processed.strftime(_ISO)
        publisher = self.publishers[_pick(rng, self.publisher_weights)]
        published_at = published.strftime(_ISO) if rng.random() > 0.03 else None
        pub_date = (published_at or detected)[:10]
        rows, sentences = [], []
        for k in range(n_events):
            event_id = last_event_id + k + 1
            index = _pick(rng, self.pool_weights)
            entry = self.pool[index]
            participants, type_, instrument, born, stage = entry
            path = _PATHS[type_]
            step = max(0, min(len(path) - 1, int((offset - born) // stage)))
            if rng.random() < 0.05:
                step = rng.randrange(len(path))
            status = path[step]
            negated = rng.random() < self.scale.negated_share
            stated = rng.random() < 0.5
            event_date = (published - timedelta(days=rng.randint(0, 3))).strftime("%Y-%m-%d") if stated else None
            evidence = self._sentence(participants, status, instrument or type_, negated)
            confidence = round(rng.uniform(0.5, 0.99), 3)
            partnership_id = None
            if not negated:
                on_date = event_date or pub_date
                partnership_id = self._merge(index, entry, event_id, status, on_date, detected, publisher, confidence,
                                             evidence)
            rows.append((event_id, article_id, partnership_id, type_, status, ",".join(participants), instrument,
                         int(negated), event_date, evidence, confidence, "bench-1", detected))
            if k < 3:
                sentences.append(evidence)
        first_names = [self.names[c] for c in rows[0][5].split(",")]
        title = f"{' and '.join(first_names[:2])}: {(rows[0][6] or rows[0][3]).lower()} {rows[0][4].replace('_', ' ')}"
        topics = rng.sample(_TOPICS, 2)
        city = self.names[self._actor()]
        sentences += [rng.choice(_FILLER).format(t=topics[0], u=topics[1], c=city) for _ in range(rng.randint(1, 2))]
        text = " ".join(sentences)
        url = f"https://{publisher}/{published.strftime('%Y/%m')}/story-{article_id}"
        article = (article_id, url, title, publisher, publisher, "en", published_at, text,
                   hashlib.blake2b(text.encode(), digest_size=8).hexdigest() + f"{article_id:x}", len(text.split()),
                   "trafilatura", "done", 1, "done", "bench-1", first_seen.strftime(_ISO), fetched.strftime(_ISO),
                   detected)
        return article, rows

    def _sentence(self, participants: tuple[str, ...], status: str, what: str, negated: bool) -> str:
        names = [self.names[c] for c in participants]
        who = " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
        if negated:
            return f"{who} have not {_VERBS[status].split()[-1]} the {what}, officials said."
        return f"{who} {_VERBS[status]} the {what} on {self.rng.choice(_TOPICS)}."

    def _entries(self, article: tuple) -> Iterator[tuple]:
        article_id, url, title, published_at, first_seen = article[0], article[1], article[2], article[6], article[15]
        feeds = self.rng.sample(range(1, self.scale.feeds + 1), 2 if self.rng.random() < 0.2 else 1)
        for feed_id in feeds:
            yield (feed_id, url, url, title, article[7][:200], published_at, article_id, first_seen)

    def _merge(self, key: int, entry: tuple, event_id: int, status: str, on_date: str, detected: str, publisher: str,
               confidence: float, evidence: str) -> int:
        """``store.save_analysis`` for one positive event: create or refresh its partnership."""
        p = self.partnerships.get(key)
        if p is None:
            p = _Partnership(len(self.partnerships) + 1, entry[0], entry[1], entry[2], detected, status)
            self.partnerships[key] = p
            self.changes.append((p.id, None, status, None, None, detected))
        p.mentions += 1
        p.last_seen = detected
        p.first_reported = min(p.first_reported, on_date)
        p.last_reported = max(p.last_reported, on_date)
        p.publishers.add(publisher)
        if confidence > p.confidence:
            p.confidence, p.best_evidence = confidence, evidence
        rank = (on_date, _STATUS_RANK[status])
        if rank > p.latest:
            p.latest = rank
            if status != p.status:
                self.changes.append((p.id, p.status, status, on_date, event_id, detected))
                p.status, p.status_changed_at = status, detected
        return p.id

    # --- the rest -------------------------------------------------------------------------------------------

    def _write_partnerships(self) -> None:
        conn = self.conn
        conn.execute("BEGIN")
        rows = sorted(self.partnerships.values(), key=lambda p: p.id)
        conn.executemany(
            "INSERT INTO partnerships (id, key, type, status, participants, instrument, first_seen, last_seen,"
            " first_reported, last_reported, status_changed_at, mentions, sources, confidence, best_evidence)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(p.id, "+".join(p.participants) + "|" + (p.instrument or p.type).lower(), p.type, p.status,
              ",".join(p.participants), p.instrument, p.first_seen, p.last_seen, p.first_reported, p.last_reported,
              p.status_changed_at, p.mentions, len(p.publishers), p.confidence, p.best_evidence) for p in rows])
        conn.executemany("INSERT INTO partnership_participants (partnership_id, actor_code) VALUES (?, ?)",
                         [(p.id, code) for p in rows for code in p.participants])
        conn.executemany("INSERT INTO partnership_status_changes (partnership_id, old_status, new_status, status_date,"
                         " event_id, detected_at) VALUES (?, ?, ?, ?, ?, ?)", self.changes)
        conn.execute("COMMIT")
        self.progress(f"  {len(rows):,} partnerships, {len(self.changes):,} status changes")

    def _write_runs(self) -> None:
        rows = []
        for day in range(self.scale.days):
            started = self.start + timedelta(days=day, hours=6)
            rows.append((started.strftime(_ISO), (started + timedelta(minutes=4)).strftime(_ISO), "cycle", "ok",
                         self.scale.feeds, 0, self.scale.articles // self.scale.days,
                         self.scale.events // self.scale.days, 0))
        self.conn.execute("BEGIN")
        self.conn.executemany("INSERT INTO runs (started_at, finished_at, kind, status, feeds_polled, feeds_failed,"
                              " new_articles, new_events, errors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        self.conn.execute("COMMIT")


_ARTICLE_COLUMNS = ("id, url, title, sitename, publisher, language, published_at, text, text_hash, word_count,"
                    " extraction_method, fetch_status, fetch_attempts, nlp_status, extractor_version, first_seen_at,"
                    " fetched_at, processed_at")
_EVENT_COLUMNS = ("id, article_id, partnership_id, type, status, participants, instrument, negated, event_date,"
                  " evidence, confidence, extractor_version, detected_at")


def _marks(columns: str) -> str:
    return ", ".join("?" * len(columns.split(",")))


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    import bisect

    return min(bisect.bisect_left(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


def describe(path: Path) -> dict[str, int]:
    """Row counts of the main tables."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "entries", "events", "event_participants", "partnerships",
                          "partnership_participants", "partnership_status_changes", "actors", "feeds")}
    finally:
        conn.close()
