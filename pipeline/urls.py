"""URL identity: canonical form for dedup, publisher for counting independent sources."""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin, urlsplit

import courlan


def canonical_url(url: str, base: str | None = None) -> str:
    """Absolute, normalised URL without tracking parameters (utm_*, fbclid, gclid...) or fragment."""
    if base:
        url = urljoin(base, url.strip())
    url = urldefrag(url.strip())[0]
    if urlsplit(url).scheme not in ("http", "https"):
        return url
    try:
        return urldefrag(courlan.normalize_url(url))[0]
    except Exception:  # courlan raises on some malformed hosts; keep the URL as given
        return url


def publisher_of(url: str) -> str | None:
    """The registered domain that published a URL (``bbc.co.uk``), or None."""
    try:
        return courlan.extract_domain(url) or urlsplit(url).hostname
    except Exception:
        return urlsplit(url).hostname
