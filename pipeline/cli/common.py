"""Options every command shares: --config, --db, --debug and --format, before or after the command name."""

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

_META = "pactwatch.global."  # ctx.meta keys (shared by the whole context chain) of options given before a command


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None and value is not False:
        ctx.meta[_META + str(param.name)] = value
    return value


def _given_before(name: str) -> Any:
    """The value of a global option given before the subcommand (to the root or a command group), else None."""
    return click.get_current_context().meta.get(_META + name)


def _config_option(**extra: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
                        help="Settings file [env PACTWATCH_CONFIG; default config/pactwatch.toml].", **extra)


def _db_option(**extra: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--db", "db_path", type=click.Path(path_type=Path, dir_okay=False),
                        help="SQLite database [env PACTWATCH_DB; default from the settings].", **extra)


def _debug_option(**extra: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--debug", is_flag=True, envvar="PACTWATCH_DEBUG", help="Show tracebacks on errors.",
                        **extra)


def global_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--config, --db, --format and --debug on a command group, so they may come before the subcommand
    (``pactwatch --config X status``); the subcommand reads them unless it is given its own."""
    for option in (
        _debug_option(callback=_remember, expose_value=False),
        click.option("--format", "fmt", type=click.Choice(FORMATS), callback=_remember, expose_value=False,
                     help="Output format, for the commands that take one."),
        _db_option(callback=_remember, expose_value=False),
        _config_option(callback=_remember, expose_value=False),
    ):
        func = option(func)
    return func


def settings_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --config, --db and --debug; the command receives a built, frozen ``settings`` as first argument.

    Each may also be given before the command name; one given after it wins.
    """

    @_config_option()
    @_db_option()
    @_debug_option()
    @functools.wraps(func)
    def wrapper(config_path: Path | None, db_path: Path | None, debug: bool, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        if _given_before("fmt") and not any(p.name == "fmt" for p in ctx.command.params):
            raise click.UsageError(f"--format does not apply to {ctx.command_path}")
        config_path = config_path or _given_before("config_path")
        db_path = db_path or _given_before("db_path")
        overrides = {"database": {"path": db_path}} if db_path else None
        settings = load_settings(config_path, overrides=overrides)
        if db_path is not None and not db_path.exists() and click.get_current_context().command.name != "run":
            raise DatabaseFileError(f"no database at {db_path}: --db (or PACTWATCH_DB) must name an existing file;"
                                    " only pactwatch run creates one")
        configure_logging(settings.log)
        return func(settings, **kwargs)

    return wrapper


def format_option(*choices: str, default: str = "table") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add --format with these choices (all of ``FORMATS`` when none are given); it may also come before the
    command name."""
    allowed = choices or FORMATS

    def resolve(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
        value = value or _given_before("fmt") or default
        if value not in allowed:
            raise click.BadParameter(f"{value!r} is not one of {', '.join(allowed)} for this command",
                                     param_hint="--format")
        return value

    return click.option("--format", "fmt", type=click.Choice(allowed), callback=resolve,
                        help=f"Output format [default: {default}].")


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
