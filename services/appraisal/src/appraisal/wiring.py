"""The appraisal service's dependencies, built once at start-up."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from appraisal import handlers
from appraisal.repository.appraisals import AppraisalRepository
from appraisal.repository.employees import EmployeeRepository, ImportRepository
from appraisal.repository.planning import SkpRepository, YearRepository
from appraisal.services.employees import Registry, now_ms
from appraisal.services.planning import Planning
from shared.app import Runtime, Wiring


@dataclass(frozen=True)
class Deps:
    registry: Registry
    planning: Planning
    appraisals: AppraisalRepository
    wake_relay: Callable[[], None]
    producer: str
    spawn: Callable[[Coroutine[Any, Any, None], str], object]


async def wire(runtime: Runtime) -> Wiring:
    producer = runtime.settings.service_name
    employees = EmployeeRepository(runtime.db, runtime.locks)
    imports = ImportRepository(runtime.db)
    years = YearRepository(runtime.db, runtime.locks)
    skps = SkpRepository(runtime.db, runtime.locks)
    appraisals = AppraisalRepository(runtime.db)
    for repository in (employees, years, skps, appraisals):
        await repository.ensure_indexes()
    await imports.interrupt_running(now_ms())
    registry = Registry(employees, imports, runtime.relay.wake, producer)
    return Wiring(
        deps=Deps(registry, Planning(registry, years, skps), appraisals, runtime.relay.wake, producer, runtime.spawn),
        subscriptions=handlers.subscriptions(),
        outbox_collections=[employees.collection, skps.collection, appraisals.collection],
    )
