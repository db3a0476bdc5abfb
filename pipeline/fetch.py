"""The single HTTP client: conditional GET, body cap while streaming, redirects checked hop by hop,
internal addresses refused, and every failure classified into a ``FetchError`` kind."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from collections import defaultdict
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from pipeline.config import FetchSettings
from pipeline.errors import FetchError

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9,"
    " */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
PERMANENT_REDIRECTS = {301, 308}


@dataclass(frozen=True)
class FetchResult:
    """A response we accept: 200 with a body, or 304 (``not_modified``)."""

    url: str  # the URL finally answered
    status_code: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    permanent_url: str | None = None  # set when every redirect on the way was permanent
    elapsed_ms: int = 0

    @property
    def not_modified(self) -> bool:
        return self.status_code == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds, from either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def _is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


class Fetcher:
    """One ``httpx.AsyncClient`` with a global and a per-host concurrency limit. Use as an async context manager."""

    def __init__(self, settings: FetchSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(settings.per_host))
        self._client = httpx.AsyncClient(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate, br"},
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=settings.concurrency * 2,
                                max_keepalive_connections=settings.concurrency),
            transport=transport,
        )
        self.requests = 0
        self.bytes_received = 0

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
    ) -> FetchResult:
        """GET ``url``, following redirects up to the cap; raises ``FetchError`` with a kind on failure."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.settings.timeout):
                return await self._follow(url, headers, started)
        except TimeoutError:
            raise FetchError("timeout", f"no complete answer within {self.settings.timeout:g} s", url=url) from None

    async def _follow(self, url: str, headers: dict[str, str], started: float) -> FetchResult:
        seen: set[str] = set()
        all_permanent = True
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            if current in seen:
                raise FetchError("redirect_loop", f"redirect loop at {current}", url=url)
            seen.add(current)
            await self._check_target(current)
            status, response_headers, body = await self._get(current, headers)
            if status in (301, 302, 303, 307, 308) and "location" in response_headers:
                all_permanent = all_permanent and status in PERMANENT_REDIRECTS
                current = urljoin(current, response_headers["location"])
                continue
            if status == 304:
                return FetchResult(current, 304, b"", response_headers,
                                   current if all_permanent and current != url else None, _ms(started))
            if status in (429, 503):
                raise FetchError("rate_limited", f"HTTP {status}", url=url, status_code=status,
                                 retry_after=retry_after_seconds(response_headers.get("retry-after")))
            if status >= 400 or status < 200 or status in (204, 205):
                raise FetchError("http_status", f"HTTP {status}", url=url, status_code=status)
            permanent = current if all_permanent and current != url else None
            return FetchResult(current, status, body, response_headers, permanent, _ms(started))
        raise FetchError("redirect_loop", f"more than {self.settings.max_redirects} redirects", url=url)

    async def _check_target(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("bad_url", f"only http and https URLs are fetched: {url[:200]}", url=url)
        if self.settings.allow_private_addresses:
            return
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, parts.port or 80,
                                                                  type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise FetchError("network", f"cannot resolve {parts.hostname}: {exc.strerror}", url=url) from None
        internal = [info[4][0] for info in infos if _is_internal(info[4][0])]
        if internal:
            raise FetchError("forbidden_address",
                             f"{parts.hostname} resolves to internal address {internal[0]}; refused", url=url)

    async def _get(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        host = urlsplit(url).hostname or ""
        async with self._global, self._hosts[host]:
            self.requests += 1
            try:
                async with self._client.stream("GET", url, headers=headers) as response:
                    response_headers = {k.lower(): v for k, v in response.headers.items()}
                    if response.status_code != 200:
                        return response.status_code, response_headers, b""
                    declared = response_headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > self.settings.max_bytes:
                        raise FetchError("too_large", f"Content-Length {declared} exceeds {self.settings.max_bytes}",
                                         url=url)
                    chunks, size = [], 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > self.settings.max_bytes:
                            raise FetchError("too_large", f"body exceeds {self.settings.max_bytes} bytes", url=url)
                        chunks.append(chunk)
                    self.bytes_received += response.num_bytes_downloaded
                    return 200, response_headers, b"".join(chunks)
            except httpx.TimeoutException as exc:
                raise FetchError("timeout", f"{type(exc).__name__}: {exc}", url=url) from None
            except httpx.DecodingError as exc:
                raise FetchError("network", f"bad content encoding: {exc}", url=url) from None
            except httpx.TransportError as exc:
                kind = "tls" if isinstance(exc.__context__, ssl.SSLError) or "SSL" in str(exc) else "network"
                raise FetchError(kind, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
                                 url=url) from None
            except httpx.InvalidURL as exc:
                raise FetchError("bad_url", str(exc), url=url) from None


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
