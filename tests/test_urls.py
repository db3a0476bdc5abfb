"""URL identity for dedup: tracking parameters and fragments removed, host case folded, publisher domain."""

from __future__ import annotations

import pytest

from pipeline.urls import canonical_url, publisher_of


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("https://Example.com/a/b?utm_source=x&id=3&fbclid=1#frag", None, "https://example.com/a/b?id=3"),
        ("https://example.com/a?utm_medium=rss&utm_campaign=c", None, "https://example.com/a"),
        ("http://example.com:80/x/?b=2&a=1", None, "http://example.com/x/?a=1&b=2"),
        ("/news/1#comments", "https://example.org/feed.xml", "https://example.org/news/1"),
        ("  https://example.org/a  ", None, "https://example.org/a"),
        ("mailto:someone@example.org", None, "mailto:someone@example.org"),
    ],
    ids=["utm-fbclid-fragment", "only-trackers", "default-port-sorted-query", "relative", "whitespace", "not-http"],
)
def test_canonical_url(url: str, base: str | None, expected: str) -> None:
    assert canonical_url(url, base) == expected


@pytest.mark.parametrize(
    ("url", "publisher"),
    [("https://www.bbc.co.uk/news/world", "bbc.co.uk"), ("https://ec.europa.eu/x", "europa.eu"),
     ("http://127.0.0.1:8000/a", "127.0.0.1")],
    ids=["two-level-suffix", "subdomain", "ip"],
)
def test_publisher_of(url: str, publisher: str) -> None:
    assert publisher_of(url) == publisher
