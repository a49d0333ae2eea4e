"""The database round trips a service makes, counted per command and collection on /metrics (real
Mongo-wire server): a reporting generation's collections count together, odd names as ``other``. And
one round trip the count showed could go: a change starting from the document the request read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from kinerja_testing import Infra
from shared.mongo import CommandMetrics, create_mongo_client
from shared.versioned import VersionedRepository

pytestmark = pytest.mark.infra


async def test_commands_are_counted_by_name_and_bounded_collection(infra: Infra, unique: str) -> None:
    registry = CollectorRegistry()
    client = create_mongo_client(infra.mongodb_url, "metrics-test", metrics=CommandMetrics(registry))
    database = client[f"test_{unique}_metrics"]
    try:
        await database["g3_facts"].insert_one({"_id": 1})
        await database["g4_facts"].insert_one({"_id": 1})
        await database["things"].find_one({"_id": 1})
        await database["Odd-Name"].find_one({})
    finally:
        await client.drop_database(database.name)
        await client.close()

    def count(command: str, collection: str) -> float | None:
        labels = {"command": command, "collection": collection}
        return registry.get_sample_value("mongo_commands_total", labels)

    assert count("insert", "g_facts") == 2  # two generations, one series
    assert count("find", "things") == 1
    assert count("find", "other") == 1
    assert count("insert", "g3_facts") is None
    assert (registry.get_sample_value("mongo_command_duration_seconds_count", {"command": "find"}) or 0) >= 2


class Things(VersionedRepository):
    collection_name = "things"


async def test_a_change_starts_from_the_document_already_read_and_rereads_only_when_it_moved(
    infra: Infra, unique: str
) -> None:
    """``modify(first=...)``: the request's own read is tried first (one database read fewer); when the
    stored document changed since, the compare-and-set fails and the next attempt reads it afresh."""
    registry = CollectorRegistry()
    client = create_mongo_client(infra.mongodb_url, "metrics-test", metrics=CommandMetrics(registry))
    database = client[f"test_{unique}_modify"]
    things = Things(database)
    now = dt.datetime.now(dt.UTC)

    def finds() -> float:
        return registry.get_sample_value("mongo_commands_total", {"command": "find", "collection": "things"}) or 0

    async def add_one(current: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        return {"n": current["n"] + 1}, []

    try:
        await things.insert({"_id": "a", "n": 0, "version": 1}, now=now)
        read = await things.get("a")
        assert read is not None
        before = finds()
        stored = await things.modify("a", add_one, now=lambda: now, first=read)
        assert (stored["n"], stored["version"], finds() - before) == (1, 2, 0)  # no second read
        # ``read`` is stale now (version 1 against 2): the first attempt fails, the next reads afresh
        before = finds()
        stored = await things.modify("a", add_one, now=lambda: now, first=read)
        assert (stored["n"], stored["version"], finds() - before) == (2, 3, 1)
    finally:
        await client.drop_database(database.name)
        await client.close()
