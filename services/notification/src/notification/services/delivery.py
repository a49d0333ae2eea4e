"""The delivery worker: sends due email and webhook deliveries, retries failures with exponential backoff,
records each outcome with its ``notification.delivered.v1`` / ``notification.failed.v1`` event.

At least once, and once in practice: a delivery is claimed with a lease before it is sent and marked done
right after; only a crash between the send and that mark (or a lease shorter than a hanging send) sends it
again. Email carries a stable ``Message-ID`` and webhooks a stable ``webhook-id``, so a receiver can drop
such a repeat."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import aiosmtplib
import httpx

from notification.domain.messages import header_text, plain_address
from notification.domain.routing import is_nip
from notification.domain.webhooks import address_refused, backoff_s, signature_header, url_problem
from notification.repository.deliveries import SENDING
from notification.services.context import PRODUCER, Notifier, utc_now
from shared.events import (
    NotificationDelivered,
    NotificationDeliveredPayload,
    NotificationFailed,
    NotificationFailedPayload,
)
from shared.mongo import MongoDocument

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The channel refused or did not answer."""


async def run_worker(ctx: Notifier) -> None:
    """Background job: deliver what is due, then wait for new deliveries (or the poll interval)."""
    worker = f"worker-{uuid.uuid4().hex[:8]}"
    # No connection kept alive: each send connects to the address it checked, and a TLS connection made for
    # one name is never reused for another name on the same address.
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(follow_redirects=False, limits=limits) as http:
        while True:
            try:
                done = await deliver_due(ctx, http, worker)
            except Exception:
                logger.exception("delivery pass failed")
                done = 0
            if not done:
                await ctx.new_deliveries.wait(ctx.settings.delivery_poll_interval_s)


async def deliver_due(ctx: Notifier, http: httpx.AsyncClient, worker: str, now: dt.datetime | None = None) -> int:
    """One pass: claim up to a batch of due deliveries and send them concurrently. Returns how many."""
    now = now or utc_now()
    settings = ctx.settings
    candidates = await ctx.deliveries.due(now, settings.delivery_batch_size)
    claimed = [
        d
        for d in [await ctx.deliveries.claim(c, now, settings.delivery_lease_s, worker) for c in candidates]
        if d is not None
    ]
    await asyncio.gather(*(deliver(ctx, http, d) for d in claimed))
    return len(claimed)


async def deliver(ctx: Notifier, http: httpx.AsyncClient, delivery: MongoDocument) -> None:
    assert delivery["status"] == SENDING
    subscription_id = delivery.get("subscription_id")
    try:
        if delivery["channel"] == "email":
            await send_email(ctx, delivery)
        else:
            await send_webhook(ctx, http, delivery)
    except (DeliveryError, aiosmtplib.SMTPException, OSError, httpx.HTTPError, TimeoutError) as exc:
        await failed(ctx, delivery, f"{type(exc).__name__}: {exc}")
        return
    except Exception as exc:  # any other error of a send is a failed attempt too (backoff, then give up)
        logger.exception("delivery attempt raised", extra={"delivery": delivery["_id"]})
        await failed(ctx, delivery, f"{type(exc).__name__}: {exc}")
        return
    now = utc_now()
    if subscription_id:
        await ctx.webhooks.attempt_succeeded(subscription_id, now)
    await ctx.deliveries.succeeded(delivery, now, _delivered(delivery))
    ctx.wake_relay(ctx.deliveries.collection.name, delivery["_id"])


async def failed(ctx: Notifier, delivery: MongoDocument, error: str) -> None:
    now = utc_now()
    settings = ctx.settings
    attempts = int(delivery["attempts"])
    subscription_id: str | None = delivery.get("subscription_id")
    if (
        subscription_id
        and not error.startswith("DeliveryError: subscription")
        and await ctx.webhooks.attempt_failed(subscription_id, now, settings.webhook_disable_after)
    ):
        logger.warning("webhook subscription disabled after repeated failures", extra={"subscription": subscription_id})
    if attempts >= settings.delivery_max_attempts or error.startswith("DeliveryError: subscription"):
        logger.warning("delivery failed for good", extra={"delivery": delivery["_id"], "error": error[:300]})
        await ctx.deliveries.gave_up(delivery, now, error, _failed(delivery, error, attempts))
        ctx.wake_relay(ctx.deliveries.collection.name, delivery["_id"])
        return
    delay = backoff_s(attempts, settings.delivery_backoff_initial_s, settings.delivery_backoff_max_s)
    await ctx.deliveries.retry_later(delivery, now, now + dt.timedelta(seconds=delay), error)


async def send_email(ctx: Notifier, delivery: MongoDocument) -> None:
    settings = ctx.settings
    if not settings.smtp_host:
        raise DeliveryError("the email channel is not configured (NOTIFICATION_SMTP_HOST)")
    to = plain_address(delivery["to"])
    if to is None:
        raise DeliveryError("the recipient address is not a plain address")
    message = EmailMessage()
    message["From"] = header_text(settings.smtp_from)
    message["To"] = to
    message["Subject"] = header_text(delivery["subject"])
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<{delivery['_id'].replace('|', '.').replace(':', '.')[:200]}@kinerja-asn>"
    message.set_content(delivery["text"])
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        start_tls=settings.smtp_starttls,
        use_tls=settings.smtp_use_tls,
        timeout=settings.smtp_timeout_s,
    )


async def send_webhook(ctx: Notifier, http: httpx.AsyncClient, delivery: MongoDocument) -> None:
    subscription = await ctx.webhooks.get(delivery["subscription_id"])
    if subscription is None or not subscription.get("enabled"):
        raise DeliveryError("subscription deleted or disabled")
    target = await pinned_target(subscription["url"], ctx.settings.webhook_allow_loopback_http)
    now = utc_now()
    timestamp = int(now.timestamp())
    body = delivery["body"].encode()
    secrets = [subscription["secret"]]
    previous = subscription.get("previous_secret")
    if previous and previous["expires_at"] > now:
        secrets.append(previous["secret"])
    headers = {
        "content-type": "application/json",
        "webhook-id": delivery["msg_id"],
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets, delivery["msg_id"], timestamp, body),
        "user-agent": f"kinerja-asn-{PRODUCER}",
        "host": target.host,
    }
    response = await http.post(
        target.url,
        content=body,
        headers=headers,
        timeout=ctx.settings.webhook_timeout_s,
        extensions=target.extensions,
    )
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"HTTP {response.status_code}")


Resolve = Callable[[str], Awaitable[list[str]]]
"""A host name (ASCII, IDNA-encoded) -> its addresses."""


async def resolve_host(host: str) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class Target:
    """Where a webhook is sent: ``url`` holds the checked address in place of the name; ``host`` is the
    Host header and ``extensions`` the TLS server name (SNI and the certificate's name check), the name's."""

    url: httpx.URL
    host: str
    extensions: dict[str, Any]


async def pinned_target(url: str, allow_loopback: bool, resolve: Resolve = resolve_host) -> Target:
    """Refuse a URL refused by today's rules (stored before them) and a name that resolves to a private,
    link-local or other non-global address (SSRF), at send time; otherwise the URL with the address that
    was checked. The connection goes to that address: a name that answers differently the second time
    (DNS rebinding) cannot send it elsewhere, since the name is not resolved again."""
    problem = url_problem(url, allow_loopback_http=allow_loopback)
    if problem:
        raise DeliveryError(f"subscription URL refused: {problem.en}")
    target = httpx.URL(url)
    host = target.raw_host.decode("ascii")
    try:
        addresses = await resolve(host)
    except OSError as exc:  # socket.gaierror among them
        raise DeliveryError(f"cannot resolve {host}") from exc
    if not addresses:
        raise DeliveryError(f"cannot resolve {host}")
    if any(address_refused(address, allow_loopback) for address in addresses):
        raise DeliveryError(f"{host} resolves to a refused address")
    extensions: dict[str, Any] = {"sni_hostname": host} if target.scheme == "https" else {}
    return Target(target.copy_with(host=addresses[0]), target.netloc.decode("ascii"), extensions)


def _delivered(delivery: MongoDocument) -> NotificationDelivered | None:
    if not is_nip(delivery["recipient"]):
        return None  # the PPK and group inboxes have no NIP to key the event by
    return NotificationDelivered.create(
        NotificationDeliveredPayload(
            notification_id=delivery["notification_id"],
            nip=delivery["recipient"],
            channel="email" if delivery["channel"] == "email" else "webhook",
            kind=delivery["kind"],
            source_event_id=delivery["source_event_id"],
        ),
        producer=PRODUCER,
    )


def _failed(delivery: MongoDocument, error: str, attempts: int) -> NotificationFailed | None:
    if not is_nip(delivery["recipient"]):
        return None
    return NotificationFailed.create(
        NotificationFailedPayload(
            notification_id=delivery["notification_id"],
            nip=delivery["recipient"],
            channel="email" if delivery["channel"] == "email" else "webhook",
            kind=delivery["kind"],
            source_event_id=delivery["source_event_id"],
            error=error[:500],
            attempts=max(attempts, 1),
            will_retry=False,
        ),
        producer=PRODUCER,
    )
