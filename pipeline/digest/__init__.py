"""E-mail digests of newly detected partnerships: select (what is new), render (Jinja2), send (SMTP), deliver."""

from pipeline.digest.deliver import DigestResult, is_due, render_digests, send_due_digests, send_test_digest
from pipeline.digest.render import build_message, subject_for
from pipeline.digest.select import DigestContent, select_digest

__all__ = [
    "DigestContent",
    "DigestResult",
    "build_message",
    "is_due",
    "render_digests",
    "select_digest",
    "send_due_digests",
    "send_test_digest",
    "subject_for",
]
