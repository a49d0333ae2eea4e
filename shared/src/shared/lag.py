"""Consumer lag: how many records of each consumed topic a service's consumer groups have not yet
committed (the end offset of each partition minus the group's committed offset, summed). Probed in
the background; exposed as the gauge ``consumer_lag_records{topic,group}`` and to the service's code."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import CollectorRegistry, Gauge

from shared.consumer import group_id_for
from shared.credentials import KafkaAuth
from shared.kafka import bootstrap_list, partitions_of

logger = logging.getLogger(__name__)


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
    checked_at: datetime | None = None

    def __post_init__(self) -> None:
        self._gauge = (
            Gauge(
                "consumer_lag_records",
                "Records of a consumed topic the service's consumer group has not committed yet",
                ["topic", "group"],
                registry=self.registry,
            )
            if self.registry is not None
            else None
        )

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
        """The lag of every topic now (also set on the gauge and on ``lags``)."""
        by_topic: dict[str, list[TopicPartition]] = {}
        for tp in await partitions_of(admin, self.topics):
            by_topic.setdefault(tp.topic, []).append(tp)
        lags: dict[str, int] = {}
        for topic, partitions in by_topic.items():
            group = group_id_for(self.group_prefix, topic)
            committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
            ends = await consumer.end_offsets(partitions)
            starts = await consumer.beginning_offsets(partitions)
            lag = 0
            for tp in partitions:
                meta = committed.get(tp)
                position = meta.offset if meta is not None and meta.offset >= 0 else starts[tp]
                lag += max(ends[tp] - position, 0)
            lags[topic] = lag
            if self._gauge is not None:
                self._gauge.labels(topic=topic, group=group).set(lag)
        self.lags = lags
        self.checked_at = datetime.now(UTC)
        return lags


async def _close(admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer) -> None:
    await consumer.stop()
    await admin.close()
