"""Fetch-stage benchmark: the real first cycle (N feeds and their new article pages) against an unchanged second.

    .venv/bin/python benchmarks/fetch.py [--feeds 500] [--items 20] [--repeat 3]

A local server in its own process (it never competes with the client for the interpreter lock) serves ``--feeds``
generated RSS feeds of ``--items`` entries, each linking a small generated article page. The first cycle is the
real fetch stage of a first run: every feed is downloaded and parsed, then every new page is downloaded,
extracted (trafilatura, in the extraction workers) and stored. The second cycle polls every feed again and each
answers 304 (ETag): no body, no parsing, no page. Reported per cycle: wall time, requests, bytes received (on
the wire), CPU time of the client (this process and its extraction workers), and second/first ratios; medians
over ``--repeat`` runs, each on a fresh database. Exits 1 when the second cycle costs more than a twentieth of
the first in time or bytes. All feeds are on one local host, so ``per_host`` is raised to ``concurrency``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.localserver import LocalServer, Resource  # noqa: E402
from pipeline import store  # noqa: E402
from pipeline.collect import fetch_stage  # noqa: E402
from pipeline.config import Settings, load_settings  # noqa: E402
from pipeline.cycle import CycleReport  # noqa: E402

KEYS = ("seconds", "cpu_seconds", "requests", "bytes", "pages", "new_articles", "unchanged")


def _feed(server: LocalServer, index: int, items: int) -> bytes:
    entries = "".join(
        f"<item><title>Feed {index} story {i}: the EU and partner {i} sign an agreement</title>"
        f"<link>{server.url(f'/p/{index}/{i}.html')}?utm_source=rss</link>"
        f"<guid>https://news{index}.example.org/2026/05/story-{i}.html</guid>"
        f"<pubDate>Mon, 04 May 2026 0{i % 10}:00:00 GMT</pubDate>"
        f"<description>{'A generated summary sentence for the benchmark. ' * 8}</description></item>"
        for i in range(items)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Benchmark feed {index}'
            f"</title><link>https://news{index}.example.org/</link><description>generated</description>{entries}"
            "</channel></rss>").encode()


def _page(index: int, item: int) -> bytes:
    """A small article page (about 2 kB): a headline, five paragraphs, navigation and a footer."""
    paragraphs = "".join(
        f"<p>Paragraph {j} of story {item} from feed {index}: officials of the European Union and partner {item}"
        f" met on day {j} to discuss trade, research and energy cooperation over the coming years.</p>"
        for j in range(5)
    )
    return (f"<html><head><title>Story {item} of feed {index}</title></head><body><nav>Home | World | Europe</nav>"
            f"<article><h1>Feed {index} story {item}: the EU and partner {item} sign an agreement</h1>{paragraphs}"
            "</article><footer>Generated for the benchmark</footer></body></html>").encode()


def _resources(server: LocalServer, feeds: int, items: int) -> dict[str, Resource]:
    resources = {}
    for index in range(feeds):
        resources[f"/feed/{index}"] = Resource(_feed(server, index, items), "application/rss+xml; charset=utf-8")
        for item in range(items):
            resources[f"/p/{index}/{item}.html"] = Resource(_page(index, item), "text/html; charset=utf-8")
    return resources


def _cpu() -> float:
    """User + system CPU seconds of this process and of its finished children (the extraction workers; the
    server process is still running, so it is not counted)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _cycle(settings: Settings, db) -> dict[str, float]:
    report = CycleReport()
    cpu, started = _cpu(), time.perf_counter()
    fetcher = asyncio.run(fetch_stage(settings, db, store.due_feeds(db, every=True), report, threading.Event()))
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    assert not report.feeds_failed and not report.errors, f"{report.feeds_failed} failed feeds, {report.errors} errors"
    return {"seconds": seconds, "cpu_seconds": cpu, "requests": fetcher.requests, "bytes": fetcher.bytes_received,
            "pages": report.pages_fetched, "new_articles": report.new_articles, "unchanged": report.feeds_unchanged}


def _settings(tmp: Path) -> Settings:
    base = load_settings(None, env={})
    return dataclasses.replace(
        base,
        database=dataclasses.replace(base.database, path=tmp / "bench.db"),
        fetch=dataclasses.replace(base.fetch, allow_private_addresses=True, respect_robots=False,
                                  per_host=base.fetch.concurrency),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    server = LocalServer()
    server.start(_resources(server, args.feeds, args.items))
    feed_urls = [server.url(f"/feed/{i}") for i in range(args.feeds)]
    runs = []
    try:
        for rep in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                settings = _settings(Path(tmp))
                db = store.open_db(settings.database.path)
                store.sync_feeds(db, [store.FeedSpec(url=u) for u in feed_urls])
                first = _cycle(settings, db)
                second = _cycle(settings, db)
                db.close()
            runs.append((first, second))
            print(f"run {rep + 1}/{args.repeat}: first {first['seconds']:.2f} s, second {second['seconds']:.3f} s",
                  file=sys.stderr, flush=True)
    finally:
        server.stop()
    first = {k: statistics.median(r[0][k] for r in runs) for k in KEYS}
    second = {k: statistics.median(r[1][k] for r in runs) for k in KEYS}
    ratios = {k: statistics.median(r[1][k] / r[0][k] if r[0][k] else float("nan") for r in runs) for k in KEYS}
    print(f"fetch benchmark: {args.feeds} feeds x {args.items} items (one page each), concurrency"
          f" {settings.fetch.concurrency}, extract_workers {settings.fetch.extract_workers}, median of {args.repeat}")
    print(f"{'':14}{'first':>12}{'second':>12}{'second/first':>14}")
    for key in KEYS:
        fmt = "{:.3f}" if key.endswith("seconds") else "{:.0f}"
        print(f"{key:14}{fmt.format(first[key]):>12}{fmt.format(second[key]):>12}{ratios[key]:>14.4f}")
    cheap = ratios["seconds"] <= 1 / 20 and ratios["bytes"] <= 1 / 20
    print("second cycle costs at most 1/20 of the first (time and bytes):", "yes" if cheap else "NO")
    return 0 if cheap else 1


if __name__ == "__main__":
    sys.exit(main())
