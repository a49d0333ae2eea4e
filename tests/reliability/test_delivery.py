"""Delivery guarantees under the faults production sees, with every service in its own process,
the real Kafka broker and the real Mongo-wire server: a producer killed between its write and the
publish, a consumer killed (SIGKILL) mid-stream (in the middle of a batch), a consumer stopped (SIGTERM)
mid-stream."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient

from kinerja_testing import (
    Infra,
    Keys,
    ServiceProcess,
    appraisal_completed,
    eventually,
    publish_events,
    register_employee,
    skip_history,
    wait_for_event,
)
from shared.events import Predikat

pytestmark = pytest.mark.infra

APPRAISER = "197501012000031001"
EVENTS = 4000  # enough that a fast machine cannot finish them all before the interruption lands
SMALL_BATCHES = {"CONSUMER_BATCH_MAX_RECORDS": "20"}  # many batches, so the interruption falls mid-stream


@pytest.fixture
def run_id() -> str:
    return os.urandom(4).hex()


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def mongo(infra: Infra) -> Iterator[MongoClient[dict[str, object]]]:
    client: MongoClient[dict[str, object]] = MongoClient(infra.mongodb_url)
    yield client
    client.close()


async def test_event_written_before_the_producer_was_killed_is_published_after_restart(
    infra: Infra,
    keys: Keys,
    run_id: str,
    log_dir: Path,
    mongo: MongoClient[dict[str, object]],
    new_nip: Callable[[], str],
) -> None:
    # The relay is switched off, so the process dies with the event still in the document's outbox.
    appraisal = ServiceProcess.configure("appraisal", infra, keys, run_id, log_dir)
    appraisal.start(OUTBOX_RELAY_ENABLED="false").wait_ready()
    nip = new_nip()
    async with httpx.AsyncClient() as http:
        await register_employee(http, keys.headers(APPRAISER, "admin_bkpsdm"), nip, url=appraisal.url)
        created = await http.post(
            f"{appraisal.url}/api/v1/appraisals",
            json={
                "nip": nip,
                "opd_code": "DINKES",
                "period": "2026-Q2",
                "hasil_kerja": "sesuai_ekspektasi",
                "perilaku_kerja": "sesuai_ekspektasi",
            },
            headers=keys.headers(APPRAISER, "admin_bkpsdm"),
        )
    assert created.status_code == 201, created.text
    appraisal_id = created.json()["id"]
    assert appraisal.stop(signal.SIGKILL) == -signal.SIGKILL
    stored = mongo[appraisal.database]["evaluations"].find_one({"_id": appraisal_id})
    assert stored is not None
    assert len(stored["outbox"]) == 1  # type: ignore[arg-type]

    appraisal.start().wait_ready()  # a normal restart: the relay runs again
    try:
        key, event = await wait_for_event(
            infra, "appraisal.completed.v1", lambda v: v["payload"]["appraisal_id"] == appraisal_id
        )
        assert key == nip.encode()
        assert event["payload"]["predikat"] == "baik"
        appraisals = mongo[appraisal.database]["evaluations"]
        await eventually(lambda: appraisals.find_one({"_id": appraisal_id, "outbox.0": {"$exists": True}}) is None)
    finally:
        appraisal.stop()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["killed", "stopped"])
async def test_consumer_interrupted_mid_stream_ends_with_every_event_applied_exactly_once(
    infra: Infra,
    keys: Keys,
    run_id: str,
    log_dir: Path,
    mongo: MongoClient[dict[str, object]],
    new_nip: Callable[[], str],
    sig: signal.Signals,
) -> None:
    nip = new_nip()  # one employee: all events on one partition, in order
    events = [
        appraisal_completed(
            appraisal_id=f"{run_id}-{n}", nip=nip, period=f"2026-{n % 12 + 1:02d}", predikat=Predikat.BAIK
        )
        for n in range(EVENTS)
    ]
    notification = ServiceProcess.configure("notification", infra, keys, run_id, log_dir)
    inbox = mongo[notification.database]["notifications"]  # the inbox
    await skip_history(infra, notification.env["NOTIFICATION_CONSUMER_GROUP"], ["appraisal.completed.v1"])
    await publish_events(infra, events)

    notification.start(**SMALL_BATCHES).wait_ready()
    await eventually(lambda: inbox.count_documents({"recipient": nip}) >= EVENTS // 40, within=60, interval=0.02)
    notification.stop(sig)
    applied_at_interruption = inbox.count_documents({"recipient": nip})
    assert applied_at_interruption < EVENTS, "the consumer finished before it could be interrupted"

    notification.start().wait_ready()
    try:
        await eventually(lambda: inbox.count_documents({"recipient": nip}) == EVENTS, within=120)
        await asyncio.sleep(1.0)  # anything redelivered late would show up now
        items = list(inbox.find({"recipient": nip}, {"source_event_id": 1, "record": 1}))
        assert len(items) == EVENTS
        assert {item["source_event_id"] for item in items} == {str(event.event_id) for event in events}
        assert sorted(str(item["record"]).removeprefix("appraisal:") for item in items) == sorted(
            f"{run_id}-{n}" for n in range(EVENTS)
        )
    finally:
        notification.stop()
