from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from shared.events import APPRAISER_PATTERN, NIP_PATTERN, PERIOD_PATTERN

Nip = Annotated[str, StringConstraints(pattern=NIP_PATTERN), Field(examples=["198609262015051001"])]
Appraiser = Annotated[
    str,
    StringConstraints(pattern=APPRAISER_PATTERN),
    Field(
        description="A NIP, or 'PPK': the Wali Kota (Pejabat Pembina Kepegawaian), who has no NIP.",
        examples=["197501012000031001"],
    ),
]
OpdCode = Annotated[
    str, StringConstraints(min_length=2, max_length=32, pattern=r"^[A-Z0-9_-]+$"), Field(examples=["DINKES"])
]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Period = Annotated[
    str,
    StringConstraints(pattern=PERIOD_PATTERN),
    Field(
        description="'2026' (annual), '2026-S1' (semester), '2026-Q1' (quarter) or '2026-03' (month).",
        examples=["2026-Q1"],
    ),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]
