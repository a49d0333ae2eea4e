"""The distribution-curve check (pola distribusi): employee predikat in an OPD against its
organisation predikat. The regulation says "mempertimbangkan", so violations are reported; whether
they block closing the year is configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from appraisal.domain.rules import DISTRIBUTION_2022, DistributionPattern, ShareRule
from shared.events import OrgPredikat, Predikat


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
