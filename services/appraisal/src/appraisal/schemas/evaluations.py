from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AnyHttpUrl, BaseModel, ConfigDict, Field, UrlConstraints, computed_field

from appraisal.domain.evaluation import Rollup
from appraisal.domain.followup import Action, Cause, ObjectionDecision
from appraisal.schemas.common import Code, Nip, Period, Text
from shared import i18n
from shared.events import BerAkhlakValue, OrgPredikat, Predikat, RatingLevel
from shared.inputs import InputModel
from shared.periods import period_label


class OpenEvaluationIn(InputModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"nip": "198609262015051001", "period": "2026-Q1"}]}
    )

    nip: Nip
    period: Period


class RealisationIn(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "realisation": "62",
                    "evidence_links": ["https://drive.palembang.go.id/x"],
                    "note": "Stok vaksin terlambat",
                }
            ]
        },
    )

    realisation: str = Field(min_length=1, max_length=100)
    evidence_links: list[Annotated[AnyHttpUrl, UrlConstraints(max_length=2000)]] = Field(
        default_factory=list, max_length=20, description="Bukti dukung."
    )
    note: str | None = Field(None, max_length=2000)


class FeedbackIn(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"rhk_id": "r1", "text": "Koordinasikan jadwal posyandu dengan puskesmas"}]},
    )

    rhk_id: Code
    text: Text


class RhkRating(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rhk_id: Code
    rating: RatingLevel


class BehaviourRatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: BerAkhlakValue
    rating: RatingLevel


def _distinct(key: str, what: i18n.Text) -> Callable[[list[Any]], list[Any]]:
    """A validator refusing a list that names the same ``key`` twice (which of two ratings would count?)."""

    def check(items: list[Any]) -> list[Any]:
        keys = [str(getattr(item, key)) for item in items]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            named = ", ".join(repeated)
            raise i18n.TextError(
                i18n.Text(f"{what.ind} disebut lebih dari sekali: {named}", f"{what.en} named twice: {named}")
            )
        return items

    return check


RhkRatings = Annotated[list[RhkRating], AfterValidator(_distinct("rhk_id", i18n.Text("RHK", "RHK")))]
BehaviourRatings = Annotated[
    list[BehaviourRatingIn], AfterValidator(_distinct("value", i18n.Text("Nilai BerAKHLAK", "BerAKHLAK value")))
]


class RatingsIn(InputModel):
    """Ratings to set; those left out keep their value."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "rhk_ratings": [{"rhk_id": "r1", "rating": "di_bawah_ekspektasi"}],
                    "behaviour_ratings": [{"value": "kolaboratif", "rating": "sesuai_ekspektasi"}],
                    "hasil_kerja": "di_bawah_ekspektasi",
                    "perilaku_kerja": "sesuai_ekspektasi",
                }
            ]
        },
    )

    rhk_ratings: RhkRatings = Field(default_factory=list, max_length=50)  # an SKP has at most 50 RHK
    behaviour_ratings: BehaviourRatings = Field(default_factory=list, max_length=7)  # the 7 BerAKHLAK values
    hasil_kerja: RatingLevel | None = None
    perilaku_kerja: RatingLevel | None = None
    justification: str | None = Field(
        None,
        min_length=10,
        max_length=2000,
        description="Why an overall rating departs from what its parts give (required to finalise then).",
    )


class Realisation(BaseModel):
    indicator_id: str
    realisation: str
    evidence_links: list[str]
    note: str | None
    updated_at: dt.datetime
    rollup: Rollup | None = Field(
        None, description="On an annual evaluation: pre-filled by this roll-up of the periodic realisations."
    )
    rolled_up_from: list[str] = Field(default_factory=list, description="The periods the pre-fill rolled up.")


class Feedback(BaseModel):
    rhk_id: str
    text: str
    by: str
    at: dt.datetime


class DevelopmentPlan(BaseModel):
    status: Literal["awaiting_input", "active", "withdrawn"]
    cause: Cause | None = None
    cause_note: str | None = None
    actions: list[Action] = Field(default_factory=list)
    due_on: dt.date | None = Field(
        None, description="End of the 6-month improvement window: a low annual result only; null for a periodic one."
    )
    escalated: bool
    continues_appraisal_id: str | None = Field(
        None, description="The earlier low period whose plan this one took over when that plan was withdrawn."
    )


class DevelopmentPlanIn(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "cause": "kompetensi",
                    "cause_note": "Belum pernah pelatihan imunisasi",
                    "actions": ["coaching", "pelatihan"],
                }
            ]
        },
    )

    cause: Cause
    cause_note: str | None = Field(None, max_length=2000)
    actions: list[Action] = Field(min_length=1, max_length=len(Action))


class Explanation(BaseModel):
    to: Literal["pejabat_penilai", "employee"]
    question: str
    asked_at: dt.datetime
    answer: str | None = None
    answered_by: str | None = None
    answered_at: dt.datetime | None = None


class Objection(BaseModel):
    reason: str
    filed_at: dt.datetime
    decision_due: dt.date | None = Field(None, description="When the atasan should have decided (Pasal 59).")
    explanations: list[Explanation] = Field(
        default_factory=list, description="Explanations the atasan asked for before deciding (Pasal 59(3))."
    )
    status: Literal["pending", "upheld", "rejected"]
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    note: str | None = None


class ObjectionIn(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Keterlambatan vaksin dari provinsi di luar kendali saya"}]},
    )

    reason: Text


class ExplanationRequestIn(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"to": "pejabat_penilai", "question": "Apa dasar penilaian di bawah ekspektasi pada RHK 1?"}]
        },
    )

    to: Literal["pejabat_penilai", "employee"] = Field(description="Who is asked.")
    question: Text


class ExplanationIn(InputModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"answer": "Realisasi 62% karena stok vaksin kosong."}]}
    )

    answer: Text


class DecisionIn(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"decision": "upheld", "hasil_kerja": "sesuai_ekspektasi", "note": "Kendala pasokan terbukti"}]
        },
    )

    decision: ObjectionDecision
    hasil_kerja: RatingLevel | None = Field(None, description="The changed rating, when the objection is upheld.")
    perilaku_kerja: RatingLevel | None = None
    rhk_ratings: RhkRatings = Field(
        default_factory=list,
        max_length=50,
        description="Changed RHK ratings, when upheld: the atasan changes the whole result (PP 30/2019 Pasal 59(4)).",
    )
    behaviour_ratings: BehaviourRatings = Field(
        default_factory=list, max_length=7, description="Changed BerAKHLAK ratings, when upheld."
    )
    note: str | None = Field(None, max_length=2000)


class EvaluationOut(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    nip: str
    period: str
    year: int
    annual: bool
    status: Literal["open", "finalised"]
    opd_code: str
    unit_code: str | None
    pejabat_penilai_nip: str | None
    rhk: list[dict[str, object]] = Field(description="The SKP's RHK with indicators and targets.")
    skp_id: str | None = Field(
        None, description="The SKP evaluated against: the one valid on the period's last day (null: recorded)."
    )
    skp_revision: int = Field(0, description="The revision of that SKP the RHK above were copied from.")

    @computed_field(description="The period as people read it, in Bahasa Indonesia: 'Triwulan I 2026', 'Maret 2026'.")
    def period_label(self) -> str:
        return period_label(self.period).ind

    realisations: list[Realisation]
    feedback: list[Feedback]
    rhk_ratings: list[RhkRating]
    behaviour_ratings: list[BehaviourRatingIn]
    hasil_kerja: RatingLevel | None
    perilaku_kerja: RatingLevel | None
    predikat: Predikat | None
    predikat_rule: str | None
    rating_justification: str | None = Field(
        None, description="The pejabat penilai's reason for overall ratings that depart from the parts."
    )
    revision: int
    finalised_at: dt.datetime | None
    development_plan: DevelopmentPlan | None
    joined_plan_id: str | None = Field(
        None, description="A low periodic result followed up in the open plan of this other evaluation of the year."
    )
    objection: Objection | None
    due: dt.date | None = Field(None, description="The year's evaluation_due of this period, when finalised.")
    late: bool = Field(False, description="Finalised after `due`.")
    deadline_extended_to: dt.date | None = Field(
        None, description="The BKPSDM's extension of this evaluation's deadline (blocking enforcement)."
    )
    version: int


class IndicatorSuggestion(BaseModel):
    rhk_id: str
    indicator_id: str
    target: str
    realisation: str | None
    capaian: float | None = Field(description="Realisation as % of target (time: target / realisation).")
    rollup: Rollup | None = Field(None, description="Annual evaluation: how the indicator rolls up (from the SKP).")
    rolled_up: str | None = Field(
        None,
        description="Annual evaluation: the roll-up of the finalised periodic realisations (null: none recorded, or "
        "non-numeric with sum/average).",
    )


class SuggestionOut(BaseModel):
    indicators: list[IndicatorSuggestion]
    rhk_ratings: dict[str, RatingLevel | None] = Field(description="Suggested rating per RHK from its capaian.")
    hasil_kerja: RatingLevel | None = Field(description="Suggested overall Hasil Kerja; the pejabat penilai decides.")
    perilaku_kerja: RatingLevel | None = Field(description="Suggested overall Perilaku Kerja from the value ratings.")
    organisation_predikat: str | None = Field(
        None,
        description="For the annual evaluation of an OPD's head: the organisation predikat their Hasil Kerja follows.",
    )
    periodic_results: list[dict[str, object]] = Field(
        default_factory=list, description="For an annual evaluation: the year's finalised periodic results."
    )
    source: str


class OrgPredikatIn(InputModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"predikat": "baik"}]})

    predikat: OrgPredikat


class Violation(BaseModel):
    rule: str
    actual_count: int
    actual_share: float


class DistributionOut(BaseModel):
    opd_code: str
    year: int
    org_predikat: OrgPredikat | None
    counts: dict[Predikat, int]
    total: int
    violations: list[Violation]
    warnings: list[Violation] = Field(
        default_factory=list,
        description='Tendencies of the pattern not met ("sebagian besar"): reported, never blocking.',
    )
    enforcement: Literal["warning", "blocking"]
    closed: bool
    rule_source: str
