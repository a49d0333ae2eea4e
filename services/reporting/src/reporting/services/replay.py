"""Rebuilding every read model from the start of the topics (issue 12, point 4).

1. A new generation is opened (``Generations.begin``): from then on the running service writes every
   live batch into it as well as into the active one.
2. The end offset of every partition is taken, then each topic is read from its first record to that
   offset, in three phases so that what later facts are looked up against is there first: the year
   and OPD-year configurations, then the employees, then everything else. The records are applied in
   batches by the same code as the live consumers (``services.apply.write``), to the new generation
   only. A record that does not validate against its contract is skipped and counted (the live
   consumer dead-lettered it).
3. Every summary the records touched is recomputed, once (``services.summaries.settle``): the batches
   collect them instead of marking them one batch at a time.
4. The new generation is made active in one write; the previous one stays until the next replay.
   On any failure the new generation is abandoned and the active one is untouched.

Records published after step 2 took the end offsets reach the new generation through the live
consumers (step 1), which apply them to both; the handlers being idempotent, a record applied by both
is applied once in effect.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import ValidationError

from reporting.domain.facts import FACTS, Fact, InvalidEvent, facts_of
from reporting.repository.store import Store
from reporting.services.apply import prepared, write
from reporting.services.context import Reporting
from reporting.services.summaries import settle
from shared.credentials import KafkaAuth
from shared.events import Event, Topic
from shared.kafka import bootstrap_list, partitions_of

BATCH = 2000
"""Records applied at once (larger than the live consumers' 500: fewer round trips per record)."""

PHASES: tuple[tuple[Topic, ...], ...] = (
    (Topic.PERFORMANCE_YEAR_CONFIGURED, Topic.ORGANISATION_YEAR_UPDATED),
    (Topic.EMPLOYEE_REGISTERED, Topic.EMPLOYEE_UPDATED),
    tuple(
        sorted(
            {event.topic for event in FACTS}
            - {
                Topic.PERFORMANCE_YEAR_CONFIGURED,
                Topic.ORGANISATION_YEAR_UPDATED,
                Topic.EMPLOYEE_REGISTERED,
                Topic.EMPLOYEE_UPDATED,
            }
        )
    ),
)
"""The topics read in each phase, in order; together every topic the service consumes."""

EVENT_OF = {str(event.topic): event for event in FACTS}


@dataclass
class Progress:
    """Where a replay is; handed to the progress callback after every batch and phase."""

    phase: str
    done: int
    total: int
    skipped: int
    started: float

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0


@dataclass(frozen=True)
class ReplayResult:
    generation: int
    previous: int
    applied: int
    skipped: int
    seconds: float


async def replay(
    ctx: Reporting,
    bootstrap_servers: str,
    auth: KafkaAuth,
    progress: Callable[[Progress], None] = lambda _: None,
) -> ReplayResult:
    started = time.monotonic()
    previous, _ = await ctx.generations.state()
    generation = await ctx.generations.begin()
    try:
        store = await ctx.generations.store(generation)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_list(bootstrap_servers),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **auth.client_options(),
        )
        await consumer.start()
        try:
            partitions = await _partitions(bootstrap_servers, auth, [t for phase in PHASES for t in phase])
            ends = await consumer.end_offsets(partitions) if partitions else {}
            starts = await consumer.beginning_offsets(partitions) if partitions else {}
            state = Progress("", 0, sum(ends[tp] - starts[tp] for tp in partitions), 0, started)
            stale: set[str] = set()  # the summaries to compute, once each, at the end
            for number, topics in enumerate(PHASES, start=1):
                state.phase = f"{number}/{len(PHASES)}"
                mine = [tp for tp in partitions if tp.topic in {str(t) for t in topics}]
                await _read(consumer, mine, starts, ends, store, ctx, state, progress, stale)
        finally:
            await consumer.stop()
        state.phase = "summaries"
        progress(state)
        await store.mark(stale, ctx.clock.now())
        await settle(store, ctx.clock)
        if not await ctx.generations.swap(generation):
            raise RuntimeError(f"generation {generation} is no longer the one being built (another replay?)")
    except BaseException:
        await ctx.generations.abandon(generation)
        raise
    return ReplayResult(generation, previous, state.done - state.skipped, state.skipped, time.monotonic() - started)


async def _partitions(bootstrap_servers: str, auth: KafkaAuth, topics: Sequence[Topic]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_list(bootstrap_servers), **auth.client_options())
    await admin.start()
    try:
        return await partitions_of(admin, [str(t) for t in topics])
    finally:
        await admin.close()


async def _read(
    consumer: AIOKafkaConsumer,
    partitions: list[TopicPartition],
    starts: dict[TopicPartition, int],
    ends: dict[TopicPartition, int],
    store: Store,
    ctx: Reporting,
    state: Progress,
    progress: Callable[[Progress], None],
    stale: set[str],
) -> None:
    pending = [tp for tp in partitions if ends[tp] > starts[tp]]
    if not pending:
        return
    consumer.assign(pending)
    for tp in pending:
        consumer.seek(tp, starts[tp])
    # Pipelined: the next batch is read and parsed (this process's CPU) while the previous one is
    # written (the database's); batches are still written one after the other, in order.
    writing: asyncio.Task[int] | None = None
    try:
        while pending:
            batches = await consumer.getmany(*pending, timeout_ms=1000, max_records=BATCH)
            events: list[Event] = []
            for tp, records in batches.items():
                for record in records:
                    if record.offset >= ends[tp]:
                        continue  # published after the replay began: the live consumers bring it
                    state.done += 1
                    event = _event(tp.topic, record.value)
                    if event is None:
                        state.skipped += 1
                    else:
                        events.append(event)
            prepared_batch = _prepared(events, state) if events else None
            if writing is not None:
                await writing
                writing = None
            if prepared_batch is not None:
                facts, newest_at = prepared_batch
                writing = asyncio.create_task(write(store, facts, newest_at, ctx, sink=stale))
            pending = [tp for tp in pending if await consumer.position(tp) < ends[tp]]
            progress(state)
        if writing is not None:
            await writing
            writing = None
    finally:
        if writing is not None:
            writing.cancel()


def _prepared(events: list[Event], state: Progress) -> tuple[list[Fact], dict[str, datetime]]:
    try:
        return prepared(events)
    except InvalidEvent:  # rare: leave out those the live consumer dead-lettered, then again
        kept = [e for e in events if _valid(e)]
        state.skipped += len(events) - len(kept)
        return prepared(kept)


def _event(topic: str, value: bytes | None) -> Event | None:
    """The record's event, or None where it is not the contract (the live consumer dead-lettered it)."""
    try:
        return EVENT_OF[topic].model_validate_json(value or b"")
    except (ValidationError, ValueError):
        return None


def _valid(event: Event) -> bool:
    """Whether the read models can hold ``event`` (else the live consumer dead-lettered it)."""
    try:
        facts_of(event)
    except InvalidEvent:
        return False
    return True


def describe(state: Progress, width: int = 30) -> str:
    """One line of progress: a bar, the share, the counts, the rate and what is left."""
    share = state.done / state.total if state.total else 1.0
    filled = int(share * width)
    left = (state.total - state.done) / state.rate if state.rate else 0.0
    return (
        f"[{'#' * filled}{'-' * (width - filled)}] {share:6.1%} {state.done:,}/{state.total:,} events "
        f"(phase {state.phase}, {state.skipped:,} skipped, {state.rate:,.0f}/s, ~{left:,.0f} s left)"
    )


def as_dict(result: ReplayResult) -> dict[str, Any]:
    return {
        "generation": result.generation,
        "previous": result.previous,
        "applied": result.applied,
        "skipped": result.skipped,
        "seconds": round(result.seconds, 2),
    }
