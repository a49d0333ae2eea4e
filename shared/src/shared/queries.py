"""Query helpers every service's repositories share: one flat filter (``all_of``), a page of a query
(``find_page``), and the projection that hides outbox bookkeeping (``HIDDEN``)."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from shared.events.outbox import OUTBOX_FIELDS
from shared.mongo import MongoDocument

HIDDEN = dict.fromkeys(OUTBOX_FIELDS, 0)
"""Projection that leaves out the outbox bookkeeping when reading state."""


def all_of(*filters: MongoDocument) -> MongoDocument:
    """The conjunction of ``filters`` as ONE flat document. SecantusDB (the local default) plans an
    index only for a flat filter, never inside ``$and``/``$or``; MongoDB plans both. A field in two
    filters must be an equality or an ``$in`` in each; it becomes the ``$in`` of the values both allow."""
    merged: MongoDocument = {}
    for query in filters:
        for field, condition in query.items():
            if field not in merged:
                merged[field] = condition
                continue
            allowed = [value for value in _values(merged[field]) if value in set(_values(condition))]
            merged[field] = {"$in": allowed}
    return merged


def _values(condition: Any) -> list[Any]:
    if isinstance(condition, dict):
        if set(condition) != {"$in"}:
            raise ValueError(f"cannot intersect {condition!r}")
        return list(condition["$in"])
    return [condition]


async def find_page(
    collection: AsyncCollection[MongoDocument],
    query: MongoDocument,
    *,
    sort: list[tuple[str, int]],
    limit: int,
    offset: int,
) -> tuple[list[MongoDocument], int]:
    # An empty filter counts from the collection's metadata on MongoDB (a counted filter would read it all).
    total = await collection.estimated_document_count() if not query else await collection.count_documents(query)
    cursor = collection.find(query, HIDDEN).sort(sort).skip(offset).limit(limit)
    return await cursor.to_list(None), total
