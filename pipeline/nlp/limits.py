"""The NLP's size limit: a text longer than ``nlp.max_chars`` is cut at a paragraph (or sentence) break first.

spaCy refuses texts over its ``max_length`` (1,000,000 characters, error E088) and its memory grows with the
text, so the stages cut before analysing and record how many characters were read (``articles.nlp_chars``).
News articles are far shorter; what is cut is a page that is mostly something else (listings, dumps).
"""

from __future__ import annotations

import re

SPACY_MAX_LENGTH = 1_000_000  # spaCy's default nlp.max_length; the max_chars setting stays below it
_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?])\s"))


def fit_text(text: str, max_chars: int) -> tuple[str, bool]:
    """``text`` cut to at most ``max_chars`` characters at the last paragraph, line or sentence break that keeps
    at least half of it (else at ``max_chars``); the flag says whether it was cut."""
    if len(text) <= max_chars:
        return text, False
    head = text[:max_chars]
    for pattern in _BREAKS:
        ends = [m.start() for m in pattern.finditer(head, max_chars // 2)]
        if ends:
            return head[: ends[-1]].rstrip(), True
    return head, True
