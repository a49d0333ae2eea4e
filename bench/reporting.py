"""Benchmark: the reporting service at city scale (issue 12).

    make bench-reporting   # = python3 deploy/local/stack.py --instance bench run -- .venv/bin/python bench/reporting.py

Runs on the bench stack instance (its own Kafka and Mongo-wire server, wiped at the start, stopped at
the end), with the reporting app in-process (``kinerja_testing.serve``). Writes
``bench/results/reporting.json`` and ``bench/results/reporting.md`` (machine, versions, command, commit).

1. **Load**: a city of 15,000 employees in 30 OPD (uneven: DISDIK and DINKES large), units, a pejabat
   penilai hierarchy (teams of 5-15; heads appraised by the PPK), ~20 % PPPK with contract starts, the
   year's configuration (quarterly) and each OPD's organisation predikat, and a year of events: SKP
   submitted / returned / approved (some late), four quarterly appraisals each (mostly Baik, ~10 % low),
   low-score flags, development plans, objections (filed, decided; upheld ones revise the appraisal and
   withdraw the flag), training recommendations, enrolments and completions, and notifications
   delivered (inbox, email) and read. Published with one producer; timed until every record is
   consumed and no summary is stale.
2. **Views**: p50/p95 of the employee, team, OPD and city views and ``/appraisals/summary`` over
   ``SAMPLES`` requests each, random subjects, each with a token its level allows.
3. **Burst**: 15,000 ``appraisal.completed`` of the annual period published at once; the time from the
   last publish acknowledged until every view is consistent (the city trend of the period totals
   15,000, each OPD view's total is its headcount, no summary stale, the consumer group's lag 0).
4. **Replay**: every read model rebuilt from the start of the topics into a fresh generation, swapped
   in; the city view after it equals the one before.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file runs as a script from bench/, which Python puts first on sys.path: its own name would then
# hide the service's ``reporting`` package. Drop that entry before importing anything of the project.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient, InsertOne

from appraisal.domain.rules import OPD_SEED
from kinerja_testing import bare_read, serve
from kinerja_testing import events as ev
from reporting.config import Settings
from reporting.domain.facts import FACTS, facts_of, newest
from reporting.main import DEFINITION, create_app
from reporting.repository.store import Store
from reporting.services import apply as apply_module
from reporting.services import summaries as summaries_module
from reporting.services.context import Reporting
from reporting.services.replay import BATCH as REPLAY_BATCH
from reporting.services.replay import EVENT_OF, replay
from shared.consumer import group_id_for
from shared.credentials import KafkaAuth, MongoAuth, mongodb_url_with
from shared.events import PPK, BerAkhlakValue, Event, OrgPredikat, Predikat, RatingLevel, Topic
from shared.mongo import MAX_IDLE_MS, MongoDocument, write_skipping_duplicates
from shared.token import ensure_local_keypair, mint_token

ROOT = HERE.parent
YEAR = 2025
"""A complete performance year (the benchmark runs after it; its annual period is the burst)."""
EMPLOYEES = 15_000
SAMPLES = 250
WARM_UP = 10
BKPSDM = "197001012000011001"
ADMIN_OPD = "197502022001022002"
POLL_S = 0.05
LARGE = {"DISDIK": 4_800, "DINKES": 2_400, "DLHK": 700, "SATPOLPP": 600, "SETDA": 550, "DPUPR": 450, "DISHUB": 400}
PREDIKAT_MIX = {
    Predikat.SANGAT_BAIK: 0.14,
    Predikat.BAIK: 0.76,
    Predikat.BUTUH_PERBAIKAN: 0.07,
    Predikat.KURANG_MISCONDUCT: 0.02,
    Predikat.SANGAT_KURANG: 0.01,
}
LOW = {Predikat.BUTUH_PERBAIKAN, Predikat.KURANG_MISCONDUCT, Predikat.SANGAT_KURANG}
RATINGS = {
    Predikat.SANGAT_BAIK: (RatingLevel.DI_ATAS_EKSPEKTASI, RatingLevel.DI_ATAS_EKSPEKTASI),
    Predikat.BAIK: (RatingLevel.SESUAI_EKSPEKTASI, RatingLevel.SESUAI_EKSPEKTASI),
    Predikat.BUTUH_PERBAIKAN: (RatingLevel.DI_BAWAH_EKSPEKTASI, RatingLevel.SESUAI_EKSPEKTASI),
    Predikat.KURANG_MISCONDUCT: (RatingLevel.SESUAI_EKSPEKTASI, RatingLevel.DI_BAWAH_EKSPEKTASI),
    Predikat.SANGAT_KURANG: (RatingLevel.DI_BAWAH_EKSPEKTASI, RatingLevel.DI_BAWAH_EKSPEKTASI),
}
INDICATORS = {
    "DINKES": ["Cakupan imunisasi dasar lengkap", "Persentase balita ditimbang", "Kunjungan ibu hamil K4"],
    "DISDIK": ["Ketuntasan belajar siswa", "Kehadiran mengajar", "Rencana pelaksanaan pembelajaran disusun"],
}
GENERIC = ["Dokumen laporan tepat waktu", "Tingkat kepuasan layanan", "Realisasi anggaran kegiatan"]
PROGRAMMES = [(f"PKS-{n:02d}", jp) for n, jp in enumerate([8, 12, 16, 20, 24, 32, 40, 8, 12, 16, 24, 20], start=1)]


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def nip_of(n: int) -> str:
    """A valid-looking NIP for each n (birth date 1980-1990, TMT 2010, gender from n)."""
    day, seq = n % 28 + 1, n // 28 % 999 + 1
    month = n // (28 * 999) % 12 + 1
    year = 1980 + n // (28 * 999 * 12) % 10
    return f"{year}{month:02d}{day:02d}201001{1 + n % 2}{seq:03d}"


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(YEAR, month, day, hour, minute, tzinfo=dt.UTC)


# ---------------------------------------------------------------------------------------- the city


@dataclass(frozen=True)
class Person:
    nip: str
    opd: str
    unit: str
    appraiser: str
    position: str
    kind: str
    contract_start: dt.date | None
    email: bool


@dataclass
class City:
    people: list[Person]
    size: dict[str, int]
    org_predikat: dict[str, str | None]
    read_rate: dict[str, float]

    @property
    def opds(self) -> list[str]:
        return sorted(self.size)

    @property
    def appraisers(self) -> list[str]:
        return sorted({p.appraiser for p in self.people if p.appraiser != PPK})


def opd_sizes(rng: random.Random) -> dict[str, int]:
    codes = [u.code for u in OPD_SEED if u.kind == "opd"]
    rest = [c for c in codes if c not in LARGE][: 30 - len(LARGE)]
    weights = [rng.uniform(0.5, 1.5) for _ in rest]
    left = EMPLOYEES - sum(LARGE.values())
    sizes = dict(LARGE) | {c: int(left * w / sum(weights)) for c, w in zip(rest, weights, strict=True)}
    sizes[rest[-1]] += EMPLOYEES - sum(sizes.values())
    return sizes


def build_city(rng: random.Random) -> City:
    """Per OPD: a head (JPT, appraised by the PPK), a kepala bidang (administrator) per ~150 staff
    appraised by the head, pengawas appraised by a kepala bidang, each with a team of 5-15 staff."""
    sizes = opd_sizes(rng)
    people: list[Person] = []
    n = 0

    def add(opd: str, unit: str, appraiser: str, position: str, staff: bool = False) -> str:
        nonlocal n
        pppk = staff and rng.random() < 0.22  # ~20 % of everyone (staff are ~9/10 of a city)
        start = dt.date(rng.randint(2021, 2024), rng.choice([1, 4, 7, 10]), 1) if pppk else None
        people.append(
            Person(nip_of(n), opd, unit, appraiser, position, "PPPK" if pppk else "PNS", start, rng.random() < 0.7)
        )
        n += 1
        return people[-1].nip

    for opd, size in sorted(sizes.items()):
        first = len(people)
        head = add(opd, "PIMPINAN", PPK, "JPT")
        bidang = [add(opd, f"B{i + 1:02d}", head, "ADMINISTRATOR") for i in range(max(1, size // 150))]
        team = 0
        while len(people) - first < size:
            unit_of = team % len(bidang)
            pengawas = add(opd, f"B{unit_of + 1:02d}", bidang[unit_of], "PENGAWAS")
            for _ in range(min(rng.randint(5, 15), size - (len(people) - first))):
                add(opd, f"B{unit_of + 1:02d}", pengawas, rng.choice(["PELAKSANA", "JF"]), staff=True)
            team += 1
    org = [OrgPredikat.BAIK] * 20 + [OrgPredikat.ISTIMEWA] * 4 + [OrgPredikat.BUTUH_PERBAIKAN] * 3
    org_predikat: dict[str, str | None] = {c: rng.choice(org).value for c in sizes}
    for code in rng.sample(sorted(sizes), 2):
        org_predikat[code] = None  # not yet set for the year
    read_rate = {c: rng.uniform(0.35, 0.95) for c in sizes}
    return City(people, sizes, org_predikat, read_rate)


# ---------------------------------------------------------------------------------------- the year


class Year:
    """A year of events of ``city``, each with the time it happened (publishing follows that order)."""

    def __init__(self, city: City, rng: random.Random) -> None:
        self.city, self.rng = city, rng
        self.events: list[tuple[dt.datetime, Event]] = []
        self.config = ev.year_configured(YEAR, at=at(1, 2))
        self.dues: dict[str, dt.date] = dict(self.config.payload.evaluation_due)

    def add(self, when: dt.datetime, event: Event) -> None:
        self.events.append((when, event))

    def build(self) -> list[Event]:
        self.add(at(1, 2), self.config)
        for opd in self.city.opds:
            self.add(at(1, 3), ev.org_year(opd, YEAR, self.city.org_predikat[opd]))
        for person in self.city.people:
            self.person(person)
        self.events.sort(key=lambda item: item[0])
        return [event for _, event in self.events]

    def notify(self, person: Person, when: dt.datetime, kind: str) -> None:
        nid = uuid.uuid4().hex[:16]
        self.add(when, ev.message("delivered", nid, person.nip, at=when))
        if person.email:
            step = "failed" if self.rng.random() < 0.01 else "delivered"
            self.add(when, ev.message(step, nid, person.nip, channel="email", at=when))
        if self.rng.random() < self.city.read_rate[person.opd]:
            later = when + dt.timedelta(hours=self.rng.uniform(1, 120))
            self.add(later, ev.message("read", nid, person.nip, at=later))

    def person(self, p: Person) -> None:
        rng = self.rng
        registered = at(1, 1, 7)
        self.add(
            registered,
            ev.person(
                p.nip,
                p.opd,
                at=registered,
                position_type=p.position,
                position_title=f"{p.position.title()} {p.unit}",
                employee_type=p.kind,
                contract_start=p.contract_start,
                unit_code=p.unit,
                pejabat_penilai_nip=p.appraiser,
            ),
        )
        self.skp(p)
        for quarter in range(1, 5):
            self.appraisal(p, f"{YEAR}-Q{quarter}")
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            self.training(p, None)

    def skp(self, p: Person) -> None:
        rng, skp_id = self.rng, f"skp-{p.nip}-{YEAR}"
        due = self.config.payload.skp_due
        span = {
            "unit_code": p.unit,
            "pejabat_penilai_nip": p.appraiser,
            "due": due,
            "valid_from": dt.date(YEAR, 1, 1),
            "valid_to": dt.date(YEAR, 12, 31),
        }
        late = rng.random() < 0.12
        when = at(2, rng.randint(1, 20)) if late else at(1, rng.randint(5, 25))
        self.add(when, ev.skp("submitted", skp_id, p.nip, year=YEAR, opd_code=p.opd, at=when, **span))
        if rng.random() < 0.15:
            when += dt.timedelta(days=2)
            self.add(when, ev.skp("returned", skp_id, p.nip, year=YEAR, opd_code=p.opd, at=when, **span))
            when += dt.timedelta(days=3)
            self.add(when, ev.skp("submitted", skp_id, p.nip, year=YEAR, opd_code=p.opd, at=when, **span))
        if rng.random() < 0.02:
            return  # never approved
        when += dt.timedelta(days=rng.randint(1, 5))
        late_approval = when.date() > due
        self.add(
            when,
            ev.skp("approved", skp_id, p.nip, year=YEAR, opd_code=p.opd, at=when, **span, late=late_approval),
        )
        self.notify(p, when, "skp.approved")

    def results(self, p: Person, predikat: Predikat, weak: bool = False) -> list[dict[str, Any]]:
        texts = INDICATORS.get(p.opd, GENERIC)
        rows = []
        for i, text in enumerate(texts):
            low = predikat in LOW and (i == 0 or weak)
            done = self.rng.uniform(40, 75) if low else self.rng.uniform(90, 110)
            rows.append(
                {
                    "rhk_id": f"r{i // 2 + 1}",
                    "rhk_text": f"Meningkatnya kinerja layanan {p.opd.lower()} ({i // 2 + 1})",
                    "indicator_id": f"i{i + 1}",
                    "indicator_text": text,
                    "target": "95",
                    "realisation": f"{done * 0.95:.0f}",
                    "unit": "%",
                    "achievement_pct": round(done, 1),
                    "rating": RATINGS[predikat][0],
                }
            )
        return rows

    def completed(self, p: Person, period: str, predikat: Predikat, when: dt.datetime, revision: int = 1) -> Event:
        hasil, perilaku = RATINGS[predikat]
        due = self.dues[period]
        return ev.completed(
            f"apr-{p.nip}-{period}",
            p.nip,
            period,
            predikat,
            opd_code=p.opd,
            revision=revision,
            at=when,
            unit_code=p.unit,
            pejabat_penilai_nip=p.appraiser,
            employee_type=p.kind,
            position_type=p.position,
            hasil_kerja=hasil,
            perilaku_kerja=perilaku,
            due=due,
            late=when.date() > due,
            indicators=self.results(p, predikat),
            behaviours=[{"value": v, "rating": perilaku} for v in BerAkhlakValue],
        )

    def appraisal(self, p: Person, period: str) -> None:
        rng = self.rng
        predikat = rng.choices(list(PREDIKAT_MIX), weights=list(PREDIKAT_MIX.values()))[0]
        due = self.dues[period]
        offset = rng.randint(1, 10) if rng.random() < 0.08 else -rng.randint(1, 20)
        day = min(due + dt.timedelta(days=offset), dt.date(YEAR, 12, 28))
        when = dt.datetime(day.year, day.month, day.day, rng.randint(8, 16), rng.randint(0, 59), tzinfo=dt.UTC)
        self.add(when, self.completed(p, period, predikat, when))
        self.notify(p, when, "appraisal.completed")
        if predikat not in LOW:
            return
        appraisal_id = f"apr-{p.nip}-{period}"
        weak = [r["indicator_text"] for r in self.results(p, predikat)[: rng.randint(1, 2)]]
        flag = ev.flagged(
            appraisal_id,
            p.nip,
            period,
            predikat,
            opd_code=p.opd,
            weak=tuple(weak),
            at=when,
            unit_code=p.unit,
            pejabat_penilai_nip=p.appraiser,
            escalated_to_bkpsdm=rng.random() < 0.05,
        )
        self.add(when, flag)
        self.add(when, ev.plan(appraisal_id, p.nip, period, "awaiting_input", opd_code=p.opd, at=when))
        planned = when + dt.timedelta(days=rng.randint(3, 10))
        self.add(
            planned,
            ev.plan(
                appraisal_id,
                p.nip,
                period,
                "active",
                opd_code=p.opd,
                at=planned,
                cause=rng.choice(["kompetensi", "motivasi", "beban kerja", "sarana"]),
                actions=["coaching", "pelatihan"],
                pejabat_penilai_nip=p.appraiser,
            ),
        )
        self.notify(p, planned, "appraisal.development_plan_changed")
        rec_id = f"rec-{p.nip}-{period}"
        self.add(
            when + dt.timedelta(days=1),
            ev.recommended(
                rec_id,
                p.nip,
                programs=(rng.choice(PROGRAMMES)[0],),
                source_appraisal_id=appraisal_id,
                at=when + dt.timedelta(days=1),
            ),
        )
        if rng.random() < 0.15:
            filed = when + dt.timedelta(days=3)
            self.add(filed, ev.objection("filed", appraisal_id, p.nip, period, opd_code=p.opd, at=filed))
            decided = filed + dt.timedelta(days=10)
            upheld = rng.random() < 0.4
            step = "upheld" if upheld else "rejected"
            self.add(decided, ev.objection(step, appraisal_id, p.nip, period, opd_code=p.opd, at=decided))
            if upheld:  # the appraisal is revised, the flag and the plan withdrawn, the recommendation too
                self.add(decided, self.completed(p, period, Predikat.BAIK, decided, revision=2))
                self.add(decided, ev.withdrawn(appraisal_id, p.nip, period, opd_code=p.opd, at=decided))
                self.add(decided, ev.plan(appraisal_id, p.nip, period, "withdrawn", opd_code=p.opd, at=decided))
                self.add(decided, ev.recommendation_withdrawn(rec_id, p.nip, at=decided))
                return
        if rng.random() < 0.6:
            self.training(p, rec_id, after=when.date())

    def training(self, p: Person, recommendation_id: str | None, after: dt.date | None = None) -> None:
        rng = self.rng
        code, jp = rng.choice(PROGRAMMES)
        start = (after or dt.date(YEAR, 1, 15)) + dt.timedelta(days=rng.randint(7, 200))
        start = min(start, dt.date(YEAR, 12, 1))
        end = start + dt.timedelta(days=max(1, jp // 8))
        enrolment_id = f"enr-{uuid.uuid4().hex[:12]}"
        enrolled_at = dt.datetime(start.year, start.month, start.day, 7, tzinfo=dt.UTC) - dt.timedelta(days=7)
        self.add(
            enrolled_at,
            ev.enrolled(
                enrolment_id,
                p.nip,
                program_code=code,
                starts_on=start,
                ends_on=end,
                jp_planned=jp,
                recommendation_id=recommendation_id,
            ),
        )
        if rng.random() < 0.85:
            done = dt.datetime(end.year, end.month, end.day, 15, tzinfo=dt.UTC)
            self.add(
                done,
                ev.training_completed(
                    enrolment_id,
                    p.nip,
                    jp,
                    program_code=code,
                    completed_on=end,
                    at=done,
                    recommendation_id=recommendation_id,
                ),
            )


def burst_events(city: City, rng: random.Random) -> list[Event]:
    """The annual period's finalisation for everyone, happening now."""
    year = Year(city, rng)
    now = dt.datetime.now(dt.UTC)
    mix, weights = list(PREDIKAT_MIX), list(PREDIKAT_MIX.values())
    return [year.completed(p, str(YEAR), rng.choices(mix, weights)[0], now) for p in city.people]


# ---------------------------------------------------------------------------------------- Kafka


Record = tuple[str, bytes, bytes | None]


def records(events: list[Event]) -> list[Record]:
    return [(str(e.topic), e.model_dump_json().encode(), e.key()) for e in events]


class Kafka:
    """One producer for every publish, and an admin client for the consumer groups' offsets."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.producer = AIOKafkaProducer(
            **options, enable_idempotence=True, linger_ms=20, max_batch_size=512 * 1024, acks="all"
        )
        self.admin = AIOKafkaAdminClient(**options)
        self.consumer = AIOKafkaConsumer(**options, enable_auto_commit=False, group_id=None)
        self.partitions: dict[str, list[TopicPartition]] = {}

    async def start(self) -> None:
        await self.producer.start()
        await self.admin.start()
        await self.consumer.start()

    async def stop(self) -> None:
        await self.producer.stop()
        await self.consumer.stop()
        await self.admin.close()

    async def publish(self, batch: list[Record]) -> float:
        """Send every record (batched by the producer); returns when the last one was acknowledged."""
        headers = [("content-type", b"application/json")]
        futures = []
        for i, (topic, value, key) in enumerate(batch):
            futures.append(await self.producer.send(topic, value, key=key, headers=headers))
            if i % 1000 == 999:
                await asyncio.sleep(0)  # the app's consumers share this event loop
        await asyncio.gather(*futures)
        return time.perf_counter()

    async def topic_partitions(self, topic: str) -> list[TopicPartition]:
        if topic not in self.partitions:
            [description] = await self.admin.describe_topics([topic])
            self.partitions[topic] = [TopicPartition(topic, int(p["partition"])) for p in description["partitions"]]
        return self.partitions[topic]

    async def ends(self, topics: list[str]) -> dict[TopicPartition, int]:
        ends: dict[TopicPartition, int] = {}
        for topic in topics:
            ends |= await self.consumer.end_offsets(await self.topic_partitions(topic))
        return ends

    async def bare_read(
        self, starts: dict[TopicPartition, int], ends: dict[TopicPartition, int]
    ) -> tuple[list[Record], float]:
        """Every record between ``starts`` and ``ends`` read with a bare aiokafka consumer (the ceiling a
        consumer of these records can reach on this broker); returns them and the seconds it took."""
        records, seconds = await bare_read(self.options, starts, ends)
        return [(r.topic, r.value or b"", r.key) for r in records], seconds

    async def lag(self, group_prefix: str, ends: dict[TopicPartition, int]) -> int:
        """Records of ``ends`` the service's consumer groups have not committed yet."""
        lag = 0
        for topic in sorted({tp.topic for tp in ends}):
            partitions = [tp for tp in ends if tp.topic == topic]
            committed = await self.admin.list_consumer_group_offsets(
                group_id_for(group_prefix, topic), partitions=partitions
            )
            for tp in partitions:
                meta = committed.get(tp)
                lag += ends[tp] - (meta.offset if meta is not None and meta.offset >= 0 else 0)
        return lag


# ---------------------------------------------------------------------------------------- where time goes


class Timings:
    """Calls and seconds awaited per operation of the service (the consumers' writes, the summariser's
    recomputations, the store's queries), wrapped in place; measuring only, the behaviour is the same.
    Concurrent awaits overlap, so the seconds of a phase can add up to more than its wall time."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.seconds: dict[str, float] = {}

    def wrap(self, owner: Any, name: str, label: Callable[..., str]) -> None:
        original = getattr(owner, name)

        async def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                key = label(*args, **kwargs)
                self.calls[key] += 1
                self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - began

        setattr(owner, name, timed)

    def install(self) -> None:
        self.wrap(apply_module, "write", lambda *a, **k: "consumer: one batch written (all of it)")
        self.wrap(summaries_module, "recompute", lambda store, key, today: f"summariser: recompute {key.split(':')[0]}")
        for method in ("store", "mark", "touch", "by_ids", "find", "of_people", "count"):
            self.wrap(Store, method, lambda *a, _m=method, **k: f"store.{_m}")

    def take(self) -> list[dict[str, Any]]:
        """The figures since the last call, largest first; starts counting afresh."""
        rows = [
            {"operation": key, "calls": self.calls[key], "seconds": round(self.seconds[key], 1)}
            for key in sorted(self.seconds, key=lambda k: -self.seconds[k])
        ]
        self.calls.clear()
        self.seconds.clear()
        return rows


# ---------------------------------------------------------------------------------------- ceilings


async def bare_write(db: Any, records: list[Record], batch: int) -> tuple[int, float]:
    """The read models' documents of ``records`` (the newest of each thing per batch, as the service
    builds them) written with plain unordered ``insert_many`` batches into fresh collections that have
    the service's indexes: the ceiling a consumer of these records can reach on this database. Building
    the documents is not timed; the collections are dropped after. Returns (documents, seconds)."""
    scratch = Store(db, 999)  # a generation number no replay reaches in a bench run
    await scratch.ensure_indexes()
    written, seconds = 0, 0.0
    try:
        for start in range(0, len(records), batch):
            chunk = records[start : start + batch]
            events = [EVENT_OF[topic].model_validate_json(value) for topic, value, _ in chunk]
            by_model: dict[str, list[MongoDocument]] = {}
            for fact in newest(f for e in events for f in facts_of(e)):
                by_model.setdefault(fact.model, []).append(fact.document)
            began = time.perf_counter()
            for model, documents in by_model.items():
                await write_skipping_duplicates(scratch[model], [InsertOne(d) for d in documents])
                written += len(documents)
            seconds += time.perf_counter() - began
    finally:
        await scratch.drop()
    return written, seconds


# ---------------------------------------------------------------------------------------- the run


def cuts(timings: list[float]) -> dict[str, float]:
    q = statistics.quantiles(timings, n=100)
    return {
        "requests": len(timings),
        "p50_ms": round(q[49], 1),
        "p95_ms": round(q[94], 1),
        "p99_ms": round(q[98], 1),
        "max_ms": round(max(timings), 1),
    }


class Bench:
    def __init__(self, kafka: str, mongo_url: str, run_id: str) -> None:
        self.kafka_auth = KafkaAuth.from_env()
        self.kafka = Kafka({"bootstrap_servers": kafka, **self.kafka_auth.client_options()})
        self.bootstrap = kafka
        self.mongo_url = mongodb_url_with(mongo_url, MongoAuth.from_env())
        self.mongo: AsyncMongoClient[MongoDocument] = AsyncMongoClient(
            self.mongo_url, tz_aware=True, maxIdleTimeMS=MAX_IDLE_MS
        )
        self.private, self.public = ensure_local_keypair(ROOT / ".run" / "keys")
        self.settings = Settings.model_validate(
            {
                "mongodb_url": self.mongo_url,
                "kafka_bootstrap_servers": kafka,
                "mongodb_database": f"bench_{run_id}_reporting",
                "consumer_group": f"bench-{run_id}-reporting",
                "auth_public_key_file": self.public,
                "log_level": "WARNING",
            }
        )
        self.rng = random.Random(12)
        self.city = build_city(self.rng)
        self.tokens: dict[tuple[str, str, str | None], dict[str, str]] = {}
        self.by_topic: Counter[str] = Counter()
        self.year_records: list[Record] = []
        self.burst_records: list[Record] = []
        self.generated = 0.0

    def auth(self, nip: str, role: str, opd: str | None = None) -> dict[str, str]:
        key = (nip, role, opd)
        if key not in self.tokens:
            self.tokens[key] = {"Authorization": f"Bearer {mint_token(self.private, nip, [role], opd_code=opd)}"}
        return self.tokens[key]

    @property
    def bkpsdm(self) -> dict[str, str]:
        return self.auth(BKPSDM, "admin_bkpsdm")

    async def get(self, client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> Any:
        response = await client.get(f"/api/v1/reports{path}", headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    async def settled(self, client: httpx.AsyncClient, ends: dict[TopicPartition, int]) -> tuple[int, int]:
        lag = await self.kafka.lag(self.settings.consumer_group, ends)
        stale = (await self.get(client, "/freshness", self.bkpsdm))["stale_summaries"]
        return lag, int(stale)

    # ------------------------------------------------------------------ 1. load

    def prepare(self) -> None:
        """Every event of the run, built and serialised before the app starts (building them takes
        the CPU for a while; the app's consumers would miss their heartbeats meanwhile)."""
        began = time.perf_counter()
        events = Year(self.city, self.rng).build()
        self.by_topic = Counter(str(e.topic) for e in events)
        self.year_records = records(events)
        self.burst_records = records(burst_events(self.city, self.rng))
        self.generated = time.perf_counter() - began
        log(f"  {len(self.year_records):,} events of the year built in {self.generated:.1f}s")

    async def load(self, client: httpx.AsyncClient) -> dict[str, Any]:
        batch, by_topic, generated = self.year_records, self.by_topic, self.generated
        log(f"  publishing {len(batch):,} events")
        began = time.perf_counter()
        acked = await self.kafka.publish(batch)
        published = acked - began
        log(f"  published in {published:.1f}s ({len(batch) / published:,.0f}/s); waiting for the consumers")
        ends = await self.kafka.ends(sorted(by_topic))
        applied_at = None
        while True:
            lag, stale = await self.settled(client, ends)
            now = time.perf_counter()
            if lag == 0 and applied_at is None:
                applied_at = now
                log(f"  every record consumed after {now - began:.1f}s; {stale} summaries stale")
            if lag == 0 and stale == 0:
                break
            if now - began > 1_500:
                raise TimeoutError(f"lag {lag}, {stale} summaries stale after {now - began:.0f}s")
            await asyncio.sleep(0.5)
        settled = time.perf_counter() - began
        assert applied_at is not None
        return {
            "employees": len(self.city.people),
            "opds": len(self.city.size),
            "opd_sizes": dict(sorted(self.city.size.items(), key=lambda kv: -kv[1])),
            "pppk": sum(1 for p in self.city.people if p.kind == "PPPK"),
            "appraisers": len(self.city.appraisers),
            "events": len(batch),
            "events_by_topic": dict(sorted(by_topic.items())),
            "generate_s": round(generated, 1),
            "publish_s": round(published, 1),
            "consumed_s": round(applied_at - began, 1),
            "settled_s": round(settled, 1),
            "events_per_s": round(len(batch) / (applied_at - began)),
        }

    # ------------------------------------------------------------------ 2. views

    def view_requests(self) -> dict[str, Callable[[], tuple[str, dict[str, str]]]]:
        rng, city = self.rng, self.city
        appraisers = city.appraisers
        periods = [f"{YEAR}-Q{q}" for q in range(1, 5)] + [str(YEAR)]

        def employee() -> tuple[str, dict[str, str]]:
            p = rng.choice(city.people)
            return f"/employees/{p.nip}?year={YEAR}", self.auth(p.nip, "pegawai")

        def team() -> tuple[str, dict[str, str]]:
            nip = rng.choice(appraisers)
            return f"/teams/{nip}?year={YEAR}", self.auth(nip, "pejabat_penilai")

        def opd() -> tuple[str, dict[str, str]]:
            code = rng.choice(city.opds)
            return f"/opd/{code}?year={YEAR}", self.auth(ADMIN_OPD, "admin_opd", code)

        def city_view() -> tuple[str, dict[str, str]]:
            return f"/city?year={YEAR}", self.bkpsdm

        def summary() -> tuple[str, dict[str, str]]:
            query = []
            if rng.random() < 0.7:
                query.append(f"period={rng.choice(periods)}")
            if rng.random() < 0.5:
                query.append(f"opd_code={rng.choice(city.opds)}")
            return "/appraisals/summary" + ("?" + "&".join(query) if query else ""), self.bkpsdm

        return {"employee": employee, "team": team, "opd": opd, "city": city_view, "appraisals/summary": summary}

    async def views(self, client: httpx.AsyncClient) -> dict[str, Any]:
        results: dict[str, Any] = {}
        for name, request in self.view_requests().items():
            timings: list[float] = []
            sizes: list[int] = []
            for i in range(WARM_UP + SAMPLES):
                path, headers = request()
                began = time.perf_counter()
                response = await client.get(f"/api/v1/reports{path}", headers=headers)
                elapsed = (time.perf_counter() - began) * 1000
                if response.status_code != 200:
                    raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
                if i >= WARM_UP:
                    timings.append(elapsed)
                    sizes.append(len(response.content))
            results[name] = cuts(timings) | {"mean_body_kb": round(statistics.mean(sizes) / 1024, 1)}
            log(f"  {name}: {results[name]}")
        return results

    # ------------------------------------------------------------------ 3. burst

    async def consistent(self, client: httpx.AsyncClient, total: int) -> bool:
        """Every OPD view holds its headcount for the annual period and nothing is stale."""
        for code, size in self.city.size.items():
            view = await self.get(client, f"/opd/{code}?year={YEAR}", self.bkpsdm)
            annual = next((p for p in view["periods"] if p["period"] == str(YEAR)), None)
            if annual is None or annual["total"] != size or view["freshness"]["stale_summaries"]:
                return False
        return sum(self.city.size.values()) == total

    async def burst(self, client: httpx.AsyncClient) -> dict[str, Any]:
        batch = self.burst_records
        topic = str(Topic.APPRAISAL_COMPLETED)
        wall_before = dt.datetime.now(dt.UTC)
        starts = await self.kafka.ends([topic])
        began = time.perf_counter()
        acked = await self.kafka.publish(batch)
        ends = await self.kafka.ends([topic])
        log(f"  {len(batch):,} published and acknowledged in {acked - began:.2f}s; polling every {POLL_S}s")
        city_at = lag_at = None
        polls = 0
        while True:
            polls += 1
            city = await self.get(client, f"/city?year={YEAR}", self.bkpsdm)
            trend = next((t for t in city["trend"] if t["period"] == str(YEAR)), None)
            now = time.perf_counter()
            if city_at is None and trend is not None and trend["total"] == len(batch):
                city_at = now
            if lag_at is None and await self.kafka.lag(self.settings.consumer_group, ends) == 0:
                lag_at = time.perf_counter()
            fresh = city["freshness"]["stale_summaries"] == 0
            if city_at and lag_at and fresh and await self.consistent(client, len(batch)):
                done = time.perf_counter()
                break
            if now - acked > 300:
                raise TimeoutError(f"not consistent {now - acked:.0f}s after the burst: {trend}")
            await asyncio.sleep(POLL_S)
        # The views' own lag figure comes from a probe every 5 s (shared.lag.LagProbe.interval_s).
        while True:
            fresh_view = await self.get(client, "/freshness", self.bkpsdm)
            checked = fresh_view.get("lag_checked_at")
            if checked and dt.datetime.fromisoformat(checked) > wall_before and fresh_view["lag_records"] == 0:
                break
            await asyncio.sleep(POLL_S)
        view_lag = time.perf_counter() - acked
        log(
            f"  consistent after {done - acked:.2f}s; ceilings: a bare read of the burst, a bare write of its documents"
        )
        read, read_s = await self.kafka.bare_read(starts, ends)
        written, write_s = await bare_write(self.mongo[self.settings.mongodb_database], read, 500)
        return {
            "ceiling_bare_read_s": round(read_s, 2),
            "ceiling_bare_write_s": round(write_s, 2),
            "ceiling_documents": written,
            "events": len(batch),
            "publish_s": round(acked - began, 2),
            "city_trend_total_after_s": round((city_at or acked) - acked, 2),
            "consumer_lag_zero_after_s": round((lag_at or acked) - acked, 2),
            "consistent_after_s": round(done - acked, 2),
            "views_lag_figure_zero_after_s": round(view_lag, 2),
            "polls": polls,
        }

    # ------------------------------------------------------------------ 4. replay

    async def replay(self, client: httpx.AsyncClient, ctx: Reporting) -> dict[str, Any]:
        """``reporting.services.replay`` (what ``python -m reporting.replay`` runs) into the running
        app's context: every topic from its start into a fresh generation, summaries settled, swapped in."""
        before = await self.get(client, f"/city?year={YEAR}", self.bkpsdm)
        began = time.perf_counter()
        result = await replay(ctx, self.bootstrap, self.kafka_auth)
        elapsed = time.perf_counter() - began
        after = await self.get(client, f"/city?year={YEAR}", self.bkpsdm)
        log("  ceilings: a bare read of every topic, a bare write of the documents")
        topics = sorted({str(e.topic) for e in FACTS})
        ends = await self.kafka.ends(topics)
        read, read_s = await self.kafka.bare_read({}, ends)
        written, write_s = await bare_write(self.mongo[self.settings.mongodb_database], read, REPLAY_BATCH)
        return {
            "ceiling_bare_read_s": round(read_s, 1),
            "ceiling_bare_write_s": round(write_s, 1),
            "ceiling_documents": written,
            "replay_s": round(elapsed, 1),
            "records_applied": result.applied,
            "records_skipped": result.skipped,
            "records_per_s": round(result.applied / elapsed),
            "generation": f"{result.previous} -> {result.generation}",
            "views_generation_after": after["freshness"]["generation"],
            "city_view_equal": _without_freshness(before) == _without_freshness(after),
        }


def _without_freshness(view: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in view.items() if k != "freshness"}


def environment(info: MongoDocument) -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), platform.processor())
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    git = ["git", "rev-parse", "--short", "HEAD"]
    commit = subprocess.run(git, capture_output=True, text=True, cwd=ROOT, check=False)
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "make bench-reporting",
        "commit": commit.stdout.strip(),
        "machine": f"{os.cpu_count()} cores ({cpu}), {memory_kb // 1024 // 1024} GiB",
        "python": platform.python_version(),
        "mongo_wire_server": os.environ.get("KINERJA_MONGO_SERVER") or "secantusdb (default)",
        "mongo_reports_version": info.get("version"),
        "kafka": "3.9.2 (local stack, single node)",
        "packages": {name: metadata.version(name) for name in ("pymongo", "aiokafka", "faststream", "fastapi")},
    }


GOALS = {"view_p95_ms": 50, "consistent_s": 5, "replay_s": 60}


def awaited(phase: str, part: dict[str, Any]) -> list[str]:
    rows = part.get("time_awaited", [])
    lines = ["", f"Time awaited in the service during {phase} (overlapping: concurrent awaits add up):", ""]
    lines += ["| operation | calls | seconds |", "|---|---:|---:|"]
    return lines + [f"| {r['operation']} | {r['calls']:,} | {r['seconds']} |" for r in rows]


def markdown(report: dict[str, Any]) -> str:
    env, load, burst, rebuilt = report["environment"], report["load"], report["burst"], report["replay"]
    lines = [
        "# Reporting benchmark",
        "",
        f"`{env['command']}` at commit `{env['commit']}`, {env['date']}. Machine: {env['machine']}; "
        f"Python {env['python']}; Mongo-wire server {env['mongo_wire_server']} "
        f"(reports {env['mongo_reports_version']}); Kafka {env['kafka']}; "
        + ", ".join(f"{k} {v}" for k, v in env["packages"].items())
        + ".",
        "",
        "## Load: a year of a city",
        "",
        f"{load['employees']:,} employees in {load['opds']} OPD ({load['pppk']:,} PPPK, "
        f"{load['appraisers']:,} pejabat penilai), {load['events']:,} events; generated in "
        f"{load['generate_s']} s, published in {load['publish_s']} s, every record consumed after "
        f"{load['consumed_s']} s ({load['events_per_s']:,} events/s), every summary current after "
        f"{load['settled_s']} s.",
        "",
        "| topic | events |",
        "|---|---:|",
    ]
    lines += [f"| {topic} | {n:,} |" for topic, n in load["events_by_topic"].items()]
    lines += awaited("the load", load)
    lines += [
        "",
        f"## Views ({SAMPLES} requests each, random subjects; goal p95 <= {GOALS['view_p95_ms']} ms)",
        "",
        "| view | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | mean body (KiB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {v['p50_ms']} | {v['p95_ms']} | {v['p99_ms']} | {v['max_ms']} | {v['mean_body_kb']} |"
        for name, v in report["views"].items()
    ]
    lines += [
        "",
        f"## Burst: {burst['events']:,} annual appraisals (goal consistent <= {GOALS['consistent_s']} s)",
        "",
        f"- published and acknowledged in {burst['publish_s']} s;",
        f"- after the last acknowledgement: city trend total after {burst['city_trend_total_after_s']} s, "
        f"consumer lag 0 after {burst['consumer_lag_zero_after_s']} s, **every view consistent after "
        f"{burst['consistent_after_s']} s**; the views' own lag figure (probed every 5 s) read 0 after "
        f"{burst['views_lag_figure_zero_after_s']} s.",
        f"- the ceilings on this machine, measured after it: a bare aiokafka read of the burst's "
        f"{burst['events']:,} records takes {burst['ceiling_bare_read_s']} s; a bare write of its "
        f"{burst['ceiling_documents']:,} documents (plain `insert_many` batches of 500 into empty collections "
        f"with the same indexes) takes **{burst['ceiling_bare_write_s']} s**.",
        "",
        *awaited("the burst", burst),
        "",
        f"## Replay (goal <= {GOALS['replay_s']} s)",
        "",
    ]
    lines.append(
        f"{rebuilt['records_applied']:,} records rebuilt and swapped in after **{rebuilt['replay_s']} s** "
        f"({rebuilt['records_per_s']:,} records/s; generation {rebuilt['generation']}); the city view after "
        f"it equals the one before: {rebuilt['city_view_equal']}. The ceilings on this machine: a bare "
        f"aiokafka read of every topic takes {rebuilt['ceiling_bare_read_s']} s; a bare write of the "
        f"{rebuilt['ceiling_documents']:,} documents it holds (plain `insert_many` batches of "
        f"{REPLAY_BATCH:,} into empty collections with the same indexes) takes "
        f"**{rebuilt['ceiling_bare_write_s']} s**."
    )
    lines += awaited("the replay", rebuilt)
    return "\n".join(lines) + "\n"


async def run(parts: set[str]) -> dict[str, Any]:
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:29092")
    mongo_url = os.environ.get("MONGODB_URL", "mongodb://127.0.0.1:27019/")
    bench = Bench(kafka, mongo_url, uuid.uuid4().hex[:6])
    info = await bench.mongo.admin.command("buildInfo")
    report: dict[str, Any] = {"environment": environment(info)}
    timings = Timings()
    timings.install()
    log(f"building a year of {len(bench.city.people):,} employees")
    bench.prepare()
    await bench.kafka.start()
    try:
        app = create_app(bench.settings)
        async with serve(app) as client:
            log(f"load: the reporting app consumes {len(DEFINITION.consumes)} topics")
            report["load"] = await bench.load(client) | {"time_awaited": timings.take()}
            log(str({k: v for k, v in report["load"].items() if k not in ("opd_sizes", "events_by_topic")}))
            if "views" in parts:
                log("views")
                report["views"] = await bench.views(client)
                timings.take()
            if "burst" in parts:
                log("burst")
                report["burst"] = await bench.burst(client) | {"time_awaited": timings.take()}
                log(str(report["burst"]))
            if "replay" in parts:
                log("replay")
                ctx: Reporting = app.state.deps.reporting
                report["replay"] = await bench.replay(client, ctx) | {"time_awaited": timings.take()}
                log(str(report["replay"]))
    finally:
        await bench.kafka.stop()
        await bench.mongo.close()
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    choices = ["views", "burst", "replay"]
    parser.add_argument("--only", nargs="*", choices=choices, default=choices, help="after the load, only these")
    arguments = parser.parse_args()
    result = asyncio.run(run(set(arguments.only)))
    arguments.out.mkdir(parents=True, exist_ok=True)
    (arguments.out / "reporting.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    if set(arguments.only) == set(choices):
        (arguments.out / "reporting.md").write_text(markdown(result))
    log(f"written to {arguments.out}")
