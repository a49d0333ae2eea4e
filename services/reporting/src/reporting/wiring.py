"""The reporting service's dependencies, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from reporting import handlers
from reporting.repository import AppraisalFacts
from shared.app import Runtime, Wiring
from shared.roster import Roster


@dataclass(frozen=True)
class Deps:
    facts: AppraisalFacts


async def wire(runtime: Runtime) -> Wiring:
    facts = AppraisalFacts(runtime.db)
    await facts.ensure_indexes()
    roster = Roster(runtime.db)
    await roster.ensure_indexes()
    return Wiring(
        deps=Deps(facts),
        subscriptions=[*handlers.subscriptions(facts), *roster.subscriptions()],
        people=roster,
    )
