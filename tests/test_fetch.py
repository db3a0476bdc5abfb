"""The HTTP client against a real server on 127.0.0.1: conditional GET, encodings, redirects, caps, timeouts, safety."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from pipeline.config import FetchSettings
from pipeline.errors import FetchError
from pipeline.fetch import Fetcher, FetchResult, is_internal_address, retry_after_seconds
from tests import faults
from tests.conftest import LocalServer, rss

FEED = rss([{"title": "One", "link": "http://example.org/1"}])
LOCAL = FetchSettings(allow_private_addresses=True, timeout=2.0)


def fetch(url: str, settings: FetchSettings = LOCAL, **kwargs: str) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url, **kwargs)

    return asyncio.run(go())


def fetch_error(url: str, settings: FetchSettings = LOCAL) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(url, settings)
    return caught.value


def test_conditional_get_sends_validators_and_reports_304(http_server: LocalServer) -> None:
    url = http_server.add("/feed", FEED, headers={"ETag": '"v1"', "Last-Modified": "Mon, 04 May 2026 09:00:00 GMT"})
    first = fetch(url)
    assert first.status_code == 200 and first.etag == '"v1"' and first.last_modified.startswith("Mon")
    http_server.add("/feed", status=304, headers={"ETag": '"v1"'})
    second = fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.body == b""
    sent = http_server.requests[-1][1]
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"].startswith("Mon")


def test_expires_zero_drops_validators(http_server: LocalServer) -> None:
    url = http_server.add("/feed", FEED, headers={"ETag": '"v1"', "Expires": "0"})
    assert fetch(url).etag is None


def test_user_agent_has_contact_url(http_server: LocalServer) -> None:
    fetch(http_server.add("/feed", FEED))
    agent = http_server.requests[-1][1]["user-agent"]
    assert agent.startswith("pactwatch/") and "+http" in agent


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_content_encodings_are_decoded(http_server: LocalServer, encoding: str) -> None:
    url = http_server.add("/feed", faults.encoded(FEED.encode(), encoding), headers={"Content-Encoding": encoding})
    assert fetch(url).body == FEED.encode()
    assert encoding in http_server.requests[-1][1]["accept-encoding"]


def test_permanent_redirect_reports_new_url_temporary_does_not(http_server: LocalServer) -> None:
    target = http_server.add("/new", FEED)
    http_server.add("/old", status=301, headers={"Location": "/new"})
    http_server.add("/temp", status=302, headers={"Location": "/old"})
    moved = fetch(http_server.url("/old"))
    assert moved.url == target and moved.permanent_url == target
    via_temporary = fetch(http_server.url("/temp"))
    assert via_temporary.url == target and via_temporary.permanent_url is None


def test_redirect_loop_and_cap(http_server: LocalServer) -> None:
    http_server.add("/a", status=302, headers={"Location": "/b"})
    http_server.add("/b", status=302, headers={"Location": "/a"})
    assert fetch_error(http_server.url("/a")).kind == "redirect_loop"
    assert http_server.hits("/a") == 1 and http_server.hits("/b") == 1
    for i in range(10):
        http_server.add(f"/hop{i}", status=307, headers={"Location": f"/hop{i + 1}"})
    error = fetch_error(http_server.url("/hop0"), dataclasses.replace(LOCAL, max_redirects=3))
    assert error.kind == "redirect_loop" and "more than 3" in str(error)
    assert http_server.hits("/hop4") == 0


def test_redirect_to_other_scheme_is_refused(http_server: LocalServer) -> None:
    http_server.add("/evil", status=302, headers={"Location": "file:///etc/passwd"})
    assert fetch_error(http_server.url("/evil")).kind == "bad_url"
    assert fetch_error("ftp://example.org/feed").kind == "bad_url"


def test_internal_addresses_refused_before_any_request(http_server: LocalServer) -> None:
    url = http_server.add("/feed", FEED)
    strict = dataclasses.replace(LOCAL, allow_private_addresses=False)
    for target in (url, url.replace("127.0.0.1", "localhost")):
        error = fetch_error(target, strict)
        assert error.kind == "forbidden_address" and "127.0.0.1" in str(error)
    assert http_server.hits("/feed") == 0


def test_every_redirect_hop_is_checked_at_connect_time(http_server: LocalServer) -> None:
    """A second server on 127.0.0.2 stands for an internal host: the redirect to it is refused, unrequested."""
    with faults.internal_server() as (inner_base, hits):
        http_server.add("/hop", status=301, headers={"Location": inner_base + "/secret"})
        strict = dataclasses.replace(LOCAL, allow_private_addresses=False)

        async def go() -> FetchError:
            async with Fetcher(strict, refuse_address=lambda address: address == "127.0.0.2") as fetcher:
                with pytest.raises(FetchError) as caught:
                    await fetcher.fetch(http_server.url("/hop"))
                return caught.value

        error = asyncio.run(go())
        assert error.kind == "forbidden_address" and "127.0.0.2" in str(error)
        assert http_server.hits("/hop") == 1 and hits == []


@pytest.mark.parametrize(
    ("address", "internal"),
    [
        ("127.0.0.1", True), ("10.1.2.3", True), ("172.16.0.1", True), ("192.168.1.1", True),
        ("169.254.169.254", True), ("100.64.0.1", True), ("0.0.0.0", True), ("224.0.0.1", True),
        ("::1", True), ("fe80::1%eth0", True), ("fc00::1", True), ("::ffff:127.0.0.1", True),
        ("2002:7f00:1::", True), ("8.8.8.8", False), ("2a00:1450:4001:80b::200e", False),
        ("::ffff:8.8.8.8", False),
    ],
    ids=lambda value: str(value),
)
def test_is_internal_address(address: str, internal: bool) -> None:
    assert is_internal_address(address) is internal


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120.0), (" 5 ", 5.0), ("Thu, 01 Jan 1970 00:01:40 GMT", 60.0), ("Thu, 01 Jan 1970 00:00:10 GMT", 0.0),
     ("soon", None), ("", None), (None, None)],
    ids=["seconds", "padded", "http-date", "date-in-past", "garbage", "empty", "absent"],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert retry_after_seconds(value, now=40.0) == expected


def test_body_cap_declared_streamed_and_decoded(http_server: LocalServer) -> None:
    """A 50 MB body (declared or chunked) and a gzip bomb stop at max_bytes without reading everything."""
    http_server.add("/declared", handler=faults.endless(50_000_000, declare_length=True))
    http_server.add("/chunked", handler=faults.endless(50_000_000))
    http_server.add("/bomb", faults.gzip_bomb(50_000_000), headers={"Content-Encoding": "gzip"})
    settings = dataclasses.replace(LOCAL, max_bytes=1_000_000)

    async def go() -> list[tuple[str, int]]:
        outcomes = []
        async with Fetcher(settings) as fetcher:
            for path in ("/declared", "/chunked", "/bomb"):
                with pytest.raises(FetchError) as caught:
                    await fetcher.fetch(http_server.url(path))
                outcomes.append((caught.value.kind, fetcher.bytes_received))
        return outcomes

    outcomes = asyncio.run(go())
    assert [kind for kind, _ in outcomes] == ["too_large"] * 3
    assert outcomes[-1][1] < 5_000_000  # far less than 50 MB went over the wire


def test_slow_server_and_slow_drip_time_out(http_server: LocalServer) -> None:
    http_server.add("/hang", handler=faults.slow_headers(3))
    http_server.add("/drip", handler=faults.slow_drip(FEED.encode(), every=0.1))
    settings = dataclasses.replace(LOCAL, timeout=1.0)
    for path in ("/hang", "/drip"):
        error = fetch_error(http_server.url(path), settings)
        assert error.kind == "timeout", path


def test_connection_reset_and_refused_are_network_errors(http_server: LocalServer) -> None:
    http_server.add("/reset", handler=faults.reset)
    assert fetch_error(http_server.url("/reset")).kind == "network"
    assert fetch_error("http://127.0.0.1:9/feed").kind == "network"


@pytest.mark.parametrize(
    ("status", "headers", "kind", "retry_after"),
    [(500, {}, "http_status", None), (404, {}, "http_status", None), (503, {}, "http_status", None),
     (503, {"Retry-After": "120"}, "rate_limited", 120.0), (429, {"Retry-After": "30"}, "rate_limited", 30.0),
     (429, {}, "rate_limited", None), (204, {}, "http_status", None)],
    ids=["500", "404", "503-bare", "503-retry-after", "429-retry-after", "429-bare", "204"],
)
def test_status_classification(http_server: LocalServer, status: int, headers: dict[str, str], kind: str,
                               retry_after: float | None) -> None:
    error = fetch_error(http_server.add("/x", status=status, headers=headers))
    assert (error.kind, error.status_code, error.retry_after) == (kind, status, retry_after)


def test_global_and_per_host_limits(http_server: LocalServer) -> None:
    probe = faults.ConcurrencyProbe(FEED.encode())
    for i in range(8):
        http_server.add(f"/p{i}", handler=probe)

    async def go(settings: FetchSettings) -> int:
        probe.peak = 0
        async with Fetcher(settings) as fetcher:
            await asyncio.gather(*(fetcher.fetch(http_server.url(f"/p{i}")) for i in range(8)))
        return probe.peak

    assert asyncio.run(go(dataclasses.replace(LOCAL, concurrency=16, per_host=2))) == 2
    assert asyncio.run(go(dataclasses.replace(LOCAL, concurrency=3, per_host=8))) == 3
