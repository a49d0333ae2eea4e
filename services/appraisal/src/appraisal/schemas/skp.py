from __future__ import annotations

import datetime as dt
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from appraisal.domain.evaluation import Rollup
from appraisal.domain.skp import SkpStatus
from appraisal.schemas.common import Code, Text
from shared.events import Aspect, BerAkhlakValue
from shared.inputs import InputModel


class IndicatorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator_id: Code
    aspect: Aspect
    text: Text
    target: str = Field(min_length=1, max_length=100, examples=["95"])
    unit: str = Field(min_length=1, max_length=50, examples=["%"])
    rollup: Rollup = Field(
        Rollup.LAST,
        description="How the annual evaluation pre-fills this indicator's realisation from the periodic ones: "
        "`sum` (counts over the year), `average` (rates per period) or `last` (the latest period's value, the "
        "default: cumulative values such as coverage reached). `sum` and `average` need numeric realisations; "
        "a non-numeric one gives no pre-fill.",
    )


class RhkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rhk_id: Code
    kind: Literal["utama", "tambahan"]
    text: Text
    intervened_rhk_id: Code | None = Field(
        None, description="The pejabat penilai's RHK this one intervenes (not needed at the top of an OPD)."
    )
    indicators: list[IndicatorIn] = Field(min_length=1, max_length=20)


class BehaviourExpectation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: BerAkhlakValue
    expectation: Text


SKP_EXAMPLE: dict[str, Any] = {
    "year": 2026,
    "approach": "kuantitatif",
    "rhk": [
        {
            "rhk_id": "r1",
            "kind": "utama",
            "text": "Meningkatnya cakupan imunisasi dasar lengkap",
            "intervened_rhk_id": "kadinkes-r2",
            "indicators": [
                {
                    "indicator_id": "r1-i1",
                    "aspect": "kuantitas",
                    "text": "Cakupan imunisasi dasar lengkap",
                    "target": "95",
                    "unit": "%",
                }
            ],
        }
    ],
}


class SkpContent(InputModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{k: v for k, v in SKP_EXAMPLE.items() if k != "year"}]}
    )

    approach: Literal["kuantitatif", "kualitatif"] = "kuantitatif"
    rhk: list[RhkIn] = Field(min_length=1, max_length=50)


class ExpectationsIn(InputModel):
    """What the leader expects: written by the pejabat penilai, not the employee (PermenPANRB 6/2022 Pasal 5)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "behaviour_expectations": [{"value": "kolaboratif", "expectation": "Aktif dalam lintas program"}],
                    "leader_expectations": "Laporan bulanan tepat waktu",
                }
            ]
        },
    )

    behaviour_expectations: list[BehaviourExpectation] = Field(
        default_factory=list, max_length=7, description="The leader's expectations per BerAKHLAK value."
    )
    leader_expectations: str | None = Field(
        None, max_length=4000, description="Ekspektasi khusus pimpinan (specific behaviour expectations)."
    )


class SkpIn(SkpContent):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [cast(JsonValue, SKP_EXAMPLE)]})

    year: int = Field(ge=2020, le=2100)


class ReturnIn(InputModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Target cakupan terlalu rendah"}]}
    )

    reason: Text


class ProposalOut(BaseModel):
    """A revision of an approved SKP, awaiting the pejabat penilai (the approved content stays in force)."""

    model_config = ConfigDict(extra="ignore")

    revision: int = Field(description="The revision this proposal becomes when approved (1, 2, ...).")
    status: Literal["submitted", "returned"]
    approach: Literal["kuantitatif", "kualitatif"]
    rhk: list[RhkIn]
    submitted_at: dt.datetime
    return_reason: str | None = None


class SupersededOut(BaseModel):
    """Content that was in force before an approved revision replaced it."""

    model_config = ConfigDict(extra="ignore")

    revision: int
    approach: Literal["kuantitatif", "kualitatif"]
    rhk: list[RhkIn]
    approved_at: dt.datetime | None = None
    approved_by: str | None = None


class MutationOut(BaseModel):
    """The mutation that closed an SKP (``domain.mutation``)."""

    model_config = ConfigDict(extra="ignore")

    date: dt.date = Field(description="The day the mutation took effect (the SKP ends the day before).")
    pejabat_penilai_from: str | None
    pejabat_penilai_to: str | None
    opd_from: str
    opd_to: str
    by: str = Field(description="NIP of the admin whose registry change it was.")


class SkpOut(SkpIn):
    model_config = ConfigDict(extra="ignore")
    checks_input = False  # stored data is shown as it is

    id: str
    nip: str
    status: SkpStatus
    opd_code: str
    unit_code: str | None
    pejabat_penilai_nip: str | None
    return_reason: str | None = None
    behaviour_expectations: list[BehaviourExpectation] = Field(default_factory=list)
    leader_expectations: str | None = None
    expectations_set_by: str | None = Field(None, description="NIP of the pejabat penilai who wrote them.")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    approved_at: dt.datetime | None = None
    due: dt.date | None = Field(None, description="The year's skp_due, recorded when submitted or approved.")
    late: bool = Field(False, description="The last submission or approval happened after `due`.")
    deadline_extended_to: dt.date | None = Field(
        None, description="The BKPSDM's extension of this SKP's deadline (blocking enforcement)."
    )
    segment: int = Field(1, description="1 for the first SKP of the year; 2, 3, ... after each mutation mid-year.")
    valid_from: dt.date = Field(description="First day the SKP is valid (1 January, or the mutation date).")
    valid_to: dt.date = Field(description="Last day the SKP is valid (31 December, or the day before a mutation).")
    revision: int = Field(0, description="How many revisions of the approved SKP were approved (0: none).")
    proposal: ProposalOut | None = Field(None, description="A revision awaiting the pejabat penilai, if any.")
    superseded: list[SupersededOut] = Field(
        default_factory=list, description="Earlier approved contents, replaced by approved revisions."
    )
    closed_at: dt.datetime | None = Field(None, description="When a mutation closed it (status closed).")
    mutation: MutationOut | None = Field(None, description="The mutation that closed it (status closed).")


class CascadeRhkOut(BaseModel):
    rhk_id: str
    kind: Literal["utama", "tambahan"]
    text: str
    skp_id: str = Field(description="The pejabat penilai's SKP (segment) that holds it.")


class CascadeOut(BaseModel):
    """What an employee's SKP may intervene (the cascade, PermenPANRB 6/2022): the RHK of their pejabat
    penilai's approved SKP of the year, ids and texts only."""

    nip: str
    year: int
    pejabat_penilai_nip: str | None
    required: bool = Field(
        description="Whether each RHK utama must intervene one of them (false: a JPT at the top of their OPD)."
    )
    rhk: list[CascadeRhkOut]
    problem: str | None = Field(
        None, description="Why there is nothing to intervene yet (no pejabat penilai, their SKP not approved)."
    )
