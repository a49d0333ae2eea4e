"""Storage conformance: every database behaviour the services rely on, as MongoDB 7+ behaves.

The local default Mongo-wire server must pass all of it (``make test``); any other server can be
checked with ``MONGODB_URL=… .venv/bin/pytest tests/storage``. An operator or stage the services use
belongs here first (README, "Storage"). Waits are bounded, so a server that hangs fails instead of
blocking the suite.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pymongo import ASCENDING, DESCENDING, InsertOne, ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared.mongo import MongoDocument

pytestmark = pytest.mark.infra

BOUND_S = 60.0
WIB = timezone(timedelta(hours=7), "WIB")


async def bounded(awaitable: Awaitable[Any], seconds: float = BOUND_S) -> Any:
    async with asyncio.timeout(seconds):
        return await awaitable


async def gather_limited(jobs: list[Callable[[], Awaitable[Any]]], concurrency: int = 20) -> list[Any]:
    """Run the jobs with at most ``concurrency`` at once, as a busy service would."""
    gate = asyncio.Semaphore(concurrency)

    async def run(job: Callable[[], Awaitable[Any]]) -> Any:
        async with gate:
            return await job()

    return list(await bounded(asyncio.gather(*(run(job) for job in jobs))))


# ---------------------------------------------------------------- atomic single-document writes


async def test_concurrent_inc_on_one_document_keeps_every_increment(db: AsyncDatabase[MongoDocument]) -> None:
    counters = db["counters"]
    await counters.insert_one({"_id": "c", "n": 0})
    await gather_limited([lambda: counters.update_one({"_id": "c"}, {"$inc": {"n": 1}}) for _ in range(600)])
    assert await counters.find_one({"_id": "c"}) == {"_id": "c", "n": 600}


async def test_concurrent_upserts_on_a_unique_non_id_field_create_exactly_one_document(
    db: AsyncDatabase[MongoDocument],
) -> None:
    """The rule the services follow: an upsert on a filter other than ``_id`` has a unique index on
    that filter (without one, MongoDB itself may insert duplicates). A duplicate-key error from a
    racing insert is retried, as the services do; MongoDB 4.2+ retries it itself."""
    facts = db["facts"]
    await facts.create_index([("key", ASCENDING)], unique=True, name="key_unique")

    async def upsert() -> None:
        for _ in range(3):
            try:
                await facts.update_one({"key": "k"}, {"$inc": {"n": 1}}, upsert=True)
                return
            except DuplicateKeyError:
                continue
        raise AssertionError("upsert kept failing with duplicate keys")

    await gather_limited([upsert for _ in range(200)])
    documents = await facts.find({}, {"_id": 0}).to_list(None)
    assert documents == [{"key": "k", "n": 200}]


async def test_compare_and_set_on_a_version_field_loses_no_acknowledged_write(
    db: AsyncDatabase[MongoDocument],
) -> None:
    docs = db["versioned"]
    await docs.insert_one({"_id": "d", "version": 0, "log": []})

    async def change(writer: int) -> int:
        attempts = 0
        while True:
            attempts += 1
            current = await docs.find_one({"_id": "d"})
            assert current is not None
            stored = await docs.find_one_and_update(
                {"_id": "d", "version": current["version"]},
                {"$inc": {"version": 1}, "$push": {"log": writer}},
                projection={"log": 0},
                return_document=ReturnDocument.AFTER,
            )
            if stored is not None:
                assert stored["version"] == current["version"] + 1
                assert "log" not in stored
                return attempts

    await gather_limited([lambda w=w: change(w) for w in range(200)])  # type: ignore[misc]
    final = await docs.find_one({"_id": "d"})
    assert final is not None
    assert final["version"] == 200
    assert sorted(final["log"]) == list(range(200))


async def test_a_conditional_upsert_refuses_an_older_revision_with_a_duplicate_key(
    db: AsyncDatabase[MongoDocument],
) -> None:
    """Read models keep the newest revision: ``{_id, revision: {$lt: r}}`` with upsert inserts a new
    document, updates an older one, and fails with a duplicate key when a newer one is stored."""
    facts = db["facts"]
    await facts.update_one({"_id": "a", "revision": {"$lt": 2}}, {"$set": {"revision": 2}}, upsert=True)
    result = await facts.update_one({"_id": "a", "revision": {"$lt": 3}}, {"$set": {"revision": 3}}, upsert=True)
    assert result.modified_count == 1
    with pytest.raises(DuplicateKeyError):
        await facts.update_one({"_id": "a", "revision": {"$lt": 1}}, {"$set": {"revision": 1}}, upsert=True)
    assert await facts.find_one({"_id": "a"}) == {"_id": "a", "revision": 3}


# ---------------------------------------------------------------- indexes and duplicate keys


async def test_unique_and_compound_indexes_refuse_duplicates_with_code_11000(
    db: AsyncDatabase[MongoDocument],
) -> None:
    rows = db["rows"]
    await rows.create_index([("email", ASCENDING)], unique=True, name="email_unique")
    await rows.create_index([("import_id", ASCENDING), ("row", ASCENDING)], unique=True, name="import_row")
    await rows.insert_one({"_id": 1, "email": "a@x", "import_id": "i", "row": 1})
    await rows.insert_one({"_id": 2, "email": "b@x", "import_id": "i", "row": 2})
    await rows.insert_one({"_id": 3, "email": "c@x", "import_id": "j", "row": 1})
    with pytest.raises(DuplicateKeyError) as email:
        await rows.insert_one({"_id": 4, "email": "a@x", "import_id": "k", "row": 1})
    with pytest.raises(DuplicateKeyError) as compound:
        await rows.insert_one({"_id": 5, "email": "e@x", "import_id": "i", "row": 2})
    with pytest.raises(DuplicateKeyError) as ident:
        await rows.insert_one({"_id": 1, "email": "f@x", "import_id": "z", "row": 9})
    assert email.value.code == compound.value.code == ident.value.code == 11000
    indexes = await rows.index_information()
    assert indexes["import_row"]["key"] == [("import_id", 1), ("row", 1)]
    assert indexes["email_unique"]["unique"] is True
    assert await rows.count_documents({}) == 3


async def test_create_index_is_idempotent(db: AsyncDatabase[MongoDocument]) -> None:
    """Every service creates its indexes at each start."""
    inbox = db["inbox"]
    for _ in range(2):
        name = await inbox.create_index([("nip", ASCENDING), ("created_at", DESCENDING)], name="nip_created")
        assert name == "nip_created"
    assert set(await inbox.index_information()) == {"_id_", "nip_created"}


# ---------------------------------------------------------------- update operators and find-and-modify


async def test_find_one_and_update_returns_the_projected_document(db: AsyncDatabase[MongoDocument]) -> None:
    docs = db["docs"]
    await docs.insert_one({"_id": 1, "name": "a", "outbox": [{"event_id": "e1"}], "version": 1})
    after = await docs.find_one_and_update(
        {"_id": 1, "version": 1},
        {"$set": {"name": "b"}, "$inc": {"version": 1}},
        projection={"outbox": 0},
        return_document=ReturnDocument.AFTER,
    )
    assert after == {"_id": 1, "name": "b", "version": 2}
    before = await docs.find_one_and_update(
        {"_id": 1}, {"$set": {"name": "c"}}, projection={"name": 1}, return_document=ReturnDocument.BEFORE
    )
    assert before == {"_id": 1, "name": "b"}
    assert await docs.find_one_and_update({"_id": 1, "version": 1}, {"$set": {"name": "x"}}) is None
    created = await docs.find_one_and_update(
        {"_id": 2}, {"$setOnInsert": {"name": "new"}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    assert created == {"_id": 2, "name": "new"}


async def test_array_operators_push_pull_and_add_to_set(db: AsyncDatabase[MongoDocument]) -> None:
    docs = db["docs"]
    since = datetime(2026, 1, 1, tzinfo=UTC)
    await docs.insert_one({"_id": 1, "outbox": [{"event_id": "a", "value": {"n": 1}}], "tags": ["x"]})
    await docs.update_one(
        {"_id": 1},
        {
            "$push": {"outbox": {"$each": [{"event_id": "b", "value": {"n": 2}}, {"event_id": "c", "value": {}}]}},
            "$min": {"outbox_since": since},
            "$addToSet": {"tags": {"$each": ["x", "y"]}},
        },
    )
    await docs.update_one({"_id": 1}, {"$min": {"outbox_since": since + timedelta(days=1)}})
    await docs.update_one({"_id": 1}, {"$pull": {"outbox": {"event_id": {"$in": ["a", "c"]}}}})
    await docs.update_one({"_id": 1}, {"$pull": {"tags": "x"}})
    stored = await docs.find_one({"_id": 1})
    assert stored == {"_id": 1, "outbox": [{"event_id": "b", "value": {"n": 2}}], "tags": ["y"], "outbox_since": since}
    # The relay's last step: clear the marker only where the array is empty, in the same write.
    await docs.update_one({"_id": 1, "outbox.0": {"$exists": False}}, {"$unset": {"outbox_since": ""}})
    assert "outbox_since" in (await docs.find_one({"_id": 1}) or {})
    await docs.update_one({"_id": 1}, {"$pull": {"outbox": {"event_id": "b"}}})
    await docs.update_one({"_id": 1, "outbox.0": {"$exists": False}}, {"$unset": {"outbox_since": ""}})
    assert await docs.find_one({"_id": 1}) == {"_id": 1, "outbox": [], "tags": ["y"]}


async def test_a_filter_on_a_whole_array_matches_only_while_it_is_unchanged(db: AsyncDatabase[MongoDocument]) -> None:
    """The relay empties an outbox on condition that it is still exactly what it read and published."""
    docs = db["docs"]
    read = [{"event_id": "a", "value": {"n": 1, "at": "x"}}, {"event_id": "b", "value": {}}]
    await docs.insert_one({"_id": 1, "outbox": read, "outbox_since": datetime(2026, 1, 1, tzinfo=UTC)})
    await docs.update_one({"_id": 1}, {"$push": {"outbox": {"event_id": "c", "value": {}}}})  # added meanwhile
    stale = await docs.update_one({"_id": 1, "outbox": read}, {"$set": {"outbox": []}, "$unset": {"outbox_since": ""}})
    assert stale.matched_count == 0
    current = (await docs.find_one({"_id": 1}) or {})["outbox"]
    emptied = await docs.update_one(
        {"_id": 1, "outbox": current}, {"$set": {"outbox": []}, "$unset": {"outbox_since": ""}}
    )
    assert emptied.matched_count == 1
    assert await docs.find_one({"_id": 1}) == {"_id": 1, "outbox": []}


async def test_query_operators_the_services_use(db: AsyncDatabase[MongoDocument]) -> None:
    docs = db["docs"]
    await docs.insert_many(
        [{"_id": i, "opd": f"O{i % 3}", "n": i, **({"extra": True} if i % 2 else {})} for i in range(12)]
    )

    async def ids(query: MongoDocument) -> list[int]:
        return [d["_id"] for d in await docs.find(query, {"_id": 1}).sort("_id", ASCENDING).to_list(None)]

    assert await ids({"opd": {"$in": ["O1", "O2"]}, "n": {"$gte": 6, "$lt": 10}}) == [7, 8]
    assert await ids({"$or": [{"n": 0}, {"opd": "O2", "extra": {"$exists": True}}]}) == [0, 5, 11]
    assert await ids({"$and": [{"n": {"$ne": 3}}, {"opd": "O0"}]}) == [0, 6, 9]
    assert await ids({"extra": {"$exists": False}, "n": {"$lte": 4}}) == [0, 2, 4]
    page = await docs.find({"opd": "O1"}).sort([("n", DESCENDING), ("_id", ASCENDING)]).skip(1).limit(2).to_list(None)
    assert [d["_id"] for d in page] == [7, 4]
    assert await docs.count_documents({"opd": "O1"}) == 4
    result = await docs.update_many({"opd": "O1"}, {"$set": {"seen": True}, "$unset": {"extra": ""}})
    assert result.matched_count == 4
    assert await ids({"seen": True, "extra": {"$exists": False}}) == [1, 4, 7, 10]


# ---------------------------------------------------------------- bulk writes


async def test_a_bulk_write_of_1000_upserts_in_one_command_creates_then_matches_them(
    db: AsyncDatabase[MongoDocument],
) -> None:
    """FerretDB 1.24 hangs for good on a command whose statements match more documents than its
    connection pool holds; the bound turns such a hang into a failure."""
    docs = db["docs"]
    operations = [UpdateOne({"_id": i}, {"$set": {"v": i}}, upsert=True) for i in range(1000)]
    created = await bounded(docs.bulk_write(operations, ordered=False))
    assert created.upserted_count == 1000
    changed = [UpdateOne({"_id": i}, {"$set": {"v": -i}}, upsert=True) for i in range(1000)]
    matched = await bounded(docs.bulk_write(changed, ordered=False))
    assert (matched.matched_count, matched.modified_count, matched.upserted_count) == (1000, 999, 0)
    assert await docs.count_documents({"v": {"$lte": 0}}) == 1000


async def test_an_unordered_bulk_insert_applies_the_rest_and_names_each_duplicate(
    db: AsyncDatabase[MongoDocument],
) -> None:
    """A consumer's batch: redelivered events are duplicates, the rest must still be written."""
    inbox = db["inbox"]
    await inbox.insert_many([{"_id": f"e{i}"} for i in (1, 3)])
    with pytest.raises(BulkWriteError) as error:
        await bounded(inbox.bulk_write([InsertOne({"_id": f"e{i}"}) for i in range(5)], ordered=False))
    details = error.value.details
    assert details["nInserted"] == 3
    assert sorted((e["index"], e["code"]) for e in details["writeErrors"]) == [(1, 11000), (3, 11000)]
    assert await inbox.count_documents({}) == 5


async def test_an_unordered_bulk_of_conditional_upserts_reports_refused_revisions_per_statement(
    db: AsyncDatabase[MongoDocument],
) -> None:
    facts = db["facts"]
    await facts.insert_one({"_id": "old", "revision": 5})
    with pytest.raises(BulkWriteError) as error:
        await bounded(
            facts.bulk_write(
                [
                    UpdateOne({"_id": "new", "revision": {"$lt": 1}}, {"$set": {"revision": 1}}, upsert=True),
                    UpdateOne({"_id": "old", "revision": {"$lt": 2}}, {"$set": {"revision": 2}}, upsert=True),
                    UpdateOne({"_id": "other", "revision": {"$lt": 4}}, {"$set": {"revision": 4}}, upsert=True),
                ],
                ordered=False,
            )
        )
    details = error.value.details
    assert [(e["index"], e["code"]) for e in details["writeErrors"]] == [(1, 11000)]
    assert details["nUpserted"] == 2
    assert await facts.find({}).sort("_id", ASCENDING).to_list(None) == [
        {"_id": "new", "revision": 1},
        {"_id": "old", "revision": 5},
        {"_id": "other", "revision": 4},
    ]


# ---------------------------------------------------------------- aggregation


@pytest.fixture
async def appraisals(db: AsyncDatabase[MongoDocument]) -> AsyncCollection[MongoDocument]:
    collection = db["appraisals"]
    start = datetime(2026, 1, 1, 20, 0, tzinfo=UTC)
    await collection.insert_many(
        [
            {
                "_id": i,
                "opd": f"O{i % 3}",
                "predikat": ["baik", "butuh_perbaikan"][i % 2],
                "score": i,
                "weak": ["x", "y"][: i % 3],
                "at": start + timedelta(hours=i),
            }
            for i in range(30)
        ]
    )
    return collection


async def aggregate(collection: AsyncCollection[MongoDocument], pipeline: list[MongoDocument]) -> list[MongoDocument]:
    cursor = await collection.aggregate(pipeline)
    return [row async for row in cursor]


async def test_aggregation_match_group_and_sort(appraisals: AsyncCollection[MongoDocument]) -> None:
    rows = await aggregate(
        appraisals,
        [
            {"$match": {"opd": {"$in": ["O0", "O1"]}}},
            {
                "$group": {
                    "_id": {"opd": "$opd", "predikat": "$predikat"},
                    "count": {"$sum": 1},
                    "total": {"$sum": "$score"},
                    "mean": {"$avg": "$score"},
                    "low": {"$min": "$score"},
                    "high": {"$max": "$score"},
                    "scores": {"$push": "$score"},
                    "kinds": {"$addToSet": "$predikat"},
                    "first": {"$first": "$score"},
                }
            },
            {"$sort": {"_id.opd": 1, "_id.predikat": 1}},
            {"$limit": 1},
        ],
    )
    assert rows == [
        {
            "_id": {"opd": "O0", "predikat": "baik"},
            "count": 5,
            "total": 60,
            "mean": 12.0,
            "low": 0,
            "high": 24,
            "scores": [0, 6, 12, 18, 24],
            "kinds": ["baik"],
            "first": 0,
        }
    ]


async def test_aggregation_project_add_fields_skip_limit_and_count(
    appraisals: AsyncCollection[MongoDocument],
) -> None:
    low = await aggregate(
        appraisals,
        [
            {"$project": {"_id": 0, "low": {"$cond": [{"$lt": ["$score", 10]}, 1, 0]}}},
            {"$group": {"_id": None, "low": {"$sum": "$low"}}},
        ],
    )
    assert low == [{"_id": None, "low": 10}]
    top = await aggregate(
        appraisals,
        [
            {"$addFields": {"double": {"$multiply": ["$score", 2]}}},
            {"$sort": {"double": -1}},
            {"$skip": 1},
            {"$limit": 1},
            {"$project": {"double": 1}},
        ],
    )
    assert top == [{"_id": 28, "double": 56}]
    assert await aggregate(appraisals, [{"$match": {"score": {"$gte": 10}}}, {"$count": "n"}]) == [{"n": 20}]


async def test_aggregation_unwind_facet_and_sort_by_count(appraisals: AsyncCollection[MongoDocument]) -> None:
    weak = await aggregate(
        appraisals, [{"$unwind": "$weak"}, {"$group": {"_id": "$weak", "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}]
    )
    assert weak == [{"_id": "x", "n": 20}, {"_id": "y", "n": 10}]
    faceted = await aggregate(
        appraisals,
        [
            {
                "$facet": {
                    "total": [{"$count": "n"}],
                    "by_predikat": [{"$group": {"_id": "$predikat", "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}],
                }
            }
        ],
    )
    assert faceted == [
        {"total": [{"n": 30}], "by_predikat": [{"_id": "baik", "n": 15}, {"_id": "butuh_perbaikan", "n": 15}]}
    ]
    by_opd = await aggregate(appraisals, [{"$sortByCount": "$opd"}, {"$sort": {"_id": 1}}])
    assert by_opd == [{"_id": f"O{i}", "count": 10} for i in range(3)]


async def test_aggregation_dates_in_the_city_time_zone(appraisals: AsyncCollection[MongoDocument]) -> None:
    """2026-01-01 20:00 UTC is 2026-01-02 03:00 in Palembang (WIB, UTC+7)."""
    rows = await aggregate(
        appraisals,
        [
            {"$match": {"_id": 0}},
            {
                "$project": {
                    "day": {"$dateToString": {"date": "$at", "format": "%Y-%m-%d %H:%M", "timezone": "Asia/Jakarta"}},
                    "utc_day": {"$dateToString": {"date": "$at", "format": "%Y-%m-%d"}},
                    "year": {"$year": {"date": "$at", "timezone": "+07:00"}},
                    "month": {"$month": {"date": "$at", "timezone": "Asia/Jakarta"}},
                }
            },
        ],
    )
    assert rows == [{"_id": 0, "day": "2026-01-02 03:00", "utc_day": "2026-01-01", "year": 2026, "month": 1}]


# ---------------------------------------------------------------- dates


async def test_dates_are_stored_in_utc_with_milliseconds_and_compare_across_offsets(
    db: AsyncDatabase[MongoDocument],
) -> None:
    docs = db["docs"]
    wib_morning = datetime(2026, 1, 1, 7, 0, 0, 123456, tzinfo=WIB)
    await docs.insert_many(
        [
            {"_id": "wib", "at": wib_morning},
            {"_id": "utc", "at": datetime(2026, 1, 1, 0, 30, tzinfo=UTC)},
            {"_id": "naive", "at": datetime(2025, 12, 31, 23, 0)},  # a naive datetime is taken as UTC
        ]
    )
    stored = await docs.find_one({"_id": "wib"})
    assert stored is not None
    assert stored["at"] == datetime(2026, 1, 1, 0, 0, 0, 123000, tzinfo=UTC)
    assert stored["at"].utcoffset() == timedelta(0)
    in_range = await docs.find(
        {"at": {"$gte": datetime(2026, 1, 1, 7, 0, tzinfo=WIB), "$lt": datetime(2026, 1, 1, 1, 0, tzinfo=UTC)}}
    ).to_list(None)
    assert sorted(d["_id"] for d in in_range) == ["utc", "wib"]
    ordered = await docs.find({}).sort("at", ASCENDING).to_list(None)
    assert [d["_id"] for d in ordered] == ["naive", "wib", "utc"]


# ---------------------------------------------------------------- index use as the collection grows


def _winning_stages(plan: Any) -> set[str]:
    """Every ``stage`` named in an explain plan (MongoDB nests them differently across versions)."""
    text = json.dumps(plan, default=str)
    return {stage for stage in ("IXSCAN", "COLLSCAN", "IDHACK", "EXPRESS_IXSCAN", "CLUSTERED_IXSCAN") if stage in text}


async def _median_ms(job: Callable[[], Awaitable[Any]], samples: int) -> float:
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        await job()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


async def _fill(collection: AsyncCollection[MongoDocument], start: int, stop: int) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for chunk in range(start, stop, 1000):
        documents = [
            {
                "_id": f"d{i}",
                "nip": f"nip{i // 2}",
                "year": 2026 - i % 2,
                "opd": f"O{i % 40}",
                "period": f"2026-Q{i % 4 + 1}",
                "predikat": ("baik", "butuh_perbaikan")[i % 2],
                "readers": [f"self:nip{i // 2}", f"appraiser:a{i // 10}", f"opd:O{i % 40}"],
                "version": 1,
                "revision": 1,
                "outbox": [],
                "at": base + timedelta(minutes=i),
                "body": "x" * 200,
                **({"outbox_since": base} if i in (0, 500) else {}),  # a backlog that does not grow
            }
            for i in range(chunk, min(chunk + 1000, stop))
        ]
        await bounded(collection.insert_many(documents))


def _queries(items: AsyncCollection[MongoDocument], rng: random.Random) -> dict[str, Callable[[int], Any]]:
    """Every query shape the services send to a growing collection, as (size) -> awaitable job."""
    since = datetime(2000, 1, 1, tzinfo=UTC)

    def some_id(size: int) -> str:
        return f"d{rng.randrange(size)}"

    def some_nip(size: int) -> str:
        return f"nip{rng.randrange(size // 2)}"

    return {
        "find_one by _id": lambda size: items.find_one({"_id": some_id(size)}),
        "find_one by an indexed field": lambda size: items.find_one({"nip": some_nip(size)}),
        "newest 20 of a nip": lambda size: (
            items.find({"nip": some_nip(size)}).sort("at", DESCENDING).limit(20).to_list()
        ),
        "count of a nip": lambda size: items.count_documents({"nip": some_nip(size)}),
        "nip and year, plus a field, sorted": lambda size: (
            items.find({"nip": some_nip(size), "year": 2026, "predikat": "baik"}).sort("period", ASCENDING).to_list()
        ),
        "$in of 50 _ids": lambda size: items.find({"_id": {"$in": [some_id(size) for _ in range(50)]}}).to_list(),
        "$in of 20 nips, sorted page": lambda size: (
            items.find({"nip": {"$in": [some_nip(size) for _ in range(20)]}})
            .sort([("year", DESCENDING), ("nip", ASCENDING), ("_id", ASCENDING)])
            .limit(20)
            .to_list()
        ),
        "multikey readers $in, plus a field": lambda size: items.find(
            {"readers": {"$in": [f"self:{some_nip(size)}", f"appraiser:a{rng.randrange(size // 10)}"]}, "year": 2026}
        ).to_list(),
        "count of readers $in": lambda size: items.count_documents(
            {"readers": {"$in": [f"appraiser:a{rng.randrange(size // 10)}"]}}
        ),
        "compare-and-set update_one": lambda size: items.update_one(
            {"_id": some_id(size), "version": {"$gte": 1}}, {"$inc": {"version": 1}}
        ),
        "conditional upsert of a stored _id": lambda size: items.update_one(
            {"_id": some_id(size), "revision": {"$lt": 10**9}}, {"$inc": {"revision": 1}}, upsert=True
        ),
        "$pull from one document": lambda size: items.update_one(
            {"_id": some_id(size)}, {"$pull": {"outbox": {"event_id": {"$in": ["e1"]}}}}
        ),
        "pending outbox: indexed date range, sorted": lambda size: (
            items.find({"outbox_since": {"$gte": since}}).sort("outbox_since", ASCENDING).limit(500).to_list()
        ),
        "aggregate $match on indexed fields, $group": lambda size: _aggregate(
            items,
            [
                {"$match": {"period": "2026-Q1", "opd": f"O{rng.randrange(40)}"}},
                {"$group": {"_id": "$predikat", "n": {"$sum": 1}}},
            ],
        ),
    }


async def _aggregate(collection: AsyncCollection[MongoDocument], pipeline: list[MongoDocument]) -> list[MongoDocument]:
    return [row async for row in await collection.aggregate(pipeline)]


async def test_the_services_query_shapes_do_not_get_slower_as_the_collection_grows(
    db: AsyncDatabase[MongoDocument],
) -> None:
    """Median latency of each query shape the services use, at 20,000 documents against 1,000: a
    server that scans grows ~20x; one that uses the index stays flat. A ratio, not a timed assertion.
    (Results that grow with the data, such as the documents of one OPD, are kept the same size.)"""
    items = db["items"]
    for keys, name in (
        ([("nip", ASCENDING), ("at", DESCENDING)], "nip_at"),
        ([("nip", ASCENDING), ("year", ASCENDING)], "nip_year"),
        ([("readers", ASCENDING)], "readers"),
        ([("outbox_since", ASCENDING)], "outbox_since"),
        ([("period", ASCENDING), ("opd", ASCENDING)], "period_opd"),
    ):
        await items.create_index(keys, name=name)
    queries = _queries(items, random.Random(7))
    await _fill(items, 0, 1000)
    small = {name: await _median_ms(lambda job=job: job(1000), 100) for name, job in queries.items()}  # type: ignore[misc]
    await _fill(items, 1000, 20000)
    large = {name: await _median_ms(lambda job=job: job(20000), 100) for name, job in queries.items()}  # type: ignore[misc]
    ratios = {name: round(large[name] / small[name], 2) for name in queries}
    print(f"median ms at 1,000: {small}\nmedian ms at 20,000: {large}\nratios: {ratios}")
    slower = {name: ratio for name, ratio in ratios.items() if ratio >= 3.0}
    assert not slower, f"these grow with the collection (ratio 20,000 vs 1,000): {slower}"
