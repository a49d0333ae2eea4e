"""The appraisal service's dependencies, built once at start-up."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from functools import partial
from typing import Any

from appraisal import handlers
from appraisal.repository.employees import EmployeeRepository, ImportRepository
from appraisal.repository.evaluations import EvaluationRepository, OrgYearRepository, PlanSlotRepository
from appraisal.repository.opd import OpdRepository
from appraisal.repository.planning import SkpRepository, YearRepository
from appraisal.services.employees import IMPORT_SILENCE, Registry, backfill_readers, now_ms
from appraisal.services.evaluations import Evaluations
from appraisal.services.gauges import PlanGauges
from appraisal.services.organisation import Organisation
from appraisal.services.planning import Planning, split_at_mutation
from shared.app import Runtime, Wiring
from shared.business import GAUGE_REFRESH_S, refresh_every


@dataclass(frozen=True)
class Deps:
    registry: Registry
    planning: Planning
    evaluations: Evaluations
    organisation: Organisation
    spawn: Callable[[Coroutine[Any, Any, None], str], object]


async def wire(runtime: Runtime) -> Wiring:
    employees = EmployeeRepository(runtime.db)
    years = YearRepository(runtime.db)
    skps = SkpRepository(runtime.db)
    evaluation_docs = EvaluationRepository(runtime.db)
    org_years = OrgYearRepository(runtime.db)
    for repository in (employees, years, skps, evaluation_docs, org_years):
        await repository.ensure_indexes()
    imports = ImportRepository(runtime.db)
    await imports.ensure_indexes()
    opds = OpdRepository(runtime.db)
    await opds.ensure_indexes()
    await opds.seed(now_ms())
    await imports.interrupt_running(now_ms(), silent_since=now_ms() - IMPORT_SILENCE)
    registry = Registry(
        employees,
        imports,
        opds,
        runtime.relay.wake,
        runtime.settings.service_name,
        on_mutation=partial(split_at_mutation, skps),  # a mutation mid-year splits the SKP
    )
    await backfill_readers(registry)
    planning = Planning(registry, years, skps)
    gauges = PlanGauges(runtime.registry, evaluation_docs, registry.clock)

    async def business_gauges() -> None:
        await refresh_every(GAUGE_REFRESH_S, gauges.refresh)

    return Wiring(
        deps=Deps(
            registry,
            planning,
            Evaluations(planning, evaluation_docs, org_years, PlanSlotRepository(runtime.db)),
            Organisation(planning, evaluation_docs, org_years),
            runtime.spawn,
        ),
        subscriptions=handlers.subscriptions(),
        outbox_collections=[
            employees.collection,
            skps.collection,
            evaluation_docs.collection,
            years.collection,
            org_years.collection,
        ],
        people=employees,
        background=[business_gauges],
    )
