"""Concurrent writes to one document keep every update when they hold DocumentLocks (FerretDB 1.24
alone loses some; see shared.mongo.DocumentLocks)."""

import asyncio

import pytest
from pymongo import AsyncMongoClient

from shared.mongo import DocumentLocks, MongoDocument

pytestmark = pytest.mark.infra


async def test_concurrent_compare_and_set_and_push_pull_lose_nothing_under_the_lock(
    mongo_client: AsyncMongoClient[MongoDocument], unique: str
) -> None:
    collection = mongo_client[f"test_{unique}"]["race"]
    await collection.insert_one({"_id": 1, "version": 0, "log": [], "scratch": []})
    locks = DocumentLocks()

    async def compare_and_set(name: str) -> None:
        for i in range(40):
            while True:
                async with locks.hold(collection.full_name, 1):
                    current = await collection.find_one({"_id": 1})
                    assert current is not None
                    result = await collection.update_one(
                        {"_id": 1, "version": current["version"]},
                        {"$set": {"version": current["version"] + 1}, "$push": {"log": f"{name}{i}"}},
                    )
                if result.modified_count:
                    break

    async def push_pull() -> None:
        for i in range(40):
            async with locks.hold(collection.full_name, 1):
                await collection.update_one({"_id": 1}, {"$push": {"scratch": i}})
            async with locks.hold(collection.full_name, 1):
                await collection.update_one({"_id": 1}, {"$pull": {"scratch": i}})

    await asyncio.gather(compare_and_set("a"), compare_and_set("b"), compare_and_set("c"), push_pull())
    document = await collection.find_one({"_id": 1})
    assert document is not None
    assert document["version"] == 120
    assert len(document["log"]) == 120
    assert document["scratch"] == []


async def test_locks_are_released_and_forgotten() -> None:
    locks = DocumentLocks()
    async with locks.hold("db.c", 1), locks.hold("db.c", 2):
        pass
    assert locks._locks == {}
