"""Benchmark: the storage paths a city loads, each next to a raw ceiling measured in the same run.

    make bench          # = python3 deploy/local/stack.py --instance bench run -- .venv/bin/python bench/storage.py

Runs on the bench stack instance (its own Kafka and Mongo-wire server, wiped at the start, stopped at
the end; never the data of ``make run``), with the services in-process. Writes
``bench/results/storage.json`` and ``bench/results/storage.md`` (machine, versions, command).

1. Employee CSV import at 1,000, 5,000 and 15,000 rows: rows/s from the POST to the job's
   ``completed`` (and until every event is on Kafka), next to a bare PyMongo bulk upsert of the same
   documents into a scratch collection.
2. Each consumer (notification's inbox, reporting's facts) applying 10,000 ``appraisal.completed``
   events with 1,000 and with 15,000 documents already stored, next to a bare aiokafka read of the
   same records and a bare PyMongo bulk upsert of the same documents (ceiling = the lower of the two).
3. Indexed lookups (the services' own repository calls) p50/p95 at 1,000 and at 20,000 documents.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from appraisal.config import Settings as AppraisalSettings
from appraisal.domain.access import Subject, reader_keys
from appraisal.domain.rules import OPD_SEED
from appraisal.main import create_app as create_appraisal
from appraisal.repository.employees import EmployeeRepository
from kinerja_testing import appraisal_completed, serve, skip_history
from notification.config import Settings as NotificationSettings
from notification.domain.routing import fact_of as notification_fact_of
from notification.domain.routing import plan as notification_plan
from notification.main import create_app as create_notification
from notification.repository.inbox import Inbox as InboxRepository
from reporting.config import Settings as ReportingSettings
from reporting.domain.facts import Model, facts_of
from reporting.main import create_app as create_reporting
from reporting.repository.store import Store
from shared.config import ServiceSettings
from shared.credentials import KafkaAuth, MongoAuth, mongodb_url_with
from shared.events import AppraisalCompleted, Predikat, Topic
from shared.mongo import MongoDocument
from shared.token import ensure_local_keypair, mint_token

ROOT = Path(__file__).resolve().parents[1]
BKPSDM = "197001012000011001"
IMPORT_SIZES = (1_000, 5_000, 15_000)
OPD_CODES = [unit.code for unit in OPD_SEED]  # the master data a fresh service starts with
CONSUMED = 10_000
STORED = (1_000, 15_000)
LOOKUP_SIZES = (1_000, 20_000)
LOOKUP_SAMPLES = 300
BATCH = 500
PUBLISHED = 'outbox_published_total{collection="employees"}'


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def nip_of(n: int, kind: int = 1) -> str:
    """A valid PNS NIP for each n (birth date 1985-1990, TMT CPNS 2010, gender from n)."""
    day, seq = n % 28 + 1, n // 28 % 999 + 1
    month = n // (28 * 999) % 12 + 1
    year = 1985 + n // (28 * 999 * 12) % 5
    return f"{year}{month:02d}{day:02d}20100{kind}{1 + n % 2}{seq:03d}"


class Bench:
    def __init__(self, kafka: str, mongo_url: str, run_id: str) -> None:
        self.kafka = kafka
        self.kafka_auth = KafkaAuth.from_env()  # the administrator's, from stack.py (services read the same env)
        self.kafka_options: dict[str, Any] = {"bootstrap_servers": kafka, **self.kafka_auth.client_options()}
        self.mongo_url = mongodb_url_with(mongo_url, MongoAuth.from_env())
        self.run_id = run_id
        self.mongo: AsyncMongoClient[MongoDocument] = AsyncMongoClient(self.mongo_url, tz_aware=True)
        private, public = ensure_local_keypair(ROOT / ".run" / "keys")
        self.public_key = public
        self.admin = {"Authorization": f"Bearer {mint_token(private, BKPSDM, ['admin_bkpsdm'])}"}

    def settings(self, cls: type[ServiceSettings], name: str) -> Any:
        return cls.model_validate(
            {
                "mongodb_url": self.mongo_url,
                "kafka_bootstrap_servers": self.kafka,
                "mongodb_database": f"bench_{self.run_id}_{name}",
                "consumer_group": f"bench-{self.run_id}-{name}",
                "auth_public_key_file": self.public_key,
                "log_level": "WARNING",
                "outbox_poll_interval_s": 1.0,
            }
        )

    # ------------------------------------------------------------ 1. CSV import

    async def import_rows(self, rows: int) -> dict[str, Any]:
        settings = self.settings(AppraisalSettings, f"import{rows}")
        lines = ["nip,name,employee_type,position_type,opd_code,unit_code,pejabat_penilai_nip"]
        # Teams of ten: the first row of each is the head, who appraises the other nine (a link names a
        # registered person of the same OPD, so the head comes first in the file).
        lines += [
            f"{nip_of(n)},Pegawai {n},PNS,PELAKSANA,{OPD_CODES[n // 10 % len(OPD_CODES)]},UNIT{n % 20},"
            + ("" if n % 10 == 0 else nip_of(n - n % 10))
            for n in range(rows)
        ]
        body = "\n".join(lines).encode()
        db = self.mongo[settings.mongodb_database]
        async with serve(create_appraisal(settings)) as client:
            started = time.perf_counter()
            response = await client.post(
                "/api/v1/employee-imports", content=body, headers=self.admin | {"content-type": "text/csv"}
            )
            response.raise_for_status()
            location = response.headers["location"]
            while True:
                job = (await client.get(location, headers=self.admin)).json()
                if job["status"] != "running":
                    break
                await asyncio.sleep(0.1)
            imported = time.perf_counter() - started

            async def published_events() -> int:  # the relay's own counter: polling the database would load it
                metrics = (await client.get("/metrics")).text
                line = next((x for x in metrics.splitlines() if x.startswith(PUBLISHED)), f"{PUBLISHED} 0")
                return int(float(line.split()[-1]))

            await wait_for(published_events, rows, within=600)
            published = time.perf_counter() - started
        assert job["status"] == "completed", job
        assert job["created"] == rows, job
        documents = await db["employees"].find({}, {"outbox": 0, "outbox_since": 0}).to_list(None)
        bare = await self.bare_write_rates(documents, f"import{rows}", [], like=db["employees"])
        return {
            "rows": rows,
            "import_s": round(imported, 2),
            "rows_per_s": round(rows / imported),
            "all_events_published_s": round(published, 2),
            "ceiling_bulk_upsert_docs_per_s": round(bare["upsert"]),
            "ceiling_bulk_insert_docs_per_s": round(bare["insert"]),
            "ratio_to_upsert": round(rows / imported / bare["upsert"], 2),
            "ratio_to_insert": round(rows / imported / bare["insert"], 2),
        }

    async def bare_write_rates(
        self,
        documents: list[MongoDocument],
        name: str,
        stored: list[MongoDocument],
        like: AsyncCollection[MongoDocument],
    ) -> dict[str, float]:
        """Bare PyMongo, the same documents in bulk writes of ``BATCH``, into scratch collections with
        the indexes of ``like`` that already hold ``stored``: upserted by ``_id`` (the ceiling the
        storage issue names) and inserted (SecantusDB inserts ~4x faster than it upserts)."""
        rates = {}
        for mode in ("upsert", "insert"):
            scratch = self.mongo[f"bench_{self.run_id}_raw"][f"{name}_{mode}"]
            for index_name, index in (await like.index_information()).items():
                if index_name != "_id_":
                    await scratch.create_index(index["key"], name=index_name)
            for start in range(0, len(stored), 1000):
                await scratch.insert_many([dict(d) for d in stored[start : start + 1000]])
            began = time.perf_counter()
            for start in range(0, len(documents), BATCH):
                chunk = documents[start : start + BATCH]
                if mode == "insert":
                    await scratch.insert_many([dict(d) for d in chunk], ordered=False)
                else:
                    upserts = [UpdateOne({"_id": d["_id"]}, {"$set": without_id(d)}, upsert=True) for d in chunk]
                    await scratch.bulk_write(upserts, ordered=False)
            rates[mode] = len(documents) / (time.perf_counter() - began)
        return rates

    # ------------------------------------------------------------ 2. consumers

    def events(self, count: int, period: str, nips: list[str]) -> list[AppraisalCompleted]:
        rng = random.Random(period)
        return [
            appraisal_completed(
                appraisal_id=f"{self.run_id}-{period}-{n}",
                nip=nips[n % len(nips)],
                opd_code=f"OPD{n % 40:02d}",
                period=period,
                predikat=rng.choice(list(Predikat)),
            )
            for n in range(count)
        ]

    async def consumer(self, name: str, stored: int) -> dict[str, Any]:
        settings_class: type[ServiceSettings] = NotificationSettings if name == "notification" else ReportingSettings
        create: Callable[[Any], Any] = create_notification if name == "notification" else create_reporting
        settings = self.settings(settings_class, f"{name}{stored}")
        db = self.mongo[settings.mongodb_database]
        filler = self.events(stored, "2030", [nip_of(n, 2) for n in range(500)])
        nips = [nip_of(n, 3) for n in range(50)]  # 200 events each: an indexed count tells progress
        fresh = self.events(CONSUMED, "2031", nips)
        if name == "notification":
            inbox = InboxRepository(db)
            await inbox.ensure_indexes()
            for start in range(0, stored, BATCH):
                await inbox.add_many([inbox_item(e) for e in filler[start : start + BATCH]])
            collection = inbox.notifications
            progress: MongoDocument = {"nip": {"$in": nips}}
        else:
            facts = Store(db, 1)
            await facts.ensure_indexes()
            for start in range(0, stored, BATCH):
                await store_facts(facts, filler[start : start + BATCH])
            collection, progress = facts[Model.APPRAISALS], {"period": "2031"}
        log(f"  {stored:,} documents stored; positioning the consumer group")
        await skip_history(self.kafka_infra(), settings.consumer_group, [Topic.APPRAISAL_COMPLETED])

        # The stored document of an event: the inbox item is keyed by event_id, the fact by appraisal_id.
        def key(event: AppraisalCompleted) -> str:
            return inbox_id(event) if name == "notification" else event.payload.appraisal_id

        async def applied(events: list[AppraisalCompleted]) -> int:
            return await collection.count_documents({"_id": {"$in": [key(e) for e in events]}})

        async with serve(create(settings)):
            warm = await self.publish(self.events(1, "2029", [nip_of(999, 3)]))  # applied: the consumer has joined
            await wait_for(lambda: applied(warm), 1, within=60)
            log(f"  consumer running; publishing {CONSUMED:,} events")
            starts = await self.end_offsets(Topic.APPRAISAL_COMPLETED)
            began = time.perf_counter()
            last = await self.publish(fresh)
            await wait_for(lambda: applied(last), len(last), within=600)
            rate = CONSUMED / (time.perf_counter() - began)
        assert await collection.count_documents(progress) == CONSUMED
        log(f"  applied at {rate:,.0f} events/s; measuring the ceilings")
        read_rate = await self.raw_read_rate(Topic.APPRAISAL_COMPLETED, starts, CONSUMED)
        everything = await collection.find({}).to_list(None)
        fresh_keys = {key(e) for e in fresh}
        written = [d for d in everything if d["_id"] in fresh_keys]
        already = [d for d in everything if d["_id"] not in fresh_keys]
        bare = await self.bare_write_rates(written, f"{name}{stored}", already, like=collection)
        ceiling = min(read_rate, max(bare.values()))
        return {
            "consumer": name,
            "stored_before": stored,
            "events": CONSUMED,
            "events_per_s": round(rate),
            "ceiling_kafka_read_per_s": round(read_rate),
            "ceiling_bulk_upsert_per_s": round(bare["upsert"]),
            "ceiling_bulk_insert_per_s": round(bare["insert"]),
            "ratio_to_upsert_ceiling": round(rate / min(read_rate, bare["upsert"]), 2),
            "ratio_to_best_ceiling": round(rate / ceiling, 2),
        }

    def kafka_infra(self) -> Any:
        from kinerja_testing import Infra

        return Infra(kafka_bootstrap_servers=self.kafka, mongodb_url=self.mongo_url, kafka_auth=self.kafka_auth)

    async def publish(self, events: list[AppraisalCompleted]) -> list[AppraisalCompleted]:
        """Publish ``events`` in order; returns the last one of each partition (once a consumer has
        applied those, it has applied all: each partition is applied in order)."""
        producer = AIOKafkaProducer(**self.kafka_options, enable_idempotence=True, linger_ms=5)
        await producer.start()
        try:
            sent = [await producer.send(e.topic, e.model_dump_json().encode(), key=e.key()) for e in events]
            await producer.flush()
            last: dict[int, AppraisalCompleted] = {}
            for event, future in zip(events, sent, strict=True):
                last[(await future).partition] = event
            return list(last.values())
        finally:
            await producer.stop()

    async def end_offsets(self, topic: str) -> dict[TopicPartition, int]:
        admin = AIOKafkaAdminClient(**self.kafka_options)
        await admin.start()
        try:
            [description] = await admin.describe_topics([topic])
        finally:
            await admin.close()
        partitions = [TopicPartition(topic, int(p["partition"])) for p in description["partitions"]]
        consumer = AIOKafkaConsumer(**self.kafka_options, enable_auto_commit=False)
        await consumer.start()
        try:
            offsets: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
            return offsets
        finally:
            await consumer.stop()

    async def raw_read_rate(self, topic: str, starts: dict[TopicPartition, int], count: int) -> float:
        """Bare aiokafka: the same records, read from the offsets the consumer started at."""
        consumer = AIOKafkaConsumer(**self.kafka_options, enable_auto_commit=False, group_id=None)
        await consumer.start()
        try:
            consumer.assign(list(starts))
            for partition, offset in starts.items():
                consumer.seek(partition, offset)
            began, seen = time.perf_counter(), 0
            while seen < count:
                batches = await consumer.getmany(timeout_ms=1000, max_records=BATCH)
                if not batches:
                    raise RuntimeError(f"the topic ended after {seen} of {count} records")
                seen += sum(len(records) for records in batches.values())
            return count / (time.perf_counter() - began)
        finally:
            await consumer.stop()

    # ------------------------------------------------------------ 3. lookups

    async def lookups(self) -> list[dict[str, Any]]:
        db = self.mongo[f"bench_{self.run_id}_lookups"]
        employees = EmployeeRepository(db)
        await employees.ensure_indexes()
        inbox = InboxRepository(db)
        await inbox.ensure_indexes()
        facts = Store(db, 1)
        await facts.ensure_indexes()
        rng = random.Random(1)
        results: list[dict[str, Any]] = []
        filled = 0
        for size in LOOKUP_SIZES:
            await self.fill_lookups(employees, inbox, facts, filled, size)
            filled = size
            queries = lookup_queries(employees, inbox, facts, size, rng)
            for name, query in queries.items():
                timings = []
                for _ in range(LOOKUP_SAMPLES):
                    began = time.perf_counter()
                    await query()
                    timings.append((time.perf_counter() - began) * 1000)
                cuts = statistics.quantiles(timings, n=20)
                row = {"query": name, "documents": size, "p50_ms": round(cuts[9], 2), "p95_ms": round(cuts[18], 2)}
                results.append(row)
        return results

    async def fill_lookups(
        self, employees: EmployeeRepository, inbox: InboxRepository, facts: Store, start: int, stop: int
    ) -> None:
        """Each collection grows to ``stop`` documents; what one query returns stays the same size
        (10 employees per pejabat penilai, 4 messages per inbox, ~6 facts per OPD and period at 1,000)."""
        now = datetime.now(UTC)
        for chunk in range(start, stop, BATCH):
            numbers = range(chunk, min(chunk + BATCH, stop))
            documents: list[tuple[MongoDocument, list[Any]]] = []
            for n in numbers:
                subject = Subject(nip_of(n), f"OPD{n % 40:02d}", nip_of(700_000 + n // 10), None)
                documents.append(
                    (
                        {
                            "_id": subject.nip,
                            "name": f"Pegawai {n}",
                            "employee_type": "PNS",
                            "position_type": "PELAKSANA",
                            "opd_code": subject.opd_code,
                            "pejabat_penilai_nip": subject.pejabat_penilai_nip,
                            "readers": reader_keys(subject),
                            "active": True,
                            "version": 1,
                            "created_at": now,
                            "updated_at": now,
                        },
                        [],
                    )
                )
            await employees.insert_many(documents, now)
            events = [
                appraisal_completed(
                    appraisal_id=f"lookup-{n}",
                    nip=nip_of(n // 4, 4),
                    opd_code=f"OPD{n % 40:02d}",
                    period=f"{2026 + n // 1000}-Q{n % 4 + 1}",
                )
                for n in numbers
            ]
            await inbox.add_many([inbox_item(e) for e in events])
            await store_facts(facts, events)


async def store_facts(store: Store, events: list[AppraisalCompleted]) -> None:
    """Reporting's appraisal documents of ``events``, as its consumer stores them."""
    await store.store(Model.APPRAISALS, [fact.document for event in events for fact in facts_of(event)])


def inbox_id(event: AppraisalCompleted) -> str:
    """The id of the employee's message about ``event`` (``notification.domain.routing``)."""
    return notification_plan(notification_fact_of(event), None).notices[0].notification_id


def inbox_item(event: AppraisalCompleted) -> dict[str, Any]:
    """An inbox message as the service stores it (the words do not matter to the storage benchmark)."""
    return {
        "_id": inbox_id(event),
        "recipient": event.payload.nip,
        "kind": "appraisal.final",
        "title": f"Penilaian kinerja {event.payload.period} telah selesai",
        "body": "Penilaian kinerja Anda telah ditetapkan oleh pejabat penilai.",
        "link": f"/evaluations/{event.payload.appraisal_id}",
        "record": f"appraisal:{event.payload.appraisal_id}",
        "created_at": event.occurred_at,
        "read": False,
    }


def lookup_queries(
    employees: EmployeeRepository, inbox: InboxRepository, facts: Store, size: int, rng: random.Random
) -> dict[str, Callable[[], Awaitable[Any]]]:
    """The services' own read paths, each returning the same amount whatever the size."""
    return {
        "appraisal: employee by NIP": lambda: employees.get(nip_of(rng.randrange(size))),
        "appraisal: a pejabat penilai's team, first page and total": lambda: employees.page(
            {"readers": {"$in": [f"appraiser:{nip_of(700_000 + rng.randrange(size // 10))}"]}},
            sort=[("opd_code", 1), ("name", 1), ("_id", 1)],
            limit=20,
            offset=0,
        ),
        "notification: an inbox page and total": lambda: inbox.page(
            [nip_of(rng.randrange(size // 4), 4)], unread_only=False, limit=20, offset=0
        ),
        "reporting: the appraisals of one OPD and period": lambda: facts.find(
            Model.APPRAISALS,
            {
                "opd_code": f"OPD{rng.randrange(40):02d}",
                "period": f"{2026 + rng.randrange(size // 1000)}-Q{rng.randrange(4) + 1}",
            },
            {"predikat": 1},
        ),
    }


def without_id(document: MongoDocument) -> MongoDocument:
    return {k: v for k, v in document.items() if k != "_id"}


async def wait_for(count: Callable[[], Awaitable[int]], target: int, within: float) -> None:
    """Until ``count()`` reaches ``target`` (counting up) or falls to it (``target`` 0)."""
    deadline = time.monotonic() + within
    while True:
        value = await count()
        if (value == 0) if target == 0 else (value >= target):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{value} documents, not {target}, after {within:.0f}s")
        await asyncio.sleep(0.1)


def environment(info: MongoDocument) -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), platform.processor())
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    git = ["git", "rev-parse", "--short", "HEAD"]
    commit = subprocess.run(git, capture_output=True, text=True, cwd=ROOT, check=False)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "make bench",
        "commit": commit.stdout.strip(),
        "machine": f"{os.cpu_count()} cores ({cpu}), {memory_kb // 1024 // 1024} GiB",
        "python": platform.python_version(),
        "mongo_wire_server": os.environ.get("KINERJA_MONGO_SERVER") or "secantusdb (default)",
        "mongo_reports_version": info.get("version"),
        "kafka": "3.9.2 (local stack, single node)",
        "packages": {name: metadata.version(name) for name in ("pymongo", "aiokafka", "faststream", "fastapi")},
    }


def markdown(report: dict[str, Any]) -> str:
    env = report["environment"]
    lines = [
        "# Storage benchmark",
        "",
        f"`{env['command']}` at commit `{env['commit']}`, {env['date']}. Machine: {env['machine']}; "
        f"Python {env['python']}; Mongo-wire server {env['mongo_wire_server']} "
        f"(reports {env['mongo_reports_version']}); Kafka {env['kafka']}; "
        + ", ".join(f"{k} {v}" for k, v in env["packages"].items())
        + ".",
        "",
        "## Employee CSV import",
        "",
        "| rows | import (s) | rows/s | every event on Kafka after (s) "
        "| bare bulk upsert of the same documents (docs/s) | bare bulk insert (docs/s) "
        "| ratio to upsert | ratio to insert |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['rows']:,} | {r['import_s']} | {r['rows_per_s']:,} | {r['all_events_published_s']} | "
        f"{r['ceiling_bulk_upsert_docs_per_s']:,} | {r['ceiling_bulk_insert_docs_per_s']:,} | "
        f"{r['ratio_to_upsert']} | {r['ratio_to_insert']} |"
        for r in report["imports"]
    ]
    lines += [
        "",
        f"## Consumers ({CONSUMED:,} `appraisal.completed` events)",
        "",
        "| consumer | documents stored before | events/s | bare aiokafka read (records/s) "
        "| bare bulk upsert (docs/s) | bare bulk insert (docs/s) | ratio to min(read, upsert) "
        "| ratio to min(read, faster write) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['consumer']} | {r['stored_before']:,} | {r['events_per_s']:,} | {r['ceiling_kafka_read_per_s']:,} | "
        f"{r['ceiling_bulk_upsert_per_s']:,} | {r['ceiling_bulk_insert_per_s']:,} | "
        f"{r['ratio_to_upsert_ceiling']} | {r['ratio_to_best_ceiling']} |"
        for r in report["consumers"]
    ]
    for name in ("notification", "reporting"):
        rates = {r["stored_before"]: r["events_per_s"] for r in report["consumers"] if r["consumer"] == name}
        small, large = rates[STORED[0]], rates[STORED[-1]]
        lines.append(
            f"\n{name}: rate with {STORED[-1]:,} stored is {large / small:.0%} of the rate with {STORED[0]:,}."
        )
    lines += ["", "## Indexed lookups", "", "| query | documents | p50 (ms) | p95 (ms) |", "|---|---:|---:|---:|"]
    lines += [f"| {r['query']} | {r['documents']:,} | {r['p50_ms']} | {r['p95_ms']} |" for r in report["lookups"]]
    return "\n".join(lines) + "\n"


async def run(only: set[str]) -> dict[str, Any]:
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:29092")
    mongo_url = os.environ.get("MONGODB_URL", "mongodb://127.0.0.1:27019/")
    bench = Bench(kafka, mongo_url, uuid.uuid4().hex[:6])
    info = await bench.mongo.admin.command("buildInfo")
    report: dict[str, Any] = {"environment": environment(info), "imports": [], "consumers": [], "lookups": []}
    if "import" in only:
        for rows in IMPORT_SIZES:
            log(f"CSV import of {rows:,} rows")
            report["imports"].append(await bench.import_rows(rows))
            log(str(report["imports"][-1]))
    if "consumers" in only:
        for name in ("notification", "reporting"):
            for stored in STORED:
                log(f"{name} consumer with {stored:,} documents stored")
                report["consumers"].append(await bench.consumer(name, stored))
                log(str(report["consumers"][-1]))
    if "lookups" in only:
        log("indexed lookups")
        report["lookups"] = await bench.lookups()
    await bench.mongo.close()
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parts = ["import", "consumers", "lookups"]
    parser.add_argument("--only", nargs="*", choices=parts, default=parts, help="run only these parts")
    arguments = parser.parse_args()
    result = asyncio.run(run(set(arguments.only)))
    arguments.out.mkdir(parents=True, exist_ok=True)
    (arguments.out / "storage.json").write_text(json.dumps(result, indent=2) + "\n")
    if set(arguments.only) == set(parts):
        (arguments.out / "storage.md").write_text(markdown(result))
    log(f"written to {arguments.out}")
