"""PyMongo async client factory (MongoDB in production, FerretDB locally), and per-document write locks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from pymongo import AsyncMongoClient

MongoDocument = dict[str, Any]


def create_mongo_client(url: str, app_name: str, timeout_ms: int = 5000) -> AsyncMongoClient[MongoDocument]:
    """A client with timezone-aware datetimes and short server-selection timeouts, so a missing
    server turns into a clear error (and a 503 on /readyz) instead of a 30-second hang."""
    return AsyncMongoClient(
        url,
        appname=app_name,
        tz_aware=True,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
    )


async def mongo_ping(client: AsyncMongoClient[MongoDocument], timeout_s: float = 2.0) -> bool:
    try:
        await asyncio.wait_for(client.admin.command("ping"), timeout=timeout_s)
    except Exception:
        return False
    return True


class DocumentLocks:
    """Serialises this process's writes to any one document.

    MongoDB applies each single-document update atomically. FerretDB 1.24 does not: it reads the
    document, applies the update and writes it back, so two concurrent updates of one document can
    lose one of them, even a compare-and-set on a version field (measured on both its SQLite and
    PostgreSQL backends: 600 concurrent ``$inc`` left 153). Every write that may race with another
    on the same document (a use case and the outbox relay) therefore holds this lock. With one
    process per service database, as locally and in the tests, that restores atomicity; on MongoDB
    it costs next to nothing."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, Any], asyncio.Lock] = {}
        self._users: dict[tuple[str, Any], int] = {}

    @contextlib.asynccontextmanager
    async def hold(self, namespace: str, document_id: Any) -> AsyncIterator[None]:
        key = (namespace, document_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                del self._locks[key]
