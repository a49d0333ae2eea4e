from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from appraisal.schemas.common import Appraiser, Nip, OpdCode, Period
from shared.events import Predikat, RatingLevel
from shared.inputs import InputModel


class CompletedAppraisalIn(InputModel):
    """An appraisal finalised elsewhere (e.g. history from e-Kinerja BKN)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "nip": "198609262015051001",
                    "opd_code": "DINKES",
                    "period": "2025",
                    "hasil_kerja": "sesuai_ekspektasi",
                    "perilaku_kerja": "di_atas_ekspektasi",
                }
            ]
        },
    )

    nip: Nip
    opd_code: OpdCode
    period: Period
    hasil_kerja: RatingLevel
    perilaku_kerja: RatingLevel
    pejabat_penilai_nip: Appraiser | None = Field(None, description="The appraiser, if known ('PPK': the Wali Kota).")


class AppraisalOut(BaseModel):
    """A finalised appraisal (a finalised evaluation)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    revision: int
    nip: str
    opd_code: str
    period: str
    hasil_kerja: RatingLevel
    perilaku_kerja: RatingLevel
    predikat: Predikat
    predikat_rule: str = Field(description="Version of the predikat matrix applied.")
    pejabat_penilai_nip: str | None
    finalised_at: datetime
