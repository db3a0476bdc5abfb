"""Readers never block the writer and never see "database is locked": concurrent reader processes (the CLI export
and plain read-only sqlite connections) run while a writer commits many transactions through the store API."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from analyst_db import add_article, build, event

from pipeline.store import open_db

WRITE_SECONDS = 6.0  # the writer commits as fast as it can for this long; each article is four transactions
READ_SQL = (
    "SELECT count(*) FROM partnerships_named",
    "SELECT count(*), sum(mentions) FROM partner_pairs",
    "SELECT count(*) FROM events_with_articles WHERE negated = 0",
    "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'hydrogen'",
)


def _writer(path: str, result: mp.Queue) -> None:
    db = open_db(path)
    slowest, errors, count = 0.0, [], 0
    partners = ("IND", "JPN", "KOR", "SGP", "USA")
    deadline = time.monotonic() + WRITE_SECONDS
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            add_article(db, f"http://news.example.org/load-{count}", f"Hydrogen talks, round {count}",
                        f"The EU and partners discussed hydrogen, round {count}.",
                        [event(("EU", partners[count % 5]), "cooperation", "planned", f"Hydrogen Dialogue {count % 7}",
                               f"The EU and partners discussed hydrogen, round {count}.")])
            count += 1
        except Exception as exc:  # any error fails the test
            errors.append(f"{type(exc).__name__}: {exc}")
        slowest = max(slowest, time.monotonic() - started)
    db.close()
    result.put({"articles": count, "errors": errors, "slowest": slowest})


def _sql_reader(path: str, ready: mp.Event, stop: mp.Event, result: mp.Queue) -> None:
    reads, errors, seen = 0, [], []
    ready.set()
    while not stop.is_set():
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
            with conn:
                values = [conn.execute(sql).fetchone()[0] for sql in READ_SQL]
            conn.close()
            seen.append(values[0])
            reads += 1
        except sqlite3.Error as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    result.put({"reader": "sqlite", "reads": reads, "errors": errors, "monotonic": seen == sorted(seen)})


def _cli_reader(path: str, ready: mp.Event, stop: mp.Event, result: mp.Queue) -> None:
    reads, errors, slowest = 0, [], 0.0
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACTWATCH_")}
    ready.set()
    while not stop.is_set():
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "pipeline", "partnerships", "--db", path, "--format", "json"],
                              capture_output=True, text=True, env=env, cwd=os.path.dirname(path), check=False)
        try:
            if proc.returncode != 0:
                raise RuntimeError(proc.stderr.strip()[-500:])
            json.loads(proc.stdout)
            reads += 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        slowest = max(slowest, time.monotonic() - started)
    result.put({"reader": "cli", "reads": reads, "errors": errors, "slowest": slowest})


def test_readers_during_write_heavy_workload(tmp_path: Path) -> None:
    path = tmp_path / "pactwatch.db"
    db = open_db(path)
    build(db)
    db.close()
    ctx = mp.get_context("spawn")
    stop, results = ctx.Event(), ctx.Queue()
    targets = (_sql_reader, _sql_reader, _cli_reader)
    ready = [ctx.Event() for _ in targets]
    readers = [ctx.Process(target=t, args=(str(path), r, stop, results)) for t, r in zip(targets, ready, strict=True)]
    for reader in readers:
        reader.start()
    for flag in ready:
        assert flag.wait(60)
    writer_results = ctx.Queue()
    writer = ctx.Process(target=_writer, args=(str(path), writer_results))
    writer.start()
    written = writer_results.get(timeout=120)
    writer.join(timeout=30)
    stop.set()
    reports = [results.get(timeout=60) for _ in readers]
    for reader in readers:
        reader.join(timeout=30)

    print(f"\nwriter: {written['articles']} articles ({4 * written['articles']} transactions) in {WRITE_SECONDS} s,"
          f" slowest article {written['slowest']:.3f} s; readers: {reports}")
    assert written["errors"] == []
    assert written["articles"] >= 20
    assert written["slowest"] < 5, f"a write waited {written['slowest']:.2f} s"
    for report in reports:
        assert report["errors"] == [], report["errors"][:3]
        assert report["reads"] >= 2, report
    assert all(r["monotonic"] for r in reports if r["reader"] == "sqlite")  # a reader never goes back in time
    final = open_db(path, readonly=True)
    try:
        assert final.execute("SELECT count(*) FROM articles").fetchone()[0] == 4 + written["articles"]
        assert final.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'hydrogen'").fetchone()[0] \
            == 1 + written["articles"]
    finally:
        final.close()
