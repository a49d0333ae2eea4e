"""The training service's dependencies, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from shared.app import Runtime, Wiring
from training import handlers
from training.config import Settings
from training.domain.catalogue_seed import SEED_CATALOGUE
from training.repository.catalogue import CatalogueRepository
from training.repository.people import People
from training.repository.records import (
    EnrolmentRepository,
    LedgerRepository,
    RecommendationRepository,
    ResultRepository,
    ScheduleRepository,
)
from training.services import enrolments
from training.services.context import Training, utc_now


@dataclass(frozen=True)
class Deps:
    training: Training


async def build(runtime: Runtime) -> Training:
    ctx = Training(
        catalogue=CatalogueRepository(runtime.db),
        people=People(runtime.db),
        recommendations=RecommendationRepository(runtime.db),
        enrolments=EnrolmentRepository(runtime.db),
        ledger=LedgerRepository(runtime.db),
        results=ResultRepository(runtime.db),
        schedules=ScheduleRepository(runtime.db),
        wake=runtime.relay.wake,
    )
    for repository in (
        ctx.catalogue,
        ctx.people,
        ctx.recommendations,
        ctx.enrolments,
        ctx.ledger,
        ctx.results,
        ctx.schedules,
    ):
        await repository.ensure_indexes()
    return ctx


async def wire(runtime: Runtime) -> Wiring:
    ctx = await build(runtime)
    settings = runtime.settings
    if isinstance(settings, Settings) and settings.seed_catalogue:
        await ctx.catalogue.seed(SEED_CATALOGUE, utc_now())
    await enrolments.reconcile_running(ctx)
    return Wiring(
        deps=Deps(ctx),
        subscriptions=[*handlers.subscriptions(ctx), *ctx.people.subscriptions()],
        outbox_collections=[ctx.recommendations.collection, ctx.enrolments.collection, ctx.ledger.collection],
        people=ctx.people,
    )
