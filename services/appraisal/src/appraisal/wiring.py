"""The appraisal service's dependencies, built once at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from appraisal import handlers
from appraisal.repository import AppraisalRepository
from shared.app import Runtime, Wiring


@dataclass(frozen=True)
class Deps:
    appraisals: AppraisalRepository
    wake_relay: Callable[[], None]
    producer: str


async def wire(runtime: Runtime) -> Wiring:
    appraisals = AppraisalRepository(runtime.db)
    await appraisals.ensure_indexes()
    return Wiring(
        deps=Deps(appraisals, runtime.relay.wake, runtime.settings.service_name),
        subscriptions=handlers.subscriptions(),
        outbox_collections=[appraisals.collection],
    )
