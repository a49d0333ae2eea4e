"""The reporting service's dependencies, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from reporting import handlers
from reporting.config import Settings
from reporting.repository import AppraisalFacts
from shared.app import Runtime, Wiring


@dataclass(frozen=True)
class Deps:
    facts: AppraisalFacts


async def wire(runtime: Runtime) -> Wiring:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    facts = AppraisalFacts(runtime.db)
    await facts.ensure_indexes()
    handlers.register(runtime.broker, settings, facts)
    return Wiring(deps=Deps(facts))
