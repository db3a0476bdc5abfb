"""The language of a text, with py3langid (its model ships in the package: no network, no download).

One small function so the CLI and the NLP stage share one detector: :func:`detect_language`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

MIN_LETTERS = 20  # fewer letters than this say too little about a language
MIN_PROBABILITY = 0.5  # below this the detector is guessing
SAMPLE_CHARS = 3000  # the opening of a long text says its language as well as the whole


@functools.cache
def _identifier() -> Any:
    """py3langid's identifier with normalised probabilities, limited to languages with an ISO 639-1 code."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([code for code in identifier.labels if len(code) == 2])
    return identifier


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in ("en", "de"), or None when it cannot tell
    (too little text, or no language stands out)."""
    sample = (text or "")[:SAMPLE_CHARS]
    if len(re.findall(r"[^\W\d_]", sample)) < MIN_LETTERS:
        return None
    code, probability = _identifier().classify(sample)
    return code if probability >= MIN_PROBABILITY else None


def language_name(code: str) -> str:
    """The English name of an ISO 639-1 code ("de" -> "German"), else the code itself."""
    import pycountry

    language = pycountry.languages.get(alpha_2=code)
    return language.name if language is not None else code
