"""The database round trips a service makes, counted per command and collection on /metrics (real
Mongo-wire server): a reporting generation's collections count together, odd names as ``other``."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from kinerja_testing import Infra
from shared.mongo import CommandMetrics, create_mongo_client

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
