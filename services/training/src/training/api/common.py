from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import Depends, Request

from shared.auth import CurrentPrincipal
from training.domain.access import Actor
from training.services.context import Training

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "missing or invalid bearer token"},
    403: {"description": "the caller's roles or relation to the employee do not allow this"},
    404: {"description": "not found, or not visible to the caller"},
    409: {"description": "not possible in the record's current state"},
    422: {"description": "invalid input (the errors name the fields) or against the rules"},
}


def get_ctx(request: Request) -> Training:
    return cast(Training, request.app.state.deps.training)


async def get_actor(principal: CurrentPrincipal) -> Actor:
    return Actor(principal.nip, frozenset(str(r) for r in principal.roles), principal.opd_code)


Ctx = Annotated[Training, Depends(get_ctx)]
ActorDep = Annotated[Actor, Depends(get_actor)]
