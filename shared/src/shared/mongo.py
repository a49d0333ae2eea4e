"""PyMongo async client factory: MongoDB in production, the local Mongo-wire server in development and tests.

Every single-document write is atomic on both (the storage conformance suite, ``tests/storage``,
holds the local default to that), so the services need no locks of their own: a compare-and-set on
a version field or an ``$inc`` is enough, across any number of replicas."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from pymongo import AsyncMongoClient, InsertOne, ReplaceOne, UpdateOne, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, ConnectionFailure, OperationFailure, PyMongoError, WTimeoutError

from shared.credentials import MongoAuth

MongoDocument = dict[str, Any]
DUPLICATE_KEY = 11000
TRANSIENT_CODES = frozenset({6, 7, 50, 89, 91, 112, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436})
"""Server error codes that mean "try again later": host unreachable or not found, time limit, network
timeout, shutdown, write conflict, primary stepped down, socket exception, not writable primary,
interrupted at shutdown or by a replica-set state change, not primary or secondary."""
IN_CHUNK = 50
"""Most values in one ``$in``: SecantusDB's cost for an ``$in`` grows with the square of its list
(500 values: ~110 ms; ten queries of 50: ~30 ms), so longer lists are split and sent at once."""


MAX_IDLE_MS = 120_000
"""How long a pooled connection may sit unused before the client drops it (below SecantusDB's 300 s)."""


COMMANDS = frozenset(
    {
        "find", "getMore", "insert", "update", "delete", "findAndModify", "aggregate", "count", "distinct",
        "createIndexes", "listIndexes", "listCollections", "drop", "killCursors", "ping", "hello", "endSessions",
    }
)  # fmt: skip
"""Commands counted by name in the metrics; any other is ``other`` (the label set stays bounded)."""
COLLECTION = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
GENERATION = re.compile(r"^g[0-9]+_")


class CommandMetrics(monitoring.CommandListener):
    """``mongo_commands_total{command,collection}`` and ``mongo_command_duration_seconds{command}``: how many
    database round trips a service makes, on what, and how long they take (what a request or an event
    costs the database). Collections of a reporting generation (``g2_…``) count as ``g_…``; names outside
    the pattern, and unknown commands, as ``other``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.commands = Counter(
            "mongo_commands_total", "Database commands sent", ("command", "collection"), registry=registry
        )
        self.seconds = Histogram(
            "mongo_command_duration_seconds",
            "Database command round trip",
            ("command",),
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )

    @staticmethod
    def _command(name: str) -> str:
        return name if name in COMMANDS else "other"

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        collection = GENERATION.sub("g_", target) if isinstance(target, str) else ""
        if not COLLECTION.fullmatch(collection):
            collection = "other" if collection else ""
        self.commands.labels(self._command(event.command_name), collection).inc()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self.seconds.labels(self._command(event.command_name)).observe(event.duration_micros / 1e6)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self.seconds.labels(self._command(event.command_name)).observe(event.duration_micros / 1e6)


def create_mongo_client(
    url: str,
    app_name: str,
    timeout_ms: int = 5000,
    *,
    auth: MongoAuth | None = None,
    metrics: CommandMetrics | None = None,
) -> AsyncMongoClient[MongoDocument]:
    """A client with timezone-aware datetimes and short server-selection timeouts, so a missing
    server turns into a clear error (and a 503 on /readyz) instead of a 30-second hang. ``auth``
    (the service's own user) takes precedence over credentials in the URL. A pooled connection idle
    for ``MAX_IDLE_MS`` is closed by the client before the server (SecantusDB closes one idle for 300 s)
    or a firewall does, so a quiet night does not end in a failed first request. With ``metrics``, the
    client's commands are counted (``CommandMetrics``)."""
    return AsyncMongoClient(
        url,
        **(auth or MongoAuth()).client_options(),
        appname=app_name,
        tz_aware=True,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        maxIdleTimeMS=MAX_IDLE_MS,
        event_listeners=[metrics] if metrics is not None else [],
    )


async def mongo_ping(client: AsyncMongoClient[MongoDocument], timeout_s: float = 2.0) -> bool:
    try:
        await asyncio.wait_for(client.admin.command("ping"), timeout=timeout_s)
    except Exception:
        return False
    return True


def is_transient(exc: BaseException) -> bool:
    """Whether a database error says "unavailable now" rather than "wrong": a lost connection or a
    failing-over replica set. Work that fails so is retried later, never dead-lettered."""
    if isinstance(exc, ConnectionFailure | WTimeoutError):
        return True
    if isinstance(exc, PyMongoError) and exc.has_error_label("RetryableWriteError"):
        return True
    if isinstance(exc, BulkWriteError):
        details = exc.details
        codes = [int(e.get("code", 0)) for e in details.get("writeErrors", [])]
        return bool(details.get("writeConcernErrors")) or (bool(codes) and all(c in TRANSIENT_CODES for c in codes))
    return isinstance(exc, OperationFailure) and exc.code in TRANSIENT_CODES


async def write_skipping_duplicates(
    collection: AsyncCollection[MongoDocument], operations: Sequence[InsertOne[MongoDocument] | UpdateOne]
) -> set[int]:
    """One unordered bulk write in which a duplicate key means "already there": an insert of an
    ``_id`` that exists (a redelivered event, a record created meanwhile), or a conditional upsert
    refused because the stored document is newer. Those operations are skipped and their indexes
    returned; every other operation is written all the same, and any other error raises.

    A conditional upsert (``{_id, revision: {$lt: r}}``) can also lose a race: two writers find no
    document, both insert, one gets the duplicate key although its revision is the newer. MongoDB
    retries only upserts whose filter is plain equality on the unique key, so such a duplicate is
    tried once more, now that the document exists: it then updates, or is refused for good."""
    skipped = await _bulk_write(collection, operations)
    again = sorted(index for index in skipped if isinstance(operations[index], UpdateOne))
    if again:
        still = await _bulk_write(collection, [operations[index] for index in again])
        skipped = (skipped - set(again)) | {again[index] for index in still}
    return skipped


async def store_newest(
    collection: AsyncCollection[MongoDocument], documents: Sequence[MongoDocument], field: str, *, replace: bool = False
) -> int:
    """Store each document unless one with its ``_id`` and an equal or higher ``field`` (a revision,
    a version) is stored; returns how many changed the collection. Idempotent and order-tolerant.

    Two bulk writes: every document is inserted (new ones are the common case, and an insert is the
    fast path); those whose ``_id`` is stored then update it only where the stored ``field`` is lower.
    (One conditional upsert each gives the same result, ~10x slower on SecantusDB, and can lose a race
    between two replicas inserting the same ``_id``.) With ``replace``, a newer document replaces the
    stored one whole (no field of the older one is left behind); otherwise its fields are set on it."""
    taken = await write_skipping_duplicates(collection, [InsertOne(document) for document in documents])
    if not taken:
        return len(documents)
    updates: list[UpdateOne | ReplaceOne[MongoDocument]] = [
        ReplaceOne({"_id": documents[i]["_id"], field: {"$lt": documents[i][field]}}, documents[i])
        if replace
        else UpdateOne(
            {"_id": documents[i]["_id"], field: {"$lt": documents[i][field]}},
            {"$set": {k: v for k, v in documents[i].items() if k != "_id"}},
        )
        for i in sorted(taken)
    ]
    result = await collection.bulk_write(updates, ordered=False)
    return len(documents) - len(taken) + result.modified_count


async def _bulk_write(
    collection: AsyncCollection[MongoDocument], operations: Sequence[InsertOne[MongoDocument] | UpdateOne]
) -> set[int]:
    if not operations:
        return set()
    try:
        await collection.bulk_write(list(operations), ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if exc.details.get("writeConcernErrors") or any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        return {int(e["index"]) for e in errors}
    return set()


async def find_in(
    collection: AsyncCollection[MongoDocument],
    field: str,
    values: Sequence[Any],
    projection: MongoDocument | None = None,
    *,
    query: MongoDocument | None = None,
) -> list[MongoDocument]:
    """The documents whose ``field`` is one of ``values`` (any order) and that match ``query``, read in
    concurrent queries of at most ``IN_CHUNK`` values each."""
    unique = list(dict.fromkeys(values))
    chunks = [unique[start : start + IN_CHUNK] for start in range(0, len(unique), IN_CHUNK)]
    found = await asyncio.gather(
        *(collection.find({field: {"$in": chunk}, **(query or {})}, projection).to_list(None) for chunk in chunks)
    )
    return [document for documents in found for document in documents]
