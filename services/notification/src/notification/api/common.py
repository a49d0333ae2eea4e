from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import Depends, Request

from notification.domain.routing import audiences
from notification.services.context import Notifier
from shared.auth import CurrentPrincipal, Principal

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "missing or invalid bearer token"},
    403: {"description": "the caller's roles do not allow this"},
    404: {"description": "not found, or not the caller's"},
    409: {"description": "changed concurrently"},
    422: {"description": "invalid input (the errors name the fields) or against the rules"},
}


def get_ctx(request: Request) -> Notifier:
    return cast(Notifier, request.app.state.deps.notifier)


def audiences_of(principal: Principal) -> list[str]:
    """The caller's own inbox and their roles' group inboxes; nobody else's."""
    return audiences(principal.nip, frozenset(str(r) for r in principal.roles), principal.opd_code)


async def get_audiences(principal: CurrentPrincipal) -> list[str]:
    return audiences_of(principal)


Ctx = Annotated[Notifier, Depends(get_ctx)]
Audiences = Annotated[list[str], Depends(get_audiences)]
