"""The appraisal service's dependencies, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from appraisal import handlers
from appraisal.config import Settings
from appraisal.repository import AppraisalRepository
from shared.app import Runtime, Wiring
from shared.outbox import OutboxRelay


@dataclass(frozen=True)
class Deps:
    appraisals: AppraisalRepository
    relay: OutboxRelay
    producer: str


async def wire(runtime: Runtime) -> Wiring:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    appraisals = AppraisalRepository(runtime.db)
    await appraisals.ensure_indexes()
    relay = OutboxRelay(runtime.broker, [appraisals.collection], poll_interval_s=settings.outbox_poll_interval_s)
    handlers.register(runtime.broker, settings)
    return Wiring(deps=Deps(appraisals, relay, settings.service_name), background=[relay.run])
