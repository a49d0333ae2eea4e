"""The notification service's dependencies, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from notification import handlers
from notification.repository import InboxRepository
from shared.app import Runtime, Wiring
from shared.roster import Roster


@dataclass(frozen=True)
class Deps:
    inbox: InboxRepository


async def wire(runtime: Runtime) -> Wiring:
    inbox = InboxRepository(runtime.db)
    await inbox.ensure_indexes()
    roster = Roster(runtime.db)
    await roster.ensure_indexes()
    return Wiring(
        deps=Deps(inbox),
        subscriptions=[*handlers.subscriptions(inbox), *roster.subscriptions()],
        people=roster,
    )
