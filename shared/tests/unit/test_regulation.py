"""The rules from regulation in shared.regulation: the distribution pattern against each organisation predikat
(allowed and broken cases of every rule), the PNS JP minimum and the PPPK cap with their citations, and the
PPPK contract year."""

import datetime as dt

import pytest

from shared.events import EmployeeType, OrgPredikat, Predikat
from shared.regulation import (
    DISTRIBUTION_2022,
    JP_CAPS,
    JP_OBLIGATIONS,
    RegulationError,
    Violation,
    check_distribution,
    contract_year,
)

SB, B, BP, K, SK = (
    Predikat.SANGAT_BAIK,
    Predikat.BAIK,
    Predikat.BUTUH_PERBAIKAN,
    Predikat.KURANG_MISCONDUCT,
    Predikat.SANGAT_KURANG,
)

# ---------------------------------------------------------------- the distribution pattern


def rules_broken(org: OrgPredikat, counts: dict[Predikat, int]) -> list[str]:
    return [v.rule for v in check_distribution(org, counts)]


def test_every_organisation_predikat_has_rules_with_a_citation() -> None:
    assert set(DISTRIBUTION_2022.rules) == set(OrgPredikat)
    assert "PermenPANRB No. 6 Tahun 2022" in DISTRIBUTION_2022.citation


@pytest.mark.parametrize(
    ("org", "counts", "broken"),
    [
        (OrgPredikat.ISTIMEWA, {SB: 7, B: 3}, []),
        (OrgPredikat.ISTIMEWA, {SB: 8, B: 2}, ["Sangat Baik paling banyak 70%"]),
        (OrgPredikat.BAIK, {B: 7, SB: 2, BP: 1}, []),
        (OrgPredikat.BAIK, {B: 7, SB: 2, K: 1}, []),
        (OrgPredikat.BAIK, {B: 8, BP: 2}, ["Baik paling banyak 70%"]),
        (OrgPredikat.BAIK, {B: 7, SB: 3}, ["harus ada Butuh Perbaikan dan/atau Kurang/Misconduct"]),
        (OrgPredikat.BUTUH_PERBAIKAN, {BP: 6, B: 3, SB: 1}, []),
        (
            OrgPredikat.BUTUH_PERBAIKAN,
            {BP: 5, B: 3, SB: 2},
            ["Butuh Perbaikan paling sedikit 60%", "Sangat Baik paling banyak 10%"],
        ),
        (OrgPredikat.KURANG, {K: 6, BP: 1, SB: 1, B: 2}, []),
        (OrgPredikat.KURANG, {K: 6, B: 4}, ["Butuh Perbaikan paling sedikit 10%"]),
        (
            OrgPredikat.KURANG,
            {K: 5, BP: 3, SB: 2},
            ["Kurang/Misconduct paling sedikit 60%", "Sangat Baik paling banyak 10%"],
        ),
        (OrgPredikat.SANGAT_KURANG, {SK: 6, K: 1, B: 3}, []),
        (OrgPredikat.SANGAT_KURANG, {SK: 6, BP: 1, SB: 1, B: 2}, ["tidak ada Sangat Baik"]),
        (
            OrgPredikat.SANGAT_KURANG,
            {SK: 5, B: 5},
            [
                "Sangat Kurang paling sedikit 60%",
                "Kurang/Misconduct dan/atau Butuh Perbaikan paling sedikit 10%",
            ],
        ),
    ],
)
def test_distribution_rules(org: OrgPredikat, counts: dict[Predikat, int], broken: list[str]) -> None:
    assert rules_broken(org, counts) == broken


@pytest.mark.parametrize(
    ("org", "counts", "warned"),
    [
        (OrgPredikat.ISTIMEWA, {Predikat.SANGAT_BAIK: 6, Predikat.BAIK: 4}, []),
        (
            OrgPredikat.ISTIMEWA,
            {Predikat.SANGAT_BAIK: 5, Predikat.BAIK: 5},
            ["sebagian besar Sangat Baik (lebih dari setengah)"],
        ),
        (
            OrgPredikat.BAIK,
            {Predikat.BAIK: 4, Predikat.SANGAT_BAIK: 5, Predikat.KURANG_MISCONDUCT: 1},
            ["sebagian besar Baik (lebih dari setengah)"],
        ),
        (OrgPredikat.BAIK, {Predikat.BAIK: 6, Predikat.BUTUH_PERBAIKAN: 4}, []),
        (OrgPredikat.KURANG, {Predikat.BAIK: 10}, []),
    ],
)
def test_sebagian_besar_is_a_warning_never_a_violation(
    org: OrgPredikat, counts: dict[Predikat, int], warned: list[str]
) -> None:
    assert [w.rule for w in check_distribution(org, counts, warnings=True)] == warned
    assert not any(v.rule.startswith("sebagian besar") for v in check_distribution(org, counts))


def test_empty_opd_has_no_violations() -> None:
    assert check_distribution(OrgPredikat.BAIK, {}) == []


def test_violation_reports_count_and_share() -> None:
    [violation] = check_distribution(OrgPredikat.ISTIMEWA, {SB: 8, B: 2})
    assert (violation.actual_count, violation.actual_share) == (8, 0.8)


def test_every_rule_of_the_pattern_has_a_text_and_one_bound() -> None:
    for rules in DISTRIBUTION_2022.rules.values():
        for rule in rules:
            bounds = [rule.max_share, rule.min_share, rule.min_count, rule.more_than_share]
            assert rule.text
            assert rule.predikat
            assert sum(b is not None for b in bounds) == 1


def test_a_violation_is_plain_data() -> None:
    assert check_distribution(OrgPredikat.SANGAT_KURANG, {SB: 1}) == [
        Violation("Sangat Kurang paling sedikit 60%", 0, 0.0),
        Violation("Kurang/Misconduct dan/atau Butuh Perbaikan paling sedikit 10%", 0, 0.0),
        Violation("tidak ada Sangat Baik", 1, 1.0),
    ]


# ---------------------------------------------------------------- JP: the PNS minimum, the PPPK cap


def test_pns_must_earn_20_jp_a_year_with_citation() -> None:
    assert JP_OBLIGATIONS[EmployeeType.PNS].minimum_jp_per_year == 20
    assert "PP No. 11 Tahun 2017" in JP_OBLIGATIONS[EmployeeType.PNS].citation


def test_pppk_has_no_yearly_minimum() -> None:
    assert EmployeeType.PPPK not in JP_OBLIGATIONS


def test_pppk_cap_is_24_jp_per_contract_year_with_citation() -> None:
    cap = JP_CAPS[EmployeeType.PPPK]
    assert (cap.maximum_jp, cap.window) == (24, "contract_year")
    assert "[S]" in cap.citation
    assert "[R]" in cap.citation


@pytest.mark.parametrize(
    ("start", "on", "window"),
    [
        ("2025-04-01", "2025-04-01", ("2025-04-01", "2026-03-31")),
        ("2025-04-01", "2026-03-31", ("2025-04-01", "2026-03-31")),
        ("2025-04-01", "2026-04-01", ("2026-04-01", "2027-03-31")),
        ("2024-02-29", "2025-03-01", ("2025-02-28", "2026-02-27")),
        ("2024-02-29", "2025-02-27", ("2024-02-29", "2025-02-27")),
    ],
)
def test_contract_year(start: str, on: str, window: tuple[str, str]) -> None:
    first, last = contract_year(dt.date.fromisoformat(start), dt.date.fromisoformat(on))
    assert (first.isoformat(), last.isoformat()) == window


def test_contract_year_refuses_a_date_before_the_contract() -> None:
    with pytest.raises(RegulationError) as exc:
        contract_year(dt.date(2026, 1, 1), dt.date(2025, 12, 31))
    assert exc.value.code == "before_contract"


def test_the_refusal_is_a_value_error_with_a_code_and_both_languages() -> None:
    with pytest.raises(ValueError, match="before_contract") as exc:
        contract_year(dt.date(2026, 1, 1), dt.date(2025, 1, 1))
    assert isinstance(exc.value, RegulationError)
    assert (exc.value.code, exc.value.text.ind, exc.value.text.en) == (
        "before_contract",
        "Tanggal sebelum awal perjanjian kerja",
        "Date is before the contract start",
    )
