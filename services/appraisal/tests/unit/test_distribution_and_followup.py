import datetime as dt
import re

import pytest

from appraisal.domain.access import READ, Actor, Relation, Subject, may, relations
from appraisal.domain.distribution import check_distribution
from appraisal.domain.followup import add_months, improvement_due, must_escalate, objection_open
from appraisal.domain.rules import DISTRIBUTION_2022, OPD_SEED
from shared.events import OrgPredikat, Predikat

SB, B, BP, K, SK = (
    Predikat.SANGAT_BAIK,
    Predikat.BAIK,
    Predikat.BUTUH_PERBAIKAN,
    Predikat.KURANG_MISCONDUCT,
    Predikat.SANGAT_KURANG,
)


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


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 1, 15), 6) == dt.date(2026, 7, 15)


def test_improvement_window_is_six_months() -> None:
    assert improvement_due(dt.date(2027, 1, 20)) == dt.date(2027, 7, 20)


def test_second_consecutive_low_annual_predikat_escalates() -> None:
    assert must_escalate({2025: K, 2026: BP}, 2026)
    assert not must_escalate({2025: B, 2026: BP}, 2026)
    assert not must_escalate({2026: SK}, 2026)  # no earlier year on record
    assert not must_escalate({2024: K, 2026: K}, 2026)  # not consecutive


def test_objection_window() -> None:
    finalised = dt.datetime(2027, 1, 20, 10, 0, tzinfo=dt.UTC)
    assert objection_open(finalised, finalised + dt.timedelta(days=14), 14)
    assert not objection_open(finalised, finalised + dt.timedelta(days=14, seconds=1), 14)


def test_the_opd_seed_holds_the_citys_units_once_each_with_a_sector() -> None:
    codes = [unit.code for unit in OPD_SEED]
    assert len(codes) == len(set(codes)) == 50
    assert sum(unit.kind == "kecamatan" for unit in OPD_SEED) == 18
    assert all(re.fullmatch(r"[A-Z0-9_-]{2,32}", code) for code in codes)
    assert all(re.fullmatch(r"[a-z_-]{2,40}", unit.sector) for unit in OPD_SEED)
    by_code = {unit.code: unit for unit in OPD_SEED}
    assert (by_code["DINKES"].sector, by_code["DISDIK"].sector) == ("kesehatan", "pendidikan")
    assert by_code["KEC-JAKABARING"].name == "Kecamatan Jakabaring"


SUBJECT = Subject("198609262015051001", "DINKES", "197501012000031001", "196801011990031001")


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        (Actor("198609262015051001", frozenset({"pegawai"})), {Relation.SELF}),
        (Actor("197501012000031001", frozenset({"pejabat_penilai"})), {Relation.APPRAISER}),
        (Actor("197501012000031001", frozenset({"pegawai"})), set()),  # the role is needed too
        (Actor("196801011990031001", frozenset({"atasan_pejabat_penilai"})), {Relation.APPRAISERS_SUPERIOR}),
        (Actor("199001012020121001", frozenset({"admin_opd"}), "DINKES"), {Relation.OPD_ADMIN}),
        (Actor("199001012020121001", frozenset({"admin_opd"}), "DISDIK"), set()),
        (Actor("199001012020121001", frozenset({"admin_bkpsdm"})), {Relation.BKPSDM}),
        (Actor("199001012020121001", frozenset({"pimpinan"})), set()),
        (Actor("199001012020121001", frozenset({"pejabat_penilai"})), set()),  # not their report
    ],
)
def test_relations_and_read_access(actor: Actor, expected: set[Relation]) -> None:
    assert relations(actor, SUBJECT) == expected
    assert may(actor, SUBJECT, READ) is bool(expected)
