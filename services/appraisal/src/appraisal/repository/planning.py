from __future__ import annotations

from pymongo import ASCENDING, DESCENDING

from appraisal.domain.mutation import MAX_SEGMENTS
from shared.mongo import MongoDocument
from shared.queries import HIDDEN
from shared.versioned import VersionedRepository


class YearRepository(VersionedRepository):
    """Per year (``_id`` = the year): frequency, deadlines, objection window, enforcement."""

    collection_name = "performance_years"


class SkpRepository(VersionedRepository):
    """The SKP of an employee and year, ``_id`` = ``<nip>-<year>``; after a mutation mid-year, the
    next segments of that year are ``<nip>-<year>-2``, ``-3``, ... (``domain.mutation``)."""

    collection_name = "skp"

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("nip", ASCENDING), ("year", ASCENDING)], name="nip_year")
        await self.collection.create_index(
            [("year", DESCENDING), ("nip", ASCENDING), ("_id", ASCENDING)], name="year_nip_id"
        )
        await self.collection.create_index(
            [("pejabat_penilai_nip", ASCENDING), ("year", ASCENDING)], name="pejabat_penilai_year"
        )

    async def of_year(self, nip: str, year: int) -> list[MongoDocument]:
        """The SKP segments of ``nip`` in ``year``, first to last (index ``nip_year``; at most
        ``MAX_SEGMENTS``)."""
        cursor = self.collection.find({"nip": nip, "year": year}, HIDDEN)
        return sorted(await cursor.to_list(MAX_SEGMENTS + 1), key=lambda d: int(d.get("segment", 1)))


def skp_id(nip: str, year: int, segment: int = 1) -> str:
    """The first SKP of a year keeps its id ``<nip>-<year>``; later segments add ``-<segment>``."""
    return f"{nip}-{year}" if segment == 1 else f"{nip}-{year}-{segment}"
