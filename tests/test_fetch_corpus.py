"""Every file of feedparser's own test corpus, served as a feed, passes the fetch stage without an unhandled
exception, in one pass on one event loop. Skipped when ../shared/corpus/feedparser-tests is absent."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlite_utils

from pipeline import store
from pipeline.collect import fetch_stage
from pipeline.config import Settings
from pipeline.cycle import CycleReport
from pipeline.errors import FETCH_ERROR_KINDS
from tests.conftest import SHARED, LocalServer

CORPUS = SHARED / "corpus" / "feedparser-tests"


def _served_files() -> list[tuple[str, Path, dict[str, str]]]:
    index = CORPUS / "index.json"
    described = {}
    if index.exists():
        described = {t["file"]: t.get("http_headers") or {} for t in json.loads(index.read_text())["tests"]}
    files = []
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name not in ("index.json", "LICENSE")):
        relative = path.relative_to(CORPUS).as_posix()
        headers = {k: v for k, v in described.get(relative, {}).items() if k.lower() == "content-type"}
        files.append((relative, path, headers or {"Content-Type": "application/xml"}))
    return files


def test_feedparser_corpus_passes_the_fetch_stage(http_server: LocalServer, settings: Settings,
                                                  db: sqlite_utils.Database, caplog: pytest.LogCaptureFixture) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"feedparser test corpus not found at {CORPUS}")
    http_server.httpd.socket.listen(256)
    files = _served_files()
    specs = []
    for relative, path, headers in files:
        route = "/corpus/" + quote(relative)
        content_type = headers.pop("Content-Type", None) or headers.pop("content-type", "application/xml")
        http_server.add(route, path.read_bytes(), content_type=content_type)
        specs.append(store.FeedSpec(url=http_server.url(route), name=relative))
    store.sync_feeds(db, specs)
    fast = dataclasses.replace(settings, fetch=dataclasses.replace(settings.fetch, per_host=16, concurrency=16))
    report = CycleReport()
    with caplog.at_level(logging.ERROR, logger="pipeline"):
        asyncio.run(fetch_stage(fast, db, store.due_feeds(db, every=True), report, threading.Event(), pages=False))

    assert report.feeds_polled == len(files)
    unexpected = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert unexpected == []
    rows = list(db.query("SELECT error_kind, last_success_at FROM feeds"))
    assert all(r["last_success_at"] or r["error_kind"] in FETCH_ERROR_KINDS for r in rows)
    succeeded = sum(1 for r in rows if r["last_success_at"])
    assert succeeded > 0.95 * len(files), f"only {succeeded} of {len(files)} corpus files gave a feed"
