"""Many writers change one document with compare-and-set while two relays (two replicas) publish its
events: no acknowledged change is lost, every event is published, and the outbox ends empty. There
are no locks: each single-document write is atomic on the server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient, ReturnDocument

from kinerja_testing import Infra, appraisal_completed, eventually, read_topic
from shared.events import AppraisalCompleted
from shared.events.outbox import push_events
from shared.kafka import create_broker, ensure_topics, topic_specs
from shared.mongo import MongoDocument
from shared.outbox import OutboxRelay

pytestmark = pytest.mark.infra

WRITERS = 8
CHANGES_EACH = 25


async def test_concurrent_compare_and_set_writers_and_two_relays_lose_nothing(
    infra: Infra, mongo_client: AsyncMongoClient[MongoDocument], unique: str
) -> None:
    collection = mongo_client[f"test_{unique}"]["things"]
    await collection.insert_one({"_id": "one", "version": 0, "log": []})
    await ensure_topics(
        infra.kafka_bootstrap_servers,
        topic_specs([AppraisalCompleted.topic], partitions=3, replication_factor=1),
        "t",
        auth=infra.kafka_auth,
    )
    brokers = [
        create_broker(
            infra.kafka_bootstrap_servers, service_name="test", registry=CollectorRegistry(), auth=infra.kafka_auth
        )
        for _ in range(2)
    ]
    relays = [OutboxRelay(broker, [collection], poll_interval_s=0.05) for broker in brokers]
    for broker in brokers:
        await broker.start()
    await relays[0].ensure_indexes()
    tasks = [asyncio.create_task(relay.run()) for relay in relays]
    written: list[str] = []

    async def writer(name: int) -> None:
        for change in range(CHANGES_EACH):
            event = appraisal_completed(appraisal_id=f"{unique}-{name}-{change}", nip="198609262015051001")
            while True:
                current = await collection.find_one({"_id": "one"}, {"version": 1})
                assert current is not None
                update = {
                    "$set": {"version": current["version"] + 1},
                    "$push": {"log": f"{name}-{change}", **push_events(event)["$push"]},
                    "$min": {"outbox_since": datetime.now(UTC)},
                }
                stored = await collection.find_one_and_update(
                    {"_id": "one", "version": current["version"]}, update, return_document=ReturnDocument.AFTER
                )
                if stored is not None:
                    written.append(str(event.event_id))
                    relays[change % 2].wake(collection.name, "one")
                    break

    try:
        await asyncio.gather(*(writer(n) for n in range(WRITERS)))

        async def drained() -> bool:
            document = await collection.find_one({"_id": "one"})
            return document is not None and document["outbox"] == [] and "outbox_since" not in document

        await eventually(drained, within=60)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for broker in brokers:
            await broker.stop()
    document = await collection.find_one({"_id": "one"})
    assert document is not None
    assert document["version"] == WRITERS * CHANGES_EACH
    assert len(set(document["log"])) == WRITERS * CHANGES_EACH
    assert await published_event_ids(infra, unique) >= set(written)
    assert len(written) == WRITERS * CHANGES_EACH


async def published_event_ids(infra: Infra, unique: str) -> set[str]:
    """The ids of this test's events on the topic (other tests' events skipped)."""
    records = await read_topic(infra, AppraisalCompleted.topic)
    return {
        str(AppraisalCompleted.model_validate_json(r.value).event_id)
        for r in records
        if r.value and unique.encode() in r.value
    }
