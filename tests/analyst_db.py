"""A small analyst database built through the store API (no spaCy): actors, articles, events, partnerships."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx
import sqlite_utils

from pipeline import store
from pipeline.models import Analysis, Article, Entry, Event

ACTORS = [
    {"code": "EU", "name": "European Union", "kind": "bloc"},
    {"code": "JPN", "name": "Japan", "kind": "country", "iso2": "JP"},
    {"code": "KOR", "name": "Korea, Republic of", "kind": "country", "iso2": "KR"},
    {"code": "SGP", "name": "Singapore", "kind": "country", "iso2": "SG"},
    {"code": "IND", "name": "India", "kind": "country", "iso2": "IN"},
    {"code": "USA", "name": "United States", "kind": "country", "iso2": "US"},
]


def key_of(event: Event) -> str:
    """The partnership identity used by these tests: participants plus instrument (or type)."""
    return ",".join(event.participants) + "|" + (event.instrument or event.type).lower()


def event(participants: tuple[str, ...], type_: str, status: str, instrument: str | None, evidence: str, *,
          negated: bool = False, on: date | None = None, confidence: float = 0.9) -> Event:
    return Event(type=type_, status=status, participants=participants, instrument=instrument, negated=negated,
                 date=on, evidence=evidence, confidence=confidence)


def add_article(db: sqlite_utils.Database, url: str, title: str, text: str, events: list[Event] = (), *,
                publisher: str = "example.org", real_keys: bool = False, version: str = "test-1") -> int:
    """Store one article (feed entry, extracted text) and its events; returns the article id. ``real_keys``: merge
    events into partnerships by the real partnership key (as judgements and fixes do), not this file's simple one."""
    store.sync_feeds(db, [store.FeedSpec("http://127.0.0.1/feed.xml", "test feed")])
    feed_id = db.execute("SELECT id FROM feeds WHERE url = 'http://127.0.0.1/feed.xml'").fetchone()[0]
    store.add_entries(db, feed_id, [Entry(guid=url, url=url, title=title)])
    article_id = db.execute("SELECT id FROM articles WHERE url = ?", (url,)).fetchone()[0]
    store.save_article(db, article_id, Article(url=url, title=title, text=text), text_hash=f"hash:{url}",
                       publisher=publisher)
    keys = {} if real_keys else {"key_of": key_of}
    store.save_analysis(db, article_id, Analysis(events=tuple(events)), version=version, **keys)
    return article_id


def build(db: sqlite_utils.Database) -> None:
    """Three articles: EU-Japan EPA (signed, then in force), EU-Korea digital partnership, Global Gateway with India,
    and one negated EU-USA event."""
    store.load_actors(db, ACTORS)
    add_article(
        db, "http://news.example.org/eu-japan-epa", "EU and Japan sign Economic Partnership Agreement",
        "The European Union and Japan signed the Economic Partnership Agreement in Tokyo. "
        "Both sides also discussed the Global Gateway investment programme.",
        [event(("EU", "JPN"), "agreement", "signed", "Economic Partnership Agreement",
               "The European Union and Japan signed the Economic Partnership Agreement in Tokyo.",
               on=date(2019, 1, 15))],
    )
    add_article(
        db, "http://news.example.org/epa-in-force", "Trade deal with Japan enters into force",
        "The EU-Japan Economic Partnership Agreement entered into force on 1 February 2019.",
        [event(("EU", "JPN"), "agreement", "in_force", "Economic Partnership Agreement",
               "The EU-Japan Economic Partnership Agreement entered into force on 1 February 2019.",
               on=date(2019, 2, 1))],
        publisher="other.example.net",
    )
    add_article(
        db, "http://news.example.org/korea-digital", "Korea and the EU launch Digital Partnership",
        "Seoul hosted the launch of the EU-Korea Digital Partnership. Japan and Korea also agreed a joint research "
        "call. The strategy makes no reference to the United States.",
        [event(("EU", "KOR"), "partnership", "launched", "Digital Partnership",
               "Seoul hosted the launch of the EU-Korea Digital Partnership.", on=date(2022, 11, 28)),
         event(("JPN", "KOR"), "cooperation", "planned", None,
               "Japan and Korea also agreed a joint research call.", on=date(2022, 11, 28)),
         event(("EU", "USA"), "partnership", "planned", None,
               "The strategy makes no reference to the United States.", negated=True)],
    )
    add_article(
        db, "http://news.example.org/global-gateway-india", "Global Gateway projects announced in India",
        "The Commission announced Global Gateway investments with India for clean hydrogen.",
        [event(("EU", "IND"), "programme", "launched", "Global Gateway",
               "The Commission announced Global Gateway investments with India for clean hydrogen.",
               on=date(2024, 3, 5))],
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(db_path: Path, cwd: Path, *extra: str) -> Iterator[str]:
    """``pactwatch serve`` as a subprocess on a free 127.0.0.1 port; yields its base URL once it answers."""
    port = free_port()
    log = (cwd / f"serve-{port}.log").open("w")  # a file, not a pipe: nobody reads it while the server runs
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "serve", "--db", str(db_path), "--port", str(port), *extra],
        cwd=cwd, stdout=log, stderr=subprocess.STDOUT, text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("PACTWATCH_")},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"pactwatch serve exited {proc.returncode}: {log.name}")
            try:
                if httpx.get(base + "/-/versions.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("pactwatch serve did not answer within 30 s")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
