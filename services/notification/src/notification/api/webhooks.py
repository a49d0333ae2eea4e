"""Webhook subscriptions for integration teams: managed by the BKPSDM (admin_bkpsdm) only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from notification.api.common import PROBLEMS, Ctx
from notification.schemas.models import (
    DeliveryOut,
    DeliveryPage,
    WebhookIn,
    WebhookOut,
    WebhookPage,
    WebhookPatch,
    WebhookWithSecret,
)
from notification.services import webhooks
from shared.auth import Principal, Role, require_roles
from shared.mongo import MongoDocument
from shared.pagination import MAX_OFFSET

router = APIRouter(tags=["webhooks"])
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN_BKPSDM))]
ID = Path(max_length=40, pattern=r"^wh_[0-9a-f]{20}$")


def webhook_out(document: MongoDocument) -> WebhookOut:
    previous = document.get("previous_secret")
    return WebhookOut(
        id=document["_id"],
        owner=document["owner"],
        url=document["url"],
        event_types=document["event_types"],
        description=document.get("description"),
        enabled=document["enabled"],
        disabled_reason=document.get("disabled_reason"),
        consecutive_failures=document.get("consecutive_failures", 0),
        secret_rotating_until=previous["expires_at"] if previous else None,
        created_at=document["created_at"],
        version=document["version"],
    )


def with_secret(document: MongoDocument, secret: str) -> WebhookWithSecret:
    return WebhookWithSecret(**webhook_out(document).model_dump(), secret=secret)


@router.post(
    "/webhooks",
    response_model=WebhookWithSecret,
    status_code=201,
    summary="Subscribe a receiver to kinds (the secret is shown once)",
    responses=PROBLEMS,
)
async def create_webhook(ctx: Ctx, admin: Admin, body: WebhookIn) -> WebhookWithSecret:
    document, secret = await webhooks.create(ctx, admin.nip, body.url, body.event_types, body.description)
    return with_secret(document, secret)


@router.get("/webhooks", response_model=WebhookPage, summary="Every webhook subscription", responses=PROBLEMS)
async def list_webhooks(
    ctx: Ctx,
    admin: Admin,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> WebhookPage:
    items, total = await ctx.webhooks.all(limit=limit, offset=offset)
    return WebhookPage(items=[webhook_out(d) for d in items], total=total, limit=limit, offset=offset)


@router.get(
    "/webhooks/{subscription_id}",
    response_model=WebhookOut,
    summary="One webhook subscription (never its secret)",
    responses=PROBLEMS,
)
async def get_webhook(ctx: Ctx, admin: Admin, subscription_id: Annotated[str, ID]) -> WebhookOut:
    return webhook_out(await webhooks.get(ctx, subscription_id))


@router.patch(
    "/webhooks/{subscription_id}",
    response_model=WebhookOut,
    summary="Change the target or kinds, disable or re-enable",
    responses=PROBLEMS,
)
async def change_webhook(ctx: Ctx, admin: Admin, subscription_id: Annotated[str, ID], body: WebhookPatch) -> WebhookOut:
    changed = await webhooks.change(
        ctx,
        subscription_id,
        url=body.url,
        event_types=body.event_types,
        enabled=body.enabled,
        description=body.description,
    )
    return webhook_out(changed)


@router.post(
    "/webhooks/{subscription_id}/rotate-secret",
    response_model=WebhookWithSecret,
    summary="A new secret (shown once); the old one keeps signing during the grace period",
    responses=PROBLEMS,
)
async def rotate_secret(ctx: Ctx, admin: Admin, subscription_id: Annotated[str, ID]) -> WebhookWithSecret:
    document, secret = await webhooks.rotate(ctx, subscription_id)
    return with_secret(document, secret)


@router.delete("/webhooks/{subscription_id}", status_code=204, summary="Remove a subscription", responses=PROBLEMS)
async def delete_webhook(ctx: Ctx, admin: Admin, subscription_id: Annotated[str, ID]) -> Response:
    await webhooks.delete(ctx, subscription_id)
    return Response(status_code=204)


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    response_model=DeliveryPage,
    summary="The subscription's delivery log, newest first",
    responses=PROBLEMS,
)
async def webhook_deliveries(
    ctx: Ctx,
    admin: Admin,
    subscription_id: Annotated[str, ID],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> DeliveryPage:
    await webhooks.get(ctx, subscription_id)
    items, total = await ctx.deliveries.for_subscription(subscription_id, limit=limit, offset=offset)
    return DeliveryPage(
        items=[
            DeliveryOut(
                id=d["_id"],
                notification_id=d["notification_id"],
                kind=d["kind"],
                status=d["status"],
                attempts=d["attempts"],
                last_error=d.get("last_error"),
                next_at=d.get("next_at"),
                created_at=d["created_at"],
                delivered_at=d.get("delivered_at"),
                failed_at=d.get("failed_at"),
            )
            for d in items
        ],
        total=total,
        limit=limit,
        offset=offset,
    )
