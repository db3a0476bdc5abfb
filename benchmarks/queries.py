"""Analyst and CLI query latency on a synthetic 1,000,000-event database.

    .venv/bin/python benchmarks/queries.py [--runs 9] [--cache-dir /tmp/pactwatch-bench] [--rebuild] [--no-baseline]

Builds (once, then cached; see ``synthdb.py``) a database of 1M events over 200k articles through
``pipeline.store.open_db``, then times, warm, each documented analyst query (the SQL examples of docs/schema.md and
the Datasette canned queries from ``pipeline.serve.canned_queries``, fetched as Datasette fetches them: at most
``max_returned_rows + 1`` rows) and each CLI query path (``store.iter_partnerships`` / ``iter_events`` with the
CLI's filters, ``store.search_articles``, ``store.partner_links`` and ``store.status_summary``, drained as the CLI
renders them). Prints a table (rows, median and p95 ms, target, pass/fail; with the baseline median on the schema
before ``m005_query_indexes``) and writes benchmarks/results/queries.json with the query plans.
Exit 1 when a documented analyst query misses the 200 ms target.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import re
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthdb  # noqa: E402

from pipeline import store  # noqa: E402
from pipeline.serve import canned_queries  # noqa: E402
from pipeline.store.schema import MIGRATIONS  # noqa: E402

TARGET_MS = 200.0
DATASETTE_MAX_ROWS = 1000  # Datasette's max_returned_rows default; it fetches one more to know it truncated
INDEX_MIGRATIONS = ("m005_query_indexes",)  # the migrations whose indexes the baseline leaves out
DOC = ROOT / "docs" / "schema.md"
RESULTS = ROOT / "benchmarks" / "results" / "queries.json"


@dataclass
class Bench:
    name: str
    group: str  # analyst | cli | export
    run: Callable[[sqlite_utils.Database], int]  # returns the number of rows read
    target_ms: float | None
    sql: str | None = None
    params: dict[str, Any] | None = None


def documented_sql() -> list[tuple[str, str]]:
    """(label, sql) for every SQL example of docs/schema.md that is not a canned query (those come from serve)."""
    text = DOC.read_text(encoding="utf-8")
    canned = {" ".join(q["sql"].split()) for q in canned_queries().values()}
    found = [("docs: sql example", m.group(1)) for m in re.finditer(r"```sql\n(.*?)```", text, re.S)]
    found += [("docs: pandas", m.group(1)) for m in re.finditer(r'read_sql\("([^"]+)"', text)]
    found += [("docs: sqlite3 shell", m.group(1)) for m in re.finditer(r'sqlite3 -readonly \S+ "([^"]+)"', text)]
    out = []
    for label, sql in found:
        flat = " ".join(sql.split())
        if flat not in canned:
            match = re.search(r"MATCH '([^']*)'", flat) or re.search(r"FROM (\w+)", flat)
            out.append((f"{label} ({match.group(1) if match else flat[:30]})", sql))
    return out


def _sql_runner(sql: str, params: dict[str, Any], *, datasette: bool) -> Callable[[sqlite_utils.Database], int]:
    def run(db: sqlite_utils.Database) -> int:
        cursor = db.conn.execute(sql, params)
        rows = cursor.fetchmany(DATASETTE_MAX_ROWS + 1) if datasette else cursor.fetchall()
        return len(rows)

    return run


def benches(db: sqlite_utils.Database) -> list[Bench]:
    """Every query to time, parameterised against this database."""
    newest = store.parse_utc(db.execute("SELECT max(detected_at) FROM events").fetchone()[0])
    age_days = max(0.0, (datetime.now(UTC) - newest).total_seconds() / 86400)

    def since(days: int) -> str:  # "--since 7d" as if run the moment the newest event was stored
        return store.to_utc_iso(newest - timedelta(days=days))

    busiest = db.execute("SELECT id FROM partnerships WHERE participants = 'EU,JPN' ORDER BY mentions DESC"
                         " LIMIT 1").fetchone()[0]
    count = db.execute("SELECT count(*) FROM partnerships").fetchone()[0]
    typical = db.execute("SELECT id FROM partnerships ORDER BY mentions, id LIMIT 1 OFFSET ?",
                         (count // 2,)).fetchone()[0]
    canned_params = {
        "new_partnerships": [("", {"days": str(7 + math.ceil(age_days))})],
        "partners_over_time": [("JPN", {"actor": "JPN"}), ("EU", {"actor": "EU"})],
        "agreements_by_status": [("", {})],
        "articles_mentioning": [("Global Gateway", {"programme": ""})],
        "partnership_timeline": [(f"busiest EU-JPN #{busiest}", {"id": busiest}),
                                 (f"typical #{typical}", {"id": typical})],
    }
    out = []
    for label, sql in documented_sql():
        out.append(Bench(label, "analyst", _sql_runner(sql, {}, datasette=False), TARGET_MS, sql, {}))
    for name, query in canned_queries().items():
        for label, params in canned_params.get(name, [("", {})]):
            out.append(Bench(f"canned: {name} {label}".strip(), "analyst",
                             _sql_runner(query["sql"], params, datasette=True), TARGET_MS, query["sql"], params))

    def cli(name: str, func: Callable[..., Any], group: str = "cli", target: float | None = TARGET_MS,
            **kwargs: Any) -> None:
        out.append(Bench(name, group, lambda d: sum(1 for _ in func(d, **kwargs)), target, params=kwargs))

    cli("partnerships --since 7d", store.iter_partnerships, since=since(7))
    cli("partnerships --limit 50", store.iter_partnerships, limit=50)
    cli("partnerships --country JPN --limit 50", store.iter_partnerships, country="JPN", limit=50)
    cli("partnerships --type agreement --status signed --limit 50", store.iter_partnerships, type_="agreement",
        status="signed", limit=50)
    cli("partnerships --country KOR --type agreement --status signed", store.iter_partnerships, country="KOR",
        type_="agreement", status="signed")
    cli("partnerships --since 30d --country JPN", store.iter_partnerships, since=since(30), country="JPN")
    cli("events --since 7d --limit 100", store.iter_events, since=since(7), limit=100)
    cli("events --country JPN --limit 100", store.iter_events, country="JPN", limit=100)
    cli("events --country NZL --type agreement --status signed --limit 100", store.iter_events, country="NZL",
        type_="agreement", status="signed", limit=100)
    cli("events --type agreement --status in_force --limit 100", store.iter_events, type_="agreement",
        status="in_force", limit=100)
    cli("events --negated --limit 100", store.iter_events, negated=True, limit=100)
    cli("events --since 7d", store.iter_events, since=since(7))
    cli("search \"Global Gateway\" India", store.search_articles, query='"Global Gateway" India')
    cli("search hydrogen --since 30d", store.search_articles, query="hydrogen", since=since(30))
    cli("search 'Japan AND' (plain-words fallback)", store.search_articles, query="Japan AND")
    cli("graph --since 90d", store.partner_links, since=since(90)[:10])
    cli("graph --since 90d --country JPN", store.partner_links, since=since(90)[:10], country="JPN")
    cli("status", lambda d: [store.status_summary(d)])
    cli("partnerships (whole table, csv export)", store.iter_partnerships, group="export", target=None)
    cli("events --country JPN (export)", store.iter_events, group="export", target=None, country="JPN")
    return out


def time_one(bench: Bench, db: sqlite_utils.Database, runs: int) -> dict[str, Any]:
    rows = bench.run(db)  # warm-up: pages in the cache, statements prepared
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        bench.run(db)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
    return {"rows": rows, "median_ms": round(statistics.median(times), 2), "p95_ms": round(p95, 2)}


def plans(bench: Bench, db: sqlite_utils.Database) -> list[list[str]]:
    """EXPLAIN QUERY PLAN of every statement the query runs (captured with a trace callback)."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        bench.run(db)
    finally:
        db.conn.set_trace_callback(None)
    out = []
    for sql in dict.fromkeys(statements):
        try:
            out.append([row[3] for row in db.conn.execute(f"EXPLAIN QUERY PLAN {sql}", bench.params or {})])
        except sqlite3.Error:
            continue
    return out


def schema_changes() -> tuple[list[str], list[str]]:
    """What INDEX_MIGRATIONS changed, worked out on an empty in-memory database: (statements that undo it,
    names of the indexes it added)."""
    conn = sqlite3.connect(":memory:")
    undo: list[str] = []
    added: list[str] = []
    for migration in MIGRATIONS:
        before = dict(conn.execute("SELECT name, type || char(0) || sql FROM sqlite_master"
                                   " WHERE type IN ('index', 'view') AND sql IS NOT NULL"))
        migration(conn)
        if migration.__name__ not in INDEX_MIGRATIONS:
            continue
        after = dict(conn.execute("SELECT name, type || char(0) || sql FROM sqlite_master"
                                  " WHERE type IN ('index', 'view') AND sql IS NOT NULL"))
        for name, value in after.items():
            if before.get(name) != value:
                kind = value.split("\0")[0]
                undo.append(f"DROP {kind.upper()} {name}")
                if kind == "index":
                    added.append(name)
        undo += [value.split("\0")[1] for name, value in before.items() if after.get(name) != value]
    conn.close()
    return undo, added


def baseline(path: Path, runs: int, undo: list[str]) -> dict[str, float]:
    """Median ms of every query on the schema as it was before INDEX_MIGRATIONS (undone inside a transaction that
    is rolled back; the canned queries stay as they are now)."""
    db = store.open_db(path)
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        for statement in undo:
            db.conn.execute(statement)
        result = {b.name: time_one(b, db, runs)["median_ms"] for b in benches(db)}
        db.conn.rollback()
        return result
    finally:
        db.close()


def ensure_db(cache_dir: Path, scale: synthdb.Scale, rebuild: bool) -> Path:
    path = synthdb.cache_path(cache_dir, scale)
    if rebuild:
        for old in cache_dir.glob(path.name + "*"):
            old.unlink()
    if not path.exists():
        partial = path.with_name(path.name + ".partial")
        for old in cache_dir.glob(partial.name + "*"):
            old.unlink()
        print(f"building {path} ({scale.events:,} events over {scale.articles:,} articles)...", flush=True)
        start = time.perf_counter()
        synthdb.build(partial, scale, progress=lambda m: print(m, flush=True))
        partial.rename(path)
        print(f"built in {time.perf_counter() - start:.0f} s", flush=True)
    start = time.perf_counter()
    store.open_db(path).close()  # migrations added since the file was built, as on a deployed database
    print(f"opened and migrated in {time.perf_counter() - start:.1f} s", flush=True)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs per query, after one warm-up run")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/pactwatch-bench"))
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if cached")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--no-baseline", action="store_true", help="skip the run without the added indexes")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    scale = synthdb.Scale(articles=args.articles, events=args.events, pool=max(100, args.events * 6 // 100))
    path = ensure_db(args.cache_dir, scale, args.rebuild)
    counts = synthdb.describe(path)
    undo, indexes = schema_changes()
    base = {} if args.no_baseline or not undo else baseline(path, args.runs, undo)
    db = store.open_db(path, readonly=True)
    results = []
    try:
        for bench in benches(db):
            figures = time_one(bench, db, args.runs)
            ok = None if bench.target_ms is None else figures["median_ms"] <= bench.target_ms
            results.append({"query": bench.name, "group": bench.group, **figures, "target_ms": bench.target_ms,
                            "pass": ok, "baseline_median_ms": base.get(bench.name),
                            "params": {k: v for k, v in (bench.params or {}).items()}, "plan": plans(bench, db)})
    finally:
        db.close()
    _print_table(results, bool(base))
    report = {
        "database": {"path": str(path), "size_mb": round(path.stat().st_size / 2**20), **counts},
        "machine": {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                    "platform": platform.platform(), "processor": platform.processor() or platform.machine()},
        "runs": args.runs, "added_indexes": indexes, "baseline_undoes": undo, "measured_at": store.utc_now(),
        "queries": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    missed = [r["query"] for r in results if r["group"] == "analyst" and r["pass"] is False]
    return 1 if missed else 0


def _print_table(results: list[dict[str, Any]], with_baseline: bool) -> None:
    width = max(len(r["query"]) for r in results)
    head = f"{'query':<{width}}  {'rows':>7}  {'median ms':>9}  {'p95 ms':>8}  {'target':>6}  {'pass':>6}"
    print(head + ("  baseline ms" if with_baseline else ""))
    for r in results:
        verdict = {True: "pass", False: "FAIL", None: "-"}[r["pass"]]
        target = f"{r['target_ms']:.0f}" if r["target_ms"] else "-"
        line = (f"{r['query']:<{width}}  {r['rows']:>7}  {r['median_ms']:>9.1f}  {r['p95_ms']:>8.1f}  {target:>6}"
                f"  {verdict:>6}")
        if with_baseline:
            line += f"  {r['baseline_median_ms']:>11.1f}" if r["baseline_median_ms"] is not None else "  -"
        print(line)


if __name__ == "__main__":
    sys.exit(main())
