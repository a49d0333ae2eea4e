from __future__ import annotations

from pymongo import ASCENDING

from appraisal.repository.versioned import VersionedRepository


class YearRepository(VersionedRepository):
    """Per year (``_id`` = the year): frequency, deadlines, objection window, enforcement."""

    collection_name = "performance_years"


class SkpRepository(VersionedRepository):
    """One SKP per employee and year, ``_id`` = ``<nip>-<year>``."""

    collection_name = "skp"

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("pejabat_penilai_nip", ASCENDING), ("year", ASCENDING)], name="appraiser")
        await self.collection.create_index([("opd_code", ASCENDING), ("year", ASCENDING)], name="opd_year")


def skp_id(nip: str, year: int) -> str:
    return f"{nip}-{year}"
