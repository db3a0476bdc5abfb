"""The judged articles as a gold file (``shared/eval/SCHEMA.md``), for ``pactwatch export-gold`` and training.

An article goes in when every one of its events has been judged (an unjudged event is neither known right nor
known wrong); its events are those not judged wrong, as judged. ``countries`` is what the NLP found as actors in
the text plus every participant of those events (analysts judge events, not actor lists). The text is the stored
article text; ``id`` is ``pw-`` and a hash of the URL, stable across databases.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from pipeline.store.judgements import judged_articles


@dataclass(frozen=True)
class GoldExport:
    """What ``export-gold`` wrote: articles and events written, articles left out for unjudged events."""

    articles: int
    events: int
    incomplete: int


def gold_articles(db: sqlite_utils.Database) -> tuple[list[dict[str, Any]], int]:
    """(gold articles, number of judged articles left out because some of their events are not judged)."""
    gold, incomplete = [], 0
    for article in judged_articles(db):
        if any(e["verdict"] is None for e in article["events"]):
            incomplete += 1
            continue
        events = [_gold_event(e) for e in article["events"] if e["verdict"] != "wrong"]
        countries = set(article["actors"]) | {c for e in events for c in e["participants"]}
        gold.append({
            "id": "pw-" + hashlib.sha256(article["url"].encode()).hexdigest()[:12],
            "source_url": article["url"],
            "published": (article["published_at"] or "")[:10] or None,
            "title": article["title"],
            "text": article["text"] or "",
            "countries": sorted(countries),
            "events": events,
        })
    return gold, incomplete


def _gold_event(row: dict[str, Any]) -> dict[str, Any]:
    event = {"type": row["type"], "status": row["status"], "participants": row["participants"].split(","),
             "instrument": row["instrument"], "negated": bool(row["negated"]), "evidence": row["evidence"]}
    if row["note"]:
        event["note"] = row["note"]
    return event


def export_gold(db: sqlite_utils.Database, out: Path) -> GoldExport:
    """Write the gold file; returns the counts."""
    gold, incomplete = gold_articles(db)
    Path(out).write_text(json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return GoldExport(articles=len(gold), events=sum(len(a["events"]) for a in gold), incomplete=incomplete)
