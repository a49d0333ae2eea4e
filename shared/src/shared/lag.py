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
from shared.kafka import bootstrap_list

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
        """Probe every ``interval_s`` until cancelled; a failed probe is logged and tried again."""
        while True:
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:  # the probe must outlive a broker outage
                logger.warning("consumer lag probe failed", exc_info=True)
            await asyncio.sleep(self.interval_s)

    async def check(self) -> dict[str, int]:
        options = self.auth.client_options()
        servers = bootstrap_list(self.bootstrap_servers)
        admin = AIOKafkaAdminClient(bootstrap_servers=servers, client_id="lag-probe", **options)
        consumer = AIOKafkaConsumer(bootstrap_servers=servers, group_id=None, enable_auto_commit=False, **options)
        await admin.start()
        await consumer.start()
        try:
            lags: dict[str, int] = {}
            described = await admin.describe_topics(list(self.topics))
            partitions_of = {
                t["topic"]: sorted(p["partition"] for p in t["partitions"]) for t in described if t["error_code"] == 0
            }
            for topic in self.topics:
                partitions = [TopicPartition(topic, p) for p in partitions_of.get(topic, [])]
                if not partitions:
                    continue
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
        finally:
            await consumer.stop()
            await admin.close()
