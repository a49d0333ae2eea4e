"""What the broker says about a service's consumption, probed in the background by every service that
consumes (``shared.app``) and exposed on its ``/metrics``:

- ``consumer_lag_records{group,topic,partition}``: records of a consumed partition the service's
  consumer group has not committed yet (end offset minus committed offset; a group that never committed
  counts from the partition's first record). Read from the broker, so it is right after a restart and
  while the consumer is stuck or stopped;
- ``consumer_committed_offset{group,topic,partition}`` and ``topic_end_offset{topic,partition}``;
- ``dead_letters_waiting{topic}``: letters in a dead-letter topic (``<topic>.dlq`` of a consumed topic)
  that ``python -m shared.dlq redrive`` has not re-driven yet (its end offset minus the commit of the
  group ``dlq-redrive.<dlq topic>``), and ``dead_letters_held{topic}``, every letter it still holds;
- ``kafka_probe_success_timestamp_seconds``: when the last probe succeeded (a probe that keeps failing
  leaves the figures above as they were: this one says how old they are).

Label values are topic names, partition numbers and group names: all bounded by the code.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import CollectorRegistry, Gauge

from shared.consumer import group_id_for
from shared.credentials import KafkaAuth
from shared.kafka import bootstrap_list, partitions_of
from shared.kafka_acl import REDRIVE_GROUP_PREFIX

logger = logging.getLogger(__name__)


@dataclass
class ProbeMetrics:
    lag: Gauge
    committed: Gauge
    end: Gauge
    dlq_waiting: Gauge
    dlq_held: Gauge
    success: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> ProbeMetrics:
        partition = ["group", "topic", "partition"]
        return cls(
            lag=Gauge(
                "consumer_lag_records",
                "Records of a consumed partition the service's consumer group has not committed yet (from the broker)",
                partition,
                registry=registry,
            ),
            committed=Gauge(
                "consumer_committed_offset",
                "The consumer group's committed offset of a partition (-1: none yet)",
                partition,
                registry=registry,
            ),
            end=Gauge(
                "topic_end_offset", "The end offset of a consumed partition", ["topic", "partition"], registry=registry
            ),
            dlq_waiting=Gauge(
                "dead_letters_waiting",
                "Letters in a dead-letter topic not re-driven yet (python -m shared.dlq redrive)",
                ["topic"],
                registry=registry,
            ),
            dlq_held=Gauge(
                "dead_letters_held",
                "Letters a dead-letter topic holds (re-driven or not)",
                ["topic"],
                registry=registry,
            ),
            success=Gauge(
                "kafka_probe_success_timestamp_seconds",
                "When the broker was last probed successfully for lag and dead letters (Unix time)",
                registry=registry,
            ),
        )


@dataclass
class LagProbe:
    bootstrap_servers: str
    topics: Sequence[str]
    group_prefix: str
    auth: KafkaAuth
    registry: CollectorRegistry | None = None
    interval_s: float = 5.0
    lags: dict[str, int] = field(default_factory=dict)
    """Records not yet committed, per topic (a topic never probed is absent)."""
    dead_letters: dict[str, int] = field(default_factory=dict)
    """Letters not re-driven yet, per dead-letter topic."""
    checked_at: datetime | None = None

    def __post_init__(self) -> None:
        self._metrics = ProbeMetrics.create(self.registry) if self.registry is not None else None
        self._series: dict[Gauge, set[tuple[str, ...]]] = {}
        """The label sets each gauge was set for by the last probe (a partition or topic gone since is removed)."""
        self._seen: dict[Gauge, set[tuple[str, ...]]] = {}

    def _set(self, gauge: Gauge, labels: tuple[str, ...], value: float) -> None:
        gauge.labels(*labels).set(value)
        self._seen.setdefault(gauge, set()).add(labels)

    def _forget_unseen(self) -> None:
        """Remove the series of partitions and topics the broker no longer describes."""
        if self._metrics is None:
            return
        for gauge in (
            self._metrics.lag,
            self._metrics.committed,
            self._metrics.end,
            self._metrics.dlq_waiting,
            self._metrics.dlq_held,
        ):
            seen = self._seen.get(gauge, set())
            for labels in self._series.get(gauge, set()) - seen:
                gauge.remove(*labels)
            self._series[gauge] = seen
        self._seen = {}

    async def run(self) -> None:
        """Probe every ``interval_s`` until cancelled, with clients opened once (again after a failure);
        a failed probe is logged and tried again."""
        clients: tuple[AIOKafkaAdminClient, AIOKafkaConsumer] | None = None
        try:
            while True:
                try:
                    clients = clients or await self._open()
                    await self.check(*clients)
                except asyncio.CancelledError:
                    raise
                except Exception:  # the probe must outlive a broker outage
                    logger.warning("consumer lag probe failed", exc_info=True)
                    if clients is not None:
                        await _close(*clients)
                        clients = None
                await asyncio.sleep(self.interval_s)
        finally:
            if clients is not None:
                await _close(*clients)

    async def _open(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        options = self.auth.client_options()
        servers = bootstrap_list(self.bootstrap_servers)
        admin = AIOKafkaAdminClient(bootstrap_servers=servers, client_id="lag-probe", **options)
        consumer = AIOKafkaConsumer(bootstrap_servers=servers, group_id=None, enable_auto_commit=False, **options)
        await admin.start()
        try:
            await consumer.start()
        except BaseException:
            await admin.close()
            raise
        return admin, consumer

    async def check(self, admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer) -> dict[str, int]:
        """Probe now: the lag of every consumed topic (returned, and kept on ``lags``), the dead letters
        of each (on ``dead_letters``), and the gauges."""
        dlqs = [f"{topic}.dlq" for topic in self.topics]
        by_topic: dict[str, list[TopicPartition]] = {}
        for tp in await partitions_of(admin, [*self.topics, *dlqs]):
            by_topic.setdefault(tp.topic, []).append(tp)
        everything = [tp for partitions in by_topic.values() for tp in partitions]
        ends = await consumer.end_offsets(everything) if everything else {}
        starts = await consumer.beginning_offsets(everything) if everything else {}
        lags: dict[str, int] = {}
        for topic in self.topics:
            group = group_id_for(self.group_prefix, topic)
            lags[topic] = await self._behind(admin, group, by_topic.get(topic, []), starts, ends, metrics=True)
        dead: dict[str, int] = {}
        for dlq in dlqs:
            partitions = by_topic.get(dlq, [])
            group = f"{REDRIVE_GROUP_PREFIX}.{dlq}"
            dead[dlq] = await self._behind(admin, group, partitions, starts, ends, metrics=False)
            if self._metrics is not None:
                self._set(self._metrics.dlq_waiting, (dlq,), dead[dlq])
                self._set(self._metrics.dlq_held, (dlq,), sum(ends[tp] - starts[tp] for tp in partitions))
        self.lags, self.dead_letters = lags, dead
        self.checked_at = datetime.now(UTC)
        if self._metrics is not None:
            self._forget_unseen()
            self._metrics.success.set(time.time())
        return lags

    async def _behind(
        self,
        admin: AIOKafkaAdminClient,
        group: str,
        partitions: list[TopicPartition],
        starts: dict[TopicPartition, int],
        ends: dict[TopicPartition, int],
        *,
        metrics: bool,
    ) -> int:
        """Records of ``partitions`` that ``group`` has not committed (from the first record kept where
        it never did)."""
        if not partitions:
            return 0
        committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
        behind = 0
        for tp in partitions:
            meta = committed.get(tp)
            offset = meta.offset if meta is not None and meta.offset >= 0 else -1
            lag = max(ends[tp] - max(offset, starts[tp]), 0)
            behind += lag
            if metrics and self._metrics is not None:
                labels = (group, tp.topic, str(tp.partition))
                self._set(self._metrics.lag, labels, lag)
                self._set(self._metrics.committed, labels, offset)
                self._set(self._metrics.end, (tp.topic, str(tp.partition)), ends[tp])
        return behind


async def _close(admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer) -> None:
    await consumer.stop()
    await admin.close()
