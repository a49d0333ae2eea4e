"""What every route of the reporting service shares: its context, the caller, parameters, problems."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import Depends, Path, Query, Request

from reporting.domain.access import Actor
from reporting.services.context import Reporting
from reporting.services.views import actor_of
from shared.auth import CurrentPrincipal
from shared.events import APPRAISER_PATTERN, NIP_PATTERN

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "missing or invalid bearer token"},
    403: {"description": "the caller's roles or relation (own record, own team, own OPD) do not allow this"},
    404: {"description": "not found, or not visible to the caller"},
    422: {"description": "invalid input (the errors name the fields)"},
}


def get_ctx(request: Request) -> Reporting:
    return cast(Reporting, request.app.state.deps.reporting)


Ctx = Annotated[Reporting, Depends(get_ctx)]


async def get_actor(principal: CurrentPrincipal, ctx: Ctx) -> Actor:
    return await actor_of(ctx, principal.nip, frozenset(str(r) for r in principal.roles), principal.opd_code)


ActorDep = Annotated[Actor, Depends(get_actor)]
YearQuery = Annotated[
    int | None, Query(ge=2000, le=2100, description="The performance year (default: this year, in WIB).")
]
NipPath = Annotated[str, Path(pattern=NIP_PATTERN, description="NIP (18 digits).")]
AppraiserPath = Annotated[str, Path(pattern=APPRAISER_PATTERN, description="NIP of the pejabat penilai, or 'PPK'.")]
OpdPath = Annotated[str, Path(min_length=2, max_length=32, pattern=r"^[A-Z0-9_-]+$", examples=["DINKES"])]


def year_or_now(year: int | None, ctx: Reporting) -> int:
    return year if year is not None else ctx.clock.today().year
