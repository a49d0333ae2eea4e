"""The reporting service's dependencies, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from reporting import handlers
from reporting.repository.store import Generations
from reporting.services.context import Reporting
from reporting.services.summaries import run_summariser
from shared.app import Runtime, Wiring
from shared.roster import Roster


@dataclass(frozen=True)
class Deps:
    reporting: Reporting


async def wire(runtime: Runtime) -> Wiring:
    roster = Roster(runtime.db)
    await roster.ensure_indexes()
    generations = Generations(runtime.db)
    await generations.active()  # its collections and indexes exist from the start
    ctx = Reporting(generations=generations, roster=roster, lag=runtime.lag)

    async def summariser() -> None:
        await run_summariser(ctx)

    return Wiring(
        deps=Deps(ctx),
        subscriptions=handlers.subscriptions(ctx),
        background=[summariser],
        people=roster,
    )
