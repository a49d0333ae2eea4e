"""What an operator sees on ``/metrics`` about consumption, read from the broker (``shared.lag``): the
lag is true and non-zero while the consumer is stopped with messages waiting, even in a replica that
consumes nothing, and returns to zero once another replica has caught up; dead letters waiting in a
``.dlq`` topic are counted until they are re-driven. Services in their own processes, the real broker
and database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from kinerja_testing import Infra, Keys, ServiceProcess, appraisal_completed, eventually, publish_events, skip_history
from shared.consumer import group_id_for
from shared.dlq import redrive
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
