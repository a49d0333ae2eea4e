"""Rules from regulation that more than one service applies, as data with their source, and the pure
functions that read them. The appraisal service holds employee predikat against the distribution pattern of
their organisation's predikat, and reporting shows the same check; training counts JP against the PNS
minimum and the PPPK cap per contract year, and reporting shows the same compliance.

[S] = found in the cited source; [R] = a recommendation or assumption not verified in a primary source,
kept here as data so that the BKPSDM can change it without a code change (domain.md legend).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from shared.events import EmployeeType, OrgPredikat, Predikat
from shared.i18n import Text


class RegulationError(ValueError):
    """An input a rule here refuses. ``code`` is stable (a service maps it to a problem's code); ``text``
    says why, in Bahasa Indonesia and English."""

    def __init__(self, code: str, text: Text) -> None:
        super().__init__(f"{code}: {text.en}")
        self.code = code
        self.text = text


# ---------------------------------------------------------------------------------------------------
# The distribution pattern (pola distribusi): employee predikat in an OPD against its organisation predikat.
# The regulation says "mempertimbangkan", so violations are reported; whether they block closing the year is
# the appraisal service's configuration.


@dataclass(frozen=True)
class ShareRule:
    """A bound on the share (or count) of employees whose predikat is in ``predikat``."""

    predikat: frozenset[Predikat]
    text: str
    max_share: float | None = None
    min_share: float | None = None
    min_count: int | None = None
    more_than_share: float | None = None
    """The share must exceed this ("sebagian besar": more than half)."""
    warning_only: bool = False
    """A warning (reported, never blocks closing the year) rather than a violation."""


_SB, _B, _BP, _K, _SK = (
    Predikat.SANGAT_BAIK,
    Predikat.BAIK,
    Predikat.BUTUH_PERBAIKAN,
    Predikat.KURANG_MISCONDUCT,
    Predikat.SANGAT_KURANG,
)


@dataclass(frozen=True)
class DistributionPattern:
    version: str
    citation: str
    rules: MappingProxyType[OrgPredikat, tuple[ShareRule, ...]]


DISTRIBUTION_2022 = DistributionPattern(
    version="permenpanrb-6-2022",
    citation=(
        "PermenPANRB No. 6 Tahun 2022, Lampiran (pola distribusi, hlm. 94), as quoted in the MenPANRB circular "
        "on the three evaluation steps"
    ),
    rules=MappingProxyType(
        {
            OrgPredikat.ISTIMEWA: (
                ShareRule(frozenset({_SB}), "Sangat Baik paling banyak 70%", max_share=0.70),
                ShareRule(
                    frozenset({_SB}),
                    "sebagian besar Sangat Baik (lebih dari setengah)",
                    more_than_share=0.50,
                    warning_only=True,
                ),
            ),
            OrgPredikat.BAIK: (
                ShareRule(frozenset({_B}), "Baik paling banyak 70%", max_share=0.70),
                ShareRule(
                    frozenset({_B}),
                    "sebagian besar Baik (lebih dari setengah)",
                    more_than_share=0.50,
                    warning_only=True,
                ),
                ShareRule(frozenset({_BP, _K}), "harus ada Butuh Perbaikan dan/atau Kurang/Misconduct", min_count=1),
            ),
            OrgPredikat.BUTUH_PERBAIKAN: (
                ShareRule(frozenset({_BP}), "Butuh Perbaikan paling sedikit 60%", min_share=0.60),
                ShareRule(frozenset({_SB}), "Sangat Baik paling banyak 10%", max_share=0.10),
            ),
            OrgPredikat.KURANG: (
                ShareRule(frozenset({_K}), "Kurang/Misconduct paling sedikit 60%", min_share=0.60),
                ShareRule(frozenset({_BP}), "Butuh Perbaikan paling sedikit 10%", min_share=0.10),
                ShareRule(frozenset({_SB}), "Sangat Baik paling banyak 10%", max_share=0.10),
            ),
            OrgPredikat.SANGAT_KURANG: (
                ShareRule(frozenset({_SK}), "Sangat Kurang paling sedikit 60%", min_share=0.60),
                ShareRule(
                    frozenset({_K, _BP}),
                    "Kurang/Misconduct dan/atau Butuh Perbaikan paling sedikit 10%",
                    min_share=0.10,
                ),
                ShareRule(frozenset({_SB}), "tidak ada Sangat Baik", max_share=0.0),
            ),
        }
    ),
)


@dataclass(frozen=True)
class Violation:
    rule: str
    actual_count: int
    actual_share: float


def check_distribution(
    org_predikat: OrgPredikat,
    counts: Mapping[Predikat, int],
    pattern: DistributionPattern = DISTRIBUTION_2022,
    *,
    warnings: bool = False,
) -> list[Violation]:
    """The rules the counts break: the violations, or with ``warnings`` the warning-only rules
    ("sebagian besar", which the pattern states as a tendency rather than a bound)."""
    total = sum(counts.values())
    if total == 0:
        return []
    return [
        violation
        for rule in pattern.rules[org_predikat]
        if rule.warning_only is warnings and (violation := _violates(rule, counts, total)) is not None
    ]


def _violates(rule: ShareRule, counts: Mapping[Predikat, int], total: int) -> Violation | None:
    count = sum(counts.get(p, 0) for p in rule.predikat)
    share = count / total
    broken = (
        (rule.max_share is not None and share > rule.max_share + 1e-9)
        or (rule.min_share is not None and share < rule.min_share - 1e-9)
        or (rule.min_count is not None and count < rule.min_count)
        or (rule.more_than_share is not None and share <= rule.more_than_share + 1e-9)
    )
    return Violation(rule.text, count, round(share, 4)) if broken else None


# ---------------------------------------------------------------------------------------------------
# JP obligations (domain.md 2)


@dataclass(frozen=True)
class JpObligation:
    """Yearly competency-development hours (jam pelajaran, JP) for one employee type: a minimum."""

    employee_type: EmployeeType
    minimum_jp_per_year: int
    citation: str


JP_OBLIGATIONS = MappingProxyType(
    {
        EmployeeType.PNS: JpObligation(
            employee_type=EmployeeType.PNS,
            minimum_jp_per_year=20,
            citation=(
                "PP No. 11 Tahun 2017 jo. PP No. 17 Tahun 2020 tentang Manajemen PNS, Pasal 203: "
                "hak dan kewajiban pengembangan kompetensi paling sedikit 20 JP dalam 1 tahun"
            ),
        ),
    }
)
"""[S] 20 JP a year for PNS (Kemendikbud coaching/mentoring guide; idntimes.com); the Pasal is [R] (domain.md 2).
PPPK have no yearly minimum: they have a cap (``JP_CAPS``)."""


@dataclass(frozen=True)
class JpCap:
    """A ceiling on competency development for one employee type, per contract year."""

    employee_type: EmployeeType
    maximum_jp: int
    window: str
    citation: str


JP_CAPS = MappingProxyType(
    {
        EmployeeType.PPPK: JpCap(
            employee_type=EmployeeType.PPPK,
            maximum_jp=24,
            window="contract_year",
            citation=(
                "[S] PPPK paling lama 24 JP (idntimes.com, domain.md 2; Peraturan LAN 15/2020 on Bangkom PPPK); "
                "[R] counted per contract year (1 tahun masa perjanjian kerja) from the contract start date: "
                "domain.md reads 'over the contract period', the brief of issue 10 'per contract year'"
            ),
        ),
    }
)


def contract_year(contract_start: dt.date, on: dt.date) -> tuple[dt.date, dt.date]:
    """The contract year (first and last day) of a PPPK that contains ``on``: years run from the anniversary
    of ``contract_start`` (29 February starts on 28 February in other years)."""
    if on < contract_start:
        raise RegulationError(
            "before_contract", Text("Tanggal sebelum awal perjanjian kerja", "Date is before the contract start")
        )
    years = on.year - contract_start.year
    start = _anniversary(contract_start, years)
    if start > on:
        years -= 1
        start = _anniversary(contract_start, years)
    return start, _anniversary(contract_start, years + 1) - dt.timedelta(days=1)


def _anniversary(start: dt.date, years: int) -> dt.date:
    year = start.year + years
    try:
        return start.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 2, 28)
