"""The catalogue: read by everyone, managed by the BKPSDM; the seed is loaded by ``python -m training.seed``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from shared.errors import ConflictError, ForbiddenError, NotFoundError, VersionConflictError
from shared.i18n import Text
from shared.mongo import MongoDocument
from training.domain.access import Actor
from training.domain.catalogue import Programme, check_programme
from training.domain.errors import RuleError
from training.repository.catalogue import CatalogueRepository
from training.repository.records import EnrolmentRepository
from training.services.context import refuse


async def programme_with_sessions(
    catalogue: CatalogueRepository, code: str
) -> tuple[MongoDocument, list[MongoDocument]]:
    document = await catalogue.get(code)
    if document is None:
        raise NotFoundError(Text(f"Program {code} tidak ada", f"No programme {code}"), code="not_found")
    sessions = await catalogue.sessions_of([code])
    return document, [s for s in sessions if s["_id"] in document.get("session_codes", [])]


async def put_programme(
    catalogue: CatalogueRepository,
    enrolments: EnrolmentRepository,
    actor: Actor,
    programme: Programme,
    expected_version: int | None,
    now: dt.datetime,
) -> tuple[MongoDocument, bool]:
    """Create or replace a programme with its sessions (admin_bkpsdm). The programme is checked against the rules
    (its JP must equal its conversion); a session's capacity cannot go below the seats taken, and a session that
    has seat holders or a waiting list cannot be dropped. Every check runs before the first write, so a refused
    request changes nothing (a seat taken between the check and the write is still caught by the conditional
    capacity write)."""
    if "admin_bkpsdm" not in actor.roles:
        raise ForbiddenError(
            Text("Katalog dikelola oleh BKPSDM", "The catalogue is managed by the BKPSDM"), code="forbidden"
        )
    try:
        check_programme(programme)
    except RuleError as exc:
        refuse(exc)
    stored = await catalogue.get(programme.code)
    if stored is not None and expected_version is None:
        raise VersionConflictError(
            Text("Program sudah ada: kirim If-Match", "The programme exists: send If-Match"), code="version_conflict"
        )
    others = await catalogue.sessions_by_id([s.code for s in programme.sessions])
    for code, stored_session in others.items():
        if stored_session["program_code"] != programme.code:
            raise ConflictError(
                Text(f"Sesi {code} milik program lain", f"Session {code} belongs to another programme"),
                code="session_code_taken",
            )
        taken = stored_session["capacity"] - stored_session["seats_free"]
        if next(s for s in programme.sessions if s.code == code).capacity < taken:
            raise _below_taken(code)
    kept = {s.code for s in programme.sessions}
    for code in (stored or {}).get("session_codes", []):
        if code in kept:
            continue
        dropped = await catalogue.session(code) or {}
        if dropped.get("holders") or await enrolments.holding(code) or await enrolments.waiting(code, limit=1):
            raise ConflictError(
                Text(
                    f"Sesi {code} masih memiliki peserta atau daftar tunggu; batalkan dulu",
                    f"Session {code} still has participants or a waiting list; cancel them first",
                ),
                code="session_in_use",
            )
    written = await catalogue.put(programme, now, expected_version)
    if written is None:
        raise VersionConflictError(
            Text("Program diubah orang lain; baca ulang", "The programme was changed meanwhile; read it again"),
            code="version_conflict",
        )
    for session in programme.sessions:
        if not await catalogue.put_session(session, programme.code):
            raise _below_taken(session.code)
    return written, stored is None


def _below_taken(code: str) -> ConflictError:
    return ConflictError(
        Text(
            f"Kapasitas sesi {code} di bawah kursi terisi", f"The capacity of session {code} is below the seats taken"
        ),
        code="capacity_below_taken",
    )


async def seed(catalogue: CatalogueRepository, programmes: Sequence[Programme], now: dt.datetime) -> int:
    return await catalogue.seed(programmes, now)
