"""The exception tree of pactwatch. Each class declares the exit code the CLI uses.

    PactwatchError (exit 1)
    ├── ConfigError (exit 2)         bad configuration file, key or value
    ├── UsageError (exit 2)          bad command-line usage
    ├── AlreadyRunningError (exit 2) a second daemon on the same database
    ├── StoreError                   database problems (locked, full disk, corrupt)
    │   └── DatabaseFileError (exit 2) the database named is missing, not SQLite, not pactwatch's, or unwritable
    ├── FetchError                   a feed or page could not be fetched; ``kind`` is one of FETCH_ERROR_KINDS
    │   └── ParseError               the body is not a usable feed (kind ``parse_error`` or ``not_a_feed``)
    ├── ExtractError                 no usable text in a page; ``reason`` says why
    ├── NlpError                     the NLP failed on one article
    │   ├── GoldFileError (exit 2)     a gold file that does not follow eval/SCHEMA.md
    │   ├── ReportFileError (exit 2)   an earlier eval report that cannot be compared with a new scoring
    │   └── ModelFileError (exit 2)    the trained event model is missing, unreadable or of another version
    ├── InputError                   some input records could not be read (the others were processed)
    └── DigestError                  a digest could not be rendered or sent
"""

from __future__ import annotations

FETCH_ERROR_KINDS = (
    "timeout",
    "network",
    "tls",
    "http_status",
    "rate_limited",
    "too_large",
    "not_a_feed",
    "parse_error",
    "forbidden_address",
    "robots",
    "redirect_loop",
    "bad_url",
)


class PactwatchError(Exception):
    """Base of every error pactwatch raises on purpose."""

    exit_code = 1


class ConfigError(PactwatchError):
    """Bad configuration: names the file, the key and the problem."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        self.path = path
        self.key = key
        where = ", ".join(p for p in (path, f"key {key!r}" if key else None) if p)
        super().__init__(f"{where}: {message}" if where else message)


class UsageError(PactwatchError):
    exit_code = 2


class AlreadyRunningError(PactwatchError):
    exit_code = 2


class StoreError(PactwatchError):
    pass


class DatabaseFileError(StoreError):
    """The database file named by the settings or ``--db`` cannot be used as asked: bad usage, exit 2."""

    exit_code = 2


class FetchError(PactwatchError):
    """A fetch failed; ``kind`` is one of FETCH_ERROR_KINDS."""

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        url: str | None = None,
        feed_id: int | None = None,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        assert kind in FETCH_ERROR_KINDS, kind
        self.kind = kind
        self.url = url
        self.feed_id = feed_id
        self.status_code = status_code
        self.retry_after = retry_after
        super().__init__(message)


class ParseError(FetchError):
    pass


class ExtractError(PactwatchError):
    """trafilatura gave no usable text; ``reason`` is no_main_text, too_short, not_html, ..."""

    def __init__(self, reason: str, message: str = "", *, url: str | None = None) -> None:
        self.reason = reason
        self.url = url
        super().__init__(message or reason)


class NlpError(PactwatchError):
    def __init__(self, message: str, *, article_id: int | None = None) -> None:
        self.article_id = article_id
        super().__init__(message)


class GoldFileError(NlpError):
    """A gold file that is not JSON or does not follow eval/SCHEMA.md: bad input, exit 2."""

    exit_code = 2


class ReportFileError(NlpError):
    """An earlier ``pactwatch eval`` report that is unreadable or was scored on other articles or another way."""

    exit_code = 2


class ModelFileError(NlpError):
    """The trained event model is missing, unreadable or from another extractor version: fix it before running."""

    exit_code = 2


class InputError(PactwatchError):
    """Records of an input (lines of a JSONL batch) that could not be read, after the others were processed."""


class DigestError(PactwatchError):
    pass
