from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.events import NIP_PATTERN, Predikat, RatingLevel


class CompletedAppraisalIn(BaseModel):
    """A finalised appraisal as the pejabat penilai decided it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "nip": "198609262015051001",
                    "opd_code": "DINKES",
                    "period": "2026-Q1",
                    "hasil_kerja": "sesuai_ekspektasi",
                    "perilaku_kerja": "di_atas_ekspektasi",
                }
            ]
        },
    )

    nip: str = Field(pattern=NIP_PATTERN, description="NIP of the employee appraised (18 digits).")
    opd_code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Z0-9_-]+$", description="OPD code.")
    period: str = Field(
        pattern=r"^\d{4}(-(Q[1-4]|0[1-9]|1[0-2]))?$",
        description="'2026' (annual), '2026-Q1' (quarter) or '2026-03' (month).",
    )
    hasil_kerja: RatingLevel
    perilaku_kerja: RatingLevel


class AppraisalOut(BaseModel):
    id: str
    revision: int
    nip: str
    opd_code: str
    period: str
    hasil_kerja: RatingLevel
    perilaku_kerja: RatingLevel
    predikat: Predikat
    predikat_rule: str = Field(description="Version of the predikat matrix applied.")
    pejabat_penilai_nip: str
    completed_at: datetime
