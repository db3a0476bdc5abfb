"""``fetch.allowed_networks``: local feeds are fetched without turning the address guard off; every other internal
address, redirects included, stays refused. Run as an operator would: ``pactwatch run --once`` in a process."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import FetchSettings
from pipeline.errors import FetchError
from pipeline.fetch import Fetcher, allow_networks, is_internal_address
from tests import faults
from tests.conftest import LocalServer, rss, write_feeds_file


@pytest.fixture
def inner_server():
    """A server on 127.0.0.2 standing for an internal host; yields (base URL, paths it was asked for)."""
    with faults.internal_server() as server:
        yield server


@pytest.mark.parametrize(("address", "networks", "refused"), [
    ("127.0.0.1", ["127.0.0.1/32"], False),
    ("127.0.0.2", ["127.0.0.1/32"], True),
    ("::1", ["127.0.0.0/8"], True),
    ("::1", ["127.0.0.0/8", "::1/128"], False),
    ("10.1.2.3", ["10.0.0.0/8"], False),
    ("192.168.1.1", ["10.0.0.0/8"], True),
    ("93.184.216.34", ["10.0.0.0/8"], False),  # global addresses are never refused
    ("169.254.169.254", [], True),
])
def test_allowed_networks_open_only_themselves(address: str, networks: list[str], refused: bool) -> None:
    assert allow_networks(is_internal_address, networks)(address) is refused


def test_a_redirect_out_of_the_allowed_network_is_refused(http_server: LocalServer, inner_server) -> None:
    inner_base, hits = inner_server
    http_server.add("/feed", rss([{"title": "Local", "link": "http://example.org/1"}]))
    http_server.add("/hop", status=302, headers={"Location": inner_base + "/secret"})
    settings = FetchSettings(allowed_networks=["127.0.0.1/32"], timeout=5.0)

    async def go() -> tuple[bytes, FetchError]:
        async with Fetcher(settings) as fetcher:
            feed = await fetcher.fetch(http_server.url("/feed"))
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch(http_server.url("/hop"))
            return feed.body, caught.value

    body, error = asyncio.run(go())
    assert b"Local" in body
    assert error.kind == "forbidden_address" and "127.0.0.2" in str(error)
    assert hits == []


def test_run_once_with_an_allow_list(http_server: LocalServer, inner_server, tmp_path: Path) -> None:
    inner_base, hits = inner_server
    http_server.add("/page", status=301, headers={"Location": inner_base + "/admin"})
    feed = http_server.add("/feed", rss([{"title": "EU and Japan", "link": http_server.url("/page"),
                                          "description": "The summary stands in."}]))
    feeds = write_feeds_file(tmp_path / "feeds.toml", [feed])
    config = tmp_path / "pactwatch.toml"
    config.write_text(f'[database]\npath = "{tmp_path / "p.db"}"\n[feeds]\nfile = "{feeds}"\n'
                      '[fetch]\nallowed_networks = ["127.0.0.1/32"]\nrespect_robots = false\ntimeout = 5\n')
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", "--once", "--config", str(config)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(tmp_path / "p.db")
    try:
        assert conn.execute("SELECT error_kind, last_success_at IS NOT NULL FROM feeds").fetchall() == [(None, 1)]
        assert conn.execute("SELECT kind FROM errors WHERE stage = 'page'").fetchall() == [("forbidden_address",)]
        assert conn.execute("SELECT extraction_error FROM articles").fetchall() == [("fetch_forbidden_address",)]
    finally:
        conn.close()
    assert hits == []
