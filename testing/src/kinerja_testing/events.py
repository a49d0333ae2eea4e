"""Events of every topic for tests and benchmarks, with plain defaults (a Baik result, a PNS Pelaksana
of DINKES); ``at`` sets ``occurred_at``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from shared.events import (
    AppraisalCompleted,
    AppraisalCompletedPayload,
    DevelopmentPlanChanged,
    DevelopmentPlanChangedPayload,
    EmployeeRegistered,
    EmployeeSnapshot,
    EmployeeUpdated,
    EmployeeUpdatedPayload,
    Event,
    LowScoreFlagged,
    LowScoreFlaggedPayload,
    LowScoreWithdrawn,
    LowScoreWithdrawnPayload,
    NotificationDelivered,
    NotificationDeliveredPayload,
    NotificationFailed,
    NotificationFailedPayload,
    NotificationRead,
    NotificationReadPayload,
    ObjectionDecided,
    ObjectionDecidedPayload,
    ObjectionFiled,
    ObjectionFiledPayload,
    OrganisationYearUpdated,
    OrganisationYearUpdatedPayload,
    PerformanceYearConfigured,
    PerformanceYearConfiguredPayload,
    Predikat,
    RatingLevel,
    SkpApproved,
    SkpApprovedPayload,
    SkpReturned,
    SkpReturnedPayload,
    SkpSubmitted,
    SkpSubmittedPayload,
    TrainingCompleted,
    TrainingCompletedPayload,
    TrainingEnrolled,
    TrainingEnrolledPayload,
    TrainingRecommendationWithdrawn,
    TrainingRecommendationWithdrawnPayload,
    TrainingRecommended,
    TrainingRecommendedPayload,
)

LOW_PREDIKAT = {Predikat.BUTUH_PERBAIKAN, Predikat.KURANG_MISCONDUCT, Predikat.SANGAT_KURANG}


def _make(event_type: type[Event], payload_type: type[Any], values: dict[str, Any], at: dt.datetime | None) -> Any:
    return event_type.create(payload_type.model_validate(values), producer="test", occurred_at=at)


def person(
    nip: str,
    opd_code: str = "DINKES",
    *,
    version: int = 1,
    at: dt.datetime | None = None,
    **fields: Any,
) -> EmployeeRegistered | EmployeeUpdated:
    """``employee.registered.v1`` for version 1, ``employee.updated.v1`` after."""
    values: dict[str, Any] = {
        "nip": nip,
        "name": f"Pegawai {nip[-4:]}",
        "employee_type": "PNS",
        "position_type": "PELAKSANA",
        "opd_code": opd_code,
        "version": version,
    } | fields
    if version == 1:
        return _make(EmployeeRegistered, EmployeeSnapshot, values, at)  # type: ignore[no-any-return]
    return _make(EmployeeUpdated, EmployeeUpdatedPayload, values, at)  # type: ignore[no-any-return]


def year_configured(year: int, *, version: int = 1, at: dt.datetime | None = None, **fields: Any) -> Any:
    periods = [f"{year}-Q{q}" for q in range(1, 5)] + [str(year)]
    values: dict[str, Any] = {
        "year": year,
        "frequency": "quarterly",
        "periods": periods,
        "skp_due": dt.date(year, 1, 31),
        "evaluation_due": {p: (dt.date(year + 1, 1, 31) if p == str(year) else _quarter_due(p)) for p in periods},
        "objection_window_days": 14,
        "distribution_enforcement": "warning",
        "version": version,
    } | fields
    return _make(PerformanceYearConfigured, PerformanceYearConfiguredPayload, values, at)


def _quarter_due(period: str) -> dt.date:
    year, quarter = int(period[:4]), int(period[-1])
    return dt.date(year + (quarter == 4), (quarter * 3) % 12 + 1, 15)


def org_year(opd_code: str, year: int, predikat: str | None, *, version: int = 1, closed: bool = False) -> Any:
    values = {"opd_code": opd_code, "year": year, "predikat": predikat, "closed": closed, "version": version}
    return _make(OrganisationYearUpdated, OrganisationYearUpdatedPayload, values, None)


def skp(
    step: str,
    skp_id: str,
    nip: str,
    *,
    year: int = 2026,
    opd_code: str = "DINKES",
    at: dt.datetime | None = None,
    **f: Any,
) -> Any:
    """``step``: submitted, returned or approved."""
    values: dict[str, Any] = {"skp_id": skp_id, "nip": nip, "year": year, "opd_code": opd_code} | f
    if step == "approved":
        values = {"approach": "kuantitatif", "rhk": []} | values
        return _make(SkpApproved, SkpApprovedPayload, values, at)
    if step == "returned":
        return _make(SkpReturned, SkpReturnedPayload, {"reason": "Perbaiki target"} | values, at)
    return _make(SkpSubmitted, SkpSubmittedPayload, values, at)


def completed(
    appraisal_id: str,
    nip: str,
    period: str,
    predikat: Predikat = Predikat.BAIK,
    *,
    opd_code: str = "DINKES",
    revision: int = 1,
    at: dt.datetime | None = None,
    **fields: Any,
) -> AppraisalCompleted:
    low = predikat in LOW_PREDIKAT
    values: dict[str, Any] = {
        "appraisal_id": appraisal_id,
        "revision": revision,
        "nip": nip,
        "opd_code": opd_code,
        "period": period,
        "hasil_kerja": RatingLevel.DI_BAWAH_EKSPEKTASI if low else RatingLevel.SESUAI_EKSPEKTASI,
        "perilaku_kerja": RatingLevel.SESUAI_EKSPEKTASI,
        "predikat": predikat,
    } | fields
    return _make(AppraisalCompleted, AppraisalCompletedPayload, values, at)  # type: ignore[no-any-return]


def flagged(
    appraisal_id: str,
    nip: str,
    period: str,
    predikat: Predikat = Predikat.BUTUH_PERBAIKAN,
    *,
    opd_code: str = "DINKES",
    revision: int = 1,
    weak: tuple[str, ...] = (),
    at: dt.datetime | None = None,
    **fields: Any,
) -> LowScoreFlagged:
    """A low score; ``weak`` names weak indicators (their text)."""
    values: dict[str, Any] = {
        "appraisal_id": appraisal_id,
        "revision": revision,
        "nip": nip,
        "opd_code": opd_code,
        "period": period,
        "predikat": predikat,
        "hasil_kerja": RatingLevel.DI_BAWAH_EKSPEKTASI,
        "perilaku_kerja": RatingLevel.SESUAI_EKSPEKTASI,
        "weak_indicators": [
            {
                "rhk_id": "r1",
                "rhk_text": "Layanan kesehatan",
                "indicator_id": f"i{i}",
                "indicator_text": text,
                "target": "95",
            }
            for i, text in enumerate(weak)
        ],
    } | fields
    return _make(LowScoreFlagged, LowScoreFlaggedPayload, values, at)  # type: ignore[no-any-return]


def withdrawn(
    appraisal_id: str,
    nip: str,
    period: str,
    *,
    opd_code: str = "DINKES",
    revision: int = 2,
    at: dt.datetime | None = None,
) -> LowScoreWithdrawn:
    values = {
        "appraisal_id": appraisal_id,
        "revision": revision,
        "nip": nip,
        "opd_code": opd_code,
        "period": period,
        "predikat": Predikat.BAIK,
        "previous_predikat": Predikat.BUTUH_PERBAIKAN,
        "reason": "objection_upheld",
        "development_plan_withdrawn": True,
    }
    return _make(LowScoreWithdrawn, LowScoreWithdrawnPayload, values, at)  # type: ignore[no-any-return]


def plan(
    appraisal_id: str,
    nip: str,
    period: str,
    status: str,
    *,
    opd_code: str = "DINKES",
    at: dt.datetime | None = None,
    **f: Any,
) -> DevelopmentPlanChanged:
    values = {"appraisal_id": appraisal_id, "nip": nip, "opd_code": opd_code, "period": period, "status": status} | f
    return _make(DevelopmentPlanChanged, DevelopmentPlanChangedPayload, values, at)  # type: ignore[no-any-return]


def objection(
    step: str, appraisal_id: str, nip: str, period: str, *, opd_code: str = "DINKES", at: dt.datetime | None = None
) -> ObjectionFiled | ObjectionDecided:
    """``step``: filed, upheld or rejected."""
    base = {"appraisal_id": appraisal_id, "nip": nip, "opd_code": opd_code, "period": period}
    if step == "filed":
        return _make(ObjectionFiled, ObjectionFiledPayload, base | {"reason": "Tidak sesuai"}, at)  # type: ignore[no-any-return]
    decided = base | {"decision": step, "decided_by": "197001012000011001", "revision": 2, "predikat": Predikat.BAIK}
    return _make(ObjectionDecided, ObjectionDecidedPayload, decided, at)  # type: ignore[no-any-return]


def recommended(
    recommendation_id: str,
    nip: str,
    *,
    programs: tuple[str, ...] = ("PKS-01",),
    reason: str = "low_score",
    source_appraisal_id: str | None = None,
    at: dt.datetime | None = None,
) -> TrainingRecommended:
    values = {
        "recommendation_id": recommendation_id,
        "nip": nip,
        "reason": reason,
        "source_appraisal_id": source_appraisal_id,
        "programs": [{"program_code": code, "title": f"Program {code}", "jp": 8} for code in programs],
    }
    return _make(TrainingRecommended, TrainingRecommendedPayload, values, at)  # type: ignore[no-any-return]


def recommendation_withdrawn(recommendation_id: str, nip: str, *, at: dt.datetime | None = None) -> Any:
    values = {"recommendation_id": recommendation_id, "nip": nip, "reason": "low_score_withdrawn"}
    return _make(TrainingRecommendationWithdrawn, TrainingRecommendationWithdrawnPayload, values, at)


def enrolled(
    enrolment_id: str, nip: str, *, program_code: str = "PKS-01", starts_on: dt.date = dt.date(2026, 3, 2), **f: Any
) -> TrainingEnrolled:
    values = {
        "enrolment_id": enrolment_id,
        "nip": nip,
        "program_code": program_code,
        "title": f"Program {program_code}",
        "jp_planned": 8,
        "starts_on": starts_on,
    } | f
    return _make(TrainingEnrolled, TrainingEnrolledPayload, values, None)  # type: ignore[no-any-return]


def training_completed(
    enrolment_id: str,
    nip: str,
    jp: float,
    *,
    program_code: str = "PKS-01",
    completed_on: dt.date = dt.date(2026, 3, 6),
    at: dt.datetime | None = None,
    **f: Any,
) -> TrainingCompleted:
    values = {
        "enrolment_id": enrolment_id,
        "nip": nip,
        "program_code": program_code,
        "title": f"Program {program_code}",
        "jp_earned": jp,
        "completed_on": completed_on,
        "year": completed_on.year,
    } | f
    return _make(TrainingCompleted, TrainingCompletedPayload, values, at)  # type: ignore[no-any-return]


def message(step: str, notification_id: str, nip: str, *, channel: str = "inbox", at: dt.datetime | None = None) -> Any:
    """``step``: delivered, failed (given up), retrying, or read (inbox)."""
    base = {
        "notification_id": notification_id,
        "nip": nip,
        "kind": "appraisal.completed",
        "source_event_id": str(uuid.uuid4()),
    }
    if step == "read":
        read_at = at or dt.datetime.now(dt.UTC)
        return _make(NotificationRead, NotificationReadPayload, base | {"read_at": read_at}, at)
    if step == "delivered":
        return _make(NotificationDelivered, NotificationDeliveredPayload, base | {"channel": channel}, at)
    failure = {"channel": channel, "error": "SMTP 550", "attempts": 3, "will_retry": step == "retrying"}
    return _make(NotificationFailed, NotificationFailedPayload, base | failure, at)
