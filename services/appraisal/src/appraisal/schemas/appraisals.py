from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, computed_field

from appraisal.schemas.common import Appraiser, Nip, OpdCode, Period
from shared.events import Predikat, RatingLevel
from shared.inputs import InputModel
from shared.periods import period_label


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

    @computed_field(description="The period as people read it, in Bahasa Indonesia: 'Triwulan I 2026', 'Maret 2026'.")
    def period_label(self) -> str:
        return period_label(self.period).ind
