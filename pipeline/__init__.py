"""pactwatch: partnership events from EU news feeds, in one SQLite database."""

__version__ = "0.1.0"

__all__ = ["__version__"]
