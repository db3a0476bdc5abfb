"""Hostile encodings against a real server on 127.0.0.1: brotli and nested bombs are stopped while decoding,
with memory bounded by ``max_bytes`` (peak RSS per bomb is in benchmarks/bombs.py), and odd stacks decode or
are refused with a kind."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import os
import tracemalloc
import zlib

import pytest

from pipeline.config import FetchSettings
from pipeline.decoding import BoundedDecoder, TooLarge
from pipeline.errors import FetchError
from pipeline.fetch import Fetcher, FetchResult
from tests import faults
from tests.conftest import LocalServer, rss

LOCAL = FetchSettings(allow_private_addresses=True, timeout=10.0, max_bytes=2_000_000)
FEED = rss([{"title": "Stacked", "link": "http://example.org/1"}])
BOMB_SIZE = 200_000_000  # a hundred times max_bytes


def _fetch(url: str, settings: FetchSettings = LOCAL) -> tuple[FetchResult | FetchError, int]:
    """Fetch ``url``; the outcome and the peak of Python allocations (bytes) while it ran."""

    async def go() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url)

    tracemalloc.start()
    try:
        outcome: FetchResult | FetchError = asyncio.run(go())
    except FetchError as exc:
        outcome = exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return outcome, peak


@pytest.mark.parametrize("encodings", ["br", "gzip, gzip", "gzip, br", "br, gzip", "deflate, gzip"])
def test_bombs_are_stopped_while_decoding(http_server: LocalServer, encodings: str) -> None:
    body = faults.nested_bomb(BOMB_SIZE, encodings)
    assert len(body) < 300_000
    url = http_server.add("/bomb", body, headers={"Content-Encoding": encodings})
    outcome, peak = _fetch(url)
    assert isinstance(outcome, FetchError) and outcome.kind == "too_large", outcome
    assert "decoded" in str(outcome)
    assert peak < 5 * LOCAL.max_bytes, f"{peak / 1e6:.0f} MB allocated for a {len(body)}-byte {encodings} bomb"


@pytest.mark.parametrize("encodings", ["gzip, gzip", "br, gzip", "deflate", "gzip, identity", "x-gzip"])
def test_honest_stacks_decode(http_server: LocalServer, encodings: str) -> None:
    body = FEED.encode()
    for name in (n.strip() for n in encodings.split(",")):
        body = {"identity": body, "x-gzip": gzip.compress(body)}.get(name) or faults.encoded(body, name)
    url = http_server.add("/feed", body, headers={"Content-Encoding": encodings})
    outcome, _ = _fetch(url)
    assert isinstance(outcome, FetchResult) and outcome.body == FEED.encode(), outcome


@pytest.mark.parametrize(("encodings", "body", "fragment"), [
    ("zstd", b"\x28\xb5\x2f\xfd", "unsupported Content-Encoding 'zstd'"),
    ("gzip, gzip, gzip, gzip", b"", "4 stacked Content-Encodings"),
    ("br", b"not brotli at all", "bad content encoding: brotli"),
    ("gzip", b"\x1f\x8b\x09\x00garbage", "bad content encoding"),
], ids=["unknown", "too-deep", "corrupt-br", "corrupt-gzip"])
def test_unknown_deep_or_corrupt_encodings_are_refused(http_server: LocalServer, encodings: str, body: bytes,
                                                       fragment: str) -> None:
    url = http_server.add("/odd", body, headers={"Content-Encoding": encodings})
    outcome, _ = _fetch(url)
    assert isinstance(outcome, FetchError) and outcome.kind == "parse_error", outcome
    assert fragment in str(outcome)


def test_raw_deflate_and_gzip_members_decode() -> None:
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = raw.compress(b"hello ") + raw.flush()
    decoder = BoundedDecoder("deflate", 100)
    assert b"".join(decoder.feed(deflated[:3]) + decoder.feed(deflated[3:]) + decoder.flush()) == b"hello "
    members = gzip.compress(b"one ") + gzip.compress(b"two")
    decoder = BoundedDecoder("gzip", 100)
    assert b"".join(decoder.feed(members) + decoder.flush()) == b"one two"


def test_every_layer_is_bounded() -> None:
    # random bytes grow when gzipped: the intermediate layer passes the limit though the final body would not
    final = os.urandom(1_000)
    inner = gzip.compress(final)
    assert len(inner) > 1_010
    assert b"".join(BoundedDecoder("gzip, gzip", len(inner)).feed(gzip.compress(inner))) == final
    with pytest.raises(TooLarge):
        BoundedDecoder("gzip, gzip", 1_010).feed(gzip.compress(inner))


def test_plain_body_over_the_cap_is_too_large(http_server: LocalServer) -> None:
    small = dataclasses.replace(LOCAL, max_bytes=100)
    url = http_server.add("/plain", b"x" * 1_000, headers={"Transfer-Encoding": "chunked"},
                          handler=faults.endless(1_000))
    outcome, _ = _fetch(url, small)
    assert isinstance(outcome, FetchError) and outcome.kind == "too_large"
