"""Feed bytes to entries: odd encodings, ill-formed feeds, HTML instead of a feed, JSON Feed, refresh hints."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ParseError
from pipeline.parse import parse_feed

FEEDS = Path(__file__).resolve().parent / "data" / "feeds"
RSS_UTF8 = {"content-type": "application/rss+xml; charset=utf-8"}


def body(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "headers", "title", "warning"),
    [
        ("latin1-declared.xml", {"content-type": "application/rss+xml"},
         "Coopération économique entre l'UE et la Corée", None),
        ("wrong-charset.xml", RSS_UTF8, "Coopération économique entre l'UE et la Corée", "CharacterEncodingOverride"),
        ("latin1-declared.xml", RSS_UTF8, "Coopération économique entre l'UE et la Corée", "CharacterEncodingOverride"),
        ("utf16-bom.xml", {"content-type": "application/rss+xml"}, "Coopération économique entre l'UE et la Corée",
         None),
        ("koi8r-declared.xml", {"content-type": "application/xml"}, "Соглашение о партнёрстве", None),
    ],
    ids=["declared-latin1", "header-says-utf8-body-cp1252", "header-overrides-declaration", "utf16-bom", "koi8r"],
)
def test_declared_and_detected_charsets(name: str, headers: dict[str, str], title: str, warning: str | None) -> None:
    parsed = parse_feed(body(name), "http://example.org/feed", headers)
    assert parsed.entries[0].title == title
    if warning:
        assert warning in parsed.warning
    else:
        assert parsed.warning is None


def test_ill_formed_feed_keeps_readable_entries_and_reason() -> None:
    parsed = parse_feed(body("illformed-entries.xml"), "http://example.org/feed", RSS_UTF8)
    assert [e.url for e in parsed.entries] == ["http://example.org/news/coop", "http://example.org/news/treffen"]
    assert "undefined entity" in parsed.warning
    assert parsed.ttl_seconds == 7200


@pytest.mark.parametrize(
    ("name", "headers", "kind"),
    [("page.html", {"content-type": "text/html; charset=utf-8"}, "not_a_feed"),
     ("page.html", RSS_UTF8, "not_a_feed"),
     ("garbage.xml", RSS_UTF8, "parse_error")],
    ids=["html-as-html", "html-claiming-rss", "broken-xml"],
)
def test_no_feed_in_body(name: str, headers: dict[str, str], kind: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_feed(body(name), "http://example.org/feed", headers)
    assert caught.value.kind == kind


@pytest.mark.parametrize(
    "payload",
    [b"", b"\x00\x01\x02", b"plain text, no markup", b"{\"version\": \"nope\"}", b"<rss version='2.0'>"],
    ids=["empty", "binary", "text", "json-not-a-feed", "truncated"],
)
def test_junk_raises_parse_error_kind(payload: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        parse_feed(payload, "http://example.org/feed", RSS_UTF8)
    assert caught.value.kind in ("not_a_feed", "parse_error")


def test_json_feed_and_tracking_parameters() -> None:
    parsed = parse_feed(body("feed.json"), "http://example.org/feed.json", {"content-type": "application/feed+json"})
    assert parsed.title == "JSON feed"
    assert [(e.guid, e.url, e.title) for e in parsed.entries] == [("j1", "http://example.org/json/1", "JSON item")]


def test_sy_update_period_and_fragment_removed() -> None:
    parsed = parse_feed(body("atom-sy.xml"), "http://example.org/feed", RSS_UTF8)
    assert parsed.ttl_seconds == 1800
    assert parsed.entries[0].url == "http://example.org/a"


def test_relative_links_guid_fallback_and_dedup() -> None:
    xml = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://example.org/</link>'
           b"<item><title>Relative</title><link>/news/1?utm_campaign=x</link></item>"
           b"<item><title>Relative</title><link>/news/1?utm_campaign=x</link></item>"
           b"<item><title>No link</title><description>Only text</description></item>"
           b"</channel></rss>")
    parsed = parse_feed(xml, "http://example.org/feeds/main.xml", RSS_UTF8)
    assert [e.url for e in parsed.entries] == ["http://example.org/news/1", None]
    assert parsed.entries[0].guid == "http://example.org/news/1"
    assert parsed.entries[1].guid.startswith("sha1:")
