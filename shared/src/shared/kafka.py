"""FastStream KafkaBroker factory and explicit topic creation."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream import AckPolicy, BaseMiddleware
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.message import StreamMessage
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from prometheus_client import CollectorRegistry

from shared.credentials import KafkaAuth
from shared.logs import correlation_id_var

logger = logging.getLogger(__name__)

KEEP_FOREVER = -1
"""Event topics keep every record: they are the history the reporting service replays its read
models from (a year of a city's events is a few hundred MB)."""
THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000
DLQ_MAX_MESSAGE_BYTES = 2 * 1024 * 1024
"""A dead-letter topic takes larger records than the broker's 1 MiB default: a record that fitted its
topic still fits with the ~1.5 KB of headers that say why it was dead-lettered."""
PRODUCER_MAX_REQUEST_BYTES = DLQ_MAX_MESSAGE_BYTES + 64 * 1024


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    retention_ms: int = KEEP_FOREVER
    max_message_bytes: int | None = None


def topic_specs(
    names: Iterable[str], *, partitions: int, replication_factor: int, with_dlq: bool = True
) -> list[TopicSpec]:
    """Specs for the given topics and (by default) their dead-letter topics, which keep 30 days."""
    specs: list[TopicSpec] = []
    for name in names:
        specs.append(TopicSpec(name, partitions, replication_factor))
        if with_dlq:
            specs.append(
                TopicSpec(f"{name}.dlq", partitions, replication_factor, THIRTY_DAYS_MS, DLQ_MAX_MESSAGE_BYTES)
            )
    return specs


async def ensure_topics(
    bootstrap_servers: str, specs: Iterable[TopicSpec], client_id: str, *, auth: KafkaAuth | None = None
) -> list[str]:
    """Create the topics that do not exist yet; returns the names created. Existing ones are left alone.

    With ACLs, the principal needs DESCRIBE and CREATE on each of them (a topic it may not describe
    looks missing, and creating it fails with TOPIC_AUTHORIZATION_FAILED)."""
    wanted = {spec.name: spec for spec in specs}
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers, client_id=f"{client_id}-admin", **(auth or KafkaAuth()).client_options()
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [spec for name, spec in wanted.items() if name not in existing]
        if missing:
            response = await admin.create_topics(
                [
                    NewTopic(
                        name=spec.name,
                        num_partitions=spec.partitions,
                        replication_factor=spec.replication_factor,
                        topic_configs=_configs(spec),
                    )
                    for spec in missing
                ]
            )
            for name, code, message in _topic_errors(response):
                if code not in (0, 36):  # 36 = TOPIC_ALREADY_EXISTS (a concurrent start created it)
                    raise RuntimeError(f"could not create Kafka topic {name}: error {code} {message}")
            logger.info("created Kafka topics", extra={"topics": [spec.name for spec in missing]})
        return [spec.name for spec in missing]
    finally:
        await admin.close()


def _configs(spec: TopicSpec) -> dict[str, str]:
    configs = {"retention.ms": str(spec.retention_ms)}
    if spec.max_message_bytes is not None:
        configs["max.message.bytes"] = str(spec.max_message_bytes)
    return configs


def _topic_errors(response: Any) -> list[tuple[str, int, str | None]]:
    errors = []
    for item in response.topic_errors:
        name, code = item[0], item[1]
        message = item[2] if len(item) > 2 else None
        errors.append((name, code, message))
    return errors


class CorrelationIdMiddleware(BaseMiddleware):
    """Puts the consumed message's correlation id in scope for logs and the events it causes."""

    async def consume_scope(
        self, call_next: Callable[[StreamMessage[Any]], Awaitable[Any]], msg: StreamMessage[Any]
    ) -> Any:
        token = correlation_id_var.set(msg.correlation_id or None)
        try:
            return await call_next(msg)
        finally:
            correlation_id_var.reset(token)


async def partitions_of(admin: AIOKafkaAdminClient, topics: Iterable[str]) -> list[TopicPartition]:
    """Every partition of ``topics``, sorted; a topic that does not exist (or that the principal may not
    describe) has none."""
    described = await admin.describe_topics(list(topics))
    return sorted(
        (
            TopicPartition(t["topic"], p["partition"])
            for t in described
            if t["error_code"] == 0
            for p in t["partitions"]
        ),
        key=lambda tp: (tp.topic, tp.partition),
    )


def bootstrap_list(bootstrap_servers: str) -> list[str]:
    """``"host1:9092, host2:9092"`` -> ``["host1:9092", "host2:9092"]``. FastStream takes a string as
    ONE address (it wraps it in a list), so a comma-separated ``KAFKA_BOOTSTRAP_SERVERS`` naming
    several brokers must be split before it gets there."""
    servers = [server.strip() for server in bootstrap_servers.split(",") if server.strip()]
    if not servers:
        raise ValueError("KAFKA_BOOTSTRAP_SERVERS names no broker")
    return servers


def faststream_security(auth: KafkaAuth) -> BaseSecurity | None:
    """The FastStream form of ``auth`` (None for PLAINTEXT)."""
    if auth.security_protocol == "PLAINTEXT" or auth.username is None or auth.password is None:
        return None
    kinds: dict[str, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
        "PLAIN": SASLPlaintext,
        "SCRAM-SHA-256": SASLScram256,
        "SCRAM-SHA-512": SASLScram512,
    }
    ssl_context = auth.client_options().get("ssl_context")
    return kinds[auth.sasl_mechanism](
        auth.username, auth.password, ssl_context=ssl_context, use_ssl=auth.security_protocol == "SASL_SSL"
    )


def create_broker(
    bootstrap_servers: str,
    *,
    service_name: str,
    registry: CollectorRegistry,
    graceful_timeout_s: float = 15.0,
    auth: KafkaAuth | None = None,
) -> KafkaBroker:
    """A broker with the delivery settings every service needs.

    - every broker of a comma-separated ``bootstrap_servers`` is a bootstrap address;
    - producer: ``acks=all`` with idempotence (aiokafka's default is ``acks=1``, no idempotence);
    - consumers: ``AckPolicy.ACK``, i.e. offsets are committed after the handler ran
      (FastStream's Kafka default, ``ACK_FIRST``, is at-most-once);
    - Prometheus metrics in the service's own registry;
    - the service's own SASL principal when ``auth`` names one.
    """
    return KafkaBroker(
        bootstrap_list(bootstrap_servers),
        security=faststream_security(auth or KafkaAuth()),
        client_id=service_name,
        enable_idempotence=True,
        acks="all",
        max_request_size=PRODUCER_MAX_REQUEST_BYTES,  # a dead letter may exceed 1 MiB; brokers check each topic
        ack_policy=AckPolicy.ACK,
        graceful_timeout=graceful_timeout_s,
        middlewares=(
            CorrelationIdMiddleware,
            KafkaPrometheusMiddleware(registry=registry, app_name=service_name),
        ),
        logger=logging.getLogger(f"{service_name}.kafka"),
    )
