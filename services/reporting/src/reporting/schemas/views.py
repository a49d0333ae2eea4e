"""What the views answer (OpenAPI). Every figure is a count or a share (0-1, four places; null when
there is nothing to divide)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from shared.events import Predikat

Counts = dict[str, int]
"""Per predikat (sangat_baik, baik, butuh_perbaikan, kurang_misconduct, sangat_kurang)."""


class FreshnessOut(BaseModel):
    newest_event_at: dt.datetime | None = Field(description="The newest event (occurred_at) the read models hold.")
    applied_at: dt.datetime | None = Field(description="When the last batch of events was applied.")
    stale_summaries: int = Field(description="Summaries waiting to be recomputed (0: the figures are current).")
    lag_records: int | None = Field(description="Records on the consumed topics not read yet (null: not probed).")
    lag_checked_at: dt.datetime | None
    generation: int = Field(description="The read models' generation (a replay builds the next one).")


class TopicFreshnessOut(BaseModel):
    topic: str
    newest_event_at: dt.datetime | None
    applied_at: dt.datetime | None
    lag_records: int | None


class ServiceFreshnessOut(FreshnessOut):
    topics: list[TopicFreshnessOut]


class IndicatorOut(BaseModel):
    rhk: str | None
    indicator_id: str
    indicator: str | None
    target: str | None
    realisation: str | None
    unit: str | None
    achievement_pct: float | None
    rating: str | None


class HistoryRowOut(BaseModel):
    appraisal_id: str
    period: str
    annual: bool
    revision: int
    predikat: Predikat
    hasil_kerja: str
    perilaku_kerja: str
    due: str | None
    late: bool | None
    indicators: list[IndicatorOut]


class PlanOut(BaseModel):
    appraisal_id: str
    period: str
    status: str
    cause: str | None
    actions: list[str]
    due_on: str | None = Field(description="End of the improvement window (a low annual result).")
    escalated: bool


class ProgramOut(BaseModel):
    program_code: str
    title: str | None
    jp: float


class RecommendationOut(BaseModel):
    recommendation_id: str
    reason: str | None
    source_appraisal_id: str | None
    due_by: str | None
    programs: list[ProgramOut]


class TrainingOut(BaseModel):
    enrolment_id: str
    program_code: str
    title: str | None
    status: Literal["enrolled", "completed"]
    jp: float | None = Field(description="Planned JP while enrolled, earned JP once completed.")
    starts_on: str | None
    ends_on: str | None
    completed_on: str | None
    external_learning: bool | None


class JpOut(BaseModel):
    year: int
    earned: float
    minimum: int | None = Field(description="PNS: the yearly minimum (20 JP).")
    cap: int | None = Field(description="PPPK: the cap (24 JP).")
    met: bool = Field(description="PNS: earned at least the minimum; PPPK: within the cap.")


class EmployeeViewOut(BaseModel):
    nip: str
    name: str | None
    opd_code: str | None
    unit_code: str | None
    position_title: str | None
    employee_type: str | None
    pejabat_penilai_nip: str | None
    year: int
    history: list[HistoryRowOut] = Field(description="Every finalised appraisal (newest revision), newest first.")
    development_plans: list[PlanOut] = Field(description="Open development plans.")
    recommendations: list[RecommendationOut] = Field(description="Open training recommendations.")
    trainings: list[TrainingOut] = Field(description="Enrolments and completions of the year.")
    jp: JpOut
    freshness: FreshnessOut


class TeamPeriodOut(BaseModel):
    period: str
    due: str | None
    done: int = Field(description="Evaluations finalised.")
    total: int = Field(description="Members of the team.")


class TeamMemberOut(BaseModel):
    nip: str
    name: str | None
    unit_code: str | None
    position_title: str | None
    skp_status: Literal["not_submitted", "submitted", "returned", "approved"]
    skp_approved: bool
    skp_approved_late: bool
    evaluations: dict[str, str] = Field(description="Predikat per finalised period.")
    predikat_so_far: str | None = Field(description="The predikat of the latest finalised period.")
    open_plans: int
    pending_objections: int


class TeamSkpOut(BaseModel):
    approved: int
    submitted: int
    returned: int
    not_submitted: int


class TeamViewOut(BaseModel):
    pejabat_penilai_nip: str
    year: int
    size: int
    periods: list[TeamPeriodOut]
    skp: TeamSkpOut
    open_plans: int
    pending_objections: int
    members: list[TeamMemberOut]
    freshness: FreshnessOut


class RuleOut(BaseModel):
    rule: str
    count: int
    share: float


class CurveOut(BaseModel):
    organisation_predikat: str | None
    pattern: str | None = Field(description="The distribution pattern applied (regulation version).")
    violations: list[RuleOut]
    warnings: list[RuleOut] = Field(description="Tendencies the pattern states that are not met (not a bound).")


class UnitLowOut(BaseModel):
    unit_code: str
    low: int


class IndicatorLowOut(BaseModel):
    indicator: str
    rhk: str
    low: int = Field(description="Employees with a low result whose weak indicators include it.")


class BehaviourLowOut(BaseModel):
    value: str
    low: int


class PeriodOut(BaseModel):
    period: str
    total: int
    counts: Counts
    with_due: int
    on_time: int
    late: int
    low: int = Field(description="Low scores standing (Butuh Perbaikan or lower, not withdrawn).")
    escalated: int
    low_by_unit: list[UnitLowOut]
    low_by_indicator: list[IndicatorLowOut]
    low_by_behaviour: list[BehaviourLowOut]
    curve: CurveOut


class PeopleOut(BaseModel):
    employees: int
    pns: int
    pppk: int


class SkpOut(BaseModel):
    employees: int
    approved: int
    approved_on_time: int
    approved_on_time_share: float | None
    waiting: int
    returned: int
    not_submitted: int


class JpComplianceOut(BaseModel):
    minimum_jp: int
    pppk_cap_jp: int
    pns: int
    pns_met: int
    pns_met_share: float | None
    pppk: int
    pppk_within_cap: int
    pppk_with_training: int


class InboxOut(BaseModel):
    delivered: int
    read: int
    read_share: float | None
    failed: int = Field(description="Deliveries given up (any channel).")


class CasesOut(BaseModel):
    plans_open: int
    plans_awaiting_input: int
    plans_escalated: int
    objections_pending: int


class AdoptionOut(BaseModel):
    opd_code: str
    employees: int
    skp_approved_on_time: int
    evaluations_with_due: int
    evaluations_on_time: int
    inbox_delivered: int
    inbox_read: int
    skp_on_time_share: float | None
    evaluations_on_time_share: float | None
    inbox_read_share: float | None
    score: float | None = Field(description="Mean of the three shares that exist.")
    rank: int | None = None


class OpdViewOut(BaseModel):
    opd_code: str
    year: int
    organisation_predikat: str | None
    year_closed: bool
    periods: list[PeriodOut]
    people: PeopleOut
    skp: SkpOut | None
    jp: JpComplianceOut | None
    inbox: InboxOut | None
    cases: CasesOut
    adoption: AdoptionOut
    freshness: FreshnessOut


class OpdRowOut(BaseModel):
    opd_code: str
    organisation_predikat: str | None
    employees: int
    latest_period: str | None
    latest_counts: Counts
    latest_total: int
    curve_violations: int
    low: int
    jp_pns_met_share: float | None
    objections_pending: int
    plans_open: int


class TrendOut(BaseModel):
    period: str
    total: int
    counts: Counts
    low: int
    escalated: int


class EscalationOpdOut(BaseModel):
    opd_code: str
    low_escalated: int
    plans_escalated: int


class EscalationsOut(BaseModel):
    low_escalated: int = Field(description="Second consecutive low annual results (the BKPSDM's cases).")
    plans_escalated: int
    by_opd: list[EscalationOpdOut]


class EffectOut(BaseModel):
    key: str
    completed: int
    with_later_result: int
    improved: int
    unchanged: int
    worsened: int
    improvement_rate: float | None


class EffectivenessOut(BaseModel):
    by_programme: list[EffectOut]
    by_need_kind: list[EffectOut]


class CityViewOut(BaseModel):
    year: int
    opds: list[OpdRowOut]
    trend: list[TrendOut]
    escalations: EscalationsOut
    effectiveness: EffectivenessOut
    adoption: list[AdoptionOut] = Field(description="Per OPD, ranked best first.")
    freshness: FreshnessOut


class PredikatSummaryOut(BaseModel):
    period: str | None
    opd_code: str | None
    total: int = Field(description="Completed appraisals counted.")
    by_predikat: dict[Predikat, int]
