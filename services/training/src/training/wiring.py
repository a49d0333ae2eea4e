"""The training service's dependencies, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from shared.app import Runtime, Wiring
from training import handlers
from training.config import Settings
from training.repository import CatalogueRepository


@dataclass(frozen=True)
class Deps:
    catalogue: CatalogueRepository


async def wire(runtime: Runtime) -> Wiring:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    catalogue = CatalogueRepository(runtime.db)
    await catalogue.ensure_indexes()
    handlers.register(runtime.broker, settings)
    return Wiring(deps=Deps(catalogue))
