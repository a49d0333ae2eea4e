from __future__ import annotations

from pydantic import BaseModel, Field

from shared.events import Predikat


class PredikatSummaryOut(BaseModel):
    period: str | None
    opd_code: str | None
    total: int = Field(description="Completed appraisals counted.")
    by_predikat: dict[Predikat, int]
