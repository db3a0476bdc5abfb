"""The schema as named migrations, applied in order and recorded in ``migrations``.

Times are TEXT in UTC ISO-8601 (``2026-11-27T10:15:00Z``); dates are ``YYYY-MM-DD``. docs/schema.md explains
every column. Add a change as a new function at the end of ``MIGRATIONS``; never edit an applied one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from pipeline.store.summaries import rebuild_summaries

Migration = Callable[[sqlite3.Connection], None]


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Execute each statement of a script inside the open transaction (``executescript`` would commit first)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            conn.execute(buffer)
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement: {buffer.strip()[:80]}")


def m001_initial(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            name TEXT,
            title TEXT,
            site_url TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            interval_seconds INTEGER,
            etag TEXT,
            last_modified TEXT,
            ttl_seconds INTEGER,
            last_checked_at TEXT,
            last_success_at TEXT,
            next_check_at TEXT,
            last_status_code INTEGER,
            error_kind TEXT,
            error_message TEXT,
            error_count INTEGER NOT NULL DEFAULT 0,
            healthy INTEGER NOT NULL DEFAULT 1,
            parse_warning TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX feeds_due ON feeds(active, next_check_at);

        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            title TEXT,
            author TEXT,
            sitename TEXT,
            publisher TEXT,
            language TEXT,
            published_at TEXT,
            text TEXT,
            text_hash TEXT,
            word_count INTEGER,
            extraction_method TEXT,
            extraction_error TEXT,
            raw_html_gz BLOB,
            fetch_status TEXT NOT NULL DEFAULT 'pending',
            duplicate_of INTEGER REFERENCES articles(id),
            fetch_error_kind TEXT,
            fetch_error_message TEXT,
            fetch_attempts INTEGER NOT NULL DEFAULT 0,
            next_fetch_at TEXT,
            nlp_status TEXT NOT NULL DEFAULT 'pending',
            nlp_error TEXT,
            nlp_attempts INTEGER NOT NULL DEFAULT 0,
            extractor_version TEXT,
            first_seen_at TEXT NOT NULL,
            fetched_at TEXT,
            processed_at TEXT
        );
        CREATE INDEX articles_fetch_queue ON articles(fetch_status, next_fetch_at);
        CREATE INDEX articles_nlp_queue ON articles(nlp_status) WHERE nlp_status = 'pending';
        CREATE INDEX articles_text_hash ON articles(text_hash);
        CREATE INDEX articles_published ON articles(published_at);

        CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            guid TEXT NOT NULL,
            url TEXT,
            title TEXT,
            summary TEXT,
            published_at TEXT,
            article_id INTEGER REFERENCES articles(id),
            first_seen_at TEXT NOT NULL,
            UNIQUE (feed_id, guid)
        );
        CREATE INDEX entries_article ON entries(article_id);

        CREATE TABLE actors (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            iso2 TEXT
        );

        CREATE TABLE entities (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            label TEXT NOT NULL,
            actor_code TEXT,
            start_char INTEGER NOT NULL,
            end_char INTEGER NOT NULL
        );
        CREATE INDEX entities_article ON entities(article_id);
        CREATE INDEX entities_actor ON entities(actor_code);

        CREATE TABLE partnerships (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            type TEXT NOT NULL,
            status TEXT NOT NULL,
            participants TEXT NOT NULL,
            instrument TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            first_reported TEXT,
            last_reported TEXT,
            status_changed_at TEXT,
            mentions INTEGER NOT NULL DEFAULT 0,
            sources INTEGER NOT NULL DEFAULT 0,
            confidence REAL,
            best_evidence TEXT
        );
        CREATE INDEX partnerships_first_seen ON partnerships(first_seen);
        CREATE INDEX partnerships_type_status ON partnerships(type, status);

        CREATE TABLE partnership_participants (
            partnership_id INTEGER NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
            actor_code TEXT NOT NULL,
            PRIMARY KEY (partnership_id, actor_code)
        );
        CREATE INDEX partnership_participants_actor ON partnership_participants(actor_code, partnership_id);

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            partnership_id INTEGER REFERENCES partnerships(id),
            type TEXT NOT NULL,
            status TEXT NOT NULL,
            participants TEXT NOT NULL,
            instrument TEXT,
            negated INTEGER NOT NULL DEFAULT 0,
            event_date TEXT,
            evidence TEXT NOT NULL,
            confidence REAL NOT NULL,
            extractor_version TEXT NOT NULL,
            detected_at TEXT NOT NULL
        );
        CREATE INDEX events_article ON events(article_id);
        CREATE INDEX events_partnership ON events(partnership_id);
        CREATE INDEX events_detected ON events(detected_at);
        CREATE INDEX events_type_date ON events(type, event_date);

        CREATE TABLE event_participants (
            event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            actor_code TEXT NOT NULL,
            PRIMARY KEY (event_id, actor_code)
        );
        CREATE INDEX event_participants_actor ON event_participants(actor_code, event_id);

        CREATE TABLE partnership_status_changes (
            id INTEGER PRIMARY KEY,
            partnership_id INTEGER NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
            old_status TEXT,
            new_status TEXT NOT NULL,
            status_date TEXT,
            event_id INTEGER REFERENCES events(id) ON DELETE SET NULL,
            detected_at TEXT NOT NULL
        );
        CREATE INDEX partnership_status_changes_partnership ON partnership_status_changes(partnership_id);
        CREATE INDEX partnership_status_changes_detected ON partnership_status_changes(detected_at);

        CREATE TABLE digests (
            id INTEGER PRIMARY KEY,
            recipient TEXT NOT NULL,
            started_at TEXT NOT NULL,
            sent_at TEXT,
            status TEXT NOT NULL,
            partnerships INTEGER NOT NULL DEFAULT 0,
            status_changes INTEGER NOT NULL DEFAULT 0,
            message_id TEXT,
            error TEXT
        );
        CREATE INDEX digests_recipient ON digests(recipient, status, sent_at);

        CREATE TABLE digest_items (
            digest_id INTEGER NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
            recipient TEXT NOT NULL,
            partnership_id INTEGER NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
            status_change_id INTEGER REFERENCES partnership_status_changes(id) ON DELETE CASCADE,
            UNIQUE (recipient, partnership_id, status_change_id)
        );

        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            kind TEXT NOT NULL DEFAULT 'cycle',
            status TEXT NOT NULL DEFAULT 'running',
            feeds_polled INTEGER NOT NULL DEFAULT 0,
            feeds_failed INTEGER NOT NULL DEFAULT 0,
            new_articles INTEGER NOT NULL DEFAULT 0,
            new_events INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            message TEXT
        );
        CREATE INDEX runs_started ON runs(started_at);

        CREATE TABLE errors (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            stage TEXT NOT NULL,
            kind TEXT NOT NULL,
            message TEXT NOT NULL,
            feed_id INTEGER,
            article_id INTEGER,
            url TEXT,
            run_id INTEGER
        );
        CREATE INDEX errors_at ON errors(at);
        """
    )


def m002_views_and_search(conn: sqlite3.Connection) -> None:
    """Readable views for analysts and FTS5 over article titles and text, kept in sync by triggers."""
    run_script(
        conn,
        """
        CREATE VIEW partnerships_named AS
        SELECT p.id, p.type, p.status, p.participants,
               (SELECT group_concat(name, ' | ') FROM (
                    SELECT COALESCE(a.name, pp.actor_code) AS name FROM partnership_participants pp
                    LEFT JOIN actors a ON a.code = pp.actor_code
                    WHERE pp.partnership_id = p.id ORDER BY pp.actor_code)) AS participant_names,
               p.instrument, p.first_seen, p.last_seen, p.first_reported, p.last_reported, p.mentions, p.sources,
               p.confidence, p.best_evidence
        FROM partnerships p WHERE p.mentions > 0;

        CREATE VIEW partner_pairs AS
        SELECT x.actor_code || '-' || y.actor_code AS pair,
               x.actor_code AS actor_a, COALESCE(ax.name, x.actor_code) AS actor_a_name,
               y.actor_code AS actor_b, COALESCE(ay.name, y.actor_code) AS actor_b_name,
               count(*) AS partnerships, sum(p.mentions) AS mentions,
               min(p.first_seen) AS first_seen, max(p.last_seen) AS last_seen,
               min(p.first_reported) AS first_reported, max(p.last_reported) AS last_reported
        FROM partnership_participants x
        JOIN partnership_participants y ON y.partnership_id = x.partnership_id AND y.actor_code > x.actor_code
        JOIN partnerships p ON p.id = x.partnership_id AND p.mentions > 0
        LEFT JOIN actors ax ON ax.code = x.actor_code
        LEFT JOIN actors ay ON ay.code = y.actor_code
        GROUP BY x.actor_code, y.actor_code;

        CREATE VIEW events_with_articles AS
        SELECT e.id, e.type, e.status, e.participants, e.instrument, e.negated, e.event_date,
               COALESCE(e.event_date, substr(a.published_at, 1, 10), substr(e.detected_at, 1, 10)) AS on_date,
               e.evidence, e.confidence, e.partnership_id, e.extractor_version, e.detected_at,
               e.article_id, a.title AS article_title, a.url AS article_url, a.published_at AS article_published_at,
               a.publisher AS article_publisher
        FROM events e JOIN articles a ON a.id = e.article_id;

        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text, content="articles", content_rowid="id", tokenize="porter unicode61 remove_diacritics 2"
        );
        CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        END;
        CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
        """
    )


def m003_feed_config_url(conn: sqlite3.Connection) -> None:
    """``feeds.config_url``: the URL as listed in feeds.toml, so a feed moved by a permanent redirect (``url``)
    is still matched to its line in the file."""
    run_script(
        conn,
        """
        ALTER TABLE feeds ADD COLUMN config_url TEXT;
        UPDATE feeds SET config_url = url;
        CREATE UNIQUE INDEX feeds_config_url ON feeds(config_url);
        """,
    )


def m004_feed_content_hash(conn: sqlite3.Connection) -> None:
    """``feeds.content_hash``: hash of the last feed body parsed, so an unchanged body from a server that sends
    no validators is not parsed again."""
    conn.execute("ALTER TABLE feeds ADD COLUMN content_hash TEXT")


def m005_query_indexes(conn: sqlite3.Connection) -> None:
    """Analyst queries within 200 ms on a million events (benchmarks/queries.py has the plans and figures).

    ``partnerships_participants`` lets ``partner_pairs`` aggregate partnerships per participant set straight from
    the index before pairing actors (the view is recreated that way; same columns, same rows).
    ``events_partnership_dates`` replaces ``events_partnership``: a partnership's events with their type and dates
    are read from the index alone (``partners_over_time``, ``pactwatch graph``, refreshing a partnership).
    """
    run_script(
        conn,
        """
        CREATE INDEX partnerships_participants
            ON partnerships(participants, mentions, first_seen, last_seen, first_reported, last_reported);
        CREATE INDEX events_partnership_dates
            ON events(partnership_id, negated, type, event_date, detected_at, article_id);
        DROP INDEX events_partnership;

        DROP VIEW partner_pairs;
        CREATE VIEW partner_pairs AS
        WITH sets AS (
            SELECT min(id) AS partnership_id, count(*) AS partnerships, sum(mentions) AS mentions,
                   min(first_seen) AS first_seen, max(last_seen) AS last_seen,
                   min(first_reported) AS first_reported, max(last_reported) AS last_reported
            FROM partnerships WHERE mentions > 0 GROUP BY participants),
        pairs AS (
            SELECT x.actor_code AS actor_a, y.actor_code AS actor_b, sum(s.partnerships) AS partnerships,
                   sum(s.mentions) AS mentions, min(s.first_seen) AS first_seen, max(s.last_seen) AS last_seen,
                   min(s.first_reported) AS first_reported, max(s.last_reported) AS last_reported
            FROM sets s
            JOIN partnership_participants x ON x.partnership_id = s.partnership_id
            JOIN partnership_participants y ON y.partnership_id = s.partnership_id AND y.actor_code > x.actor_code
            GROUP BY x.actor_code, y.actor_code)
        SELECT p.actor_a || '-' || p.actor_b AS pair,
               p.actor_a, COALESCE(ax.name, p.actor_a) AS actor_a_name,
               p.actor_b, COALESCE(ay.name, p.actor_b) AS actor_b_name,
               p.partnerships, p.mentions, p.first_seen, p.last_seen, p.first_reported, p.last_reported
        FROM pairs p
        LEFT JOIN actors ax ON ax.code = p.actor_a
        LEFT JOIN actors ay ON ay.code = p.actor_b;
        """,
    )


def m006_summary_tables(conn: sqlite3.Connection) -> None:
    """Per-year and per-pair summaries kept by the store (store/summaries.py), so ``partner_pairs`` and
    ``partners_over_time`` read a few rows, not a million events; ``partner_pairs`` becomes a view over them."""
    run_script(
        conn,
        """
        CREATE TABLE partnership_years (
            partnership_id INTEGER NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
            year TEXT NOT NULL,
            mentions INTEGER NOT NULL,
            first_date TEXT NOT NULL,
            last_date TEXT NOT NULL,
            PRIMARY KEY (partnership_id, year)
        ) WITHOUT ROWID;

        CREATE TABLE actor_pairs (
            actor_a TEXT NOT NULL,
            actor_b TEXT NOT NULL,
            partnerships INTEGER NOT NULL,
            mentions INTEGER NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            first_reported TEXT,
            last_reported TEXT,
            PRIMARY KEY (actor_a, actor_b)
        ) WITHOUT ROWID;
        CREATE INDEX actor_pairs_b ON actor_pairs(actor_b, actor_a);
        CREATE INDEX actor_pairs_mentions ON actor_pairs(mentions);

        CREATE TABLE actor_pair_years (
            actor_a TEXT NOT NULL,
            actor_b TEXT NOT NULL,
            year TEXT NOT NULL,
            partnerships INTEGER NOT NULL,
            mentions INTEGER NOT NULL,
            first_date TEXT NOT NULL,
            last_date TEXT NOT NULL,
            PRIMARY KEY (actor_a, actor_b, year)
        ) WITHOUT ROWID;
        CREATE INDEX actor_pair_years_b ON actor_pair_years(actor_b, actor_a, year);

        DROP VIEW partner_pairs;
        CREATE VIEW partner_pairs AS
        SELECT p.actor_a || '-' || p.actor_b AS pair,
               p.actor_a, COALESCE(ax.name, p.actor_a) AS actor_a_name,
               p.actor_b, COALESCE(ay.name, p.actor_b) AS actor_b_name,
               p.partnerships, p.mentions, p.first_seen, p.last_seen, p.first_reported, p.last_reported
        FROM actor_pairs p
        LEFT JOIN actors ax ON ax.code = p.actor_a
        LEFT JOIN actors ay ON ay.code = p.actor_b;
        """,
    )
    rebuild_summaries(conn)


def m007_event_filter_index(conn: sqlite3.Connection) -> None:
    """``pactwatch events --type T --status S --limit N`` walks this index newest first and stops early."""
    conn.execute("CREATE INDEX events_type_status_detected ON events(type, status, detected_at)")


def m008_run_pid_and_nlp_chars(conn: sqlite3.Connection) -> None:
    """``runs.pid``: the process running each run, so a run left 'running' by a killed process is told from a
    live one. ``articles.nlp_chars``: how much of a text longer than ``nlp.max_chars`` the NLP read."""
    conn.execute("ALTER TABLE runs ADD COLUMN pid INTEGER")
    conn.execute("ALTER TABLE articles ADD COLUMN nlp_chars INTEGER")


def m009_digest_item_rank(conn: sqlite3.Connection) -> None:
    """Each reported item's place in its digest (1 = most important), so a link can list the digest in its order."""
    conn.execute("ALTER TABLE digest_items ADD COLUMN rank INTEGER")


def m010_judgements(conn: sqlite3.Connection) -> None:
    """Analysts' judgements of events, keyed by article, evidence sentence and the event's identity as read, so
    they survive ``pactwatch reprocess``; ``events.verdict`` carries the judgement in force. The view
    ``events_with_articles`` leaves out events judged wrong."""
    run_script(
        conn,
        """
        CREATE TABLE judgements (
            id INTEGER PRIMARY KEY,
            event_id INTEGER REFERENCES events(id) ON DELETE SET NULL,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            evidence TEXT NOT NULL,
            event_key TEXT NOT NULL,
            verdict TEXT NOT NULL,
            type TEXT,
            status TEXT,
            participants TEXT,
            instrument TEXT,
            negated INTEGER,
            corrected_fields TEXT,
            extracted_type TEXT,
            extracted_status TEXT,
            extracted_participants TEXT,
            extracted_instrument TEXT,
            extracted_negated INTEGER,
            judged_by TEXT NOT NULL,
            judged_at TEXT NOT NULL,
            note TEXT,
            undone_at TEXT
        );
        CREATE INDEX judgements_article ON judgements(article_id);
        CREATE INDEX judgements_event ON judgements(event_id);

        ALTER TABLE events ADD COLUMN verdict TEXT;
        CREATE INDEX events_unjudged ON events(confidence) WHERE verdict IS NULL;

        DROP VIEW events_with_articles;
        CREATE VIEW events_with_articles AS
        SELECT e.id, e.type, e.status, e.participants, e.instrument, e.negated, e.event_date,
               COALESCE(e.event_date, substr(a.published_at, 1, 10), substr(e.detected_at, 1, 10)) AS on_date,
               e.evidence, e.confidence, e.partnership_id, e.extractor_version, e.detected_at,
               e.article_id, a.title AS article_title, a.url AS article_url, a.published_at AS article_published_at,
               a.publisher AS article_publisher, e.verdict
        FROM events e JOIN articles a ON a.id = e.article_id
        WHERE e.verdict IS NOT 'wrong';
        """,
    )


def m011_partnership_fixes(conn: sqlite3.Connection) -> None:
    """Partnership merges and splits that survive reprocessing, instrument wordings analysts made aliases of
    registry instruments, and the corrections they caused (reported once in the next digest)."""
    run_script(
        conn,
        """
        CREATE TABLE partnership_fixes (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
            into_partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
            from_key TEXT NOT NULL,
            into_key TEXT NOT NULL,
            wordings TEXT,
            made_by TEXT NOT NULL,
            made_at TEXT NOT NULL,
            note TEXT,
            undone_at TEXT
        );
        CREATE INDEX partnership_fixes_from ON partnership_fixes(from_key);

        CREATE TABLE partnership_fix_events (
            fix_id INTEGER NOT NULL REFERENCES partnership_fixes(id) ON DELETE CASCADE,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            evidence TEXT NOT NULL,
            event_key TEXT NOT NULL
        );
        CREATE INDEX partnership_fix_events_fix ON partnership_fix_events(fix_id);

        CREATE TABLE instrument_aliases (
            wording TEXT PRIMARY KEY,
            instrument TEXT NOT NULL,
            fix_id INTEGER REFERENCES partnership_fixes(id) ON DELETE CASCADE,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL
        );

        CREATE TABLE partnership_corrections (
            id INTEGER PRIMARY KEY,
            partnership_id INTEGER NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
            cause TEXT NOT NULL,
            judgement_id INTEGER REFERENCES judgements(id) ON DELETE SET NULL,
            fix_id INTEGER REFERENCES partnership_fixes(id) ON DELETE SET NULL,
            old_type TEXT,
            old_status TEXT,
            old_instrument TEXT,
            old_mentions INTEGER NOT NULL,
            new_type TEXT,
            new_status TEXT,
            new_instrument TEXT,
            new_mentions INTEGER NOT NULL,
            corrected_at TEXT NOT NULL
        );
        CREATE INDEX partnership_corrections_partnership ON partnership_corrections(partnership_id);

        ALTER TABLE digest_items ADD COLUMN correction_id INTEGER REFERENCES partnership_corrections(id)
            ON DELETE CASCADE;
        ALTER TABLE digests ADD COLUMN corrections INTEGER NOT NULL DEFAULT 0;
        """,
    )


def m012_text_language(conn: sqlite3.Connection) -> None:
    """``articles.text_language``: the language the NLP's detector read in the text (ISO 639-1); only English text
    is analysed for events, the others are counted and kept."""
    conn.execute("ALTER TABLE articles ADD COLUMN text_language TEXT")


MIGRATIONS: list[Migration] = [m001_initial, m002_views_and_search, m003_feed_config_url, m004_feed_content_hash,
                               m005_query_indexes, m006_summary_tables, m007_event_filter_index,
                               m008_run_pid_and_nlp_chars,
                               m009_digest_item_rank, m010_judgements, m011_partnership_fixes, m012_text_language]
SCHEMA_VERSION = len(MIGRATIONS)
