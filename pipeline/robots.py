"""robots.txt for article pages: fetched once per host per cycle through the same guarded ``Fetcher``.

Rules: a robots.txt that cannot be fetched (network error, 4xx, 5xx, too large) allows everything, as the brief
asks; a readable one is applied with ``urllib.robotparser`` for our product token (the User-Agent before the
first ``/``). Concurrent pages of one host share a single robots.txt request.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from pipeline.errors import FetchError
from pipeline.fetch import Fetcher

log = logging.getLogger(__name__)
ROBOTS_ACCEPT = "text/plain, */*;q=0.5"


class RobotsCache:
    """``await allowed(url)``: whether robots.txt of the URL's origin lets us fetch it. One instance per cycle."""

    def __init__(self, fetcher: Fetcher, user_agent: str) -> None:
        self._fetcher = fetcher
        self._agent = user_agent.split("/")[0].strip() or user_agent
        self._rules: dict[str, asyncio.Future[RobotFileParser | None]] = {}

    async def allowed(self, url: str) -> bool:
        """Whether robots.txt of the URL's origin lets our agent fetch it (fetched once per origin)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        if origin not in self._rules:
            self._rules[origin] = asyncio.ensure_future(self._load(origin))
        rules = await asyncio.shield(self._rules[origin])
        return rules is None or rules.can_fetch(self._agent, url)

    @property
    def hosts(self) -> int:
        """How many origins' robots.txt were looked up (for tests and logs)."""
        return len(self._rules)

    async def _load(self, origin: str) -> RobotFileParser | None:
        try:
            result = await self._fetcher.fetch(origin + "/robots.txt", accept=ROBOTS_ACCEPT)
        except FetchError as exc:
            log.info("%s/robots.txt unavailable (%s): allowing", origin, exc.kind,
                     extra={"stage": "page", "error_kind": exc.kind})  # an origin is no feed: no feed_url key
            return None
        rules = RobotFileParser(origin + "/robots.txt")
        rules.parse(result.body.decode("utf-8", "replace").splitlines())
        return rules
