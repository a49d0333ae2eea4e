"""Master data: the city's OPD and kecamatan, maintained by the BKPSDM. Every path that names an OPD
(registration, PATCH, a CSV row, a recorded appraisal) is refused for a code that is not an active
unit here, so an OPD is never created by a typo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from appraisal.domain.access import Actor
from appraisal.repository.opd import MAX_UNITS, OpdRepository
from appraisal.schemas.master import OpdIn
from appraisal.services.employees import now_ms
from shared.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    VersionConflictError,
    at_version,
    changed_concurrently,
)
from shared.events import Event
from shared.i18n import Text
from shared.mongo import MongoDocument
from shared.versioned import AlreadyExistsError, VersionedRepository


async def create_or_update(
    repository: VersionedRepository,
    key: Any,
    fields: MongoDocument,
    expected_version: int | None,
    what: Text,
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
            raise VersionConflictError(
                Text(f"{what.ind} dibuat oleh pihak lain pada saat yang sama", f"{what.en} was created concurrently")
            ) from exc
        return document, True
    if expected_version is None:
        raise VersionConflictError(
            Text(
                f"{what.ind} sudah ada; kirim If-Match berisi ETag-nya untuk mengubahnya",
                f"{what.en} exists; send If-Match with its ETag to change it",
            )
        )
    if expected_version != current["version"]:
        raise VersionConflictError(at_version(what, current["version"]))
    events = [announce(current["version"] + 1)] if announce else []
    stored = await repository.update(current, fields, *events, now=now)
    if stored is None:
        raise VersionConflictError(changed_concurrently(what))
    return stored, False


async def put_opd(
    code: str, body: OpdIn, expected_version: int | None, *, actor: Actor, opds: OpdRepository
) -> tuple[MongoDocument, bool]:
    if "admin_bkpsdm" not in actor.roles:
        raise ForbiddenError(
            Text("Hanya admin_bkpsdm yang mengelola data induk OPD", "Only admin_bkpsdm maintains the OPD master data")
        )
    codes = await opds.all_codes()
    if code not in codes and len(codes) >= MAX_UNITS:
        raise ConflictError(
            Text(
                f"Data induk memuat paling banyak {MAX_UNITS} unit", f"The master data holds at most {MAX_UNITS} units"
            ),
            code="too_many_units",
        )
    what = Text(f"OPD {code}", f"OPD {code}")
    return await create_or_update(opds, code, body.model_dump(mode="json"), expected_version, what)


async def get_opd(code: str, opds: OpdRepository) -> MongoDocument:
    unit = await opds.get(code)
    if unit is None:
        raise NotFoundError(
            Text(f"OPD atau kecamatan dengan kode {code} tidak ditemukan", f"No OPD or kecamatan with code {code}")
        )
    return unit
