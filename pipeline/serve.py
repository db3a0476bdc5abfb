"""Datasette over the database, read-only, with the project's descriptions, facets and canned queries.

The metadata ships as package data (``pipeline/web/metadata.yaml``). The live database is opened ``mode=ro`` (it
sees the daemon's writes as they commit); ``immutable`` is for a snapshot copy no process writes to. Datasette runs
no write queries here: no canned query writes and every arbitrary SQL query goes through a read-only connection.
"""

from __future__ import annotations

import copy
import ipaddress
import logging
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pipeline.store import open_db

log = logging.getLogger(__name__)
_TEMPLATE_NAME = "pactwatch"
SETTINGS = {"default_page_size": 50, "sql_time_limit_ms": 5000, "truncate_cells_html": 300, "facet_time_limit_ms": 500}


@cache
def _template() -> dict[str, Any]:
    text = resources.files("pipeline").joinpath("web/metadata.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def database_name(path: Path | str) -> str:
    """The name Datasette gives a database file (its stem), which is also its URL path."""
    return Path(path).stem


def build_metadata(path: Path | str) -> dict[str, Any]:
    """The Datasette metadata dict for the database at ``path``."""
    metadata = copy.deepcopy(_template())
    metadata["databases"] = {database_name(path): metadata["databases"].pop(_TEMPLATE_NAME)}
    return metadata


def canned_queries() -> dict[str, dict[str, Any]]:
    """The canned queries by name (title, description, sql)."""
    return copy.deepcopy(_template()["databases"][_TEMPLATE_NAME]["queries"])


def described_tables() -> dict[str, dict[str, Any]]:
    """Table and view metadata by name (description, columns, facets)."""
    return copy.deepcopy(_template()["databases"][_TEMPLATE_NAME]["tables"])


def make_app(path: Path | str, *, immutable: bool = False, busy_timeout: float = 30.0,
             review_by: str | None = None) -> Any:
    """A configured ``Datasette`` instance over ``path`` (an existing pactwatch database, opened read-only).

    ``review_by`` (the analyst's name) adds the review pages (:mod:`pipeline.review.web`), which write judgements
    and fixes: the database is then migrated first, and never immutable."""
    from datasette.app import Datasette

    path = Path(path)
    metadata = build_metadata(path)
    extra: dict[str, Any] = {}
    if review_by is not None:
        open_db(path, busy_timeout=busy_timeout, create=False).close()  # the review tables exist
        immutable = False
        metadata["plugins"] = _register_review(database_name(path), review_by)
        extra["template_dir"] = str(resources.files("pipeline").joinpath("web/templates"))
    else:
        # a reader: the file must exist and be pactwatch's; it is never created, written or migrated here. On a
        # read-only filesystem (no -shm file can be made) it is served immutable, as nothing can write it there.
        probe = open_db(path, busy_timeout=busy_timeout, readonly=True)
        immutable = immutable or probe.immutable
        probe.close()
    files = {"immutables": [str(path)]} if immutable else {"files": [str(path)]}
    return Datasette(**files, metadata=metadata, settings=SETTINGS, cors=False, **extra)


def _register_review(database: str, analyst: str) -> dict[str, Any]:
    """Register the review plugin (once per process); its ``plugins`` metadata."""
    from datasette.plugins import pm

    from pipeline.review import web

    if not pm.is_registered(web):
        pm.register(web, name="pactwatch_review")
    return web.plugin_metadata(database, analyst)


def serve(datasette: Any, *, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Run a ``make_app`` Datasette with uvicorn until interrupted; a failed request is one log line."""
    import asyncio

    import uvicorn

    _quiet_errors()
    asyncio.run(datasette.invoke_startup())
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on", workers=1)


def is_loopback(host: str) -> bool:
    """Whether ``--host`` keeps the server on this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _quiet_errors() -> None:
    """Put :mod:`pipeline.serve_errors` in place of Datasette's default exception handler (once per process)."""
    from datasette import handle_exception as default
    from datasette.plugins import pm

    from pipeline import serve_errors

    if pm.is_registered(default):
        pm.unregister(default)
    if not pm.is_registered(serve_errors):
        pm.register(serve_errors, name="pactwatch_errors")
