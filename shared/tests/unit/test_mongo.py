"""is_transient, and write_skipping_duplicates with a stand-in collection that answers as MongoDB does when a
conditional upsert loses the race to an insert of the same ``_id`` (the local default never shows
that race, so the rule is pinned here)."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import InsertOne, UpdateOne
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    NetworkTimeout,
    OperationFailure,
    ServerSelectionTimeoutError,
    WTimeoutError,
)

from shared.mongo import is_transient, write_skipping_duplicates


class Collection:
    """Answers each bulk write with the next scripted list of failing indexes (and their codes)."""

    def __init__(self, *answers: list[tuple[int, int]]) -> None:
        self.answers = list(answers)
        self.calls: list[list[Any]] = []

    async def bulk_write(self, operations: list[Any], ordered: bool) -> None:
        assert ordered is False
        self.calls.append(operations)
        errors = self.answers.pop(0)
        if errors:
            raise BulkWriteError(
                {"writeErrors": [{"index": i, "code": c, "errmsg": "E"} for i, c in errors], "writeConcernErrors": []}
            )


def upsert(appraisal_id: str, revision: int) -> UpdateOne:
    return UpdateOne(
        {"_id": appraisal_id, "revision": {"$lt": revision}}, {"$set": {"revision": revision}}, upsert=True
    )


async def test_a_refused_upsert_is_tried_once_more_and_applies_when_its_revision_is_newer() -> None:
    operations = [upsert("a", 3), upsert("b", 1), upsert("c", 2)]
    collection = Collection([(0, 11000), (2, 11000)], [])  # lost the race; the second try updates
    assert await write_skipping_duplicates(collection, operations) == set()  # type: ignore[arg-type]
    assert collection.calls[1] == [operations[0], operations[2]]


async def test_an_upsert_refused_twice_is_stale_and_skipped() -> None:
    operations = [upsert("a", 1), upsert("b", 2)]
    collection = Collection([(0, 11000), (1, 11000)], [(1, 11000)])
    assert await write_skipping_duplicates(collection, operations) == {1}  # type: ignore[arg-type]


async def test_a_duplicate_insert_is_skipped_without_a_second_try() -> None:
    operations = [InsertOne({"_id": "e1"}), InsertOne({"_id": "e2"})]
    collection = Collection([(1, 11000)])
    assert await write_skipping_duplicates(collection, operations) == {1}  # type: ignore[arg-type]
    assert len(collection.calls) == 1


async def test_any_other_write_error_raises() -> None:
    collection = Collection([(0, 11000), (1, 121)])  # 121: document failed validation
    with pytest.raises(BulkWriteError):
        await write_skipping_duplicates(collection, [InsertOne({"_id": 1}), InsertOne({"_id": 2})])  # type: ignore[arg-type]


async def test_nothing_to_write_sends_nothing() -> None:
    collection = Collection()
    assert await write_skipping_duplicates(collection, []) == set()  # type: ignore[arg-type]
    assert collection.calls == []


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (AutoReconnect("connection refused"), True),
        (ServerSelectionTimeoutError("no primary"), True),
        (NetworkTimeout("timed out"), True),
        (WTimeoutError("waiting for replication", 64), True),
        (OperationFailure("primary stepped down", 189), True),
        (OperationFailure("write conflict", 112), True),
        (OperationFailure("retry me", 2, {"errorLabels": ["RetryableWriteError"]}), True),
        (BulkWriteError({"writeErrors": [{"index": 0, "code": 11602}], "writeConcernErrors": []}), True),
        (BulkWriteError({"writeErrors": [], "writeConcernErrors": [{"code": 64}]}), True),
        (BulkWriteError({"writeErrors": [{"index": 0, "code": 11602}, {"index": 1, "code": 121}]}), False),
        (OperationFailure("document failed validation", 121), False),
        (OperationFailure("bad value", 2), False),
        (ValueError("a bug"), False),
    ],
)
def test_is_transient_tells_unavailable_from_wrong(error: Exception, transient: bool) -> None:
    assert is_transient(error) is transient
