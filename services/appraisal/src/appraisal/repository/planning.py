from __future__ import annotations

from pymongo import ASCENDING, DESCENDING

from appraisal.repository.versioned import VersionedRepository


class YearRepository(VersionedRepository):
    """Per year (``_id`` = the year): frequency, deadlines, objection window, enforcement."""

    collection_name = "performance_years"


class SkpRepository(VersionedRepository):
    """One SKP per employee and year, ``_id`` = ``<nip>-<year>``."""

    collection_name = "skp"

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("nip", ASCENDING), ("year", ASCENDING)], name="nip_year")
        await self.collection.create_index(
            [("year", DESCENDING), ("nip", ASCENDING), ("_id", ASCENDING)], name="year_nip_id"
        )


def skp_id(nip: str, year: int) -> str:
    return f"{nip}-{year}"
