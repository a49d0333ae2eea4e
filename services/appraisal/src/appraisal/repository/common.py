from __future__ import annotations

from pymongo.asynchronous.collection import AsyncCollection

from shared.events.outbox import OUTBOX_FIELDS
from shared.mongo import MongoDocument

HIDDEN = dict.fromkeys(OUTBOX_FIELDS, 0)
"""Projection that leaves out the outbox bookkeeping when reading state."""


async def find_page(
    collection: AsyncCollection[MongoDocument],
    query: MongoDocument,
    *,
    sort: list[tuple[str, int]],
    limit: int,
    offset: int,
) -> tuple[list[MongoDocument], int]:
    total = await collection.count_documents(query)
    cursor = collection.find(query, HIDDEN).sort(sort).skip(offset).limit(limit)
    return await cursor.to_list(None), total
