"""Spreadsheet safety for every CSV or XLSX the services write (OWASP "CSV injection").

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a line break (or their full-width
forms, or any of these after leading blanks) is taken for a formula by Excel, LibreOffice and
Google Sheets; a name such as ``=HYPERLINK("http://…")`` typed into
the registry would run on the BKPSDM's desk. Every CSV text cell goes through ``safe_cell`` (an XLSX
text cell is written as a string cell, which never runs),
which puts a single quote in front of such a cell (shown as text, the quote hidden). Numbers and
dates are written as numbers and dates, never as text, so a negative number stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""What a spreadsheet may read as the start of a formula: the ASCII signs, their full-width forms
(LibreOffice and some locales take those too), and control characters."""

Cell = str | int | float | date | datetime | None


def safe_cell(value: Cell) -> Cell:
    """``value`` as it may go into a spreadsheet: text that a spreadsheet would read as a formula gets
    a leading quote; everything else is unchanged."""
    if isinstance(value, str) and (value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS)):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document (comma-separated, CRLF, quoted where needed) of neutralised cells."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
