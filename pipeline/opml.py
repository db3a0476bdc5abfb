"""OPML, the feed readers' exchange format: read subscriptions from it, write the feed list to it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

from lxml import etree

from pipeline.errors import ConfigError
from pipeline.store.feeds import FeedSpec

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False)


def read_opml(data: bytes, *, source: str = "OPML") -> list[FeedSpec]:
    """Every outline with an http(s) ``xmlUrl``, at any depth (categories are folders), first occurrence kept."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ConfigError(f"not well-formed OPML: {exc}", path=source) from None
    if etree.QName(root).localname.lower() != "opml":
        raise ConfigError(f"root element is <{etree.QName(root).localname}>, not <opml>", path=source)
    specs: list[FeedSpec] = []
    seen: set[str] = set()
    for outline in root.iter("{*}outline", "outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname or url in seen:
            continue
        seen.add(url)
        name = (outline.get("title") or outline.get("text") or "").strip() or None
        specs.append(FeedSpec(url=url, name=name))
    return specs


def write_opml(feeds: Iterable[dict], *, title: str = "pactwatch feeds") -> bytes:
    """OPML 2.0 with one ``rss`` outline per feed (``url``, ``name``/``title``, optional ``site_url``)."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = etree.SubElement(root, "body")
    for feed in feeds:
        label = feed.get("name") or feed.get("title") or feed["url"]
        outline = etree.SubElement(body, "outline", type="rss", text=label, title=label, xmlUrl=feed["url"])
        if feed.get("site_url"):
            outline.set("htmlUrl", feed["site_url"])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
