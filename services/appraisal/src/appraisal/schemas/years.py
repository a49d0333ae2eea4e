from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field, computed_field

from appraisal.domain.evaluation import Frequency
from appraisal.domain.rules import (
    DEFAULT_FINALISE_GRACE_DAYS,
    DEFAULT_OBJECTION_WINDOW_DAYS,
    MAX_FINALISE_GRACE_DAYS,
)
from shared.inputs import InputModel
from shared.periods import period_label


class YearConfigIn(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "frequency": "quarterly",
                    "skp_due": "2026-01-31",
                    "evaluation_due": {"2026-Q1": "2026-04-15", "2026": "2027-01-31"},
                    "objection_window_days": 14,
                    "distribution_enforcement": "warning",
                    "finalise_grace_days": 0,
                    "deadline_enforcement": "warning",
                }
            ]
        },
    )

    frequency: Frequency = Field(description="How often periodic evaluations happen in this year.")
    skp_due: dt.date = Field(description="Date by which every SKP of the year should be approved.")
    evaluation_due: dict[str, dt.date] = Field(
        default_factory=dict, description="Deadline per period ('2026-Q1', ..., and '2026' for the annual one)."
    )
    objection_window_days: int = Field(
        DEFAULT_OBJECTION_WINDOW_DAYS, ge=1, le=90, description="Days after finalisation an employee may object."
    )
    distribution_enforcement: Literal["warning", "blocking"] = Field(
        "warning", description="Whether distribution-curve violations block closing an OPD's year."
    )
    finalise_grace_days: int = Field(
        DEFAULT_FINALISE_GRACE_DAYS,
        ge=0,
        le=MAX_FINALISE_GRACE_DAYS,
        description="How many days before a period's end its evaluation may already be finalised (0: only once "
        "the period has ended).",
    )
    deadline_enforcement: Literal["warning", "blocking"] = Field(
        "warning",
        description="What a missed skp_due / evaluation_due does: `warning` accepts the late step and marks it "
        "`late`; `blocking` refuses it (409 `deadline_passed`) unless the BKPSDM extended that record's deadline.",
    )


class YearConfigOut(YearConfigIn):
    model_config = ConfigDict(extra="ignore")
    checks_input = False  # stored data is shown as it is

    year: int
    periods: list[str]
    version: int
    updated_at: dt.datetime

    @computed_field(description="Each period as people read it, in Bahasa Indonesia ('Triwulan I 2026').")
    def period_labels(self) -> dict[str, str]:
        return {period: period_label(period).ind for period in self.periods}


class DeadlineExtensionIn(InputModel):
    """The BKPSDM extends the deadline of one SKP or evaluation (its year blocks late steps)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"until": "2026-02-14", "reason": "Pegawai cuti melahirkan sampai 10 Feb"}]},
    )

    until: dt.date = Field(description="The step is accepted until this day (inclusive), still marked late.")
    reason: str = Field(min_length=5, max_length=2000, description="Why the deadline is extended.")
