from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from shared.inputs import InputModel


class UnitKind(StrEnum):
    OPD = "opd"
    KECAMATAN = "kecamatan"


class OpdIn(InputModel):
    """An OPD or kecamatan of the city, as the BKPSDM maintains it."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"name": "Dinas Kesehatan", "kind": "opd", "sector": "kesehatan"}]},
    )

    name: str = Field(min_length=2, max_length=200, examples=["Dinas Kesehatan"])
    kind: UnitKind
    sector: Annotated[str, StringConstraints(pattern=r"^[a-z_-]{2,40}$")] = Field(
        description="The sector its training and reports are matched by, e.g. kesehatan, pendidikan.",
        examples=["kesehatan"],
    )
    active: StrictBool = True


class OpdOut(BaseModel):
    code: str
    name: str
    kind: UnitKind
    sector: str
    active: bool
    version: int
    updated_at: datetime


class OpdList(BaseModel):
    items: list[OpdOut]
    total: int
