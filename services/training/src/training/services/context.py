"""What every use case of the training service works with, and the authorisation by relation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, NoReturn

from shared.clock import local_day
from shared.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from shared.i18n import Text
from shared.mongo import MongoDocument
from training.domain.access import Actor, Relation, Subject, actor_keys, may
from training.domain.errors import RuleError
from training.repository.catalogue import CatalogueRepository
from training.repository.people import People
from training.repository.records import (
    EnrolmentRepository,
    LedgerRepository,
    RecommendationRepository,
    ResultRepository,
    ScheduleRepository,
)

PRODUCER = "training"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Training:
    catalogue: CatalogueRepository
    people: People
    recommendations: RecommendationRepository
    enrolments: EnrolmentRepository
    ledger: LedgerRepository
    results: ResultRepository
    schedules: ScheduleRepository
    wake: Callable[[str, Any], None] = field(default=lambda collection, document_id: None)
    now: Callable[[], dt.datetime] = field(default=utc_now)

    def today(self) -> dt.date:
        """Today in Palembang (WIB), as every service reads it (``shared.clock``)."""
        return local_day(self.now())


def refuse(exc: RuleError) -> NoReturn:
    """A rule of the domain said no: 422 with the rule's code, or 409 for a state conflict."""
    conflicts = {"already_enrolled", "enrolment_transition_refused", "session_overlap", "enrolment_id_conflict"}
    if exc.code in conflicts:
        raise ConflictError(exc.text, code=exc.code) from exc
    raise InvalidError(exc.text, code=exc.code) from exc


async def subject_of(ctx: Training, nip: str) -> Subject:
    """The employee as the local copy of the registry knows them (only the NIP when unknown)."""
    person = await ctx.people.get(nip)
    if person is None:
        return Subject(nip)
    return Subject(nip, person.get("opd_code"), person.get("pejabat_penilai_nip"))


async def authorise(ctx: Training, actor: Actor, nip: str, allowed: Collection[Relation], *, hidden: bool) -> Subject:
    """The subject, when ``actor`` stands in one of the ``allowed`` relations to them. Otherwise 404 when the
    caller may not even read the record (``hidden``), else 403."""
    subject = await subject_of(ctx, nip)
    if may(actor, subject, allowed):
        return subject
    if hidden:
        raise NotFoundError(Text("Data tidak ditemukan", "Not found"), code="not_found")
    raise ForbiddenError(
        Text("Anda tidak berwenang atas data pegawai ini", "You may not do this for this employee"), code="forbidden"
    )


async def visible_nips(ctx: Training, actor: Actor) -> list[str] | None:
    """The NIPs whose records ``actor`` may read (None: everyone, the BKPSDM); always includes their own."""
    keys = actor_keys(actor)
    if keys is None:
        return None
    nips = await ctx.people.nips({"readers": {"$in": keys}})
    return sorted({actor.nip, *nips})


def visible_query(nips: list[str] | None) -> MongoDocument:
    return {} if nips is None else {"nip": {"$in": nips}}
