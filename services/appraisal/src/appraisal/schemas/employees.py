from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Self, cast

from pydantic import BaseModel, ConfigDict, EmailStr, Field, JsonValue, StrictBool, StringConstraints, model_validator

from appraisal.schemas.common import Appraiser, Code, Nip, OpdCode
from shared.events import EmployeeType, PositionType
from shared.i18n import Text, TextError
from shared.inputs import InputModel

EXAMPLE: dict[str, Any] = {
    "nip": "198609262015051001",
    "name": "dr. Siti Rahmawati",
    "email": "siti.rahmawati@palembang.go.id",
    "employee_type": "PNS",
    "position_type": "JF",
    "position_title": "Epidemiolog Kesehatan Ahli Muda",
    "opd_code": "DINKES",
    "unit_code": "P2P",
    "pejabat_penilai_nip": "197501012000031001",
    "atasan_pejabat_penilai_nip": "196801011990031001",
}


Email = Annotated[EmailStr, StringConstraints(max_length=254)]
CONTRACT_START_DOC = (
    "PPPK only: the first day of the work agreement (perjanjian kerja), from 2019 (PP 49/2018) to a year ahead; "
    "the training service counts the 24 JP cap per contract year from it."
)
FIRST_CONTRACT_START = date(2019, 1, 1)
"""[R] PPPK exist since PP 49/2018; no work agreement starts earlier."""


def check_contract_start(employee_type: str | None, contract_start: date | str | None, today: date) -> None:
    """A contract start only for a PPPK, from 2019 to a year after ``today``."""
    if contract_start is None:
        return
    if employee_type != EmployeeType.PPPK:
        raise TextError(
            Text("contract_start hanya untuk PPPK", "contract_start is for a PPPK only"),
        )
    day = date.fromisoformat(contract_start) if isinstance(contract_start, str) else contract_start
    if not FIRST_CONTRACT_START <= day <= today.replace(year=today.year + 1, day=min(today.day, 28)):
        raise TextError(
            Text(
                "contract_start harus antara 2019-01-01 dan satu tahun ke depan",
                "contract_start must be from 2019-01-01 to a year ahead",
            )
        )


class EmployeeFields(InputModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=200)
    email: Email | None = None
    employee_type: EmployeeType
    position_type: PositionType
    position_title: str | None = Field(None, max_length=200)
    opd_code: OpdCode
    unit_code: Code | None = None
    pejabat_penilai_nip: Appraiser | None = None
    atasan_pejabat_penilai_nip: Appraiser | None = None
    contract_start: date | None = Field(None, description=CONTRACT_START_DOC)


class EmployeeIn(EmployeeFields):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [cast(JsonValue, EXAMPLE)]}
    )

    nip: Nip

    @model_validator(mode="after")
    def _no_self_appraisal(self) -> Self:
        check_appraisers(self.nip, self.pejabat_penilai_nip, self.atasan_pejabat_penilai_nip)
        return self


def check_appraisers(nip: str, pejabat: str | None, atasan: str | None) -> None:
    """Nobody appraises themselves, and the atasan is not the pejabat penilai."""
    if pejabat is not None and pejabat == nip:
        raise TextError(
            Text(
                "pejabat_penilai_nip tidak boleh NIP pegawai itu sendiri",
                "pejabat_penilai_nip cannot be the employee's own NIP",
            )
        )
    if atasan is not None and atasan == nip:
        raise TextError(
            Text(
                "atasan_pejabat_penilai_nip tidak boleh NIP pegawai itu sendiri",
                "atasan_pejabat_penilai_nip cannot be the employee's own NIP",
            )
        )
    if atasan is not None and atasan == pejabat:
        raise TextError(
            Text(
                "atasan_pejabat_penilai_nip harus berbeda dari pejabat_penilai_nip",
                "atasan_pejabat_penilai_nip must differ from pejabat_penilai_nip",
            )
        )


class EmployeePatch(InputModel):
    """Fields to change; those left out keep their value."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"position_title": "Epidemiolog Kesehatan Ahli Madya", "unit_code": "P2P"}]},
    )

    name: str | None = Field(None, min_length=2, max_length=200)
    email: Email | None = None
    employee_type: EmployeeType | None = None
    position_type: PositionType | None = None
    position_title: str | None = Field(None, max_length=200)
    opd_code: OpdCode | None = None
    unit_code: Code | None = None
    pejabat_penilai_nip: Appraiser | None = None
    atasan_pejabat_penilai_nip: Appraiser | None = None
    contract_start: date | None = Field(None, description=CONTRACT_START_DOC + " null clears it.")
    active: StrictBool | None = Field(None, description="false retires the record (a JSON boolean).")
    mutation_date: date | None = Field(
        None,
        description="With a new pejabat penilai or OPD: the day the mutation takes effect (default today; "
        "this year or last, not in the future). The approved SKP in force is closed the day before.",
    )

    @model_validator(mode="after")
    def _required_fields_are_not_cleared(self) -> Self:
        cleared = sorted(f for f in NOT_NULL if f in self.model_fields_set and getattr(self, f) is None)
        if cleared:
            names = ", ".join(cleared)
            raise TextError(
                Text(f"isian berikut tidak boleh dikosongkan: {names}", f"these fields cannot be cleared: {names}")
            )
        return self


NOT_NULL = ("name", "employee_type", "position_type", "opd_code", "active")


class EmployeeOut(EmployeeIn):
    model_config = ConfigDict(extra="ignore")
    checks_input = False  # stored data is shown as it is

    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class LinkFieldChange(BaseModel):
    field: str = Field(description="pejabat_penilai_nip or atasan_pejabat_penilai_nip")
    old: str | None = Field(description="The NIP named before (null: none; 'PPK': the Wali Kota).")
    new: str | None = Field(description="The NIP named after (null: none; 'PPK': the Wali Kota).")


class LinkChangeOut(BaseModel):
    at: datetime
    by: str = Field(description="NIP of who made the change (or 'PPK').")
    changes: list[LinkFieldChange]
    note: str | None = Field(
        None, description="Why, when the change was not asked for itself: it followed another change, or undid one."
    )


class LinkHistoryOut(BaseModel):
    nip: str
    items: list[LinkChangeOut] = Field(description="Newest first.")
    total: int = Field(description="Changes kept on the record (the newest 100).")
    limit: int
    offset: int


class ImportRowResult(BaseModel):
    row: int = Field(description="Line number in the CSV (the header is line 1).")
    nip: str | None
    outcome: str = Field(description="created, updated, unchanged or rejected")
    errors: list[str] = Field(
        default_factory=list,
        description="Why the row was rejected, in the language of the request (Bahasa Indonesia, or English "
        "with `Accept-Language: en`).",
    )
    notes: list[str] = Field(
        default_factory=list,
        description="Values read as something else (a SIASN-style export), e.g. 'JFT' as JF; in the language "
        "of the request.",
    )


class ImportJobOut(BaseModel):
    id: str
    status: str = Field(
        description="running, completed, failed, or interrupted (the service stopped; run the file again)"
    )
    total: int
    processed: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    started_at: datetime
    finished_at: datetime | None
    rows_url: str = Field(description="Where the per-row results are (paginated, filterable by outcome).")
