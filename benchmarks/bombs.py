"""Decompression bombs: peak memory of one fetch of each hostile body against an honest feed fetched the same way.

    .venv/bin/python benchmarks/bombs.py [--size-gb 4] [--max-bytes 10000000]

A local server (its own process) serves an honest 1 MB gzip feed (the baseline) and bombs of ``--size-gb``
decoded gigabytes, each a few KB on the wire: brotli, gzip, and stacked gzip/brotli/deflate. Each case is one
``Fetcher.fetch`` with the default settings (``fetch.max_bytes`` 10 MB) in a fresh child process, so its peak RSS
(``ru_maxrss``) is that fetch's alone; the child also reports the wall time and the outcome. The table gives each
bomb's peak RSS and its ratio to the baseline's. Exits 1 when a bomb is not refused as ``too_large`` or its peak RSS
passes 200 MB (the issue's target: ``max_bytes`` plus a constant). Results go to ``results/bombs.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.localserver import LocalServer, Resource  # noqa: E402

TARGET_MB = 200
CASES = ("baseline", "gzip", "br", "gzip, gzip", "gzip, br", "br, gzip", "deflate, gzip, br")


def _body(case: str, size: int) -> tuple[bytes, str]:
    from tests import faults
    from tests.conftest import rss

    if case == "baseline":
        items = [{"title": f"Story {i}", "link": f"http://example.org/{i}", "description": "word " * 200}
                 for i in range(1_000)]
        return faults.encoded(rss(items).encode(), "gzip"), "gzip"
    return faults.nested_bomb(size, case), case


def _child(url: str, max_bytes: int) -> None:
    """Fetch ``url`` once and print JSON: outcome, decoded bytes, seconds, peak RSS in MB."""
    import dataclasses

    from pipeline.config import load_settings
    from pipeline.errors import FetchError
    from pipeline.fetch import Fetcher

    settings = load_settings(None, env={}).fetch
    settings = dataclasses.replace(settings, allow_private_addresses=True, max_bytes=max_bytes)

    async def go() -> tuple[str, int]:
        async with Fetcher(settings) as fetcher:
            try:
                result = await fetcher.fetch(url)
            except FetchError as exc:
                return exc.kind, 0
            return "ok", len(result.body)

    started = time.perf_counter()
    outcome, size = asyncio.run(go())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"outcome": outcome, "decoded": size, "seconds": time.perf_counter() - started,
                      "peak_rss_mb": peak}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gb", type=float, default=4.0, help="decoded size of each bomb")
    parser.add_argument("--max-bytes", type=int, default=10_000_000, help="fetch.max_bytes")
    parser.add_argument("--child", nargs=2, metavar=("URL", "MAX_BYTES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], int(args.child[1]))
        return 0
    size = int(args.size_gb * 1e9)
    bodies = {case: _body(case, size) for case in CASES}
    server = LocalServer().start({f"/{i}": Resource(body, "application/rss+xml", encoding=encoding)
                                  for i, (body, encoding) in enumerate(bodies.values())})
    rows = []
    try:
        for i, case in enumerate(CASES):
            out = subprocess.run([sys.executable, __file__, "--child", server.url(f"/{i}"), str(args.max_bytes)],
                                 capture_output=True, text=True, check=True)
            rows.append({"case": case, "wire_bytes": len(bodies[case][0]), **json.loads(out.stdout)})
    finally:
        server.stop()
    base = rows[0]["peak_rss_mb"]
    print(f"one fetch per body, fetch.max_bytes = {args.max_bytes:,}; bombs decode to {args.size_gb:g} GB\n")
    print("| body (Content-Encoding) | bytes on the wire | outcome | seconds | peak RSS MB | ratio to baseline |")
    print("| --- | ---: | --- | ---: | ---: | ---: |")
    for row in rows:
        row["ratio"] = row["peak_rss_mb"] / base
        name = "honest 1 MB feed (gzip), baseline" if row["case"] == "baseline" else f"bomb ({row['case']})"
        print(f"| {name} | {row['wire_bytes']:,} | {row['outcome']} | {row['seconds']:.2f} | {row['peak_rss_mb']:.0f}"
              f" | {row['ratio']:.2f} |")
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "bombs.json").write_text(json.dumps({"size_gb": args.size_gb, "max_bytes": args.max_bytes,
                                                    "rows": rows}, indent=2) + "\n")
    failed = [r["case"] for r in rows[1:] if r["outcome"] != "too_large" or r["peak_rss_mb"] > TARGET_MB]
    if failed:
        print(f"\nFAILED: {failed} not refused within {TARGET_MB} MB", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
