"""A person's channels per kind: only their own."""

from __future__ import annotations

from fastapi import APIRouter

from notification.api.common import PROBLEMS, Ctx
from notification.domain.preferences import effective
from notification.domain.routing import KINDS
from notification.schemas.models import PreferencesIn, PreferencesOut
from notification.services.context import utc_now
from shared.auth import CurrentPrincipal
from shared.errors import InvalidError
from shared.i18n import Text

router = APIRouter(tags=["preferences"])


@router.get("/preferences", response_model=PreferencesOut, summary="The caller's channels per kind", responses=PROBLEMS)
async def my_preferences(ctx: Ctx, principal: CurrentPrincipal) -> PreferencesOut:
    chosen = (await ctx.tracking.preferences_of([principal.nip])).get(principal.nip)
    return PreferencesOut(channels=effective(chosen))


@router.put(
    "/preferences",
    response_model=PreferencesOut,
    summary="Set the caller's channels for some kinds",
    responses=PROBLEMS,
)
async def set_my_preferences(ctx: Ctx, principal: CurrentPrincipal, body: PreferencesIn) -> PreferencesOut:
    unknown = sorted(set(body.channels) - set(KINDS))
    if unknown:
        names = ", ".join(unknown)
        raise InvalidError(
            Text(f"Jenis pemberitahuan tidak dikenal: {names}", f"Unknown notification kinds: {names}"),
            code="unknown_kind",
        )
    chosen = (await ctx.tracking.preferences_of([principal.nip])).get(principal.nip, {})
    chosen = {**chosen, **{kind: sorted(set(channels)) for kind, channels in body.channels.items()}}
    await ctx.tracking.set_preferences(principal.nip, chosen, utc_now())
    return PreferencesOut(channels=effective(chosen))
