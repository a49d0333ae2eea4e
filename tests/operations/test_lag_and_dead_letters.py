"""What an operator sees on ``/metrics`` about consumption, read from the broker (``shared.lag``): the
lag is true and non-zero while the consumer is stopped with messages waiting, even in a replica that
consumes nothing, and returns to zero once another replica has caught up; dead letters waiting in a
``.dlq`` topic are counted until they are re-driven. Services in their own processes, the real broker
and database."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from kinerja_testing import Infra, Keys, ServiceProcess, appraisal_completed, eventually, publish_events, skip_history
from shared.consumer import group_id_for
from shared.dlq import main as dlq_main
from shared.dlq import redrive
from shared.kafka import ensure_topics, topic_specs
from shared.lag import LagProbe
from training.main import DEFINITION as TRAINING

pytestmark = pytest.mark.infra

TOPIC = "appraisal.completed.v1"
DLQ = f"{TOPIC}.dlq"
WAITING = 25
FAST_PROBE = {"LAG_PROBE_INTERVAL_S": "0.5"}


def samples(url: str, name: str) -> list[tuple[dict[str, str], float]]:
    text = httpx.get(f"{url}/metrics", timeout=5).text
    return [
        (sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    ]


def lag_of(url: str, group: str) -> float | None:
    """The group's lag summed over the topic's partitions, as the service's ``/metrics`` shows it."""
    found = [v for labels, v in samples(url, "consumer_lag_records") if labels["group"] == group]
    return sum(found) if found else None


def waiting_in(url: str, dlq: str) -> float | None:
    return next((v for labels, v in samples(url, "dead_letters_waiting") if labels["topic"] == dlq), None)


@pytest.fixture
def processes(infra: Infra, keys: Keys, tmp_path: Path) -> Iterator[tuple[ServiceProcess, ServiceProcess]]:
    run_id = os.urandom(4).hex()
    idle = ServiceProcess.configure("training", infra, keys, run_id, tmp_path, **FAST_PROBE)
    consuming = ServiceProcess.configure("training", infra, keys, run_id, tmp_path, **FAST_PROBE)
    consuming.log = tmp_path / "training-consuming.log"
    yield idle, consuming
    for process in (idle, consuming):
        if process.proc is not None:
            process.stop()


async def test_lag_is_read_from_the_broker_while_the_consumer_is_stopped_and_returns_to_zero(
    infra: Infra, processes: tuple[ServiceProcess, ServiceProcess]
) -> None:
    idle, consuming = processes
    prefix = idle.env["TRAINING_CONSUMER_GROUP"]
    group = group_id_for(prefix, TOPIC)
    await skip_history(infra, prefix, [str(t) for t in TRAINING.consumes])
    idle.start(CONSUMERS_ENABLED="false").wait_ready()
    assert await eventually(lambda: lag_of(idle.url, group) == 0, within=30)

    await publish_events(infra, [appraisal_completed() for _ in range(WAITING)])
    # Nobody consumes: the figure is the broker's, not a counter of this process.
    assert await eventually(lambda: lag_of(idle.url, group) == WAITING, within=30)
    committed = [v for labels, v in samples(idle.url, "consumer_committed_offset") if labels["group"] == group]
    ends = [v for labels, v in samples(idle.url, "topic_end_offset") if labels["topic"] == TOPIC]
    assert len(committed) == len(ends) >= 1
    assert sum(ends) - sum(committed) == WAITING

    consuming.start().wait_ready()  # another replica of the same service, consumers on
    assert await eventually(lambda: lag_of(idle.url, group) == 0, within=60)
    assert await eventually(lambda: lag_of(consuming.url, group) == 0, within=30)  # its own probe agrees


async def test_dead_letters_are_counted_until_they_are_re_driven(
    infra: Infra, processes: tuple[ServiceProcess, ServiceProcess]
) -> None:
    idle, consuming = processes
    prefix = idle.env["TRAINING_CONSUMER_GROUP"]
    await skip_history(infra, prefix, [str(t) for t in TRAINING.consumes])
    consuming.start().wait_ready()
    assert await eventually(lambda: waiting_in(consuming.url, DLQ) is not None, within=30)
    before = waiting_in(consuming.url, DLQ) or 0.0

    producer = AIOKafkaProducer(**infra.kafka_options)
    await producer.start()
    try:
        await producer.send_and_wait(TOPIC, b"{not json", key=b"198609262015051001")
    finally:
        await producer.stop()
    assert await eventually(lambda: waiting_in(consuming.url, DLQ) == before + 1, within=60)

    consuming.stop()  # re-driven letters go back to the topic: nobody dead-letters them again meanwhile
    consuming.proc = None
    idle.start(CONSUMERS_ENABLED="false").wait_ready()
    moved = await redrive(infra.kafka_bootstrap_servers, DLQ, progress=lambda _: None, auth=infra.kafka_auth)
    assert moved >= 1
    assert await eventually(lambda: waiting_in(idle.url, DLQ) == 0, within=30)


def test_the_dlq_tool_says_when_a_topic_does_not_exist_or_holds_no_letter(
    infra: Infra, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = f"nothing-{os.urandom(3).hex()}.v1.dlq"
    assert dlq_main(["show", missing, "--bootstrap-servers", infra.kafka_bootstrap_servers]) == 2
    assert f"topic {missing!r} does not exist" in capsys.readouterr().err
    assert dlq_main(["redrive", missing, "--bootstrap-servers", infra.kafka_bootstrap_servers]) == 2
    empty = f"empty-{os.urandom(3).hex()}.v1.dlq"
    asyncio.run(create_topic(infra, empty))
    assert dlq_main(["show", empty, "--bootstrap-servers", infra.kafka_bootstrap_servers]) == 0
    assert capsys.readouterr().out.strip() == f"{empty}: no letters"


async def create_topic(infra: Infra, name: str) -> None:
    await ensure_topics(
        infra.kafka_bootstrap_servers,
        topic_specs([name], partitions=2, replication_factor=1),
        "test",
        auth=infra.kafka_auth,
    )


async def test_the_series_of_a_topic_gone_from_the_broker_are_removed(infra: Infra) -> None:
    topic = f"probe-{os.urandom(3).hex()}.v1"
    await create_topic(infra, topic)
    registry = CollectorRegistry()
    probe = LagProbe(infra.kafka_bootstrap_servers, [topic], "test-probe", infra.kafka_auth, registry=registry)
    admin = AIOKafkaAdminClient(**infra.kafka_options)
    consumer = AIOKafkaConsumer(**infra.kafka_options, group_id=None, enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    try:
        await publish_raw(infra, topic, 3)
        assert await probe.check(admin, consumer) == {topic: 3}
        labels = {"group": group_id_for("test-probe", topic), "topic": topic, "partition": "0"}
        assert registry.get_sample_value("consumer_lag_records", labels) is not None
        assert registry.get_sample_value("dead_letters_waiting", {"topic": f"{topic}.dlq"}) == 0
        await admin.delete_topics([topic])
        assert await eventually(lambda: probe_gone(probe, admin, consumer, registry, labels), within=30)
    finally:
        await consumer.stop()
        await admin.close()


async def probe_gone(
    probe: LagProbe,
    admin: AIOKafkaAdminClient,
    consumer: AIOKafkaConsumer,
    registry: CollectorRegistry,
    labels: dict[str, str],
) -> bool:
    await probe.check(admin, consumer)
    return registry.get_sample_value("consumer_lag_records", labels) is None


async def publish_raw(infra: Infra, topic: str, count: int) -> None:
    producer = AIOKafkaProducer(**infra.kafka_options)
    await producer.start()
    try:
        for i in range(count):
            await producer.send_and_wait(topic, b"{}", key=str(i).encode())
    finally:
        await producer.stop()


async def test_an_outbox_nobody_publishes_still_shows_its_backlog(
    infra: Infra, processes: tuple[ServiceProcess, ServiceProcess]
) -> None:
    """Every replica started with the relay off: the backlog gauges are still read, so the alert on an
    old outbox can fire (docs/runbook.md, KinerjaOutboxBacklogOld)."""
    idle, _ = processes
    idle.start(OUTBOX_RELAY_ENABLED="false").wait_ready()
    pending = await eventually(lambda: samples(idle.url, "outbox_pending_documents"), within=30)
    assert {labels["collection"] for labels, _ in pending} >= {"enrolments"}
    assert samples(idle.url, "outbox_oldest_pending_age_seconds")
