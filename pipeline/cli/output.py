"""Rendering rows for the terminal or for machines: table, json, ndjson, csv, streamed."""

from __future__ import annotations

import csv
import json
import shutil
import sys
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMATS = ("table", "json", "ndjson", "csv")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet reads as the start of a formula


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "-".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    return " ".join(str(value).split())  # one line per row: a snippet's or title's line breaks become spaces


def _csv_cell(value: Any) -> Any:
    """Lists joined with ``|``; text a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+``, ``-``, ``@``)
    gets a leading apostrophe, as OWASP advises, so it shows as text. Numbers stay numbers."""
    if isinstance(value, list):
        value = "|".join(map(str, value))
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def render(rows: Iterable[dict[str, Any]], fmt: str, columns: Sequence[str], out: TextIO | None = None, *,
           below: str | None = None) -> int:
    """Write rows in ``fmt``; ``columns`` picks and orders the table and csv columns. Returns the row count.

    A table cuts its last column to the terminal width with "…". ``below`` names a field a table prints in full
    under its row instead, indented and wrapped at word boundaries (a longer word gets a line of its own, whole).
    """
    out = out or sys.stdout
    count = 0
    if fmt == "json":
        out.write("[")
        for row in rows:
            out.write(("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False, default=str))
            count += 1
        out.write("\n]\n" if count else "]\n")
    elif fmt == "ndjson":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            count += 1
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row.get(c)) for c in columns])
            count += 1
    else:
        materialised, notes = [], []
        for row in rows:
            materialised.append([_cell(row.get(c)) for c in columns])
            notes.append(_cell(row.get(below)) if below else "")
        count = len(materialised)
        _table(materialised, columns, out, notes)
    return count


def _table(rows: list[list[str]], columns: Sequence[str], out: TextIO, notes: list[str]) -> None:
    if not rows:
        out.write("(no rows)\n")
        return
    width = shutil.get_terminal_size((160, 20)).columns
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    budget = max(20, width - sum(widths[:-1]) - 2 * (len(columns) - 1))
    widths[-1] = min(widths[-1], budget)

    def line(cells: Sequence[str]) -> str:
        parts = [c if len(c) <= w else c[: max(1, w - 1)] + "…" for c, w in zip(cells, widths, strict=True)]
        return "  ".join(p.ljust(w) for p, w in zip(parts, widths, strict=True)).rstrip()

    out.write(line(columns) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    for row, note in zip(rows, notes, strict=True):
        out.write(line(row) + "\n")
        if note:
            out.write(textwrap.fill(note, max(40, width - 1), initial_indent="    ", subsequent_indent="    ",
                                    break_long_words=False, break_on_hyphens=False) + "\n")
