"""Events of competency development (owned by the training service)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from shared.events.envelope import Event, Payload, Topic, nip_field


class RecommendedProgram(Payload):
    program_code: str = Field(description="Code of the programme in the training catalogue.")
    title: str = Field(description="Title of the programme (Bahasa Indonesia).")
    jp: float = Field(ge=0, description="Jam pelajaran the programme is worth.")
    modality: str | None = Field(None, description="klasikal or non_klasikal (coaching, e-learning, ...).")
    explanation: str | None = Field(
        None, description="Why it fits the need, in Bahasa Indonesia ('karena: nilai Kolaboratif di bawah ...')."
    )


class TrainingRecommendedPayload(Payload):
    recommendation_id: str = Field(description="Id of the recommendation in the training service.")
    nip: str = nip_field()
    reason: Literal["low_score", "development_plan", "development_area", "jp_shortfall", "manual"] = Field(
        description="Why it was recommended: a low score, the development plan of the pejabat penilai, the "
        "development areas of a good result, a JP shortfall, or by hand."
    )
    source_appraisal_id: str | None = Field(None, description="The appraisal that triggered it, if any.")
    programs: list[RecommendedProgram] = Field(description="Programmes recommended, best first.")
    due_by: dt.date | None = Field(None, description="Date by which the development should be done.")


class TrainingRecommended(Event):
    """Development programmes were recommended to an employee."""

    topic: ClassVar[Topic] = Topic.TRAINING_RECOMMENDED
    event_type: Literal["training.recommended"] = "training.recommended"
    schema_version: Literal[1] = 1
    payload: TrainingRecommendedPayload


class EnrolmentRef(Payload):
    """The fields every enrolment event carries."""

    enrolment_id: str = Field(description="Id of the enrolment in the training service.")
    nip: str = nip_field()
    program_code: str = Field(description="Code of the programme.")
    title: str = Field(description="Title of the programme.")


class TrainingEnrolledPayload(EnrolmentRef):
    jp_planned: float = Field(ge=0, description="Jam pelajaran the programme is worth when completed.")
    starts_on: dt.date = Field(description="First day.")
    ends_on: dt.date | None = Field(None, description="Last day, if known.")
    recommendation_id: str | None = Field(None, description="The recommendation this enrolment answers, if any.")
    session_code: str | None = Field(None, description="Code of the session (the run of the programme).")
    promoted_from_waiting_list: bool = Field(
        False,
        description="True when the request had been answered 'waitlisted' and the seat came later (a seat freed "
        "or added): tell the employee. False when the seat was given on the request itself.",
    )


class TrainingEnrolled(Event):
    """An employee was enrolled in a development programme."""

    topic: ClassVar[Topic] = Topic.TRAINING_ENROLLED
    event_type: Literal["training.enrolled"] = "training.enrolled"
    schema_version: Literal[1] = 1
    payload: TrainingEnrolledPayload


class TrainingCompletedPayload(EnrolmentRef):
    jp_earned: float = Field(ge=0, description="Jam pelajaran credited, after the JP conversion rules.")
    completed_on: dt.date = Field(description="Day of completion.")
    year: int = Field(ge=2000, le=2100, description="Year the JP count toward.")
    certificate_ref: str | None = Field(None, description="Certificate number or link, if any.")
    recommendation_id: str | None = Field(None, description="The recommendation this completion answers, if any.")
    session_code: str | None = Field(None, description="Code of the session, if the programme ran in sessions.")
    external_learning: bool = Field(
        False,
        description="True for learning done elsewhere, reported with evidence and approved by the pejabat penilai: "
        "then ``enrolment_id`` is the ledger entry (``external:<uuid>``), ``program_code`` is ``EXTERNAL``, "
        "``certificate_ref`` the evidence.",
    )


class TrainingCompleted(Event):
    """An employee completed a development programme; its JP count toward the yearly obligation."""

    topic: ClassVar[Topic] = Topic.TRAINING_COMPLETED
    event_type: Literal["training.completed"] = "training.completed"
    schema_version: Literal[1] = 1
    payload: TrainingCompletedPayload


class TrainingRecommendationWithdrawnPayload(Payload):
    recommendation_id: str = Field(description="Id of the recommendation (as in training.recommended.v1).")
    nip: str = nip_field()
    reason: Literal["low_score_withdrawn", "plan_withdrawn", "result_improved"] = Field(
        description="Why: the low-score flag was withdrawn (objection upheld, revision), the development plan was "
        "withdrawn, or a revised result of the same appraisal is no longer low."
    )
    source_appraisal_id: str | None = Field(None, description="The appraisal the recommendation came from.")


class TrainingRecommendationWithdrawn(Event):
    """An open recommendation was withdrawn: the need it answered is gone."""

    topic: ClassVar[Topic] = Topic.TRAINING_RECOMMENDATION_WITHDRAWN
    event_type: Literal["training.recommendation_withdrawn"] = "training.recommendation_withdrawn"
    schema_version: Literal[1] = 1
    payload: TrainingRecommendationWithdrawnPayload
