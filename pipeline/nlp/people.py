"""People and seats of power who stand for a state or body: "von der Leyen" is the EU, "Lula" Brazil.

The cheap pass matches the names of ``models/gazetteers/office_holders.tsv``; :meth:`OfficeHolders.code` says
whom a name stands for on the article's date (a former leader speaks for nobody). Without a date, the most
recent term counts.
"""

from __future__ import annotations

from datetime import date

from pipeline.nlp.assets import Assets, OfficeHolder


class OfficeHolders:
    """The office-holder table, indexed by name."""

    def __init__(self, holders: tuple[OfficeHolder, ...]) -> None:
        self.terms: dict[str, list[OfficeHolder]] = {}
        for holder in holders:
            self.terms.setdefault(holder.name, []).append(holder)

    @classmethod
    def from_assets(cls, assets: Assets) -> OfficeHolders:
        return cls(assets.office_holders)

    def code(self, name: str, when: date | None) -> str | None:
        """The code ``name`` stands for on ``when`` (the latest term when ``when`` is None), else None."""
        terms = self.terms.get(name, [])
        if when is None:
            return max(terms, key=lambda h: h.start).code if terms else None
        month = f"{when.year:04d}-{when.month:02d}"
        for holder in terms:
            if holder.start <= month and (not holder.end or month <= holder.end):
                return holder.code
        return None
