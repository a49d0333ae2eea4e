"""Request bodies (``shared.inputs.InputModel``: bounded, no control characters) and responses."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field

from shared.events import BerAkhlakValue, EmployeeType, PositionType
from shared.i18n import Text, TextError
from shared.inputs import InputModel
from training.domain.rules import Competency, LearningForm

Nip = Annotated[str, Field(pattern=r"^[0-9]{18}$", examples=["198609262015051001"])]
Code = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{1,39}$", examples=["KES-IMUN-01"])]
ShortText = Annotated[str, Field(min_length=1, max_length=500)]
BLANK_ENDS = re.compile(r"^[\s\u180e\u200b-\u200d\u2060\ufeff]+|[\s\u180e\u200b-\u200d\u2060\ufeff]+$")
"""Whitespace and zero-width characters (U+180E, U+200B-U+200D, U+2060, U+FEFF) at either end of a text."""


def stripped(value: Any) -> Any:
    """A text without blanks or zero-width characters at its ends (before its length is checked)."""
    return BLANK_ENDS.sub("", value) if isinstance(value, str) else value


class JpObligationOut(BaseModel):
    employee_type: str
    minimum_jp_per_year: int
    minutes_per_jp: int
    citation: str


class SessionIn(InputModel):
    code: Code
    starts_on: dt.date
    ends_on: dt.date
    capacity: int = Field(ge=1, le=1000)
    place: Annotated[str, Field(max_length=300)] | None = None
    online_link: Annotated[str, Field(max_length=500, pattern=r"^https://")] | None = None


class ProgrammeIn(InputModel):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    form: LearningForm
    jp: float = Field(gt=0, le=1000, description="Must equal the JP conversion of days / jp_stated / minutes.")
    competencies: list[Competency] = Field(min_length=1, max_length=30)
    berakhlak_values: list[BerAkhlakValue] = Field(default_factory=list, max_length=7)
    keywords: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(default_factory=list, max_length=50)
    sectors: list[Annotated[str, Field(max_length=60)]] = Field(default_factory=list, max_length=30)
    position_types: list[PositionType] = Field(default_factory=list, max_length=5)
    employee_types: list[EmployeeType] = Field(default_factory=list, max_length=2)
    international: bool = False
    days: float | None = Field(None, gt=0, le=366)
    jp_stated: float | None = Field(None, gt=0, le=1000)
    minutes: int | None = Field(None, gt=0, le=45_000)
    sessions: list[SessionIn] = Field(default_factory=list, max_length=100)
    description: Annotated[str, Field(max_length=2000)] = ""


class SessionOut(BaseModel):
    code: str
    starts_on: dt.date
    ends_on: dt.date
    capacity: int
    seats_free: int
    place: str | None = None
    online_link: str | None = None


class ProgrammeOut(BaseModel):
    code: str
    title: str
    form: str
    modality: str
    jp: float
    competencies: list[str]
    berakhlak_values: list[str]
    keywords: list[str]
    sectors: list[str]
    position_types: list[str]
    employee_types: list[str]
    international: bool
    days: float | None = None
    jp_stated: float | None = None
    minutes: int | None = None
    description: str = ""
    sessions: list[SessionOut] = Field(default_factory=list)
    version: int


class RecommendedProgrammeOut(BaseModel):
    program_code: str
    title: str
    jp: float
    modality: str
    form: str
    score: int
    explanation: str = Field(description="Why it fits: 'karena: ...' (Bahasa Indonesia).")
    exceeds_pppk_cap: bool = False


class RecommendationOut(BaseModel):
    id: str
    nip: str
    opd_code: str | None = None
    appraisal_id: str
    period: str | None = None
    reason: str
    status: Literal["open", "no_match", "accepted", "declined", "withdrawn"]
    programmes: list[RecommendedProgrammeOut]
    due_by: dt.date | None = None
    program_code: str | None = None
    enrolment_id: str | None = None
    decline_reason: str | None = None
    withdrawn_because: str | None = None
    created_at: dt.datetime
    version: int


class AcceptIn(InputModel):
    program_code: Code
    session_code: Code


class DeclineIn(InputModel):
    reason: Annotated[str, BeforeValidator(stripped), Field(min_length=3, max_length=1000)]


class EnrolIn(InputModel):
    nip: Nip
    session_code: Code


class CompletionIn(InputModel):
    certificate_ref: Annotated[str, Field(min_length=1, max_length=200)]
    completed_on: dt.date | None = None


class EnrolmentOut(BaseModel):
    id: str
    nip: str
    session_code: str
    program_code: str
    title: str
    jp: float
    starts_on: dt.date
    ends_on: dt.date
    status: str
    priority: int
    requested_at: dt.datetime
    recommendation_id: str | None = None
    certificate_ref: str | None = None
    completed_on: dt.date | None = None
    version: int


class AcceptedOut(BaseModel):
    recommendation: RecommendationOut
    enrolment: EnrolmentOut


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?=\S)")


def _evidence(value: str) -> str:
    """Plain text (a certificate number: 'SERT/2026/11', 'Nomor: 800/12') or an http(s) link; never
    another scheme ('javascript:', 'data:'), which a client could render as a live link."""
    scheme = _SCHEME.match(value.strip())
    if scheme and scheme.group().lower() not in ("http:", "https:"):
        raise TextError(
            Text(
                "evidence berupa nomor sertifikat atau tautan http(s), bukan skema lain",
                "evidence is a certificate number or an http(s) link, no other scheme",
            )
        )
    return value


class ExternalLearningIn(InputModel):
    nip: Nip
    title: Annotated[str, Field(min_length=1, max_length=200)]
    form: LearningForm
    on: dt.date = Field(description="Day it was completed.")
    evidence: Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_evidence)] = Field(
        description="Certificate number, or an http(s) link to the evidence (no other scheme)."
    )
    days: float | None = Field(None, gt=0, le=60)
    jp_stated: float | None = Field(None, gt=0, le=1000)
    minutes: int | None = Field(None, gt=0, le=45_000)
    international: bool = False


class LearningDecisionIn(InputModel):
    approve: bool
    note: Annotated[str, Field(max_length=1000)] | None = None


class LedgerEntryOut(BaseModel):
    id: str
    nip: str
    source: str
    status: str
    title: str
    jp: float
    on: dt.date
    year: int
    program_code: str | None = None
    certificate_ref: str | None = None
    evidence: str | None = None
    version: int


class StandingOut(BaseModel):
    employee_type: str
    earned_jp: float
    progress: str
    minimum_jp: int | None = None
    expected_by_now: float | None = None
    shortfall: float = 0.0
    remaining_under_cap: float | None = None
    over_cap: float = 0.0


class LedgerOut(BaseModel):
    nip: str
    year: int
    standing: StandingOut
    entries: list[LedgerEntryOut]


class EmployeeStandingOut(StandingOut):
    nip: str
    name: str | None = None
    opd_code: str | None = None
    unit_code: str | None = None
    behind: bool


class GroupCountOut(BaseModel):
    opd_code: str | None
    unit_code: str | None = Field(description="None: the whole OPD.")
    employee_type: str
    employees: int = 0
    behind: int = 0


class StandingsPage(BaseModel):
    items: list[EmployeeStandingOut]
    total: int
    limit: int
    offset: int
    summary: list[GroupCountOut] = Field(description="Employees and those behind, per OPD and per unit.")


class EffectOut(BaseModel):
    key: str
    n_completed: int
    n_with_later_result: int
    n_improved: int
    n_unchanged: int
    n_worsened: int
    improvement_rate: float | None


class EffectivenessOut(BaseModel):
    by_programme: list[EffectOut] = Field(description="One page (limit, offset) of the programmes, by code.")
    by_need_kind: list[EffectOut] = Field(description="Every need kind (at most five).")
    total: int = Field(0, description="Programmes with a completion (all pages).")
    limit: int = 50
    offset: int = 0
    completions_counted: int = Field(0, description="Completions of recommended programmes counted.")
    complete: bool = Field(
        True, description="False when more completions exist than one report reads (100,000): the oldest are left out."
    )


def out(model: type[Any], document: dict[str, Any]) -> Any:
    return model.model_validate({**document, "id": document["_id"]})
