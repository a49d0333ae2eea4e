"""Consuming with validation, bounded retries, dead letters and re-drive, against the real Kafka broker."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from pymongo.errors import AutoReconnect

from kinerja_testing import Infra, appraisal_completed, eventually
from shared.consumer import ConsumerMetrics, PermanentError, RetryPolicy, Subscription, subscribe
from shared.dlq import redrive, show
from shared.events import AppraisalCompleted
from shared.kafka import create_broker, ensure_topics, topic_specs

pytestmark = pytest.mark.infra

NIP = "198609262015051001"


@dataclass
class Handler:
    """Records what it handled, batch by batch. A batch fails while ``failures`` > 0 (counted down),
    while ``unreachable`` > 0 (the database is down; counted down), or when it holds a ``broken``
    (until fixed) or ``permanent`` id."""

    handled: list[str] = field(default_factory=list)
    batches: list[int] = field(default_factory=list)
    failures: int = 0
    unreachable: int = 0
    broken: set[str] = field(default_factory=set)
    permanent: set[str] = field(default_factory=set)
    calls: int = 0

    async def __call__(self, events: Sequence[AppraisalCompleted]) -> None:
        self.calls += 1
        ids = [event.payload.appraisal_id for event in events]
        if self.permanent.intersection(ids):
            raise PermanentError("appraisal belongs to no known employee")
        if self.unreachable > 0:
            self.unreachable -= 1
            raise AutoReconnect("connection refused")
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("database is restarting")
        if self.broken.intersection(ids):
            raise ConnectionError(f"cannot apply {sorted(self.broken.intersection(ids))}")
        self.handled.extend(ids)
        self.batches.append(len(ids))


@dataclass
class Consumer:
    topic: str
    group: str
    handler: Handler
    registry: CollectorRegistry


Start = Callable[..., Awaitable[Consumer]]


@pytest.fixture
async def start_consumer(infra: Infra, unique: str) -> AsyncIterator[Start]:
    brokers: list[KafkaBroker] = []
    topic = f"test.consumer.{unique}.v1"
    await ensure_topics(
        infra.kafka_bootstrap_servers,
        topic_specs([topic], partitions=1, replication_factor=1),
        "test",
        auth=infra.kafka_auth,
    )

    async def start(handler: Handler, retry: RetryPolicy = RetryPolicy(3, 0.05)) -> Consumer:
        registry = CollectorRegistry()
        broker = create_broker(
            infra.kafka_bootstrap_servers, service_name="test", registry=registry, auth=infra.kafka_auth
        )
        group = f"test-{unique}.consumer"
        subscribe(
            broker,
            Subscription(topic, AppraisalCompleted, handler),
            group_id=group,
            metrics=ConsumerMetrics(registry),
            retry=retry,
        )
        await broker.start()
        brokers.append(broker)
        return Consumer(topic, group, handler, registry)

    yield start
    for broker in brokers:
        await broker.stop()


async def produce(infra: Infra, topic: str, value: bytes, headers: list[tuple[str, bytes]] | None = None) -> None:
    producer = AIOKafkaProducer(**infra.kafka_options, enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=NIP.encode(), headers=headers or [])
    finally:
        await producer.stop()


def valid(appraisal_id: str) -> bytes:
    return appraisal_completed(appraisal_id=appraisal_id, nip=NIP).model_dump_json().encode()


async def committed_offset(infra: Infra, consumer: Consumer) -> int | None:
    probe = AIOKafkaConsumer(**infra.kafka_options, group_id=consumer.group)
    await probe.start()
    try:
        offset: int | None = await probe.committed(TopicPartition(consumer.topic, 0))
        return offset
    finally:
        await probe.stop()


async def test_garbage_and_schema_invalid_messages_go_to_the_dlq_and_the_next_valid_one_is_processed(
    infra: Infra, start_consumer: Start
) -> None:
    consumer = await start_consumer(Handler())
    json_header = [("content-type", b"application/json")]
    await produce(infra, consumer.topic, b"\x00\x01 not json at all", json_header)
    await produce(infra, consumer.topic, b'{"event_id": "not-a-uuid", "payload": {}}', json_header)
    await produce(infra, consumer.topic, valid("after-the-bad-ones"))

    await eventually(lambda: consumer.handler.handled == ["after-the-bad-ones"])
    letters = await show(infra.kafka_bootstrap_servers, f"{consumer.topic}.dlq", auth=infra.kafka_auth)
    assert [letter.value for letter in letters] == [
        b"\x00\x01 not json at all",
        b'{"event_id": "not-a-uuid", "payload": {}}',
    ]
    for offset, letter in enumerate(letters):
        assert letter.key == NIP.encode()
        assert letter.headers["x-dead-letter-reason"] == "invalid"
        assert letter.headers["x-exception-type"] == "ValidationError"
        assert letter.headers["x-original-topic"] == consumer.topic
        assert letter.headers["x-original-partition"] == "0"
        assert letter.headers["x-original-offset"] == str(offset)
        assert letter.headers["x-consumer-group"] == consumer.group
        assert letter.headers["x-attempts"] == "0"
    assert await _committed_reaches(infra, consumer, 3)
    assert consumer.handler.calls == 1


async def test_an_event_out_of_the_bounds_goes_to_the_dlq_before_any_handler_sees_it(
    infra: Infra, start_consumer: Start
) -> None:
    """Valid against its schema, but its appraiser names a group inbox and its time lies in the far future
    (``shared.events.bounds``): dead-lettered at once, and the next event is handled."""
    consumer = await start_consumer(Handler())
    event = appraisal_completed(appraisal_id="hostile", nip=NIP)
    hostile = event.model_copy(
        update={
            "occurred_at": dt.datetime(9000, 1, 1, tzinfo=dt.UTC),
            "payload": event.payload.model_copy(update={"pejabat_penilai_nip": "group:bkpsdm"}),
        }
    )
    await produce(infra, consumer.topic, hostile.model_dump_json().encode())
    await produce(infra, consumer.topic, valid("after-the-hostile-one"))

    await eventually(lambda: consumer.handler.handled == ["after-the-hostile-one"])
    [letter] = await show(infra.kafka_bootstrap_servers, f"{consumer.topic}.dlq", auth=infra.kafka_auth)
    assert (letter.headers["x-dead-letter-reason"], letter.headers["x-exception-type"]) == ("invalid", "OutOfBounds")
    assert "payload.pejabat_penilai_nip: not a NIP" in letter.headers["x-exception-message"]
    assert "occurred_at" in letter.headers["x-exception-message"]
    assert await _committed_reaches(infra, consumer, 2)


async def test_transient_failures_are_retried_with_backoff_and_then_succeed(
    infra: Infra, start_consumer: Start
) -> None:
    consumer = await start_consumer(Handler(failures=2))
    await produce(infra, consumer.topic, valid("flaky"))
    await eventually(lambda: consumer.handler.handled == ["flaky"])
    assert consumer.handler.calls == 3
    assert (
        consumer.registry.get_sample_value(
            "consumer_handler_retries_total", {"topic": consumer.topic, "group": consumer.group}
        )
        == 2.0
    )
    assert await _committed_reaches(infra, consumer, 1)
    assert await show(infra.kafka_bootstrap_servers, f"{consumer.topic}.dlq", auth=infra.kafka_auth) == []


async def test_exhausted_retries_dead_letter_the_message_and_redrive_brings_it_back_after_the_fix(
    infra: Infra, start_consumer: Start
) -> None:
    consumer = await start_consumer(Handler(broken={"needs-a-fix"}))  # fails until fixed
    await produce(infra, consumer.topic, valid("needs-a-fix"))
    await produce(infra, consumer.topic, valid("next-one"))
    await eventually(lambda: consumer.handler.handled == ["next-one"])
    [letter] = await show(infra.kafka_bootstrap_servers, f"{consumer.topic}.dlq", auth=infra.kafka_auth)
    assert letter.headers["x-dead-letter-reason"] == "retries_exhausted"
    assert letter.headers["x-attempts"] == "4"  # three attempts of its batch, one on its own
    assert letter.headers["x-exception-type"] == "ConnectionError"
    assert letter.headers["x-exception-message"] == "cannot apply ['needs-a-fix']"

    consumer.handler.broken.clear()  # the fix
    messages: list[str] = []
    assert (
        await redrive(
            infra.kafka_bootstrap_servers, f"{consumer.topic}.dlq", progress=messages.append, auth=infra.kafka_auth
        )
        == 1
    )
    await eventually(lambda: consumer.handler.handled == ["next-one", "needs-a-fix"])
    assert messages[-1] == f"{consumer.topic}.dlq: re-driven 1 letter(s)"
    # A second run finds nothing new to re-drive.
    assert (
        await redrive(
            infra.kafka_bootstrap_servers, f"{consumer.topic}.dlq", progress=messages.append, auth=infra.kafka_auth
        )
        == 0
    )


async def test_permanent_error_is_dead_lettered_at_once(infra: Infra, start_consumer: Start) -> None:
    consumer = await start_consumer(Handler(permanent={"orphan"}))
    await produce(infra, consumer.topic, valid("orphan"))
    await produce(infra, consumer.topic, valid("fine"))
    await eventually(lambda: consumer.handler.handled == ["fine"])
    [letter] = await show(infra.kafka_bootstrap_servers, f"{consumer.topic}.dlq", auth=infra.kafka_auth)
    assert (letter.headers["x-dead-letter-reason"], letter.headers["x-attempts"]) == ("permanent", "2")
    # No retries: once in its batch, once on its own; and "fine" once (alone or after the split).
    assert consumer.handler.calls == 3


async def test_a_bad_message_inside_a_batch_is_dead_lettered_and_the_rest_of_the_batch_applies(
    infra: Infra, start_consumer: Start, unique: str
) -> None:
    ids = [f"e{n}" for n in range(20)]
    for appraisal_id in ids:  # all waiting before the consumer starts: they arrive as one batch
        await produce(infra, f"test.consumer.{unique}.v1", valid(appraisal_id))
    consumer = await start_consumer(Handler(broken={"e7"}))
    await eventually(lambda: sorted(consumer.handler.handled) == sorted(set(ids) - {"e7"}))
    [letter] = await show(infra.kafka_bootstrap_servers, f"{consumer.topic}.dlq", auth=infra.kafka_auth)
    assert letter.headers["x-original-offset"] == "7"
    assert await _committed_reaches(infra, consumer, 20)
    assert consumer.handler.handled == [i for i in ids if i != "e7"]  # in partition order


async def test_batches_hold_many_events_and_commit_once(infra: Infra, start_consumer: Start, unique: str) -> None:
    ids = [f"b{n}" for n in range(300)]
    for appraisal_id in ids:
        await produce(infra, f"test.consumer.{unique}.v1", valid(appraisal_id))
    consumer = await start_consumer(Handler())
    await eventually(lambda: consumer.handler.handled == ids)
    assert max(consumer.handler.batches) > 1
    assert len(consumer.handler.batches) < len(ids)
    assert await _committed_reaches(infra, consumer, 300)


async def test_an_unreachable_database_hands_the_batch_back_and_dead_letters_nothing(
    infra: Infra, start_consumer: Start
) -> None:
    consumer = await start_consumer(Handler(unreachable=4), retry=RetryPolicy(3, 0.05, max_backoff_s=0.1))
    await produce(infra, consumer.topic, valid("waits-for-the-database"))
    await eventually(lambda: consumer.handler.handled == ["waits-for-the-database"])
    labels = {"topic": consumer.topic, "group": consumer.group}
    assert consumer.registry.get_sample_value("consumer_batches_redelivered_total", labels) == 1.0
    assert await show(infra.kafka_bootstrap_servers, f"{consumer.topic}.dlq", auth=infra.kafka_auth) == []
    assert await _committed_reaches(infra, consumer, 1)


async def test_a_header_that_is_not_utf8_does_not_block_the_partition(infra: Infra, start_consumer: Start) -> None:
    consumer = await start_consumer(Handler())
    await produce(infra, consumer.topic, valid("odd-header"), [("trace", b"\xff\xfe\xfd")])
    await produce(infra, consumer.topic, valid("plain"))
    await eventually(lambda: consumer.handler.handled == ["odd-header", "plain"])


async def test_redrive_refuses_a_topic_that_is_not_a_dlq(infra: Infra) -> None:
    with pytest.raises(ValueError, match="not a dead-letter topic"):
        await redrive(infra.kafka_bootstrap_servers, "appraisal.completed.v1", auth=infra.kafka_auth)


async def _committed_reaches(infra: Infra, consumer: Consumer, offset: int) -> bool:
    async def reached() -> bool:
        return await committed_offset(infra, consumer) == offset

    await eventually(reached, within=15)
    return True


def test_retry_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(attempts=6, initial_backoff_s=0.2, max_backoff_s=1.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.2, 0.4, 0.8, 1.0, 1.0]


async def test_a_record_near_the_size_limit_still_reaches_its_dead_letter_topic(
    infra: Infra, start_consumer: Start
) -> None:
    """The dead-letter headers add ~1.5 KB: a record that just fitted its topic must still fit its
    DLQ, or the batch would be handed back for ever."""
    consumer = await start_consumer(Handler())
    near_limit = b"x" * 1_048_300  # fits a topic of the broker's default 1 MiB records; not with headers
    await produce(infra, consumer.topic, near_limit)
    await produce(infra, consumer.topic, valid("after-the-big-one"))
    await eventually(lambda: consumer.handler.handled == ["after-the-big-one"], within=30)
    [letter] = await show(infra.kafka_bootstrap_servers, f"{consumer.topic}.dlq", auth=infra.kafka_auth)
    assert letter.value == near_limit
    assert letter.headers["x-dead-letter-reason"] == "invalid"
