"""The notification service's dependencies, built once at start-up."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from functools import partial
from typing import Any

from prometheus_client import Gauge

from notification import handlers
from notification.config import Settings
from notification.domain.messages import environment
from notification.repository.deliveries import Deliveries
from notification.repository.inbox import Inbox
from notification.repository.people import People
from notification.repository.tracking import Tracking
from notification.repository.webhooks import Webhooks
from notification.services.context import Notifier
from notification.services.delivery import run_worker
from notification.services.reminders import run_reminders
from shared.app import Runtime, Wiring
from shared.business import GAUGE_REFRESH_S, refresh_every

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deps:
    notifier: Notifier


async def build(runtime: Runtime) -> Notifier:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    ctx = Notifier(
        settings=settings,
        people=People(runtime.db),
        inbox=Inbox(runtime.db),
        deliveries=Deliveries(runtime.db),
        webhooks=Webhooks(runtime.db),
        tracking=Tracking(runtime.db),
        templates=environment(),
        wake_relay=runtime.relay.wake,
    )
    for repository in (ctx.people, ctx.inbox, ctx.deliveries, ctx.webhooks, ctx.tracking):
        await repository.ensure_indexes()
    return ctx


async def wire(runtime: Runtime) -> Wiring:
    ctx = await build(runtime)
    if not ctx.email_enabled:
        logger.warning("email channel off: NOTIFICATION_SMTP_HOST is not set (inbox, push and webhooks still work)")
    background: list[Callable[[], Coroutine[Any, Any, None]]] = [partial(run_worker, ctx)]
    if ctx.settings.reminder_enabled:
        background.append(partial(run_reminders, ctx))
    for job in background:
        job.__name__ = job.func.__name__  # type: ignore[attr-defined]
    disabled = Gauge(
        "webhook_subscriptions_disabled",
        "Webhook subscriptions switched off after repeated failures (not those switched off on purpose)",
        registry=runtime.registry,
    )

    async def refresh() -> None:
        disabled.set(await ctx.webhooks.count_disabled())

    async def business_gauges() -> None:
        await refresh_every(GAUGE_REFRESH_S, refresh)

    background.append(business_gauges)
    return Wiring(
        deps=Deps(ctx),
        subscriptions=[*handlers.subscriptions(ctx), *ctx.people.subscriptions()],
        outbox_collections=[ctx.inbox.notifications, ctx.deliveries.collection],
        background=background,
        people=ctx.people,
    )
