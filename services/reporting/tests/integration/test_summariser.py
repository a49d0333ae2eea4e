"""The summariser on the real database: a summary that cannot be recomputed is parked, counted apart
and tried again later, and never holds up the others."""

import datetime as dt

import pytest
from pymongo import AsyncMongoClient

from reporting.domain.facts import Model
from reporting.repository.store import Store
from reporting.services.summaries import RETRY_FAILED_S, summarise_once
from shared.mongo import MongoDocument

pytestmark = pytest.mark.infra

NOW = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)


async def test_a_failing_summary_is_parked_and_the_others_recomputed(
    mongo_client: AsyncMongoClient[MongoDocument], unique: str
) -> None:
    store = Store(mongo_client[f"test_summariser_{unique}"], 1)
    await store.ensure_indexes()
    await store.store(
        Model.APPRAISALS,
        [{"_id": "a1", "order": "1", "opd_code": "DINKES", "period": "2026-Q1", "year": 2026, "predikat": "baik"}],
    )
    await store.mark({"dist::2026-Q1", "dist:DINKES:2026-Q1"}, NOW)  # the first names no OPD: it cannot be computed

    assert await summarise_once(store, NOW) == 1
    summary = await store.get("summaries", "dist:DINKES:2026-Q1")
    assert summary is not None
    assert summary["counts"]["baik"] == 1
    assert await store.count_marks(failed=False, limit=100) == 0
    assert await store.count_marks(failed=True, limit=100) == 1
    parked = await store.find("marks", {})
    assert parked[0]["_id"] == "dist::2026-Q1"
    assert "names no OPD" in parked[0]["error"]

    assert await summarise_once(store, NOW + dt.timedelta(seconds=1)) == 0  # not tried again at once
    later = NOW + dt.timedelta(seconds=RETRY_FAILED_S + 1)
    assert await summarise_once(store, later) == 0  # tried again, still failing, still parked
    assert await store.count_marks(failed=True, limit=100) == 1

    await store.mark({"dist::2026-Q1"}, later)  # marked again: stale, not failed, until tried
    assert await store.count_marks(failed=False, limit=100) == 1
    await mongo_client.drop_database(f"test_summariser_{unique}")


async def test_a_summary_still_being_marked_waits_for_quiet_or_for_its_longest_wait(
    mongo_client: AsyncMongoClient[MongoDocument], unique: str
) -> None:
    """A burst marks the same summary after every batch: the live summariser recomputes it once the
    marks stop for ``quiet_s``, or once it was first marked ``max_wait_s`` ago, never in between."""
    store = Store(mongo_client[f"test_summariser_{unique}"], 1)
    await store.ensure_indexes()
    await store.store(
        Model.APPRAISALS,
        [{"_id": "a1", "order": "1", "opd_code": "DINKES", "period": "2026-Q1", "year": 2026, "predikat": "baik"}],
    )
    key = "dist:DINKES:2026-Q1"

    def at(seconds: float) -> dt.datetime:
        return NOW + dt.timedelta(seconds=seconds)

    async def live(seconds: float) -> int:
        return await summarise_once(store, at(seconds), quiet_s=1.0, max_wait_s=10.0)

    for second in range(0, 10):  # a batch every second: never quiet for a whole second
        await store.mark({key}, at(second))
        assert await live(second + 0.5) == 0
    assert await store.get("summaries", key) is None
    await store.mark({key}, at(10))
    assert await live(10.5) == 1  # first marked 10.5 s ago: waited long enough
    assert (await store.get("summaries", key) or {})["counts"]["baik"] == 1

    await store.mark({key}, at(20))
    assert await live(20.5) == 0  # a new mark starts a new wait
    assert await live(21) == 1  # quiet for a second
    assert await store.count_marks(failed=False, limit=100) == 0

    await store.mark({key}, at(30))
    assert await summarise_once(store, at(30)) == 1  # a replay's settle does not wait
    await mongo_client.drop_database(f"test_summariser_{unique}")
