"""The storage conformance suite runs against any Mongo-wire server:

    MONGODB_URL=mongodb://host:port/ .venv/bin/pytest tests/storage

Without ``MONGODB_URL`` it uses the server of the test infrastructure (``make test``: the test
stack instance). ``KINERJA_MONGO_SERVER=<name> make conformance`` runs it against another local
candidate on a fresh test instance.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.credentials import MongoAuth, mongodb_url_with
from shared.mongo import MongoDocument


@pytest.fixture(scope="session")
def storage_url(request: pytest.FixtureRequest) -> str:
    url = os.environ.get("MONGODB_URL")
    if url:  # with MONGODB_USERNAME and MONGODB_PASSWORD(_FILE) when the server requires them
        return mongodb_url_with(url, MongoAuth.from_env())
    infra = request.getfixturevalue("infra")
    return str(infra.mongodb_url)


@pytest.fixture
async def db(storage_url: str) -> AsyncIterator[AsyncDatabase[MongoDocument]]:
    """A fresh database for one test, dropped afterwards."""
    client: AsyncMongoClient[MongoDocument] = AsyncMongoClient(
        storage_url, tz_aware=True, serverSelectionTimeoutMS=5000
    )
    name = f"conformance_{uuid.uuid4().hex[:10]}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()
