"""The single HTTP client: conditional GET, body cap while streaming, redirects checked hop by hop,
internal addresses refused at connect time, and every failure classified into a ``FetchError`` kind.

Safety: every TCP connection goes through ``_GuardedBackend``, which resolves the host itself, refuses the
connection when any resolved address is loopback, private, link-local or otherwise not global (unless it lies in
one of ``fetch.allowed_networks``), and then connects
to the address it checked. The check and the connection use the same answer, so DNS rebinding between a check
and the connect cannot slip an internal address through, and every redirect hop is checked the same way.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from pipeline.config import FetchSettings
from pipeline.decoding import BoundedDecoder, CorruptEncoding, TooLarge, UnsupportedEncoding
from pipeline.errors import FetchError

FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9,"
               " text/xml;q=0.9, */*;q=0.5")
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
ACCEPT_ENCODING = "gzip, deflate, br"  # decoded by pipeline.decoding, bounded while decoding
PERMANENT_REDIRECTS = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CONNECT_TIMEOUT = 10.0  # seconds; never longer than the per-request timeout
KEEPALIVE_EXPIRY = 5.0
DRAIN_LIMIT = 65_536  # bytes of an unwanted body read to keep the connection alive


@dataclass(frozen=True)
class FetchResult:
    """A response we accept: 2xx with a body, or 304 (``not_modified``)."""

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
    def _cacheable(self) -> bool:
        return self.headers.get("expires", "").strip() != "0"  # "Expires: 0": the server asks us not to cache

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag") if self._cacheable else None

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified") if self._cacheable else None


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds, from either delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def is_internal_address(address: str) -> bool:
    """True for loopback, private, link-local, shared (CGNAT), reserved, multicast and unspecified addresses."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            ip = embedded
    return not ip.is_global or ip.is_multicast


def allow_networks(refuse: Callable[[str], bool], networks: Iterable[str]) -> Callable[[str], bool]:
    """``refuse`` except for addresses inside one of ``networks`` (``fetch.allowed_networks``)."""
    allowed = [ipaddress.ip_network(n, strict=False) for n in networks]
    if not allowed:
        return refuse

    def check(address: str) -> bool:
        ip = ipaddress.ip_address(address.split("%")[0])
        return refuse(address) and not any(ip in network for network in allowed)

    return check


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve, refuse internal addresses, then connect to the very address that was checked (no rebinding)."""

    def __init__(self, refuse: Callable[[str], bool] = is_internal_address) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._refuse = refuse

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable | None = None) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        internal = [a for a in addresses if self._refuse(a)]
        if internal:
            raise FetchError("forbidden_address", f"{host} resolves to internal address {internal[0]}; refused")
        error: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error

    async def connect_unix_socket(self, *args: object, **kwargs: object) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are never used")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (exception mapping, streaming) over a pool whose connections are guarded."""

    def __init__(self, limits: httpx.Limits, refuse: Callable[[str], bool]) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(refuse),
        )


class Fetcher:
    """One ``httpx.AsyncClient`` with a global and a per-host concurrency limit. Use as an async context manager.

    ``requests`` and ``bytes_received`` (bytes on the wire, before decompression) count everything fetched.
    ``refuse_address`` decides which resolved addresses are refused, except those in ``allowed_networks``;
    ``allow_private_addresses`` turns the guard off altogether.
    """

    def __init__(self, settings: FetchSettings, transport: httpx.AsyncBaseTransport | None = None, *,
                 refuse_address: Callable[[str], bool] = is_internal_address) -> None:
        self.settings = settings
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(settings.per_host))
        limits = httpx.Limits(max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency,
                              keepalive_expiry=KEEPALIVE_EXPIRY)
        if transport is None and not settings.allow_private_addresses:
            transport = _GuardedTransport(limits, allow_networks(refuse_address, settings.allowed_networks))
        self._client = httpx.AsyncClient(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(settings.timeout, connect=min(CONNECT_TIMEOUT, settings.timeout)),
            follow_redirects=False,
            limits=limits,
            transport=transport,
            trust_env=False,
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
        """GET ``url``, following redirects up to the cap; raises ``FetchError`` with a kind on failure.

        ``settings.timeout`` bounds the whole fetch (all hops, headers and body) from the moment its first request
        gets a slot, so a slow drip cannot hold a slot and waiting behind the concurrency limits does not count.
        """
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started = time.monotonic()
        try:
            return await self._follow(url, headers, started, _Deadline())
        except TimeoutError:
            raise FetchError("timeout", f"no complete answer within {self.settings.timeout:g} s", url=url) from None
        except FetchError as exc:
            exc.url = exc.url or url
            raise

    async def _follow(self, url: str, headers: dict[str, str], started: float, deadline: _Deadline) -> FetchResult:
        seen: set[str] = set()
        all_permanent = True
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            if current in seen:
                raise FetchError("redirect_loop", f"redirect loop at {current}", url=url)
            seen.add(current)
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchError("bad_url", f"only http and https URLs are fetched: {current[:200]}", url=url)
            status, response_headers, body = await self._get(current, headers, deadline)
            if status in REDIRECTS:
                if "location" not in response_headers:
                    raise FetchError("http_status", f"HTTP {status} without Location", url=url, status_code=status)
                all_permanent = all_permanent and status in PERMANENT_REDIRECTS
                current = urljoin(current, response_headers["location"].strip())
                continue
            permanent = current if all_permanent and current != url else None
            if status == 304:
                return FetchResult(current, 304, b"", response_headers, permanent, _ms(started))
            retry_after = retry_after_seconds(response_headers.get("retry-after"))
            if status == 429 or (status == 503 and retry_after is not None):
                raise FetchError("rate_limited", f"HTTP {status}", url=url, status_code=status,
                                 retry_after=retry_after)
            if not 200 <= status < 300 or status in (204, 205):
                raise FetchError("http_status", f"HTTP {status}", url=url, status_code=status,
                                 retry_after=retry_after)
            return FetchResult(current, status, body, response_headers, permanent, _ms(started))
        raise FetchError("redirect_loop", f"more than {self.settings.max_redirects} redirects", url=url)

    async def _get(self, url: str, headers: dict[str, str], deadline: _Deadline) -> tuple[int, dict[str, str], bytes]:
        host = urlsplit(url).hostname or ""
        async with self._global, self._hosts[host]:
            self.requests += 1
            response = None
            try:
                # the total timeout runs from the first slot we get: time queued behind the limits does not count
                async with asyncio.timeout_at(deadline.start(self.settings.timeout)), \
                        self._client.stream("GET", url, headers=headers) as response:
                    response_headers = {k.lower(): v for k, v in response.headers.items()}
                    if not 200 <= response.status_code < 300:
                        await _drain(response)
                        return response.status_code, response_headers, b""
                    return response.status_code, response_headers, await self._read_capped(response, url)
            except httpx.TimeoutException as exc:
                raise FetchError("timeout", f"{type(exc).__name__}: {exc}", url=url) from None
            except httpx.TransportError as exc:
                kind = "tls" if _is_tls_error(exc) else "network"
                raise FetchError(kind, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
                                 url=url) from None
            except httpx.InvalidURL as exc:
                raise FetchError("bad_url", str(exc), url=url) from None
            finally:
                if response is not None:
                    self.bytes_received += response.num_bytes_downloaded

    async def _read_capped(self, response: httpx.Response, url: str) -> bytes:
        """The decoded body, stopping as soon as it passes ``max_bytes``. The raw stream is decoded here, layer by
        layer in bounded pieces, so a brotli or nested-gzip bomb costs at most ``max_bytes`` plus a constant."""
        cap = self.settings.max_bytes
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > cap:
            raise FetchError("too_large", f"Content-Length {declared} exceeds {cap} bytes", url=url)
        try:
            decoder = BoundedDecoder(response.headers.get("content-encoding", ""), cap)
            chunks = []
            async for raw in response.aiter_raw():
                chunks.extend(decoder.feed(raw))
            chunks.extend(decoder.flush())
        except TooLarge as exc:
            raise FetchError("too_large", str(exc), url=url) from None
        except (UnsupportedEncoding, CorruptEncoding) as exc:
            raise FetchError("parse_error", f"bad content encoding: {exc}", url=url) from None
        return b"".join(chunks)


async def _drain(response: httpx.Response) -> None:
    """Read a small unwanted body (304, redirect, error page) so the connection can be reused; a big one is
    abandoned, which closes the connection instead."""
    size = 0
    async for chunk in response.aiter_raw():
        size += len(chunk)
        if size > DRAIN_LIMIT:
            return


class _Deadline:
    """The end of one fetch's time budget, fixed when its first request gets a slot."""

    def __init__(self) -> None:
        self.at: float | None = None

    def start(self, seconds: float) -> float:
        if self.at is None:
            self.at = asyncio.get_running_loop().time() + seconds
        return self.at


def _is_tls_error(exc: BaseException) -> bool:
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, ssl.SSLError) or "SSL" in str(exc) or "CERTIFICATE" in str(exc).upper():
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
        seen += 1
    return False


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
