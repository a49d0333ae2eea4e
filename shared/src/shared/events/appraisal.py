"""Events of the performance cycle (owned by the appraisal service)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from shared.events.envelope import (
    Aspect,
    BerAkhlakValue,
    EmployeeType,
    Event,
    OrgPredikat,
    Payload,
    PositionType,
    Predikat,
    RatingLevel,
    Topic,
    nip_field,
)

PERIOD_DESCRIPTION = (
    "Evaluation period: '2026' (annual), '2026-S1' (semester), '2026-Q1' (quarter) or '2026-03' (month)."
)
PERIOD_PARTS = r"(-(S[12]|Q[1-4]|0[1-9]|1[0-2]))?"
PERIOD_PATTERN = rf"^[0-9]{{4}}{PERIOD_PARTS}$"
"""An evaluation period: a year, a semester, a quarter or a month of it (domain.md 1.4)."""


class SkpIndicator(Payload):
    indicator_id: str = Field(description="Id of the indicator (IKI) within the SKP.")
    aspect: Aspect = Field(description="Kuantitas, kualitas, waktu or biaya.")
    text: str = Field(description="The indicator as written in the SKP.")
    target: str = Field(description="Target value as written, e.g. '95'.")
    unit: str = Field(description="Unit of the target, e.g. '%', 'dokumen', 'bulan'.")


class SkpRhk(Payload):
    rhk_id: str = Field(description="Id of the RHK (rencana hasil kerja) within the SKP.")
    kind: Literal["utama", "tambahan"] = Field(description="RHK utama or tambahan.")
    text: str = Field(description="The RHK as written.")
    intervened_rhk_id: str | None = Field(
        None, description="The pejabat penilai's RHK this RHK intervenes (cascading); null at the top of an OPD."
    )
    indicators: list[SkpIndicator] = Field(description="Its indicators with targets.")


class SkpSpan(Payload):
    """The span and revision every SKP event carries (a mutation mid-year splits an SKP; an approved
    one is revised through a new submission)."""

    valid_from: dt.date | None = Field(
        None, description="First day the SKP is valid (1 January, or the day of a mutation mid-year)."
    )
    valid_to: dt.date | None = Field(
        None, description="Last day the SKP is valid (31 December, unless a later mutation closes it earlier)."
    )
    revision: int = Field(
        0, ge=0, description="0: the SKP as first approved; n: its n-th revision (a new submission of an approved SKP)."
    )


class SkpApprovedPayload(SkpSpan):
    skp_id: str = Field(description="Id of the SKP in the appraisal service.")
    nip: str = nip_field()
    year: int = Field(ge=2000, le=2100, description="The SKP year (1 January - 31 December).")
    approach: Literal["kuantitatif", "kualitatif"] = Field(description="Pendekatan hasil kerja.")
    opd_code: str = Field(description="Code of the employee's OPD.")
    unit_code: str | None = Field(None, description="Code of the unit within the OPD.")
    pejabat_penilai_nip: str | None = Field(
        None, description="NIP of the approver; or 'PPK', the Wali Kota, who has no NIP."
    )
    due: dt.date | None = Field(None, description="The year's skp_due: the date by which the SKP should be approved.")
    late: bool = Field(False, description="True when it was approved after `due`.")
    rhk: list[SkpRhk] = Field(description="The approved RHK with their indicators.")


class SkpApproved(Event):
    """The pejabat penilai approved an employee's SKP (performance plan) for a year."""

    topic: ClassVar[Topic] = Topic.SKP_APPROVED
    event_type: Literal["skp.approved"] = "skp.approved"
    schema_version: Literal[1] = 1
    payload: SkpApprovedPayload


class IndicatorResult(Payload):
    rhk_id: str = Field(description="Id of the RHK the indicator belongs to.")
    rhk_text: str | None = Field(None, description="The RHK as written.")
    indicator_id: str = Field(description="Id of the indicator.")
    indicator_text: str = Field(description="The indicator as written.")
    aspect: Aspect | None = Field(None, description="Aspect of the indicator.")
    target: str = Field(description="Target as written, e.g. '95'.")
    realisation: str | None = Field(None, description="Realisation as recorded, e.g. '62'.")
    unit: str | None = Field(None, description="Unit, e.g. '%'.")
    achievement_pct: float | None = Field(
        None, description="Realisation as a percentage of target (capaian), when both are numeric."
    )
    rating: RatingLevel | None = Field(None, description="Rating of the RHK this indicator belongs to.")


class BehaviourRating(Payload):
    value: BerAkhlakValue = Field(description="The BerAKHLAK core value.")
    rating: RatingLevel = Field(description="Its rating in this period.")


class AppraisalCompletedPayload(Payload):
    appraisal_id: str = Field(description="Id of the appraisal in the appraisal service.")
    revision: int = Field(
        1, ge=1, description="1 when first completed; higher when an objection changed the result. Highest wins."
    )
    nip: str = nip_field()
    opd_code: str = Field(description="Code of the employee's OPD (agency).")
    period: str = Field(description=PERIOD_DESCRIPTION)
    hasil_kerja: RatingLevel = Field(description="Rating of work results.")
    perilaku_kerja: RatingLevel = Field(description="Rating of work behaviour (BerAKHLAK).")
    predikat: Predikat = Field(description="Predikat from the 3x3 matrix of PermenPANRB 6/2022.")
    pejabat_penilai_nip: str | None = Field(
        None, description="NIP of the appraiser; or 'PPK', the Wali Kota, who has no NIP."
    )
    unit_code: str | None = Field(None, description="Code of the unit within the OPD.")
    indicators: list[IndicatorResult] = Field(
        default_factory=list, description="Per indicator: target and realisation."
    )
    behaviours: list[BehaviourRating] = Field(default_factory=list, description="Rating of each BerAKHLAK value.")
    weak_indicators: list[IndicatorResult] = Field(
        default_factory=list,
        description="Development areas: indicators of RHK rated below expectation, in any result (for training "
        "recommendations; in a Baik or Sangat Baik result they are never a sanction).",
    )
    weak_behaviours: list[BehaviourRating] = Field(
        default_factory=list, description="Development areas: BerAKHLAK values rated below expectation."
    )
    rating_justification: str | None = Field(
        None,
        description="The pejabat penilai's written reason when an overall rating departs from what the RHK or "
        "BerAKHLAK ratings give (null when they agree).",
    )
    position_type: PositionType | None = Field(None, description="The employee's position type (registry).")
    employee_type: EmployeeType | None = Field(None, description="PNS or PPPK (registry).")
    sector: str | None = Field(None, description="Sector of the OPD from the master data, e.g. 'kesehatan'.")
    due: dt.date | None = Field(
        None, description="The year's evaluation_due for this period, when configured (null: no deadline)."
    )
    late: bool = Field(False, description="True when the evaluation was finalised after `due`.")


class AppraisalCompleted(Event):
    """An appraisal (periodic or annual) was finalised by the pejabat penilai, or revised after an objection."""

    topic: ClassVar[Topic] = Topic.APPRAISAL_COMPLETED
    event_type: Literal["appraisal.completed"] = "appraisal.completed"
    schema_version: Literal[1] = 1
    payload: AppraisalCompletedPayload


class LowScoreFlaggedPayload(Payload):
    appraisal_id: str = Field(description="The appraisal that showed the weak results.")
    revision: int = Field(1, ge=1, description="Revision of that appraisal.")
    nip: str = nip_field()
    opd_code: str = Field(description="Code of the employee's OPD.")
    unit_code: str | None = Field(None, description="Code of the unit within the OPD.")
    sector: str | None = Field(None, description="Sector of the OPD, e.g. 'kesehatan', 'pendidikan'.")
    period: str = Field(description=PERIOD_DESCRIPTION)
    predikat: Predikat = Field(description="The predikat of the appraisal.")
    hasil_kerja: RatingLevel = Field(description="Overall rating of work results.")
    perilaku_kerja: RatingLevel = Field(description="Overall rating of work behaviour.")
    weak_indicators: list[IndicatorResult] = Field(
        default_factory=list, description="Indicators of RHK rated below expectation, with target vs realisation."
    )
    weak_behaviours: list[BehaviourRating] = Field(
        default_factory=list, description="BerAKHLAK values rated below expectation."
    )
    pejabat_penilai_nip: str | None = Field(
        None, description="NIP of the appraiser; or 'PPK', the Wali Kota, who has no NIP."
    )
    improvement_due: dt.date | None = Field(
        None,
        description="End of the 6-month improvement window (PP 30/2019 Pasal 57-58) the result opened: only a low "
        "annual result (Kurang or Sangat Kurang) opens one; null for a periodic result.",
    )
    development_plan_appraisal_id: str | None = Field(
        None,
        description="The appraisal that holds the development plan this result is followed up in: itself, or an "
        "earlier result of the same year whose plan is still open (one plan at a time).",
    )
    escalated_to_bkpsdm: bool = Field(
        False, description="True for a second consecutive low annual predikat: the BKPSDM takes the case up."
    )
    position_type: PositionType | None = Field(None, description="The employee's position type (registry).")
    employee_type: EmployeeType | None = Field(None, description="PNS or PPPK (registry).")


class LowScoreFlagged(Event):
    """An appraisal's predikat is Butuh Perbaikan or lower (a low score): the employee is coached through a
    development plan; a low annual result also opens the improvement window. Training reacts with
    development recommendations. (Weak parts of a good result travel in appraisal.completed.v1.)"""

    topic: ClassVar[Topic] = Topic.APPRAISAL_LOW_SCORE_FLAGGED
    event_type: Literal["appraisal.low_score_flagged"] = "appraisal.low_score_flagged"
    schema_version: Literal[1] = 1
    payload: LowScoreFlaggedPayload


class LowScoreWithdrawnPayload(Payload):
    appraisal_id: str = Field(
        description="The appraisal whose low score is withdrawn (as in appraisal.low_score_flagged.v1)."
    )
    revision: int = Field(ge=1, description="The revision of the appraisal that is no longer low.")
    nip: str = nip_field()
    opd_code: str = Field(description="Code of the employee's OPD.")
    period: str = Field(description=PERIOD_DESCRIPTION)
    predikat: Predikat = Field(description="The predikat of the revised result (Baik or Sangat Baik).")
    previous_predikat: Predikat = Field(description="The low predikat it replaces.")
    reason: Literal["objection_upheld"] = Field(
        description="Why: an objection was upheld and the result changed (PP 30/2019 Pasal 59(4))."
    )
    development_plan_withdrawn: bool = Field(
        description="True when the appraisal's development plan was withdrawn with it (it had one of its own)."
    )
    pejabat_penilai_nip: str | None = Field(
        None, description="NIP of the appraiser; or 'PPK', the Wali Kota, who has no NIP."
    )


class LowScoreWithdrawn(Event):
    """A low score no longer holds: an upheld objection lifted the result out of Butuh Perbaikan or lower.
    Consumers undo what the flag started (open recommendations, plan reminders, hotspot counts)."""

    topic: ClassVar[Topic] = Topic.APPRAISAL_LOW_SCORE_WITHDRAWN
    event_type: Literal["appraisal.low_score_withdrawn"] = "appraisal.low_score_withdrawn"
    schema_version: Literal[1] = 1
    payload: LowScoreWithdrawnPayload


class SkpSubmittedPayload(SkpSpan):
    skp_id: str = Field(description="Id of the SKP in the appraisal service.")
    nip: str = nip_field()
    year: int = Field(ge=2000, le=2100, description="The SKP year.")
    opd_code: str = Field(description="Code of the employee's OPD.")
    unit_code: str | None = Field(None, description="Code of the unit within the OPD.")
    pejabat_penilai_nip: str | None = Field(
        None, description="NIP of the pejabat penilai who must act on it; or 'PPK', the Wali Kota, who has no NIP."
    )
    due: dt.date | None = Field(
        None, description="The year's skp_due: the date by which the SKP should be approved (for reminders)."
    )
    late: bool = Field(False, description="True when this step happened after `due` (accepted: warning enforcement).")


class SkpSubmitted(Event):
    """An employee submitted their SKP: their pejabat penilai approves or returns it."""

    topic: ClassVar[Topic] = Topic.SKP_SUBMITTED
    event_type: Literal["skp.submitted"] = "skp.submitted"
    schema_version: Literal[1] = 1
    payload: SkpSubmittedPayload


class SkpReturnedPayload(SkpSubmittedPayload):
    reason: str = Field(description="Why the pejabat penilai returned it, as written.")


class SkpReturned(Event):
    """The pejabat penilai returned an SKP for revision, with the reason."""

    topic: ClassVar[Topic] = Topic.SKP_RETURNED
    event_type: Literal["skp.returned"] = "skp.returned"
    schema_version: Literal[1] = 1
    payload: SkpReturnedPayload


class DevelopmentPlanChangedPayload(Payload):
    appraisal_id: str = Field(description="The appraisal that holds the plan.")
    nip: str = nip_field()
    opd_code: str = Field(description="Code of the employee's OPD.")
    period: str = Field(description=PERIOD_DESCRIPTION)
    status: Literal["awaiting_input", "active", "withdrawn"] = Field(
        description="awaiting_input: opened by a low result, the pejabat penilai must record cause and actions; "
        "active: recorded; withdrawn: the result is no longer low."
    )
    cause: str | None = Field(None, description="The cause of low performance, as the pejabat penilai sees it.")
    cause_note: str | None = Field(None, description="The pejabat penilai's note on the cause.")
    actions: list[str] = Field(default_factory=list, description="coaching, mentoring, konseling, pelatihan.")
    due_on: dt.date | None = Field(None, description="End of the improvement window (a low annual result only).")
    escalated: bool = Field(False, description="A second consecutive low annual result: the BKPSDM's case.")
    pejabat_penilai_nip: str | None = Field(
        None, description="NIP of the pejabat penilai; or 'PPK', the Wali Kota, who has no NIP."
    )
    continues_appraisal_id: str | None = Field(
        None,
        description="When this appraisal takes over the open plan of an earlier low period whose plan was withdrawn "
        "(its objection was upheld): that appraisal. Its cause and actions carry over.",
    )
    followed_up_appraisal_ids: list[str] = Field(
        default_factory=list,
        description="The other low periods of the year followed up in this plan (they joined it; their "
        "appraisal.low_score_flagged.v1 named the plan's earlier holder when continues_appraisal_id is set).",
    )


class DevelopmentPlanChanged(Event):
    """A development plan was opened, recorded (cause and actions) or withdrawn."""

    topic: ClassVar[Topic] = Topic.APPRAISAL_DEVELOPMENT_PLAN_CHANGED
    event_type: Literal["appraisal.development_plan_changed"] = "appraisal.development_plan_changed"
    schema_version: Literal[1] = 1
    payload: DevelopmentPlanChangedPayload


class ObjectionFiledPayload(Payload):
    appraisal_id: str = Field(description="The appraisal objected to.")
    nip: str = nip_field()
    opd_code: str = Field(description="Code of the employee's OPD.")
    period: str = Field(description=PERIOD_DESCRIPTION)
    reason: str = Field(description="The employee's reason (keberatan), as written.")
    decision_due: dt.date | None = Field(None, description="When the atasan should have decided.")
    atasan_pejabat_penilai_nip: str | None = Field(
        None, description="NIP of the atasan who decides; or 'PPK', the Wali Kota, who has no NIP."
    )
    pejabat_penilai_nip: str | None = Field(
        None, description="NIP of the pejabat penilai; or 'PPK', the Wali Kota, who has no NIP."
    )


class ObjectionFiled(Event):
    """An employee objected to their appraisal (PP 30/2019 Pasal 59): their atasan pejabat penilai decides."""

    topic: ClassVar[Topic] = Topic.APPRAISAL_OBJECTION_FILED
    event_type: Literal["appraisal.objection_filed"] = "appraisal.objection_filed"
    schema_version: Literal[1] = 1
    payload: ObjectionFiledPayload


class ObjectionDecidedPayload(Payload):
    appraisal_id: str = Field(description="The appraisal objected to.")
    nip: str = nip_field()
    opd_code: str = Field(description="Code of the employee's OPD.")
    period: str = Field(description=PERIOD_DESCRIPTION)
    decision: Literal["upheld", "rejected"] = Field(description="The atasan's decision.")
    note: str | None = Field(None, description="The atasan's note.")
    decided_by: str = Field(description="NIP of the atasan pejabat penilai who decided.")
    revision: int = Field(ge=1, description="The appraisal's revision after the decision.")
    predikat: Predikat = Field(description="The predikat after the decision.")
    pejabat_penilai_nip: str | None = Field(
        None, description="NIP of the pejabat penilai; or 'PPK', the Wali Kota, who has no NIP."
    )


class ObjectionDecided(Event):
    """The atasan pejabat penilai decided an objection; an upheld one that changed the result also
    republishes appraisal.completed.v1 with the next revision."""

    topic: ClassVar[Topic] = Topic.APPRAISAL_OBJECTION_DECIDED
    event_type: Literal["appraisal.objection_decided"] = "appraisal.objection_decided"
    schema_version: Literal[1] = 1
    payload: ObjectionDecidedPayload


class PerformanceYearConfiguredPayload(Payload):
    year: int = Field(ge=2000, le=2100, description="The performance year.")
    frequency: Literal["monthly", "quarterly", "semester"] = Field(description="How often periodic evaluations are.")
    periods: list[str] = Field(description="The year's evaluation periods, in order (the annual one is the year).")
    skp_due: dt.date = Field(description="Date by which every SKP of the year should be approved.")
    evaluation_due: dict[str, dt.date] = Field(
        default_factory=dict, description="Deadline per period ('2026-Q1', ..., and '2026' for the annual one)."
    )
    objection_window_days: int = Field(ge=1, description="Days after finalisation an employee may object.")
    distribution_enforcement: Literal["warning", "blocking"] = Field(
        description="Whether distribution-curve violations block closing an OPD's year."
    )
    finalise_grace_days: int = Field(
        0, ge=0, description="How many days before a period's end its evaluation may already be finalised."
    )
    deadline_enforcement: Literal["warning", "blocking"] = Field(
        "warning",
        description="What a missed skp_due / evaluation_due does: warning (the step is accepted and marked late) "
        "or blocking (refused unless the BKPSDM extended that record's deadline).",
    )
    version: int = Field(ge=1, description="Version of the configuration; higher wins.")


class PerformanceYearConfigured(Event):
    """The BKPSDM configured a performance year, or changed it: periods and deadlines (for reminders)."""

    topic: ClassVar[Topic] = Topic.PERFORMANCE_YEAR_CONFIGURED
    event_type: Literal["performance_year.configured"] = "performance_year.configured"
    schema_version: Literal[1] = 1
    payload: PerformanceYearConfiguredPayload

    def key(self) -> bytes:
        """The year (a city-wide configuration concerns no single employee)."""
        return str(self.payload.year).encode()


class OrganisationYearUpdatedPayload(Payload):
    opd_code: str = Field(description="Code of the OPD.")
    year: int = Field(ge=2000, le=2100, description="The performance year.")
    predikat: OrgPredikat | None = Field(
        None, description="The OPD's organisation predikat for the year (null until it is set)."
    )
    closed: bool = Field(False, description="True once the OPD's year is closed (no more changes).")
    version: int = Field(ge=1, description="Version of the OPD's year record; higher wins.")


class OrganisationYearUpdated(Event):
    """The organisation predikat of an OPD for a year was set or changed, or its year was closed. The
    distribution curve its employees' predikat are held against follows from the predikat."""

    topic: ClassVar[Topic] = Topic.ORGANISATION_YEAR_UPDATED
    event_type: Literal["organisation.year_updated"] = "organisation.year_updated"
    schema_version: Literal[1] = 1
    payload: OrganisationYearUpdatedPayload

    def key(self) -> bytes:
        """The OPD (an organisation's year concerns no single employee)."""
        return self.payload.opd_code.encode()
