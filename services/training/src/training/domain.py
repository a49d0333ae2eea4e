"""Pure training rules: no I/O, no framework imports.

Rules from regulation are data with their citation, so a new regulation is a data change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EmployeeType(StrEnum):
    PNS = "PNS"
    PPPK = "PPPK"


@dataclass(frozen=True)
class JpObligation:
    """Yearly competency-development hours (jam pelajaran, JP) for one employee type."""

    employee_type: EmployeeType
    minimum_jp_per_year: int
    citation: str


JP_OBLIGATIONS = {
    EmployeeType.PNS: JpObligation(
        employee_type=EmployeeType.PNS,
        minimum_jp_per_year=20,
        citation=(
            "PP No. 11 Tahun 2017 jo. PP No. 17 Tahun 2020 tentang Manajemen PNS, Pasal 203: "
            "hak dan kewajiban pengembangan kompetensi paling sedikit 20 JP dalam 1 tahun"
        ),
    ),
}

MINUTES_PER_JP = 45  # 1 JP = 45 minutes (Peraturan LAN 10/2018 practice; kept as data)


def jp_shortfall(earned_jp: float, obligation: JpObligation) -> float:
    """How many JP are still missing this year (0 when the obligation is met)."""
    if earned_jp < 0:
        raise ValueError("earned JP cannot be negative")
    return max(0.0, obligation.minimum_jp_per_year - earned_jp)
