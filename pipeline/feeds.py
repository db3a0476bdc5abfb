"""The feed registry: config/feeds.toml read into ``FeedSpec`` rows (validated like the settings), and edited in
place by ``pactwatch feeds add/remove/import`` without losing its comments."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils
import tomli_w

from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.store.feeds import FeedSpec, sync_feeds

FEED_KEYS = {"name": str, "url": str, "interval": int}


def load_feed_list(path: Path) -> list[FeedSpec]:
    """Every ``[[feed]]`` of the file; an unknown key, a wrong type or a bad URL is a ``ConfigError``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("file not found", path=str(path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"malformed TOML: {exc}", path=str(path)) from None
    unknown = set(data) - {"feed"}
    if unknown:
        raise ConfigError("unknown key", path=str(path), key=sorted(unknown)[0])
    feeds = data.get("feed", [])
    if not isinstance(feeds, list):
        raise ConfigError("expected [[feed]] tables", path=str(path), key="feed")
    specs, seen = [], set()
    for index, item in enumerate(feeds):
        where = f"feed[{index}]"
        if not isinstance(item, dict):
            raise ConfigError("expected a table", path=str(path), key=where)
        for key, value in item.items():
            expected = FEED_KEYS.get(key)
            if expected is None:
                raise ConfigError("unknown key", path=str(path), key=f"{where}.{key}")
            if not isinstance(value, expected) or isinstance(value, bool):
                raise ConfigError(f"expected {expected.__name__}, got {value!r}", path=str(path), key=f"{where}.{key}")
        url = _checked_url(item.get("url", ""), path, f"{where}.url")
        _check_interval(item.get("interval"), path, f"{where}.interval")
        if url in seen:
            raise ConfigError(f"duplicate feed {url}", path=str(path), key=f"{where}.url")
        seen.add(url)
        specs.append(FeedSpec(url=url, name=item.get("name"), interval=item.get("interval")))
    return specs


def _checked_url(url: str, path: Path, key: str) -> str:
    url = url.strip()
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ConfigError(f"expected an http(s) URL, got {url!r}", path=str(path), key=key)
    return url


def _check_interval(interval: int | None, path: Path, key: str) -> None:
    if interval is not None and interval <= 0:
        raise ConfigError("must be greater than 0", path=str(path), key=key)


def sync_feed_list(settings: Settings, db: sqlite_utils.Database) -> tuple[list[str], list[str]]:
    """Make the feeds table follow the feed list (added feeds start, removed ones stop); (added, removed) URLs."""
    return sync_feeds(db, load_feed_list(settings.feeds.file))


_BLOCK_START = re.compile(r"^\s*\[\[\s*feed\s*\]\]", re.M)


def add_feed(path: Path, url: str, *, name: str | None = None, interval: int | None = None) -> bool:
    """Append a ``[[feed]]`` to the file, keeping its comments; False when the URL is already listed."""
    url = _checked_url(url, path, "url")
    _check_interval(interval, path, "interval")
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if any(spec.url == url for spec in (load_feed_list(path) if text.strip() else [])):
        return False
    block = {"name": name, "url": url, "interval": interval}
    lines = "".join(f"{key} = {tomli_w.dumps({key: value}).split('=', 1)[1].strip()}\n"
                    for key, value in block.items() if value is not None)
    separator = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    _write(path, f"{text}{separator}[[feed]]\n{lines}")
    return True


def remove_feed(path: Path, url: str) -> bool:
    """Delete the ``[[feed]]`` with this URL from the file, keeping everything else; False when it is not listed."""
    text = path.read_text(encoding="utf-8")
    starts = [m.start() for m in _BLOCK_START.finditer(text)]
    if not starts:
        return _remove_rewriting(path, url)
    bounds = list(zip(starts, [*starts[1:], len(text)], strict=True))
    for start, end in bounds:
        try:
            listed = tomllib.loads(text[start:end]).get("feed", [{}])[0].get("url", "").strip()
        except (tomllib.TOMLDecodeError, IndexError, AttributeError):
            continue
        if listed == url.strip():
            end = start + len(_own_part(text[start:end]))
            _write(path, text[:start] + text[end:])
            load_feed_list(path)  # the file must still be valid
            return True
    return False


def _remove_rewriting(path: Path, url: str) -> bool:
    """A list written another way (``feed = [{...}, ...]``, an inline array): rewrite it as ``[[feed]]`` tables
    without that URL. Its comments cannot be kept; the file is only written when the URL is listed."""
    specs = load_feed_list(path)
    kept = [spec for spec in specs if spec.url != url.strip()]
    if len(kept) == len(specs):
        return False
    feeds = [{k: v for k, v in (("name", s.name), ("url", s.url), ("interval", s.interval)) if v is not None}
             for s in kept]
    _write(path, tomli_w.dumps({"feed": feeds}) if feeds else "")
    return True


def _own_part(block: str) -> str:
    """A block without the comments and blank lines at its end (they introduce the next block)."""
    lines = block.splitlines(keepends=True)
    while len(lines) > 1 and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")):
        lines.pop()
    return "".join(lines) + ("\n" if len(lines) < len(block.splitlines()) else "")


def _write(path: Path, text: str) -> None:
    """Write through a temporary file and rename, so a crash never leaves half a feed list."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
