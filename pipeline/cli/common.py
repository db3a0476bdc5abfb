"""Options every command shares: --config, --db (with their env vars) and --format."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import sqlite_utils

from pipeline.cli.output import FORMATS
from pipeline.config import Settings, load_settings
from pipeline.errors import DatabaseFileError
from pipeline.logs import configure_logging
from pipeline.store import open_db, parse_utc, to_utc_iso


def settings_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --config and --db; the command receives a built, frozen ``settings`` as first argument."""

    @click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), envvar="PACTWATCH_CONFIG",
                  help="Settings file [env PACTWATCH_CONFIG; default config/pactwatch.toml].")
    @click.option("--db", "db_path", type=click.Path(path_type=Path, dir_okay=False), envvar="PACTWATCH_DB",
                  help="SQLite database [env PACTWATCH_DB; default from the settings].")
    @functools.wraps(func)
    def wrapper(config_path: Path | None, db_path: Path | None, **kwargs: Any) -> Any:
        overrides = {"database": {"path": db_path}} if db_path else None
        settings = load_settings(config_path, overrides=overrides)
        if db_path is not None and not db_path.exists() and click.get_current_context().command.name != "run":
            raise DatabaseFileError(f"no database at {db_path}: --db (or PACTWATCH_DB) must name an existing file;"
                                    " only pactwatch run creates one")
        configure_logging(settings.log)
        return func(settings, **kwargs)

    return wrapper


def format_option(*choices: str, default: str = "table") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add --format with these choices (all of ``FORMATS`` when none are given)."""
    return click.option("--format", "fmt", type=click.Choice(choices or FORMATS), default=default, show_default=True,
                        help="Output format.")


def open_settings_db(settings: Settings, *, readonly: bool = False) -> sqlite_utils.Database:
    """The settings' database with their busy timeout: ``readonly`` for commands that only read (never created,
    written or migrated), else opened to write and migrated (a ``--db`` that does not exist never gets here)."""
    return open_db(settings.database.path, busy_timeout=settings.database.busy_timeout, readonly=readonly)


def parse_since(value: str | None) -> str | None:
    """``7d``, ``12h``, ``2w``, ``30m`` or an ISO date/time, as a UTC ISO-8601 bound."""
    if not value:
        return None
    match = re.fullmatch(r"(\d+)\s*([mhdw])", value.strip().lower())
    if match:
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[match.group(2)]
        try:
            return to_utc_iso(datetime.now(UTC) - timedelta(**{unit: int(match.group(1))}))
        except OverflowError:
            raise click.BadParameter(f"{value!r} reaches before year 1", param_hint="--since") from None
    try:
        return to_utc_iso(parse_utc(value))  # a date or time without a zone is taken as UTC
    except ValueError:
        raise click.BadParameter(f"expected like 7d, 12h, 2w or an ISO date, got {value!r}",
                                 param_hint="--since") from None
