"""Two replicas of one service (two processes, one database, one consumer group) hammer the same
documents: no acknowledged update is lost and no event has a double effect. There are no locks in
the services; this holds because every single-document write is atomic on the server."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from pymongo import MongoClient

from kinerja_testing import Infra, Keys, ServiceProcess, appraisal_completed, eventually, read_topic, skip_history
from shared.events import AppraisalCompleted, Predikat

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
EMPLOYEES = 6
CLIENTS = 24
CHANGES_PER_CLIENT = 8


@pytest.fixture
def mongo(infra: Infra) -> Iterator[MongoClient[dict[str, Any]]]:
    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_url)
    yield client
    client.close()


def replicas(name: str, infra: Infra, keys: Keys, run_id: str, log_dir: Path) -> list[ServiceProcess]:
    """Two processes of one service: the same database and consumer group (same run id), own ports."""
    return [
        ServiceProcess.configure(name, infra, keys, run_id, log_dir / f"replica-{n}", OUTBOX_POLL_INTERVAL_S="0.2")
        for n in range(2)
    ]


async def test_two_appraisal_replicas_lose_no_concurrent_update_and_announce_each_change_once(
    infra: Infra, keys: Keys, tmp_path: Path, new_nip: Callable[[], str], mongo: MongoClient[dict[str, Any]]
) -> None:
    """24 clients read and update six employees through both replicas at random (If-Match); both
    replicas run the outbox relay. Every 200 is one version: the final version of each employee is 1
    plus its successful updates, and Kafka carries exactly one event id per (employee, version)."""
    run_id = os.urandom(4).hex()
    for n in range(2):
        (tmp_path / f"replica-{n}").mkdir()
    services = replicas("appraisal", infra, keys, run_id, tmp_path)
    for service in services:
        service.start()
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    nips = [new_nip() for _ in range(EMPLOYEES)]
    successes: dict[str, int] = defaultdict(int)
    rng = random.Random(run_id)
    try:
        for service in services:
            service.wait_ready()
        async with httpx.AsyncClient(timeout=30) as http:
            for nip in nips:
                body = {"nip": nip, "name": "Awal", "employee_type": "PNS", "position_type": "JF", "opd_code": "DINKES"}
                created = await http.post(f"{services[0].url}/api/v1/employees", json=body, headers=admin)
                assert created.status_code == 201, created.text

            async def client(number: int) -> None:
                done = 0
                while done < CHANGES_PER_CLIENT:
                    nip = rng.choice(nips)
                    reader, writer = rng.choice(services), rng.choice(services)
                    current = await http.get(f"{reader.url}/api/v1/employees/{nip}", headers=admin)
                    version = current.json()["version"]
                    patched = await http.patch(
                        f"{writer.url}/api/v1/employees/{nip}",
                        json={"position_title": f"Klien {number} perubahan {done}"},
                        headers=admin | {"If-Match": f'"{version}"'},
                    )
                    if patched.status_code == 200:
                        assert patched.json()["version"] == version + 1
                        successes[nip] += 1
                        done += 1
                    else:
                        assert patched.status_code == 412, patched.text

            await asyncio.gather(*(client(n) for n in range(CLIENTS)))
        employees = mongo[services[0].database]["employees"]
        for nip in nips:
            stored = employees.find_one({"_id": nip})
            assert stored is not None
            assert stored["version"] == 1 + successes[nip], nip
        await eventually(lambda: employees.count_documents({"outbox.0": {"$exists": True}}) == 0, within=60)
        assert sum(successes.values()) == CLIENTS * CHANGES_PER_CLIENT
        announced = await event_ids_by_version(infra, "employee.updated.v1", set(nips))
        for nip in nips:
            versions = {version: ids for (event_nip, version), ids in announced.items() if event_nip == nip}
            assert sorted(versions) == list(range(2, 2 + successes[nip])), nip
            assert all(len(ids) == 1 for ids in versions.values()), versions  # a duplicate publish keeps its id
    finally:
        for service in services:
            service.stop()


async def event_ids_by_version(infra: Infra, topic: str, nips: set[str]) -> dict[tuple[str, int], set[str]]:
    """(nip, version) -> the distinct event ids published for it on ``topic``."""
    found: dict[tuple[str, int], set[str]] = defaultdict(set)
    for record in await read_topic(infra, topic):
        if record.key is not None and record.key.decode(errors="replace") in nips:
            event = json.loads(record.value or b"{}")
            found[(event["payload"]["nip"], event["payload"]["version"])].add(event["event_id"])
    return found


async def test_two_consumer_replicas_in_one_group_apply_every_event_once_through_a_kill(
    infra: Infra, keys: Keys, tmp_path: Path, new_nip: Callable[[], str], mongo: MongoClient[dict[str, Any]]
) -> None:
    """Two reporting and two notification replicas consume 900 events (300 appraisals in three
    revisions, shuffled, each published twice) while one replica of each is killed and restarted.
    The events of one appraisal are spread over every partition, as when a rebalance moves a
    partition while its old owner is still writing: both replicas write the same documents at once.
    The read model keeps the highest revision of each appraisal; the inbox tells each revision it
    admits once, and always the newest (an older revision arriving after a newer one says nothing)."""
    run_id = os.urandom(4).hex()
    for n in range(2):
        (tmp_path / f"replica-{n}").mkdir()
    reporting = replicas("reporting", infra, keys, run_id, tmp_path)
    notification = replicas("notification", infra, keys, run_id, tmp_path)
    for service in (reporting[0], notification[0]):
        await skip_history(infra, service.env[f"{service.name.upper()}_CONSUMER_GROUP"], ["appraisal.completed.v1"])
    small_batches = {"CONSUMER_BATCH_MAX_RECORDS": "25"}
    services = [*reporting, *notification]
    for service in services:
        service.start(**small_batches)
    rng = random.Random(run_id)
    nip = new_nip()
    events = [
        appraisal_completed(
            appraisal_id=f"{run_id}-{n}", revision=revision, nip=nip, period="2026", predikat=rng.choice(list(Predikat))
        )
        for n in range(300)
        for revision in (1, 2, 3)
    ]
    rng.shuffle(events)
    try:
        for service in services:
            service.wait_ready()
        await publish_spread(infra, events[:450], copies=2)
        reporting[1].stop(signal.SIGKILL)
        notification[1].stop(signal.SIGKILL)
        await publish_spread(infra, events[450:], copies=2)
        reporting[1].start(**small_batches)
        notification[1].start(**small_batches)
        facts = mongo[reporting[0].database]["g1_appraisals"]  # the read model of generation 1 (no replay ran)
        inbox = mongo[notification[0].database]["notifications"]  # the inbox
        appraisals = {f"appraisal:{run_id}-{n}" for n in range(300)}  # the record each message is about
        await eventually(
            lambda: {d["record"] for d in inbox.find({"recipient": nip, "revision": 3}, {"record": 1})} == appraisals,
            within=120,
        )
        newest = {f"{run_id}-{n}": 3 for n in range(300)}
        await eventually(
            lambda: {d["_id"]: d["revision"] for d in facts.find({"nip": nip}, {"revision": 1})} == newest, within=120
        )
        await asyncio.sleep(2)  # anything redelivered late would show up now
        told = list(inbox.find({"recipient": nip}, {"record": 1, "revision": 1, "source_event_id": 1}))
        pairs = [(d["record"], d["revision"]) for d in told]
        assert len(pairs) == len(set(pairs))  # each revision told at most once, though published twice
        assert {record for record, _ in pairs} == appraisals
        assert {revision for _, revision in pairs} <= {1, 2, 3}
        sent = {str(e.event_id): (f"appraisal:{e.payload.appraisal_id}", e.payload.revision) for e in events}
        assert all(sent[d["source_event_id"]] == (d["record"], d["revision"]) for d in told)
        expected = {str(e.payload.appraisal_id): e.payload.predikat.value for e in events if e.payload.revision == 3}
        assert {d["_id"]: d["predikat"] for d in facts.find({"nip": nip})} == expected
    finally:
        for service in services:
            if service.proc is not None and service.proc.poll() is None:
                service.stop()


async def publish_spread(infra: Infra, events: list[AppraisalCompleted], copies: int) -> None:
    """Publish each event ``copies`` times under varying keys, so its copies and the other revisions
    of its appraisal land on different partitions (and so on different replicas)."""
    producer = AIOKafkaProducer(**infra.kafka_options, enable_idempotence=True)
    await producer.start()
    try:
        for n, event in enumerate(events):
            value = event.model_dump_json().encode()
            for copy in range(copies):
                await producer.send(event.topic, value, key=f"{event.payload.nip}-{n}-{copy}".encode())
        await producer.flush()
    finally:
        await producer.stop()
