"""Analysts' judgements and partnership fixes: the pure rules (``rules``), the terminal queue (``terminal``), the
review pages for Datasette (``web``), and the judged articles as a gold file (``gold``).

The store (``pipeline.store.judgements``, ``pipeline.store.fixes``) runs their SQL; ``rules`` imports nothing from
the store, so the store may use it.
"""

__all__ = ["gold", "paragraph", "rules", "terminal", "web"]
