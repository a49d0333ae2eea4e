"""Against the real Kafka broker and the real Mongo-wire server."""

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from kinerja_testing import Infra, appraisal_completed, eventually, wait_for_event
from shared.events import AppraisalCompleted, OutboxRecord
from shared.events.outbox import with_events
from shared.kafka import create_broker, ensure_topics, topic_specs
from shared.mongo import MongoDocument, create_mongo_client, mongo_ping
from shared.outbox import OutboxRelay

pytestmark = pytest.mark.infra


def make_event(appraisal_id: str, nip: str) -> AppraisalCompleted:
    return appraisal_completed(appraisal_id=appraisal_id, nip=nip)


async def test_ensure_topics_creates_topic_and_dlq_once(infra: Infra, unique: str) -> None:
    specs = topic_specs([f"test.created.{unique}.v1"], partitions=2, replication_factor=1)
    created = await ensure_topics(infra.kafka_bootstrap_servers, specs, "test", auth=infra.kafka_auth)
    assert created == [f"test.created.{unique}.v1", f"test.created.{unique}.v1.dlq"]
    assert await ensure_topics(infra.kafka_bootstrap_servers, specs, "test", auth=infra.kafka_auth) == []
    admin = AIOKafkaAdminClient(**infra.kafka_options)
    await admin.start()
    try:
        described = await admin.describe_topics([f"test.created.{unique}.v1"])
    finally:
        await admin.close()
    assert len(described[0]["partitions"]) == 2


async def test_mongo_ping_tells_reachable_from_unreachable(infra: Infra) -> None:
    reachable = create_mongo_client(infra.mongodb_url, "test")
    unreachable = create_mongo_client("mongodb://127.0.0.1:1/", "test", timeout_ms=300)
    try:
        assert await mongo_ping(reachable) is True
        assert await mongo_ping(unreachable) is False
    finally:
        await reachable.close()
        await unreachable.close()


async def test_outbox_event_written_before_a_crash_is_published_by_the_next_relay(
    infra: Infra, mongo_client: AsyncMongoClient[MongoDocument], unique: str, new_nip: object
) -> None:
    """The producing process wrote its state and event, then died before publishing: a relay started
    later (a restarted process) publishes the event and clears it from the document."""
    nip = new_nip()  # type: ignore[operator]
    collection = mongo_client[f"test_{unique}"]["things"]
    event = make_event(f"crash-{unique}", nip)
    await collection.insert_one(with_events({"_id": "thing-1"}, event))

    await ensure_topics(
        infra.kafka_bootstrap_servers,
        topic_specs([AppraisalCompleted.topic], partitions=3, replication_factor=1),
        "test",
        auth=infra.kafka_auth,
    )
    broker = create_broker(
        infra.kafka_bootstrap_servers, service_name="test", registry=CollectorRegistry(), auth=infra.kafka_auth
    )
    await broker.start()
    relay = OutboxRelay(broker, [collection], poll_interval_s=0.2)
    task = asyncio.create_task(relay.run())
    try:
        key, value = await wait_for_event(
            infra, AppraisalCompleted.topic, lambda v: v["event_id"] == str(event.event_id)
        )

        async def cleared() -> bool:
            document = await collection.find_one({"_id": "thing-1"})
            return document is not None and document["outbox"] == [] and "outbox_since" not in document

        await eventually(cleared)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await broker.stop()
    assert key == nip.encode()
    assert AppraisalCompleted.model_validate(value) == event


async def test_relay_backs_off_while_kafka_is_unreachable_and_keeps_the_event(
    mongo_client: AsyncMongoClient[MongoDocument], unique: str, new_nip: object
) -> None:
    collection = mongo_client[f"test_{unique}"]["things"]
    event = make_event(f"down-{unique}", new_nip())  # type: ignore[operator]
    await collection.insert_one(with_events({"_id": "thing-2"}, event))
    broker = create_broker("127.0.0.1:1", service_name="test", registry=CollectorRegistry())
    registry = CollectorRegistry()
    relay = OutboxRelay(broker, [collection], registry=registry, poll_interval_s=0.1, publish_timeout_s=0.5)
    assert await relay.publish_pending() == 0  # the failure is counted and logged, not raised
    assert registry.get_sample_value("outbox_publish_failures_total") == 1
    document = await collection.find_one({"_id": "thing-2"})
    assert document is not None
    assert [json.dumps(r["value"], sort_keys=True) for r in document["outbox"]] == [
        json.dumps(OutboxRecord.of(event).value, sort_keys=True)
    ]


async def test_outbox_metrics_show_backlog_and_age_then_publication(
    infra: Infra, mongo_client: AsyncMongoClient[MongoDocument], unique: str, new_nip: Callable[[], str]
) -> None:
    collection = mongo_client[f"test_{unique}"]["things"]
    event = make_event(f"metrics-{unique}", new_nip())
    await collection.insert_one(with_events({"_id": "thing-3"}, event, now=datetime.now(UTC) - timedelta(seconds=90)))
    registry = CollectorRegistry()
    broker = create_broker(
        infra.kafka_bootstrap_servers, service_name="test", registry=CollectorRegistry(), auth=infra.kafka_auth
    )
    relay = OutboxRelay(broker, [collection], registry=registry)
    labels = {"collection": "things"}

    await relay.observe()
    assert registry.get_sample_value("outbox_pending_documents", labels) == 1
    age = registry.get_sample_value("outbox_oldest_pending_age_seconds", labels)
    assert age is not None
    assert 90 <= age < 120

    await broker.start()
    try:
        assert await relay.publish_pending() == 1
    finally:
        await broker.stop()
    assert registry.get_sample_value("outbox_published_total", labels) == 1
    assert registry.get_sample_value("outbox_pending_documents", labels) == 0
    assert registry.get_sample_value("outbox_oldest_pending_age_seconds", labels) == 0
    document = await collection.find_one({"_id": "thing-3"})
    assert document is not None
    assert document["outbox"] == []
    assert "outbox_since" not in document


async def scan_once(infra: Infra, collection: AsyncCollection[MongoDocument], registry: CollectorRegistry) -> int:
    """One relay scan of ``collection`` with a broker of its own; returns how many events it published."""
    broker = create_broker(
        infra.kafka_bootstrap_servers, service_name="test", registry=CollectorRegistry(), auth=infra.kafka_auth
    )
    await broker.start()
    try:
        return await OutboxRelay(broker, [collection], registry=registry).publish_pending()
    finally:
        await broker.stop()


async def test_an_event_too_large_for_kafka_is_parked_and_does_not_hold_up_the_others(
    infra: Infra, mongo_client: AsyncMongoClient[MongoDocument], unique: str, new_nip: Callable[[], str]
) -> None:
    collection = mongo_client[f"test_{unique}"]["things"]
    indicator = {"rhk_id": "r1", "indicator_id": "i", "indicator_text": "x" * 2000, "target": "1"}
    huge = appraisal_completed(appraisal_id=f"huge-{unique}", nip=new_nip(), indicators=[indicator] * 800)
    fine = make_event(f"fine-{unique}", new_nip())
    earlier = datetime.now(UTC) - timedelta(seconds=5)
    await collection.insert_one(with_events({"_id": "huge"}, huge, now=earlier))  # first in the scan
    await collection.insert_one(with_events({"_id": "fine"}, fine))
    registry = CollectorRegistry()
    assert await scan_once(infra, collection, registry) == 1
    await wait_for_event(infra, AppraisalCompleted.topic, lambda v: v["event_id"] == str(fine.event_id))
    parked = await collection.find_one({"_id": "huge"})
    assert parked is not None
    assert parked["outbox"] == []
    assert [r["event_id"] for r in parked["outbox_failed"]] == [str(huge.event_id)]
    assert registry.get_sample_value("outbox_parked_total", {"collection": "things"}) == 1


async def test_a_malformed_outbox_record_stays_and_does_not_hold_up_the_others(
    infra: Infra, mongo_client: AsyncMongoClient[MongoDocument], unique: str, new_nip: Callable[[], str]
) -> None:
    collection = mongo_client[f"test_{unique}"]["things"]
    fine = make_event(f"fine-{unique}", new_nip())
    broken = with_events(
        {"_id": "broken"}, make_event(f"broken-{unique}", new_nip()), now=datetime(2026, 1, 1, tzinfo=UTC)
    )
    broken["outbox"][0]["key"] = None  # written by hand or by a bug: it can never be sent
    await collection.insert_one(broken)  # the oldest: first in every scan
    await collection.insert_one(with_events({"_id": "fine"}, fine))
    registry = CollectorRegistry()
    assert await scan_once(infra, collection, registry) == 1
    await wait_for_event(infra, AppraisalCompleted.topic, lambda v: v["event_id"] == str(fine.event_id))
    assert registry.get_sample_value("outbox_publish_failures_total") == 1
    kept = await collection.find_one({"_id": "broken"})
    assert kept is not None
    assert len(kept["outbox"]) == 1
    assert "outbox_since" in kept
