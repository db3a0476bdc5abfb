"""The feed registry: reading config/feeds.toml into ``FeedSpec`` rows, validated like the settings."""

from __future__ import annotations

import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.errors import ConfigError
from pipeline.store.feeds import FeedSpec

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
        url = item.get("url", "").strip()
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise ConfigError(f"expected an http(s) URL, got {url!r}", path=str(path), key=f"{where}.url")
        if item.get("interval") is not None and item["interval"] <= 0:
            raise ConfigError("must be greater than 0", path=str(path), key=f"{where}.interval")
        if url in seen:
            raise ConfigError(f"duplicate feed {url}", path=str(path), key=f"{where}.url")
        seen.add(url)
        specs.append(FeedSpec(url=url, name=item.get("name"), interval=item.get("interval")))
    return specs
