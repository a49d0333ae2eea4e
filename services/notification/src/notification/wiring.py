"""The notification service's dependencies, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from notification import handlers
from notification.repository import InboxRepository
from shared.app import Runtime, Wiring


@dataclass(frozen=True)
class Deps:
    inbox: InboxRepository


async def wire(runtime: Runtime) -> Wiring:
    inbox = InboxRepository(runtime.db)
    await inbox.ensure_indexes()
    return Wiring(deps=Deps(inbox), subscriptions=handlers.subscriptions(inbox))
