"""How people read a period code: '2026-Q1' is 'Triwulan I 2026', '2035-03' is 'Maret 2035'."""

from __future__ import annotations

import re

from shared.i18n import Text

MONTHS = Text(
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember",
    "January February March April May June July August September October November December",
)
"""Month names, in order, separated by spaces."""
ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}
PERIOD = re.compile(r"(?P<year>[0-9]{4})(-(?P<part>S[12]|Q[1-4]|0[1-9]|1[0-2]))?")


def period_label(period: str) -> Text:
    """'2026' -> 'Tahun 2026'; '2026-S1' -> 'Semester I 2026'; '2026-Q1' -> 'Triwulan I 2026' (English
    'Q1 2026'); '2026-03' -> 'Maret 2026' (English 'March 2026'). A code that is not a period is
    returned as it is."""
    match = PERIOD.fullmatch(period)
    if match is None:
        return Text(period, period)
    year, part = match["year"], match["part"]
    if part is None:
        return Text(f"Tahun {year}", f"Year {year}")
    if part.startswith("S"):
        return Text(f"Semester {ROMAN[part[1:]]} {year}", f"Semester {ROMAN[part[1:]]} {year}")
    if part.startswith("Q"):
        return Text(f"Triwulan {ROMAN[part[1:]]} {year}", f"Q{part[1:]} {year}")
    month = int(part) - 1
    return Text(f"{MONTHS.ind.split()[month]} {year}", f"{MONTHS.en.split()[month]} {year}")


def period_order(period: str) -> tuple[int, int, str]:
    """A sort key: periods in time order within a year, the annual one last ('2026-Q4' before '2026')."""
    return int(period[:4]), 1 if len(period) == 4 else 0, period
