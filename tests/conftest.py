"""Shared fixtures: a real HTTP server on 127.0.0.1, settings pointing at a temporary database, a fresh db."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from pipeline.config import Settings, load_settings
from pipeline.store import open_db

SHARED = Path(__file__).resolve().parents[2] / "shared"
DATA = Path(__file__).resolve().parent / "data"


@dataclass
class Route:
    """What the server answers on one path: a status, headers and a body, or a handler doing anything."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None
    hits: int = 0


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # many clients connect at once in the concurrency tests
    daemon_threads = True


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 whose routes tests add and change while it runs."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                route.hits += 1
                if route.handler:
                    route.handler(self)
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if not any(k.lower() == "content-length" for k in route.headers):
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str = b"", *, status: int = 200, headers: dict[str, str] | None = None,
            content_type: str = "application/rss+xml; charset=utf-8",
            handler: Callable[[BaseHTTPRequestHandler], None] | None = None) -> str:
        """Serve ``body`` at ``path``; returns the full URL."""
        headers = {"Content-Type": content_type, **(headers or {})}
        self.routes[path] = Route(body.encode() if isinstance(body, str) else body, status, headers, handler)
        return self.url(path)

    def hits(self, path: str) -> int:
        return self.routes[path].hits if path in self.routes else 0

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url("/__ping__"), timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("local HTTP server did not answer")

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    server = LocalServer()
    server.start()
    yield server
    server.stop()


def write_feeds_file(path: Path, urls: list[str]) -> Path:
    path.write_text("".join(f'[[feed]]\nname = "feed {i}"\nurl = "{u}"\n\n' for i, u in enumerate(urls)))
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for a temporary database and feed list; private addresses allowed for the local servers."""
    feeds_file = write_feeds_file(tmp_path / "feeds.toml", [])
    base = load_settings(None, env={})
    return dataclasses.replace(
        base,
        database=dataclasses.replace(base.database, path=tmp_path / "pactwatch.db"),
        feeds=dataclasses.replace(base.feeds, file=feeds_file),
        fetch=dataclasses.replace(base.fetch, allow_private_addresses=True, timeout=5.0, respect_robots=False),
    )


@pytest.fixture(scope="session")
def nlp():
    """The analyzer, loaded once per test session."""
    from pipeline.nlp import load_nlp

    return load_nlp()


@pytest.fixture
def db(settings: Settings):
    database = open_db(settings.database.path)
    yield database
    database.close()


def rss(items: list[dict[str, str]], *, title: str = "Test feed", extra: str = "") -> str:
    """A small RSS 2.0 document written by the tests; items map element names (title, link, guid...) to text."""
    body = "".join(
        "<item>"
        + "".join(f"<{k}>{v}</{k}>" for k, v in item.items())
        + "</item>"
        for item in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://example.org/</link><description>test</description>{extra}{body}</channel></rss>")


def article_page(title: str, paragraphs: list[str], *, date: str = "2026-05-04") -> str:
    """An article page written by the tests, with enough structure for trafilatura."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><title>{title}</title><meta property='article:published_time' "
            f"content='{date}T09:00:00Z'></head><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>Copyright Example News</footer></body></html>")
