"""Master data: the city's OPD and kecamatan, maintained by the BKPSDM. Every path that names an OPD
(registration, PATCH, a CSV row, a recorded appraisal) is refused for a code that is not an active
unit here, so an OPD is never created by a typo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from appraisal.domain.access import Actor
from appraisal.repository.opd import MAX_UNITS, OpdRepository
from appraisal.repository.versioned import AlreadyExistsError, VersionedRepository
from appraisal.schemas.master import OpdIn
from appraisal.services.employees import now_ms
from appraisal.services.errors import ConflictError, ForbiddenError, NotFoundError, VersionConflictError
from shared.events import Event
from shared.mongo import MongoDocument


async def create_or_update(
    repository: VersionedRepository,
    key: Any,
    fields: MongoDocument,
    expected_version: int | None,
    what: str,
    announce: Callable[[int], Event] | None = None,
) -> tuple[MongoDocument, bool]:
    """Create ``key`` with ``fields`` (version 1), or, given the current ``expected_version``
    (If-Match), update it; returns (stored document, created). ``announce(version)`` gives the event
    written with the change (in the same write, published by the outbox relay)."""
    now = now_ms()
    current = await repository.get(key)
    if current is None:
        document = {"_id": key, **fields, "version": 1, "created_at": now, "updated_at": now}
        events = [announce(1)] if announce else []
        try:
            await repository.insert(document, *events, now=now)
        except AlreadyExistsError as exc:
            raise VersionConflictError(f"{what} was created concurrently") from exc
        return document, True
    if expected_version is None:
        raise VersionConflictError(f"{what} exists; send If-Match with its ETag to change it")
    if expected_version != current["version"]:
        raise VersionConflictError(f"{what} is at version {current['version']}")
    events = [announce(current["version"] + 1)] if announce else []
    stored = await repository.update(current, fields, *events, now=now)
    if stored is None:
        raise VersionConflictError(f"{what} was changed concurrently")
    return stored, False


async def put_opd(
    code: str, body: OpdIn, expected_version: int | None, *, actor: Actor, opds: OpdRepository
) -> tuple[MongoDocument, bool]:
    if "admin_bkpsdm" not in actor.roles:
        raise ForbiddenError("only admin_bkpsdm maintains the OPD master data")
    codes = await opds.all_codes()
    if code not in codes and len(codes) >= MAX_UNITS:
        raise ConflictError(f"the master data holds at most {MAX_UNITS} units", code="too_many_units")
    return await create_or_update(opds, code, body.model_dump(mode="json"), expected_version, f"OPD {code}")


async def get_opd(code: str, opds: OpdRepository) -> MongoDocument:
    unit = await opds.get(code)
    if unit is None:
        raise NotFoundError(f"no OPD or kecamatan with code {code}")
    return unit
