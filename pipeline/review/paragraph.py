"""The evidence sentence in its paragraph, for the review screens."""

from __future__ import annotations

import re


def paragraph_of(text: str | None, evidence: str) -> tuple[str, str, str]:
    """(before, sentence, after): the paragraph of ``text`` holding ``evidence``, split around it. When the text
    does not hold it (re-spaced, or no text), the sentence alone."""
    text = text or ""
    start = text.find(evidence)
    length = len(evidence)
    if start < 0:  # spacing differs: match the words with any whitespace between them
        words = evidence.split()
        match = re.search(r"\s+".join(re.escape(w) for w in words), text) if words else None
        if match is None:
            return "", evidence, ""
        start, length = match.start(), match.end() - match.start()
    begin = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start + length)
    end = len(text) if end < 0 else end
    return text[begin:start].strip(), text[start:start + length], text[start + length:end].strip()
