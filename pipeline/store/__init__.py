"""The only module that issues SQL: one file per table group, re-exported here."""

from pipeline.store.actors import actor_count, load_actors
from pipeline.store.articles import (
    add_entries,
    entry_summary,
    mark_for_reprocess,
    pending_fetches,
    pending_nlp,
    pending_nlp_count,
    record_nlp_error,
    record_page_error,
    save_article,
)
from pipeline.store.db import error_kind, open_db, parse_utc, schema_version, to_utc_iso, transaction, utc_now
from pipeline.store.digests import (
    DigestFilter,
    Pending,
    begin_digest,
    finish_digest,
    first_digest_at,
    last_digest_at,
    pending_for,
    record_digest,
)
from pipeline.store.events import save_analysis
from pipeline.store.feeds import (
    FEED_HEALTH,
    FeedSpec,
    configured_url,
    due_feeds,
    list_feeds,
    record_feed_error,
    record_feed_success,
    sync_feeds,
)
from pipeline.store.maintenance import MaintenanceReport, run_maintenance
from pipeline.store.network import actor_names, partner_links
from pipeline.store.queries import iter_events, iter_partnerships, status_summary
from pipeline.store.runs import close_interrupted_runs, finish_run, last_runs, start_run
from pipeline.store.search import search_articles
from pipeline.store.summaries import rebuild_summaries, refresh_summaries

__all__ = [
    "FEED_HEALTH",
    "DigestFilter",
    "FeedSpec",
    "MaintenanceReport",
    "Pending",
    "actor_count",
    "actor_names",
    "add_entries",
    "begin_digest",
    "close_interrupted_runs",
    "configured_url",
    "due_feeds",
    "entry_summary",
    "error_kind",
    "finish_digest",
    "finish_run",
    "first_digest_at",
    "iter_events",
    "iter_partnerships",
    "last_digest_at",
    "last_runs",
    "list_feeds",
    "load_actors",
    "mark_for_reprocess",
    "open_db",
    "parse_utc",
    "partner_links",
    "pending_fetches",
    "pending_for",
    "pending_nlp",
    "pending_nlp_count",
    "rebuild_summaries",
    "record_digest",
    "record_feed_error",
    "record_feed_success",
    "record_nlp_error",
    "record_page_error",
    "refresh_summaries",
    "run_maintenance",
    "save_analysis",
    "save_article",
    "schema_version",
    "search_articles",
    "start_run",
    "status_summary",
    "sync_feeds",
    "to_utc_iso",
    "transaction",
    "utc_now",
]
