from __future__ import annotations

from pydantic import BaseModel


class JpObligationOut(BaseModel):
    employee_type: str
    minimum_jp_per_year: int
    minutes_per_jp: int
    citation: str
