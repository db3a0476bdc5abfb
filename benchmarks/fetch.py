"""Fetch-stage benchmark: N generated feeds on a local server, a first cycle, then an unchanged second cycle.

    .venv/bin/python benchmarks/fetch.py [--feeds 500] [--items 20]

Prints time, requests and bytes received (on the wire) for both cycles and their ratios. The second cycle sends
one conditional request per feed and gets a 304: no body, no parsing. Exits 1 when the second cycle costs more
than a twentieth of the first in time or bytes. Feeds are polled only (no article pages), so both cycles make the
same number of requests; the server is on this machine, so all hosts are one and per_host is raised to match.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import multiprocessing
import sys
import tempfile
import threading
import time
from pathlib import Path

from pipeline import store
from pipeline.collect import fetch_stage
from pipeline.config import load_settings
from pipeline.cycle import CycleReport

LAST_MODIFIED = "Mon, 04 May 2026 09:00:00 GMT"


def _feed(index: int, items: int) -> bytes:
    entries = "".join(
        f"<item><title>Feed {index} story {i}: the EU and partner {i} sign an agreement</title>"
        f"<link>https://news{index}.example.org/2026/05/story-{i}.html?utm_source=rss</link>"
        f"<guid>https://news{index}.example.org/2026/05/story-{i}.html</guid>"
        f"<pubDate>Mon, 04 May 2026 0{i % 10}:00:00 GMT</pubDate>"
        f"<description>{'A generated summary sentence for the benchmark. ' * 8}</description></item>"
        for i in range(items)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Benchmark feed {index}'
            f"</title><link>https://news{index}.example.org/</link><description>generated</description>{entries}"
            "</channel></rss>").encode()


def _serve(feeds: int, items: int, port: multiprocessing.Value) -> None:
    """The server process: a minimal asyncio HTTP/1.1 keep-alive server answering conditional GETs for
    ``/feed/<n>`` from memory, so the measurement is the client's work, not ``http.server``'s."""
    responses: dict[bytes, tuple[bytes, bytes, bytes]] = {}
    for i in range(feeds):
        body = _feed(i, items)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        full = (f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\nETag: {etag}\r\n"
                f"Last-Modified: {LAST_MODIFIED}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
        not_modified = f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n".encode()
        responses[f"/feed/{i}".encode()] = (etag.encode(), full, not_modified)
    missing = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"

    class Protocol(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport
            self.buffer = b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:
                head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
                lines = head.split(b"\r\n")
                path = lines[0].split(b" ")[1] if len(lines[0].split(b" ")) > 1 else b""
                validators = [line.split(b":", 1)[1].strip() for line in lines[1:]
                              if line.lower().startswith(b"if-none-match:")]
                entry = responses.get(path)
                if entry is None:
                    self.transport.write(missing)
                else:
                    etag, full, not_modified = entry
                    self.transport.write(not_modified if etag in validators else full)

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Protocol, "127.0.0.1", 0, backlog=1024)
        port.value = server.sockets[0].getsockname()[1]
        await server.serve_forever()

    asyncio.run(main())


class _Server:
    """The feeds, served by a separate process so the server does not share the client's interpreter lock."""

    def __init__(self, feeds: int, items: int) -> None:
        port = multiprocessing.Value("i", 0)
        self.process = multiprocessing.Process(target=_serve, args=(feeds, items, port), daemon=True)
        self.process.start()
        deadline = time.monotonic() + 30
        while not port.value:
            if time.monotonic() > deadline or not self.process.is_alive():
                raise RuntimeError("benchmark server did not start")
            time.sleep(0.05)
        self.urls = [f"http://127.0.0.1:{port.value}/feed/{i}" for i in range(feeds)]

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(5)


def _cycle(settings, db) -> dict[str, float]:
    report = CycleReport()
    started = time.perf_counter()
    fetcher = asyncio.run(fetch_stage(settings, db, store.due_feeds(db, every=True), report, threading.Event(),
                                      pages=False))
    seconds = time.perf_counter() - started
    assert report.feeds_failed == 0, f"{report.feeds_failed} feeds failed"
    return {"seconds": seconds, "requests": fetcher.requests, "bytes": fetcher.bytes_received,
            "new_articles": report.new_articles, "unchanged": report.feeds_unchanged}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--per-host", type=int, default=2, help="per-host limit (all feeds share one local host)")
    args = parser.parse_args(argv)
    server = _Server(args.feeds, args.items)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            base = load_settings(None, env={})
            settings = dataclasses.replace(
                base,
                database=dataclasses.replace(base.database, path=Path(tmp) / "bench.db"),
                fetch=dataclasses.replace(base.fetch, allow_private_addresses=True, per_host=args.per_host),
            )
            db = store.open_db(settings.database.path)
            store.sync_feeds(db, [store.FeedSpec(url=u) for u in server.urls])
            first = _cycle(settings, db)
            second = _cycle(settings, db)
            db.close()
    finally:
        server.stop()
    print(f"fetch benchmark: {args.feeds} feeds x {args.items} items, concurrency {settings.fetch.concurrency}")
    print(f"{'':14}{'first':>12}{'second':>12}{'second/first':>14}")
    for key, fmt in (("seconds", "{:.2f}"), ("requests", "{:.0f}"), ("bytes", "{:.0f}"), ("new_articles", "{:.0f}"),
                     ("unchanged", "{:.0f}")):
        ratio = second[key] / first[key] if first[key] else float("nan")
        print(f"{key:14}{fmt.format(first[key]):>12}{fmt.format(second[key]):>12}{ratio:>14.4f}")
    cheap = second["seconds"] <= first["seconds"] / 20 and second["bytes"] <= first["bytes"] / 20
    print("second cycle costs at most 1/20 of the first (time and bytes):", "yes" if cheap else "NO")
    return 0 if cheap else 1


if __name__ == "__main__":
    sys.exit(main())
