"""End-to-end benchmark: one full ``run_cycle`` on real pages against a plain baseline and the extraction floor.

    .venv/bin/python benchmarks/e2e.py [--feeds 8] [--pages 181] [--repeat 3] [--extract-workers N] [--n-process N]

A local server (its own process) serves ``--feeds`` RSS feeds linking ``--pages`` article pages: the real HTML of
``../shared/corpus/articles/`` (read in place, gzip as stored), or generated pages when that folder is absent.
Each repetition, on the same pages:

- pactwatch: one full cycle in this process (temp database, private addresses allowed, robots.txt off), then the
  unchanged second cycle (every feed polled again: all 304). Per stage (fetch, extract, NLP, store): wall seconds,
  busy seconds, articles/s, words/s and peak RSS (this process plus its extraction workers, sampled every 50 ms).
- baseline, in a fresh process: download each page, trafilatura, then ``spacy.load(model)`` with every component
  over all the text (``nlp.pipe``).
- floor, in a fresh process: download each page and trafilatura only.

Medians over the repetitions are printed and written to ``benchmarks/results/e2e.json``. Model loading counts in
every column (the NLP cache is cleared before each cycle); interpreter start-up and imports count in none.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import wraps
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.localserver import LocalServer, Resource  # noqa: E402
from pipeline import store  # noqa: E402
from pipeline.config import Settings, load_settings  # noqa: E402
from pipeline.cycle import run_cycle  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "articles"
RESULTS = ROOT / "benchmarks" / "results" / "e2e.json"
HTML = "text/html; charset=utf-8"
STORE_CALLS = ("add_entries", "save_article", "record_feed_success", "record_feed_error", "record_page_error",
               "save_analysis", "record_nlp_error", "pending_fetches", "pending_nlp", "entry_summary", "due_feeds",
               "start_run", "finish_run", "sync_feeds", "load_actors")
MB = 1024 * 1024


# -- the pages and the feeds ------------------------------------------------------------------------------------------

def _corpus_pages(limit: int) -> list[bytes]:
    """Gzipped HTML of the corpus pages, as stored (read in place, never copied)."""
    manifest = json.loads((CORPUS / "manifest.json").read_text())
    return [(CORPUS / item["file"]).read_bytes() for item in manifest["items"][:limit]]


def _generated_pages(count: int) -> list[bytes]:
    partners = ["Japan", "Canada", "India", "Brazil", "Kenya", "Chile", "Vietnam", "Morocco", "Norway", "Peru"]
    pages = []
    for i in range(count):
        partner = partners[i % len(partners)]
        body = "".join(
            f"<p>Paragraph {j} of generated story {i}. The European Union and {partner} discussed trade, research"
            f" and energy on day {j}, officials said. Talks on a digital partnership continued while ministers"
            " reviewed the working groups, the budget and the timetable for the coming year.</p>"
            for j in range(20)
        )
        html = (f"<html><head><title>Story {i}: EU and {partner}</title></head><body><nav>Home | World</nav>"
                f"<article><h1>Story {i}: EU and {partner} sign agreement</h1>{body}</article>"
                "<footer>Generated for the benchmark</footer></body></html>")
        pages.append(gzip.compress(html.encode()))
    return pages


def _feed(server: LocalServer, index: int, page_ids: list[int]) -> bytes:
    items = "".join(
        f"<item><title>Benchmark article {k}</title><link>{server.url(f'/a/{k}.html')}</link>"
        f"<guid>bench-{k}</guid><pubDate>Mon, 04 May 2026 09:00:00 GMT</pubDate>"
        f"<description>Summary of benchmark article {k}.</description></item>"
        for k in page_ids
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Benchmark feed {index}'
            f"</title><link>{server.base}/</link><description>generated</description>{items}</channel></rss>"
            ).encode()


def _resources(server: LocalServer, pages: list[bytes], feeds: int) -> tuple[dict[str, Resource], list[str]]:
    resources = {f"/a/{k}.html": Resource(body, HTML, gzipped=True) for k, body in enumerate(pages)}
    feed_urls = []
    for i in range(feeds):
        resources[f"/feed/{i}.xml"] = Resource(_feed(server, i, list(range(i, len(pages), feeds))),
                                               "application/rss+xml; charset=utf-8")
        feed_urls.append(server.url(f"/feed/{i}.xml"))
    return resources, feed_urls


# -- measuring the cycle ----------------------------------------------------------------------------------------------

class _Probe:
    """Time intervals per stage (wrapping the real functions, which still do all the work) and sampled RSS."""

    def __init__(self, exclude_pid: int | None) -> None:
        self.intervals: dict[str, list[tuple[float, float]]] = {"fetch": [], "extract": [], "nlp": [], "store": []}
        self.samples: list[tuple[float, float]] = []
        self._exclude = exclude_pid
        self._done = threading.Event()

    def timed(self, stage: str, func: Callable) -> Callable:
        if getattr(func, "_bench_wrapped", False):
            return func

        if _is_coroutine(func):
            @wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return await func(*args, **kwargs)
                finally:
                    self.intervals[stage].append((start, time.perf_counter()))

            async_wrapper._bench_wrapped = True  # type: ignore[attr-defined]
            return async_wrapper

        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.intervals[stage].append((start, time.perf_counter()))

        wrapper._bench_wrapped = True  # type: ignore[attr-defined]
        return wrapper

    def timed_generator(self, stage: str, func: Callable) -> Callable:
        """Time each step of a generator (the work done between two yields), not the consumer's work."""

        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
            steps = func(*args, **kwargs)
            while True:
                start = time.perf_counter()
                try:
                    item = next(steps)
                except StopIteration:
                    self.intervals[stage].append((start, time.perf_counter()))
                    return
                self.intervals[stage].append((start, time.perf_counter()))
                yield item

        return wrapper

    def rss(self) -> float:
        """Resident memory of this process and its children (the extraction workers), server excluded."""
        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            if child.pid == self._exclude:
                continue
            with suppress(psutil.Error):
                total += child.memory_info().rss
        return total

    def _sample(self) -> None:
        while not self._done.wait(0.05):
            self.samples.append((time.perf_counter(), self.rss()))

    @contextmanager
    def sampling(self) -> Iterator[None]:
        self._done.clear()
        thread = threading.Thread(target=self._sample, daemon=True)
        thread.start()
        try:
            yield
        finally:
            self._done.set()
            thread.join()

    def reset(self) -> None:
        for spans in self.intervals.values():
            spans.clear()
        self.samples.clear()

    def peak(self, start: float, end: float) -> float:
        inside = [rss for t, rss in self.samples if start <= t <= end]
        return max(inside, default=0.0) / MB


def _is_coroutine(func: Callable) -> bool:
    import inspect

    return inspect.iscoroutinefunction(func)


def _union(spans: list[tuple[float, float]]) -> float:
    """Wall seconds during which at least one interval was open."""
    total, end = 0.0, float("-inf")
    for a, b in sorted(spans):
        if a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


def _install(probe: _Probe) -> None:
    from pipeline import cycle, extract_pool, fetch, nlp

    fetch.Fetcher.fetch = probe.timed("fetch", fetch.Fetcher.fetch)  # type: ignore[method-assign]
    extract_pool.Extractor.extract = probe.timed("extract", extract_pool.Extractor.extract)  # type: ignore
    cycle._analyse_isolated = probe.timed_generator("nlp", cycle._analyse_isolated)
    nlp.load_nlp = probe.timed("nlp", nlp.load_nlp)
    for name in STORE_CALLS:
        if hasattr(store, name):
            setattr(store, name, probe.timed("store", getattr(store, name)))


def _settings(tmp: Path, feed_urls: list[str], args: argparse.Namespace) -> Settings:
    feeds_file = tmp / "feeds.toml"
    feeds_file.write_text("".join(f'[[feed]]\nname = "feed {i}"\nurl = "{u}"\n\n' for i, u in enumerate(feed_urls)))
    base = load_settings(None, env={})
    fetch = dataclasses.replace(base.fetch, allow_private_addresses=True, respect_robots=False,
                                per_host=base.fetch.concurrency)  # every page is on one local host
    if args.extract_workers is not None:
        fetch = dataclasses.replace(fetch, extract_workers=args.extract_workers)
    nlp = base.nlp if args.n_process is None else dataclasses.replace(base.nlp, n_process=args.n_process)
    return dataclasses.replace(base, database=dataclasses.replace(base.database, path=tmp / "bench.db"),
                               feeds=dataclasses.replace(base.feeds, file=feeds_file), fetch=fetch, nlp=nlp)


def _pactwatch(settings: Settings, probe: _Probe) -> dict[str, Any]:
    """One first cycle and one unchanged second cycle, with per-stage figures of the first."""
    from pipeline.nlp import load_nlp

    load_nlp.__wrapped__.cache_clear()  # the model load counts, as it does in the baseline
    db = store.open_db(settings.database.path)
    probe.reset()
    with probe.sampling():
        started = time.perf_counter()
        first = run_cycle(settings, db, every=True)
        ended = time.perf_counter()
    rss_samples = list(probe.samples)
    intervals = {k: list(v) for k, v in probe.intervals.items()}
    probe.reset()
    second_started = time.perf_counter()
    second = run_cycle(settings, db, every=True)
    second_seconds = time.perf_counter() - second_started
    pages, words = db.execute("SELECT count(*), coalesce(sum(word_count), 0) FROM articles"
                              " WHERE fetch_status = 'done' AND extraction_method != 'feed_summary'").fetchone()
    db.close()
    probe.samples = rss_samples
    seconds = ended - started
    stages: dict[str, dict[str, float]] = {}
    for stage in ("fetch", "extract", "nlp", "store"):
        spans = intervals[stage]
        wall = _union(spans)
        busy = first.stage_seconds.get("extract", 0.0) if stage == "extract" else sum(b - a for a, b in spans)
        lo, hi = (min(a for a, _ in spans), max(b for _, b in spans)) if spans else (started, started)
        stages[stage] = {"wall_s": wall, "busy_s": busy, "peak_rss_mb": probe.peak(lo, hi)}
    for figures in stages.values():
        figures["articles_per_s"] = pages / figures["wall_s"] if figures["wall_s"] else 0.0
        figures["words_per_s"] = words / figures["wall_s"] if figures["wall_s"] else 0.0
    assert first.feeds_failed == 0 and second.feeds_unchanged == first.feeds_polled, "the cycles did not go as set up"
    return {"seconds": seconds, "second_seconds": second_seconds, "pages": pages, "words": words,
            "events": first.new_events, "errors": first.errors, "stages": stages,
            "peak_rss_mb": max((rss for _, rss in rss_samples), default=0.0) / MB}


# -- the references, each in a fresh process -------------------------------------------------------------------------

def _reference(kind: str, urls: list[str], model: str, out: Any) -> None:
    """Download every page in turn, trafilatura on each; for the baseline then the full spaCy pipeline."""
    import httpx
    import spacy  # imported before the clock starts, like pactwatch's modules

    from pipeline.errors import ExtractError
    from pipeline.extract import extract_article

    started = time.perf_counter()
    texts = []
    with httpx.Client(timeout=30) as client:
        for url in urls:
            response = client.get(url)
            try:
                texts.append(extract_article(response.content, url, content_type=response.headers.get("content-type"))
                             .text)
            except ExtractError:
                continue
    extracted = time.perf_counter()
    if kind == "baseline":
        nlp = spacy.load(model)
        for _ in nlp.pipe(texts, batch_size=64):
            pass
    ended = time.perf_counter()
    rss = psutil.Process().memory_info().rss / MB
    out.put({"seconds": ended - started, "extract_seconds": extracted - started, "nlp_seconds": ended - extracted,
             "pages": len(texts), "words": sum(len(t.split()) for t in texts), "peak_rss_mb": rss})


def _run_reference(kind: str, urls: list[str], model: str) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    process = context.Process(target=_reference, args=(kind, urls, model, out))
    process.start()
    result = out.get(timeout=1800)
    process.join(30)
    return result


# -- report -----------------------------------------------------------------------------------------------------------

def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _summarise(runs: list[dict[str, Any]], args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    ours = [r["pactwatch"] for r in runs]
    seconds = _median([o["seconds"] for o in ours])
    baseline = _median([r["baseline"]["seconds"] for r in runs])
    floor = _median([r["floor"]["seconds"] for r in runs])
    stages = {
        stage: {key: round(_median([o["stages"][stage][key] for o in ours]), 3)
                for key in ours[0]["stages"][stage]}
        for stage in ("fetch", "extract", "nlp", "store")
    }
    pages = ours[0]["pages"]
    return {
        "pages": pages,
        "feeds": args.feeds,
        "words": ours[0]["words"],
        "corpus": "real" if runs[0]["real"] else "generated",
        "repeat": len(runs),
        "seconds": round(seconds, 3),
        "pages_per_s": round(pages / seconds, 2),
        "words_per_s": round(ours[0]["words"] / seconds),
        "baseline_seconds": round(baseline, 3),
        "floor_seconds": round(floor, 3),
        "speedup_vs_baseline": round(_median([r["baseline"]["seconds"] / r["pactwatch"]["seconds"] for r in runs]), 2),
        "ratio_to_floor": round(_median([r["pactwatch"]["seconds"] / r["floor"]["seconds"] for r in runs]), 2),
        "second_cycle_seconds": round(_median([o["second_seconds"] for o in ours]), 4),
        "second_cycle_ratio": round(_median([o["second_seconds"] / o["seconds"] for o in ours]), 4),
        "peak_rss_mb": round(max(o["peak_rss_mb"] for o in ours), 1),
        "baseline_peak_rss_mb": round(max(r["baseline"]["peak_rss_mb"] for r in runs), 1),
        "baseline_nlp_seconds": round(_median([r["baseline"]["nlp_seconds"] for r in runs]), 3),
        "events": ours[0]["events"],
        "stages": stages,
        "settings": {"extract_workers": settings.fetch.extract_workers, "nlp_n_process": settings.nlp.n_process,
                     "nlp_batch_size": settings.nlp.batch_size, "model": settings.nlp.model},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "runs": [{"seconds": round(r["pactwatch"]["seconds"], 3), "baseline": round(r["baseline"]["seconds"], 3),
                  "floor": round(r["floor"]["seconds"], 3), "second": round(r["pactwatch"]["second_seconds"], 4)}
                 for r in runs],
    }


def _print(summary: dict[str, Any]) -> None:
    s = summary
    print(f"e2e benchmark: {s['pages']} {s['corpus']} pages in {s['feeds']} feeds, {s['words']} words,"
          f" median of {s['repeat']} (extract_workers={s['settings']['extract_workers']},"
          f" nlp.n_process={s['settings']['nlp_n_process']})")
    print(f"{'stage':10}{'wall s':>9}{'busy s':>9}{'articles/s':>12}{'words/s':>10}{'peak RSS MB':>13}")
    for stage, f in s["stages"].items():
        print(f"{stage:10}{f['wall_s']:>9.2f}{f['busy_s']:>9.2f}{f['articles_per_s']:>12.1f}{f['words_per_s']:>10.0f}"
              f"{f['peak_rss_mb']:>13.0f}")
    print()
    print(f"{'run':26}{'seconds':>9}{'pages/s':>9}{'ratio':>9}")
    print(f"{'pactwatch cycle':26}{s['seconds']:>9.2f}{s['pages_per_s']:>9.1f}{1:>9.2f}")
    print(f"{'plain baseline':26}{s['baseline_seconds']:>9.2f}{s['pages'] / s['baseline_seconds']:>9.1f}"
          f"{s['speedup_vs_baseline']:>8.2f}x  (baseline / pactwatch)")
    print(f"{'extraction floor':26}{s['floor_seconds']:>9.2f}{s['pages'] / s['floor_seconds']:>9.1f}"
          f"{s['ratio_to_floor']:>8.2f}x  (pactwatch / floor)")
    print(f"{'unchanged second cycle':26}{s['second_cycle_seconds']:>9.3f}{'':>9}{s['second_cycle_ratio']:>9.4f}"
          "   (second / first)")
    print(f"peak RSS of the cycle (process + workers): {s['peak_rss_mb']:.0f} MB;"
          f" baseline process: {s['baseline_peak_rss_mb']:.0f} MB")
    checks = [("≥ 2x faster than the baseline", s["speedup_vs_baseline"] >= 2),
              ("within 3x of the extraction floor", s["ratio_to_floor"] <= 3),
              ("second cycle ≤ 5% of the first", s["second_cycle_ratio"] <= 0.05),
              ("peak RSS ≤ 1.5 GB", s["peak_rss_mb"] <= 1536)]
    for label, ok in checks:
        print(f"  {'met   ' if ok else 'MISSED'} {label}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=8)
    parser.add_argument("--pages", type=int, default=181)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--extract-workers", type=int, default=None, help="override fetch.extract_workers")
    parser.add_argument("--n-process", type=int, default=None, help="override nlp.n_process")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    real = (CORPUS / "manifest.json").is_file()
    pages = _corpus_pages(args.pages) if real else _generated_pages(args.pages)
    if not real:
        print(f"{CORPUS} not found: using {len(pages)} generated pages", file=sys.stderr)
    server = LocalServer()
    resources, feed_urls = _resources(server, pages, args.feeds)
    server.start(resources)
    page_urls = [server.url(f"/a/{k}.html") for k in range(len(pages))]
    probe = _Probe(exclude_pid=server.process.pid if server.process else None)
    _install(probe)
    runs = []
    try:
        for rep in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                settings = _settings(Path(tmp), feed_urls, args)
                ours = _pactwatch(settings, probe)
            floor = _run_reference("floor", page_urls, settings.nlp.model)
            baseline = _run_reference("baseline", page_urls, settings.nlp.model)
            runs.append({"real": real, "pactwatch": ours, "floor": floor, "baseline": baseline})
            print(f"run {rep + 1}/{args.repeat}: pactwatch {ours['seconds']:.2f} s (second cycle"
                  f" {ours['second_seconds']:.3f} s), floor {floor['seconds']:.2f} s,"
                  f" baseline {baseline['seconds']:.2f} s", file=sys.stderr, flush=True)
    finally:
        server.stop()
    summary = _summarise(runs, args, settings)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(summary, indent=2) + "\n")
    _print(summary)
    print(f"written: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
