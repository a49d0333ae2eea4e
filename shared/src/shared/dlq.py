"""Look at and re-drive dead letters after a fix.

    python -m shared.dlq show    appraisal.completed.v1.dlq [--limit 20]
    python -m shared.dlq redrive appraisal.completed.v1.dlq [--limit N]

``redrive`` republishes each dead letter, with its key, value and original headers, to the topic it
came from (header ``x-original-topic``), then commits its position in the consumer group
``dlq-redrive.<dlq topic>``, so a second run does not send the same letters again. It stops when it
has caught up with the end of the DLQ as it was at the start. Consumers are idempotent, so the
other consumer groups of the original topic see a message they already handled and change nothing.
A message that fails again lands in the DLQ again, as a new letter.

It is an operator's tool: it authenticates with the credentials in ``KAFKA_SECURITY_PROTOCOL``,
``KAFKA_SASL_USERNAME`` and ``KAFKA_SASL_PASSWORD`` (or ``KAFKA_SASL_PASSWORD_FILE``), normally the
administrator's (``stack.py env`` exports them for the local stack): a service principal may not
read a dead-letter topic, nor write the topics of another service.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.credentials import CredentialsError, KafkaAuth
from shared.kafka import partitions_of
from shared.kafka_acl import REDRIVE_GROUP_PREFIX


@dataclass(frozen=True)
class Letter:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, str]

    @classmethod
    def of(cls, record: ConsumerRecord[Any, Any]) -> Letter:
        headers = {name: (value or b"").decode("utf-8", "replace") for name, value in record.headers or ()}
        return cls(record.partition, record.offset, record.key, record.value, headers)

    original_default: str = ""

    @property
    def original_topic(self) -> str:
        """Where it came from: its header, or the DLQ's name without ``.dlq``."""
        return self.headers.get("x-original-topic") or self.original_default

    def replay_headers(self) -> list[tuple[str, bytes]]:
        kept = [(k, v.encode()) for k, v in self.headers.items() if not k.startswith("x-")]
        redrives = int(self.headers.get("x-redrive-count", "0")) + 1
        return [*kept, ("x-redrive-count", str(redrives).encode())]


async def _wait_for_assignment(consumer: AIOKafkaConsumer, topic: str, timeout_s: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not consumer.assignment():
        if loop.time() > deadline:
            raise ValueError(f"topic {topic!r} has no partitions (does it exist?)")
        await asyncio.sleep(0.1)  # the group coordinator assigns in the background; fetch nothing yet


async def _require_topic(bootstrap_servers: str, topic: str, auth: KafkaAuth | None) -> list[TopicPartition]:
    """The partitions of a dead-letter topic; a clear error for one that does not exist (nothing was
    ever dead-lettered there, or a typo) instead of a consumer waiting on it."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **(auth or KafkaAuth()).client_options())
    await admin.start()
    try:
        partitions = await partitions_of(admin, [topic])
    finally:
        await admin.close()
    if not partitions:
        raise ValueError(f"topic {topic!r} does not exist: nothing was dead-lettered there yet, or the name is wrong")
    return partitions


async def _caught_up(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return False
    return True


async def redrive(
    bootstrap_servers: str,
    dlq_topic: str,
    *,
    limit: int | None = None,
    progress: Callable[[str], None] = print,
    auth: KafkaAuth | None = None,
) -> int:
    """Republish the DLQ's letters to their original topics; returns how many were re-driven."""
    if not dlq_topic.endswith(".dlq"):
        raise ValueError(f"{dlq_topic!r} is not a dead-letter topic (it must end in .dlq)")
    await _require_topic(bootstrap_servers, dlq_topic, auth)
    consumer = AIOKafkaConsumer(
        dlq_topic,
        bootstrap_servers=bootstrap_servers,
        group_id=f"{REDRIVE_GROUP_PREFIX}.{dlq_topic}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **(auth or KafkaAuth()).client_options(),
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers, enable_idempotence=True, **(auth or KafkaAuth()).client_options()
    )
    await consumer.start()
    await producer.start()
    count = 0
    try:
        await _wait_for_assignment(consumer, dlq_topic)
        ends = await consumer.end_offsets(list(consumer.assignment()))
        total = 0
        for tp, end in ends.items():
            total += end - await consumer.position(tp)
        progress(f"{dlq_topic}: {total} letter(s) to re-drive")
        while not await _caught_up(consumer, ends) and (limit is None or count < limit):
            batches = await consumer.getmany(timeout_ms=1000, max_records=100)
            for tp, records in batches.items():
                for record in records:
                    if (limit is not None and count >= limit) or record.offset >= ends[tp]:
                        break  # letters that arrived after the start wait for the next run
                    letter = Letter.of(record)
                    letter = Letter(**{**letter.__dict__, "original_default": dlq_topic.removesuffix(".dlq")})
                    await producer.send_and_wait(
                        letter.original_topic, letter.value, key=letter.key, headers=letter.replay_headers()
                    )
                    await consumer.commit({tp: record.offset + 1})
                    count += 1
                    if count % 100 == 0:
                        progress(f"{dlq_topic}: re-driven {count}/{total}")
        progress(f"{dlq_topic}: re-driven {count} letter(s)")
        return count
    finally:
        await producer.stop()
        await consumer.stop()


async def show(
    bootstrap_servers: str, dlq_topic: str, *, limit: int = 20, auth: KafkaAuth | None = None
) -> list[Letter]:
    """The first ``limit`` letters of the DLQ, without consuming them."""
    partitions = await _require_topic(bootstrap_servers, dlq_topic, auth)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **(auth or KafkaAuth()).client_options(),
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        letters: list[Letter] = []
        while len(letters) < limit and not await _caught_up(consumer, ends):
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                letters.extend(Letter.of(record) for record in records)
        return letters[:limit]
    finally:
        await consumer.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["show", "redrive"])
    parser.add_argument("dlq_topic", help="e.g. appraisal.completed.v1.dlq")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--bootstrap-servers", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    args = parser.parse_args(argv)
    try:
        auth = KafkaAuth.from_env()
    except CredentialsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "redrive":
            asyncio.run(redrive(args.bootstrap_servers, args.dlq_topic, limit=args.limit, auth=auth))
            return 0
        letters = asyncio.run(show(args.bootstrap_servers, args.dlq_topic, limit=args.limit or 20, auth=auth))
        if not letters:
            print(f"{args.dlq_topic}: no letters")
        for letter in letters:
            h = letter.headers
            print(
                f"{letter.partition}/{letter.offset} from {h.get('x-original-topic')}@{h.get('x-original-offset')} "
                f"group={h.get('x-consumer-group')} reason={h.get('x-dead-letter-reason')} "
                f"{h.get('x-exception-type')}: {h.get('x-exception-message', '')[:200]}"
            )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
