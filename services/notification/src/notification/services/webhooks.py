"""Webhook subscriptions, managed by the BKPSDM for integration teams."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import uuid
from collections.abc import Sequence

from notification.domain.routing import KINDS
from notification.domain.webhooks import SECRET_BYTES, encode_secret, url_problem
from notification.services.context import Notifier, utc_now
from shared.errors import ConflictError, InvalidError, NotFoundError
from shared.i18n import Text
from shared.mongo import MongoDocument

NOT_FOUND = Text("Langganan webhook tidak ditemukan", "Webhook subscription not found")


def new_secret() -> str:
    return encode_secret(secrets.token_bytes(SECRET_BYTES))


def _check(ctx: Notifier, url: str | None, event_types: Sequence[str] | None) -> None:
    if url is not None:
        problem = url_problem(url, allow_loopback_http=ctx.settings.webhook_allow_loopback_http)
        if problem:
            raise InvalidError(problem, code="webhook_url_refused")
    if event_types is not None:
        unknown = sorted(set(event_types) - set(KINDS) - {"*"})
        if unknown or not event_types:
            names = ", ".join(unknown) or "-"
            raise InvalidError(
                Text(f"Jenis pemberitahuan tidak dikenal: {names}", f"Unknown notification kinds: {names}"),
                code="unknown_kind",
            )


async def create(
    ctx: Notifier, owner: str, url: str, event_types: Sequence[str], description: str | None
) -> tuple[MongoDocument, str]:
    """A new subscription and its secret (shown this once)."""
    _check(ctx, url, event_types)
    secret = new_secret()
    document: MongoDocument = {
        "_id": f"wh_{uuid.uuid4().hex[:20]}",
        "owner": owner,
        "url": url,
        "event_types": sorted(set(event_types)),
        "description": description,
        "secret": secret,
        "previous_secret": None,
        "enabled": True,
        "consecutive_failures": 0,
        "disabled_reason": None,
        "created_at": utc_now(),
        "version": 1,
    }
    await ctx.webhooks.add(document)
    return document, secret


async def get(ctx: Notifier, subscription_id: str) -> MongoDocument:
    found = await ctx.webhooks.get(subscription_id)
    if found is None:
        raise NotFoundError(NOT_FOUND)
    return found


async def change(
    ctx: Notifier,
    subscription_id: str,
    *,
    url: str | None,
    event_types: Sequence[str] | None,
    enabled: bool | None,
    description: str | None,
) -> MongoDocument:
    """Change the target, the kinds or re-enable (a re-enabled subscription starts with no failures)."""
    _check(ctx, url, event_types)
    current = await get(ctx, subscription_id)
    fields: MongoDocument = {}
    if url is not None:
        fields["url"] = url
    if event_types is not None:
        fields["event_types"] = sorted(set(event_types))
    if description is not None:
        fields["description"] = description
    if enabled is not None:
        fields["enabled"] = enabled
        if enabled:
            fields |= {"consecutive_failures": 0, "disabled_reason": None}
        else:
            fields["disabled_reason"] = "by_owner"
    changed = await ctx.webhooks.change(subscription_id, current["version"], fields)
    if changed is None:
        raise ConflictError(
            Text("Langganan webhook diubah pada saat yang sama", "The webhook subscription was changed concurrently"),
            code="changed_concurrently",
        )
    return changed


async def rotate(ctx: Notifier, subscription_id: str) -> tuple[MongoDocument, str]:
    """A new secret; the old one still signs for ``NOTIFICATION_WEBHOOK_SECRET_GRACE_S`` (both signatures sent)."""
    current = await get(ctx, subscription_id)
    secret = new_secret()
    expires = utc_now() + dt.timedelta(seconds=ctx.settings.webhook_secret_grace_s)
    fields = {"secret": secret, "previous_secret": {"secret": current["secret"], "expires_at": expires}}
    changed = await ctx.webhooks.change(subscription_id, current["version"], fields)
    if changed is None:
        raise ConflictError(
            Text("Langganan webhook diubah pada saat yang sama", "The webhook subscription was changed concurrently"),
            code="changed_concurrently",
        )
    return changed, secret


async def delete(ctx: Notifier, subscription_id: str) -> None:
    if not await ctx.webhooks.delete(subscription_id):
        raise NotFoundError(NOT_FOUND)


def fingerprint(secret: str) -> str:
    """A short, non-secret label of a secret (its first bytes' hash), to tell secrets apart after a rotation."""
    import hashlib

    return hashlib.sha256(base64.b64decode(secret.removeprefix("whsec_"))).hexdigest()[:8]
