"""The training service's dependencies, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from shared.app import Runtime, Wiring
from shared.roster import Roster
from training import handlers
from training.repository import CatalogueRepository


@dataclass(frozen=True)
class Deps:
    catalogue: CatalogueRepository


async def wire(runtime: Runtime) -> Wiring:
    catalogue = CatalogueRepository(runtime.db)
    await catalogue.ensure_indexes()
    roster = Roster(runtime.db)
    await roster.ensure_indexes()
    return Wiring(
        deps=Deps(catalogue),
        subscriptions=[*handlers.subscriptions(), *roster.subscriptions()],
        people=roster,
    )
