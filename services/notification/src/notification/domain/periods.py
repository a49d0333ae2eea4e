"""Dates, periods and predikat in Bahasa Indonesia: "5 Maret 2035", "Triwulan I 2035", "Sangat Baik"."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

from shared.events import Predikat
from shared.periods import MONTHS as MONTH_NAMES
from shared.periods import period_label

MONTHS = tuple(MONTH_NAMES.ind.split())
PREDIKAT_LABELS = MappingProxyType(
    {
        Predikat.SANGAT_BAIK: "Sangat Baik",
        Predikat.BAIK: "Baik",
        Predikat.BUTUH_PERBAIKAN: "Butuh Perbaikan",
        Predikat.KURANG_MISCONDUCT: "Kurang/Misconduct",
        Predikat.SANGAT_KURANG: "Sangat Kurang",
    }
)
LOW_PREDIKAT = frozenset({Predikat.BUTUH_PERBAIKAN, Predikat.KURANG_MISCONDUCT, Predikat.SANGAT_KURANG})
"""Below Baik: the result opens a development plan (PermenPANRB 6/2022; domain.md)."""


def describe_period(period: str) -> str:
    """The period inside a sentence: '2026' -> 'tahun 2026'; '2026-S1' -> 'Semester I 2026';
    '2026-Q1' -> 'Triwulan I 2026'; '2026-03' -> 'Maret 2026' (``shared.periods``)."""
    label = period_label(period).ind
    return label[0].lower() + label[1:] if label.startswith("Tahun ") else label


def describe_date(value: dt.date | str | None) -> str:
    """2035-03-05 -> '5 Maret 2035' (an ISO string is read first); None -> '-'."""
    if value is None:
        return "-"
    day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def describe_predikat(value: str) -> str:
    return PREDIKAT_LABELS.get(Predikat(value), value)


def is_low(value: str) -> bool:
    return Predikat(value) in LOW_PREDIKAT
