"""Benchmark: the whole system under the end-of-year burst (issue 15, item 3).

    make bench-system BENCH_ARGS="--size small"
    # = python3 deploy/local/stack.py --instance bench run -- .venv/bin/python bench/system.py --size small

Runs on the bench stack instance (its own Kafka and Mongo-wire server, wiped at the start, stopped at the
end). The four services run as their own processes (``python -m <service>``, as in production), each with
its own Kafka and MongoDB principal (``stack.py --instance bench env --as <service>``), on free ports, with
a fresh local keypair for the tokens; their logs go to ``.run/bench/logs/system/``. Writes
``bench/results/system.json`` and ``bench/results/system.md`` (machine, versions, command, commit, size,
each figure beside its goal).

Phases, in the order they run (each with a progress bar on stderr):

1. **prepare** (untimed, its duration reported): a seeded city (``kinerja_demo``) for the PREVIOUS year, so
   every quarter has ended, loaded through the public APIs: the year, the registry, history, the SKPs; Q1-Q3
   recorded as finalised elsewhere (``POST /appraisals``, the fast way: they count as final for the annual
   roll-up); Q4 opened, realised and rated, not finalised.
2. **api**: p50/p95/p99 of representative reads and writes with ``--clients`` (50) concurrent clients for
   ``--api-seconds`` (60); it runs here because its writes need open evaluations (Q4's). The writes set the
   values already stored, so the outcome of the later phases is unchanged.
3. **e2e**: Q4 finalised at a steady ``--rate`` (50/s) for ``--e2e-seconds`` (120), at most half of Q4 when
   the consumers part runs (it needs the other half); for every 5th, the time from the finalise answer until
   the employee's reporting view shows the period's predikat and until their inbox holds its message
   (polled). Then, for all of them and without polling, where the time went, from the timestamps the system
   writes itself: the event's ``occurred_at``, its Kafka record's timestamp, the inbox message's
   ``created_at``.
4. **consumers**: training, notification and reporting stopped; the rest of Q4 finalised, its events waiting
   on the broker; then each service started alone, in the order the events flow, and its events/s from its
   first commit to lag 0 (committed offsets sampled from the broker), its CPU and database commands, next to
   a bare aiokafka read of the same records and a bare bulk write of as many documents (the events
   themselves) into a scratch database on the same server, as a ratio.
5. **burst**: the annual evaluations of everyone prepared (the OPDs' organisation predikat set, each opened,
   prefilled by the roll-up, rated; untimed), then all finalised with ``--concurrency`` (32) in flight, the
   consumers running: throughput, errors (first few listed), and the time from the last answer until every
   read model and inbox is consistent (every consumer group's lag 0 on the broker, the inbox holds one
   message per employee in the notification database, the reporting city view totals the annual period,
   each OPD view agrees, nothing stale); each consumer's peak lag meanwhile.
6. **replay**: ``python -m reporting.replay`` against the bench instance, with the reporting service's
   environment, while the service runs: its time, and the city view after it compared with the one before.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file runs as a script from bench/, which Python puts first on sys.path: a sibling module's name
# (reporting.py) would hide the service's ``reporting`` package. Drop that entry before any import.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import itertools
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import time
import traceback
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client.parser import text_string_to_metric_families
from pymongo import AsyncMongoClient, InsertOne

from kinerja_demo.city import SIZES, VALUES, City, Person, Unit, build_city
from kinerja_demo.load import OPTIONAL_PHASES, Loader, Urls, fetch_units, send
from kinerja_demo.progress import Progress
from kinerja_testing import bare_read, free_port
from notification.main import DEFINITION as NOTIFICATION
from reporting.main import DEFINITION as REPORTING
from shared.clock import LOCAL_TIME
from shared.consumer import group_id_for
from shared.credentials import KafkaAuth, MongoAuth, mongodb_url_with
from shared.events import Topic
from shared.mongo import MAX_IDLE_MS, MongoDocument, write_skipping_duplicates
from shared.token import ensure_local_keypair
from training.main import DEFINITION as TRAINING

ROOT = HERE.parent
RUN_DIR = ROOT / ".run" / "bench"
SERVICES = ("appraisal", "training", "notification", "reporting")
CONSUMERS = {"training": TRAINING, "notification": NOTIFICATION, "reporting": REPORTING}
"""The services that consume, with what (the appraisal service consumes nothing)."""
PARTS = ("api", "e2e", "burst", "consumers", "replay")
GOALS = {"e2e_p99_ms": 100.0, "consistent_s": 5.0, "consumer_ratio": 0.70, "replay_s": 60.0}
CPU_COLUMNS = ("appraisal", "training", "notification", "reporting", "kafka", "mongo", "harness")
SAMPLE_EVERY = 5
STAGES = ("written -> published", "answer -> published", "published -> in the inbox", "answer -> in the inbox")
"""The e2e stages timed from the system's own timestamps (``System.e2e_stages``)."""
POLL_S = 0.01
"""Between two polls of one e2e sample (each poll is a request of its own, ~5-10 ms)."""
CHECK_S = 0.1
MIN_TIMED_SHARE = 0.5
"""A consumer's drain is timed from its first commit; when that commit already held more than half of the
backlog (a small city: one batch), the rest is too little to time and no rate is given."""
MIN_TIMED_S = 1.0
"""...and when it lasted less than this (8 samples of the offsets, one every ``OFFSETS_S / 2``): a sample's
interval would be more than an eighth of the time measured, so no rate is given either."""
SEND_ATTEMPTS = 5
"""Tries of one of the benchmark's own reads (``System.get``) or finalisations (``System.finalise``) after a
transport error."""
KEEPALIVE_S = 2.0
"""How long the benchmark's client keeps an idle connection: below uvicorn's 5 s, so that it never sends a
request on a connection the server is closing (httpx's default is the same 5 s: a ReadError race, which
ended the first full city run in its e2e part)."""
"""Between two consistency checks after the burst."""
OFFSETS_S = 0.25
"""Between two samples of every consumer group's committed offsets."""
WAIT_LIMIT_S = 600.0
ORG_PREDIKAT = ("baik",) * 6 + ("istimewa", "butuh_perbaikan")
CREDENTIALS = ("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_", "MONGODB_USERNAME", "MONGODB_PASSWORD")


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def cuts(timings: Sequence[float]) -> dict[str, Any]:
    """p50/p95/p99/max in ms of timings given in seconds."""
    if not timings:
        return {"n": 0}
    ms = sorted(t * 1000 for t in timings)
    q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else [ms[0]] * 99
    return {
        "n": len(ms),
        "p50_ms": round(q[49], 1),
        "p95_ms": round(q[94], 1),
        "p99_ms": round(q[98], 1),
        "max_ms": round(ms[-1], 1),
    }


# ------------------------------------------------------------------------------------------- services


class Profiler:
    """``--profile SERVICE``: py-spy samples that service's process (100 Hz, without pausing it) during the
    api and burst parts; each part's raw stacks are kept beside the results, and the report lists where
    the samples fell: the functions on top of the stack (self) and the project's functions anywhere on
    it (inclusive), each as a share of the samples."""

    def __init__(self, service: Service | None, out: Path) -> None:
        self.service, self.out = service, out
        self.results: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def during(self, part: str) -> AsyncIterator[None]:
        if self.service is None or self.service.proc is None:
            yield
            return
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / f"profile-{self.service.name}-{part}.txt"
        spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
        argv = [spy, "record", "--pid", str(self.service.proc.pid), "--rate", "100", "--nonblocking"]
        argv += ["--format", "raw", "--output", str(path)]
        recorder = await asyncio.create_subprocess_exec(*argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            yield
        finally:
            recorder.send_signal(signal.SIGINT)
            try:
                _, err = await asyncio.wait_for(recorder.communicate(), timeout=60)
            except TimeoutError:
                recorder.kill()
                _, err = await recorder.communicate()
            if path.exists():
                self.results[part] = {"service": self.service.name, "file": path.name, **summarise_stacks(path)}
            else:
                self.results[part] = {"service": self.service.name, "error": err.decode(errors="replace")[-500:]}


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used (Linux ``/proc``), or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuAccount:
    """CPU seconds each process of the system used during a part: the four services, the broker and the
    Mongo-wire server (their pid files under the bench instance) and this harness, so a part's cost per
    request shows where the machine's cores went."""

    def __init__(self, services: dict[str, Service]) -> None:
        self.services = services

    def pids(self) -> dict[str, int]:
        found = {name: s.proc.pid for name, s in self.services.items() if s.proc is not None}
        for pid_file in sorted((RUN_DIR / "pids").glob("*.pid")):
            with contextlib.suppress(OSError, ValueError):
                found[pid_file.stem] = int(pid_file.read_text().strip())
        found["harness"] = os.getpid()
        return found

    def commands(self) -> dict[str, collections.Counter[str]]:
        """Each service's ``mongo_commands_total`` by ``command collection``, from its /metrics."""
        found: dict[str, collections.Counter[str]] = {}
        for name, service in self.services.items():
            counts: collections.Counter[str] = collections.Counter()
            with contextlib.suppress(httpx.HTTPError):
                text = httpx.get(f"{service.url}/metrics", timeout=10).text
                for family in text_string_to_metric_families(text):
                    for sample in family.samples:
                        if sample.name == "mongo_commands_total":
                            key = f"{sample.labels['command']} {sample.labels['collection'] or '-'}"
                            counts[key] += int(sample.value)
            found[name] = counts
        return found

    @contextlib.contextmanager
    def during(self, into: dict[str, Any]) -> Iterator[None]:
        pids = self.pids()
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        commands_before = self.commands()
        started = time.perf_counter()
        try:
            yield
        finally:
            wall = time.perf_counter() - started
            used = {
                name: round(after - start, 2)
                for name, pid in pids.items()
                if (start := before[name]) is not None and (after := cpu_seconds(pid)) is not None
            }
            into["cpu"] = {"wall_s": round(wall, 2), "cores": os.cpu_count(), "cpu_s": used}
            commands_after = self.commands()
            diffs = {
                name: commands_after[name] - commands_before.get(name, collections.Counter()) for name in commands_after
            }
            into["cpu"]["db_commands"] = {
                name: {"total": sum(diff.values()), "top": dict(diff.most_common(15))} for name, diff in diffs.items()
            }


def summarise_stacks(path: Path, top: int = 25) -> dict[str, Any]:
    """py-spy's raw (collapsed) stacks: ``frame;frame;... count`` per line, outermost first."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [f.strip() for f in stack.split(";") if f.strip()]
        if frames:
            own[frames[-1]] += n
        for frame in set(frames):
            if any(f"({package}/" in frame for package in (*SERVICES, "shared")):
                inclusive[frame] += n

    def shares(counter: collections.Counter[str]) -> list[dict[str, Any]]:
        return [{"frame": f, "share": round(c / total, 3)} for f, c in counter.most_common(top)] if total else []

    return {"samples": total, "self": shares(own), "inclusive": shares(inclusive)}


def service_env(name: str) -> dict[str, str]:
    """The bench instance's addresses and ``name``'s own credentials (``stack.py --instance bench env --as``).
    Asked without the addresses this process was given: with them, stack.py takes the servers for outside
    ones and adds no credentials."""
    own = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URL")}
    out = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "local" / "stack.py"), "--instance", "bench", "env", "--as", name],
        check=True,
        capture_output=True,
        text=True,
        env=own,
    ).stdout
    return dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines() if "=" in line)


@dataclass
class Service:
    name: str
    env: dict[str, str] = field(repr=False)
    log: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", self.name], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def configure_services(public_key: Path) -> dict[str, Service]:
    logs = RUN_DIR / "logs" / "system"
    logs.mkdir(parents=True, exist_ok=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith(CREDENTIALS)}
    services = {}
    for name in SERVICES:
        port = free_port()
        env = base | service_env(name) | {"AUTH_PUBLIC_KEY_FILE": str(public_key), f"{name.upper()}_PORT": str(port)}
        if name == "training":
            env["TRAINING_SEED_CATALOGUE"] = "true"
        services[name] = Service(name, env, logs / f"{name}.log", port)
    return services


async def wait_ready(services: dict[str, Service], within: float = 120.0) -> None:
    deadline = time.monotonic() + within
    pending = dict(services)
    async with httpx.AsyncClient(timeout=2) as client:
        while pending:
            for name, service in list(pending.items()):
                assert service.proc is not None
                if service.proc.poll() is not None:
                    raise RuntimeError(f"{name} exited; see {service.log}")
                try:
                    if (await client.get(f"{service.url}/readyz")).status_code == 200:
                        del pending[name]
                except httpx.HTTPError:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {within:.0f}s: {', '.join(pending)}")
            await asyncio.sleep(0.3)


# ------------------------------------------------------------------------------------------- the broker


class Broker:
    """The consumer groups' committed offsets and the topics' ends, read from the broker (as admin)."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.admin = AIOKafkaAdminClient(**options)
        self.consumer = AIOKafkaConsumer(**options, enable_auto_commit=False, group_id=None)
        self.partitions: dict[str, list[TopicPartition]] = {}
        self.groups: dict[str, dict[str, str]] = {
            service: {group_id_for(service, str(t)): str(t) for t in definition.consumes}
            for service, definition in CONSUMERS.items()
        }
        """Per consuming service: its consumer groups (one per topic, the service's default prefix) -> topic."""

    async def start(self) -> None:
        await self.admin.start()
        await self.consumer.start()
        topics = sorted({t for groups in self.groups.values() for t in groups.values()})
        for description in await self.admin.describe_topics(topics):
            name = description["topic"]
            self.partitions[name] = [TopicPartition(name, int(p["partition"])) for p in description["partitions"]]

    async def stop(self) -> None:
        await self.consumer.stop()
        await self.admin.close()

    def topics_of(self, service: str) -> list[str]:
        return sorted(set(self.groups[service].values()))

    async def ends(self, topics: Iterable[str]) -> dict[TopicPartition, int]:
        partitions = [tp for t in topics for tp in self.partitions.get(t, [])]
        return dict(await self.consumer.end_offsets(partitions)) if partitions else {}

    async def committed(self, group: str, topic: str) -> dict[TopicPartition, int]:
        found = await self.admin.list_consumer_group_offsets(group, partitions=self.partitions.get(topic, []))
        return {tp: (m.offset if m is not None and m.offset >= 0 else 0) for tp, m in found.items()}

    async def snapshot(self) -> dict[str, tuple[int, int]]:
        """Per consuming service: (records committed, records at the end) summed over its groups' partitions."""
        ends = await self.ends({t for groups in self.groups.values() for t in groups.values()})
        pairs = [(service, group, topic) for service, groups in self.groups.items() for group, topic in groups.items()]
        commits = await asyncio.gather(*(self.committed(group, topic) for _, group, topic in pairs))
        result = {service: (0, 0) for service in self.groups}
        for (service, _, topic), committed in zip(pairs, commits, strict=True):
            done, end = result[service]
            for tp in self.partitions.get(topic, []):
                done += committed.get(tp, 0)
                end += ends.get(tp, 0)
            result[service] = (done, end)
        return result

    async def bare_read(
        self, starts: dict[TopicPartition, int], ends: dict[TopicPartition, int]
    ) -> tuple[list[bytes], float]:
        """Every record's value between ``starts`` and ``ends`` with a bare aiokafka consumer; (values, seconds)."""
        records, seconds = await bare_read(self.options, starts, ends)
        return [r.value or b"" for r in records], seconds


async def bare_write(db: Any, name: str, values: list[bytes], batch: int = 500) -> float:
    """``values`` (event JSON) as documents, ``insert_many`` unordered in batches into a fresh scratch
    collection with one secondary index (the event's NIP), as a consumer writing them plainly would; the
    seconds awaited (parsing not counted). The collection is dropped after."""
    collection = db[name]
    await collection.drop()
    await collection.create_index("payload.nip", name="nip")
    seconds = 0.0
    try:
        for start in range(0, len(values), batch):
            documents = []
            for raw in values[start : start + batch]:
                document = json.loads(raw)
                document["_id"] = document.get("event_id") or uuid.uuid4().hex
                documents.append(document)
            began = time.perf_counter()
            await write_skipping_duplicates(collection, [InsertOne(d) for d in documents])
            seconds += time.perf_counter() - began
    finally:
        await collection.drop()
    return seconds


# ------------------------------------------------------------------------------------------- the run


@dataclass
class Call:
    """One timed request: seconds, status, and what went wrong."""

    seconds: float
    status: int
    error: str | None = None
    tries: int = 1


class System:
    def __init__(self, args: argparse.Namespace, services: dict[str, Service], private_key: Path) -> None:
        self.args = args
        self.services = services
        self.private_key = private_key
        self.year = dt.datetime.now(LOCAL_TIME).year - 1
        self.urls = Urls(*(services[name].url for name in SERVICES))
        self.rng = random.Random(args.seed)
        self.city: City | None = None
        self.loader: Loader | None = None
        limits = httpx.Limits(max_connections=256, max_keepalive_connections=256, keepalive_expiry=KEEPALIVE_S)
        self.client = httpx.AsyncClient(limits=limits, timeout=60)
        kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:29092")
        self.broker = Broker({"bootstrap_servers": kafka, **KafkaAuth.from_env().client_options()})
        mongo_url = mongodb_url_with(os.environ.get("MONGODB_URL", "mongodb://127.0.0.1:27019/"), MongoAuth.from_env())
        self.mongo: AsyncMongoClient[MongoDocument] = AsyncMongoClient(
            mongo_url, tz_aware=True, maxIdleTimeMS=MAX_IDLE_MS
        )
        self.samples: list[tuple[float, dict[str, tuple[int, int]]]] = []
        self.get_retries = 0
        """The benchmark's own reads sent again after a transport error (reported)."""
        self.finalise_retries = 0
        """Finalisations sent again after a transport error (reported)."""
        self.q4_left: list[Person] = []
        """Q4 evaluations the e2e part left open (or all, without it): the consumers part finalises them."""

    @property
    def people(self) -> tuple[Person, ...]:
        assert self.city is not None
        return self.city.people

    @property
    def headcount(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for person in self.people:
            counts[person.opd_code] = counts.get(person.opd_code, 0) + 1
        return counts

    @property
    def load(self) -> Loader:
        assert self.loader is not None
        return self.loader

    async def close(self) -> None:
        await self.client.aclose()
        await self.broker.stop()
        await self.mongo.close()

    async def timed(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        json_body: Any = None,
        *,
        attempts: int = 1,
        on_retry: Callable[[], None] = lambda: None,
    ) -> Call:
        """One request timed from the first try to the last answer, sent up to ``attempts`` times after a
        transport error; an error status is an answer (``Call.error``), never sent again."""
        began = time.perf_counter()
        tries = [1]

        def retried() -> None:
            tries[0] += 1
            on_retry()

        try:
            response = await send(
                self.client, method, url, headers, json=json_body, attempts=attempts, delay=0.05, on_retry=retried
            )
        except httpx.HTTPError as exc:
            return Call(time.perf_counter() - began, 0, f"{method} {url}: {exc!r}", tries[0])
        elapsed = time.perf_counter() - began
        if response.status_code >= 400:
            error = f"{method} {url}: {response.status_code} {response.text[:200]}"
            return Call(elapsed, response.status_code, error, tries[0])
        return Call(elapsed, response.status_code, None, tries[0])

    async def get(self, url: str, headers: dict[str, str]) -> httpx.Response:
        """One of the benchmark's own reads (polls, consistency checks), sent again on a transport error."""

        def retried() -> None:
            self.get_retries += 1

        return await send(self.client, "GET", url, headers, attempts=SEND_ATTEMPTS, delay=0.05, on_retry=retried)

    def appraisal(self, path: str) -> str:
        return f"{self.urls.appraisal}/api/v1{path}"

    def period(self, quarter: int | None = None) -> str:
        return f"{self.year}-Q{quarter}" if quarter else str(self.year)

    # ------------------------------------------------------------------ 1. prepare

    async def prepare(self) -> dict[str, Any]:
        began = time.perf_counter()
        units = [Unit.from_api(u) for u in await fetch_units(self.urls, self.private_key)]
        self.city = build_city(self.args.size, self.args.seed, units, self.year)
        log(f"prepare: the demo city, size {self.args.size}: {len(self.city.people):,} people for {self.year}")
        self.loader = Loader(
            self.city,
            self.urls,
            self.private_key,
            concurrency=self.args.load_concurrency,
            skip=self.args.skip_load,
            client=self.client,
            recorded=[self.period(q) for q in (1, 2, 3)],
            unfinalised=[self.period(4)],
        )
        summary = await self.loader.run()
        if summary.error_count:
            raise RuntimeError(f"the load had {summary.error_count} errors: {summary.errors[:5]}")
        await self.broker.start()
        await self.settle("the load")
        return {
            "year": self.year,
            "people": len(self.city.people),
            "units": len(self.city.units),
            "pppk": sum(p.employee_type == "PPPK" for p in self.city.people),
            "phases_s": {name: phase.seconds for name, phase in summary.phases.items()},
            "notes": summary.notes,
            "seconds": round(time.perf_counter() - began, 1),
        }

    async def settle(self, what: str) -> float:
        """Waits until every consumer group has committed every record; returns the seconds waited."""
        began = time.perf_counter()
        while True:
            snapshot = await self.broker.snapshot()
            lag = sum(end - done for done, end in snapshot.values())
            if lag == 0:
                return time.perf_counter() - began
            if time.perf_counter() - began > WAIT_LIMIT_S:
                raise TimeoutError(f"after {what}: lag {snapshot} after {WAIT_LIMIT_S:.0f}s")
            await asyncio.sleep(0.5)

    # ------------------------------------------------------------------ 2. API latency

    async def api_latency(self) -> dict[str, Any]:
        """``--clients`` clients, each sending one request after the other for ``--api-seconds``."""
        people = list(self.people)
        q4 = self.period(4)
        outcomes = {p.nip: next(o for o in p.outcomes if o.period == q4) for p in people}
        owner, boss = self.load.owner, self.load.appraiser
        reporting, notification = self.urls.reporting, self.urls.notification

        def skp(p: Person) -> tuple[str, str, dict[str, str], Any]:
            return "GET", self.appraisal(f"/skp?nip={p.nip}&year={self.year}"), owner(p), None

        def evaluation(p: Person) -> tuple[str, str, dict[str, str], Any]:
            return "GET", self.appraisal(f"/evaluations/{p.nip}-{q4}"), owner(p), None

        def employee_view(p: Person) -> tuple[str, str, dict[str, str], Any]:
            return "GET", f"{reporting}/api/v1/reports/employees/{p.nip}?year={self.year}", owner(p), None

        def inbox(p: Person) -> tuple[str, str, dict[str, str], Any]:
            return "GET", f"{notification}/api/v1/inbox?limit=20", owner(p), None

        def realisation(p: Person) -> tuple[str, str, dict[str, str], Any]:
            indicator, value = self.rng.choice(outcomes[p.nip].realisations)
            body = {"realisation": value, "evidence_links": [f"https://drive.palembang.go.id/kinerja/{p.nip}"]}
            path = self.appraisal(f"/evaluations/{p.nip}-{q4}/realisations/{indicator}")
            return "PUT", path, owner(p), body

        def ratings(p: Person) -> tuple[str, str, dict[str, str], Any]:
            perilaku = outcomes[p.nip].perilaku_kerja
            body = {"behaviour_ratings": [{"value": v, "rating": perilaku} for v in VALUES], "perilaku_kerja": perilaku}
            return "PATCH", self.appraisal(f"/evaluations/{p.nip}-{q4}/ratings"), boss(p.pejabat_penilai_nip), body

        kinds: dict[str, Callable[[Person], tuple[str, str, dict[str, str], Any]]] = {
            "read: GET /skp?nip=": skp,
            "read: GET /evaluations/{id}": evaluation,
            "read: reporting employee view": employee_view,
            "read: notification inbox": inbox,
            "write: PUT .../realisations/{indicator}": realisation,
            "write: PATCH .../ratings": ratings,
        }
        names = list(kinds)
        timings: dict[str, list[float]] = {name: [] for name in names}
        statuses: dict[str, dict[int, int]] = {name: {} for name in names}
        errors: list[str] = []
        seconds = float(self.args.api_seconds)
        progress = Progress("api", int(seconds))
        began = time.perf_counter()
        stop_at = began + seconds

        async def client(n: int) -> None:
            rng = random.Random(f"{self.args.seed}/{n}")
            while time.perf_counter() < stop_at:
                name = rng.choice(names)
                method, url, headers, body = kinds[name](rng.choice(people))
                call = await self.timed(method, url, headers, body)
                statuses[name][call.status] = statuses[name].get(call.status, 0) + 1
                if call.error is None:
                    timings[name].append(call.seconds)
                elif len(errors) < 10:
                    errors.append(call.error)

        async def ticker() -> None:
            while time.perf_counter() < stop_at:
                await asyncio.sleep(1)
                progress.advance()

        await asyncio.gather(ticker(), *(client(n) for n in range(self.args.clients)))
        progress.close()
        elapsed = time.perf_counter() - began
        total = sum(sum(s.values()) for s in statuses.values())
        return {
            "clients": self.args.clients,
            "seconds": round(elapsed, 1),
            "requests": total,
            "requests_per_s": round(total / elapsed, 1),
            "by_kind": {name: cuts(timings[name]) | {"statuses": statuses[name]} for name in names},
            "errors_first": errors,
        }

    # ------------------------------------------------------------------ 3. end-to-end latency

    async def seen_in_view(self, person: Person, period: str) -> bool:
        url = f"{self.urls.reporting}/api/v1/reports/employees/{person.nip}?year={self.year}"
        response = await self.get(url, self.load.owner(person))
        if response.status_code != 200:
            return False
        return any(row.get("period") == period and row.get("predikat") for row in response.json()["history"])

    async def seen_in_inbox(self, person: Person, period: str) -> bool:
        response = await self.get(f"{self.urls.notification}/api/v1/inbox?limit=10", self.load.owner(person))
        if response.status_code != 200:
            return False
        ref = f"{person.nip}-{period}"
        return any(i["kind"] == "appraisal.final" and i["ref"] == ref for i in response.json()["items"])

    async def poll(self, check: Callable[[], Awaitable[bool]], since: float, limit: float = 30.0) -> tuple[float, int]:
        """Seconds from ``since`` until ``check`` answered True (at that poll's answer), and the polls it took;
        (-1, polls) past ``limit``."""
        polls = 0
        while True:
            polls += 1
            if await check():
                return time.perf_counter() - since, polls
            if time.perf_counter() - since > limit:
                return -1.0, polls
            await asyncio.sleep(POLL_S)

    async def finalise(self, person: Person, period: str, *, final_ok: bool = False) -> Call:
        """``POST …/finalise``, sent again after a transport error (a server at its limit drops a connection
        now and then: 4 of 6,000 in the city's e2e part at 1e3f43e). A 409 ``evaluation_finalised`` to a
        request sent again, or when ``final_ok``, means an earlier try went through: it counts as done."""

        def retried() -> None:
            self.finalise_retries += 1

        url = self.appraisal(f"/evaluations/{person.nip}-{period}/finalise")
        headers = self.load.appraiser(person.pejabat_penilai_nip)
        call = await self.timed("POST", url, headers, attempts=SEND_ATTEMPTS, on_retry=retried)
        already = call.status == 409 and "evaluation_finalised" in (call.error or "")
        if already and (final_ok or call.tries > 1):
            return Call(call.seconds, 200, None, call.tries)
        return call

    async def e2e(self) -> dict[str, Any]:
        period = self.period(4)
        order = list(self.people)
        self.rng.shuffle(order)
        rate = float(self.args.rate)
        keep = len(order) // 2 if "consumers" in self.args.parts else 0
        count = min(len(order) - keep, int(rate * self.args.e2e_seconds))
        answered_at: dict[str, float] = {}
        topic = str(Topic.APPRAISAL_COMPLETED)
        completed_from = await self.broker.ends([topic])
        view_s: list[float] = []
        inbox_s: list[float] = []
        both_s: list[float] = []
        poll_counts: list[int] = []
        finalise_s: list[float] = []
        errors: list[str] = []
        failed: list[Person] = []
        missed = {"view": 0, "inbox": 0}
        late_starts: list[float] = []
        progress = Progress("e2e", count)

        async def one(i: int, person: Person, at: float) -> None:
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            late_starts.append(time.perf_counter() - at)
            call = await self.finalise(person, period)
            answered = time.perf_counter()
            answered_at[person.nip] = time.time()
            finalise_s.append(call.seconds)
            if call.error is not None:
                errors.append(call.error)
                failed.append(person)
            elif i % SAMPLE_EVERY == 0:
                try:
                    (v, vp), (n, np_) = await asyncio.gather(
                        self.poll(lambda: self.seen_in_view(person, period), answered),
                        self.poll(lambda: self.seen_in_inbox(person, period), answered),
                    )
                except httpx.HTTPError as exc:  # a poll failed SEND_ATTEMPTS times: the sample is lost, the run goes on
                    errors.append(f"polling {person.nip}: {exc!r}")
                    progress.advance()
                    return
                poll_counts.extend((vp, np_))
                if v < 0:
                    missed["view"] += 1
                else:
                    view_s.append(v)
                if n < 0:
                    missed["inbox"] += 1
                else:
                    inbox_s.append(n)
                if v >= 0 and n >= 0:
                    both_s.append(max(v, n))
            progress.advance()

        began = time.perf_counter() + 0.2
        await asyncio.gather(*(one(i, p, began + i / rate) for i, p in enumerate(order[:count])))
        progress.close()
        sent_s = max(time.perf_counter() - began, 1e-6)
        self.q4_left = order[count:]
        for person in failed:  # untimed, so that the later parts find every Q4 evaluation final
            call = await self.finalise(person, period, final_ok=True)
            if call.error is not None:
                raise RuntimeError(f"finalising {person.nip}'s {period} again after an e2e error: {call.error}")
        await self.settle("the e2e part")
        stages = await self.e2e_stages(period, answered_at, completed_from)
        return {
            "period": period,
            "rate_asked_per_s": rate,
            "finalised": count,
            "finalise_answer": cuts(finalise_s),
            "start_lag_p99_ms": cuts(late_starts).get("p99_ms"),
            "samples": len(range(0, count, SAMPLE_EVERY)),
            "reporting_view": cuts(view_s),
            "inbox": cuts(inbox_s),
            "both": cuts(both_s),
            "not_seen_within_30s": missed,
            "poll_interval_ms": POLL_S * 1000,
            "polls_per_sample_mean": round(statistics.mean(poll_counts), 1) if poll_counts else None,
            "errors": len(errors),
            "errors_first": errors[:10],
            "finalised_again_after_an_error": len(failed),
            "wall_s": round(sent_s, 1),
            "stages": stages,
        }

    async def e2e_stages(
        self, period: str, answered_at: dict[str, float], completed_from: dict[TopicPartition, int]
    ) -> dict[str, Any]:
        """Where an e2e finalisation's time went, for every one of the part (not only the samples), from
        the timestamps the system writes itself, without polling: the event's ``occurred_at`` (the write
        in appraisal's request), the Kafka record's timestamp (appraisal's outbox relay handing it to the
        producer), and the inbox message's ``created_at`` (notification's consumer writing it). One
        machine, one clock."""
        topic = str(Topic.APPRAISAL_COMPLETED)
        records, _ = await bare_read(self.broker.options, completed_from, await self.broker.ends([topic]))
        published: dict[str, tuple[float, float]] = {}
        for record in records:
            event = json.loads(record.value or b"{}")
            appraisal_id = str(event.get("payload", {}).get("appraisal_id", ""))
            nip, _, of = appraisal_id.partition("-")
            if of == period and nip in answered_at:
                written = dt.datetime.fromisoformat(event["occurred_at"]).timestamp()
                published[nip] = (written, record.timestamp / 1000)
        ids = [f"appraisal.final|appraisal:{nip}-{period}|r1|{nip}" for nip in answered_at]
        inbox: dict[str, float] = {}
        collection = self.mongo["kinerja_notification"]["notifications"]
        for start in range(0, len(ids), 1000):
            async for document in collection.find({"_id": {"$in": ids[start : start + 1000]}}, {"created_at": 1}):
                inbox[document["_id"].rsplit("|", 1)[1]] = document["created_at"].timestamp()
        stages: dict[str, list[float]] = {name: [] for name in STAGES}
        for nip, answered in answered_at.items():
            if nip not in published or nip not in inbox:
                continue
            written, sent = published[nip]
            stages["written -> published"].append(sent - written)
            stages["answer -> published"].append(sent - answered)
            stages["published -> in the inbox"].append(inbox[nip] - sent)
            stages["answer -> in the inbox"].append(inbox[nip] - answered)
        return {name: cuts(values) for name, values in stages.items()} | {
            "finalised": len(answered_at),
            "published_seen": len(published),
            "inbox_seen": len(inbox),
        }

    async def finalise_all(self, items: Sequence[tuple[Person, str]], label: str) -> dict[str, Any]:
        """Every evaluation of ``items`` finalised with ``--concurrency`` requests in flight."""
        queue: asyncio.Queue[tuple[Person, str]] = asyncio.Queue()
        for item in items:
            queue.put_nowait(item)
        timings: list[float] = []
        errors: list[str] = []
        progress = Progress(label, len(items))
        last = [0.0]

        async def worker() -> None:
            while True:
                try:
                    person, period = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                call = await self.finalise(person, period)
                last[0] = time.perf_counter()
                timings.append(call.seconds)
                if call.error is not None:
                    errors.append(call.error)
                progress.advance()

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(max(1, self.args.concurrency))))
        progress.close()
        elapsed = max((last[0] or time.perf_counter()) - began, 1e-6)
        return {
            "finalised": len(items) - len(errors),
            "errors": len(errors),
            "errors_first": errors[:10],
            "seconds": round(elapsed, 2),
            "per_s": round(len(items) / elapsed, 1),
            "answer": cuts(timings),
            "began": began,
            "last_answer": last[0] or began,
        }

    # ------------------------------------------------------------------ 4. the end-of-year burst

    def heads(self) -> set[str]:
        """The heads of their OPD (``services.employees.heads_of``): JPT appraised from outside their OPD."""
        assert self.city is not None
        heads = set()
        for person in self.people:
            above = self.city.get(person.pejabat_penilai_nip)
            if person.position_type == "JPT" and (above is None or above.opd_code != person.opd_code):
                heads.add(person.nip)
        return heads

    async def prepare_annual(self) -> dict[str, Any]:
        """The organisation predikat of every OPD, then each annual evaluation opened (prefilled by the
        roll-up) and rated; untimed."""
        assert self.city is not None
        began = time.perf_counter()
        predikat = {u.code: self.rng.choice(ORG_PREDIKAT) for u in self.city.units}
        load, year = self.load, self.year
        for code, value in predikat.items():
            await load.api("PUT", f"/opd/{code}/years/{year}/predikat", load.admin(), json={"predikat": value})
        heads = self.heads()
        q4 = self.period(4)
        errors: list[str] = []
        progress = Progress("annual prep", len(self.people))
        queue: asyncio.Queue[Person] = asyncio.Queue()
        for person in self.people:
            queue.put_nowait(person)

        async def prepare_one(person: Person) -> None:
            owner, boss = load.owner(person), load.appraiser(person.pejabat_penilai_nip)
            evaluation = (
                await load.api("POST", "/evaluations", owner, json={"nip": person.nip, "period": str(year)})
            ).json()
            if evaluation["status"] != "open":
                return
            outcome = next(o for o in person.outcomes if o.period == q4)
            hasil, perilaku = outcome.hasil_kerja, outcome.perilaku_kerja
            if person.nip in heads:  # the head's Hasil Kerja follows the organisation predikat
                suggestion = (await load.api("GET", f"/evaluations/{evaluation['id']}/suggestion", boss)).json()
                hasil = suggestion["hasil_kerja"] or hasil
            body = {
                "rhk_ratings": [{"rhk_id": r.rhk_id, "rating": hasil} for r in person.rhk],
                "behaviour_ratings": [{"value": v, "rating": perilaku} for v in VALUES],
                "hasil_kerja": hasil,
                "perilaku_kerja": perilaku,
            }
            await load.api("PATCH", f"/evaluations/{evaluation['id']}/ratings", boss, json=body)

        async def worker() -> None:
            while True:
                try:
                    person = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                try:
                    await prepare_one(person)
                except Exception as exc:  # counted and listed: the run stops with them
                    errors.append(f"{person.nip}: {exc}")
                progress.advance()

        await asyncio.gather(*(worker() for _ in range(self.args.load_concurrency)))
        progress.close()
        if errors:
            raise RuntimeError(f"preparing the annual evaluations: {len(errors)} errors: {errors[:5]}")
        return {
            "organisation_predikat_set": len(predikat),
            "heads": len(heads),
            "opened_and_rated": len(self.people),
            "seconds": round(time.perf_counter() - began, 1),
        }

    async def sample_offsets(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            began = time.perf_counter()
            self.samples.append((began, await self.broker.snapshot()))
            await asyncio.sleep(max(0.0, OFFSETS_S - (time.perf_counter() - began)))

    async def inbox_count(self, ids: list[str]) -> int:
        collection = self.mongo["kinerja_notification"]["notifications"]
        counted = 0
        for start in range(0, len(ids), 1000):
            counted += await collection.count_documents({"_id": {"$in": ids[start : start + 1000]}})
        return counted

    async def reports(self, path: str) -> Any:
        headers = self.load.admin()
        response = await self.get(f"{self.urls.reporting}/api/v1/reports{path}", headers)
        response.raise_for_status()
        return response.json()

    async def consistent(self, finalised: int, ids: list[str], marks: dict[str, float]) -> bool:
        """Every condition at once, the cheap ones first; ``marks`` keeps when each first held."""
        assert self.city is not None
        now = time.perf_counter()
        snapshot = await self.broker.snapshot()
        if any(end != done for done, end in snapshot.values()):
            return False
        marks.setdefault("lag_zero", now)
        if await self.inbox_count(ids) != finalised:
            return False
        marks.setdefault("inbox", time.perf_counter())
        city = await self.reports(f"/city?year={self.year}")
        trend = next((t for t in city["trend"] if t["period"] == str(self.year)), None)
        if trend is None or trend["total"] != finalised or city["freshness"]["stale_summaries"]:
            return False
        marks.setdefault("city_view", time.perf_counter())
        headcount = self.headcount
        for code, size in headcount.items():
            view = await self.reports(f"/opd/{code}?year={self.year}")
            annual = next((p for p in view["periods"] if p["period"] == str(self.year)), None)
            if annual is None or annual["total"] != size or view["freshness"]["stale_summaries"]:
                return False
        marks.setdefault("opd_views", time.perf_counter())
        return True

    async def burst(self) -> dict[str, Any]:
        log("burst: preparing the annual evaluations (untimed)")
        prepared = await self.prepare_annual()
        await self.settle("preparing the annual evaluations")
        period = self.period()
        order = list(self.people)
        self.rng.shuffle(order)
        ids = [f"appraisal.final|appraisal:{p.nip}-{period}|r1|{p.nip}" for p in order]
        stop = asyncio.Event()
        sampler = asyncio.create_task(self.sample_offsets(stop))
        try:
            log(f"burst: {len(order):,} annual evaluations finalised, {self.args.concurrency} in flight")
            result = await self.finalise_all([(p, period) for p in order], "burst")
            last = result.pop("last_answer")
            result.pop("began")
            marks: dict[str, float] = {}
            checks = 0
            while True:
                checks += 1
                if await self.consistent(result["finalised"], ids, marks):
                    done = time.perf_counter()
                    break
                if time.perf_counter() - last > WAIT_LIMIT_S:
                    raise TimeoutError(f"not consistent {WAIT_LIMIT_S:.0f}s after the burst: {marks}")
                await asyncio.sleep(CHECK_S)
        finally:
            stop.set()
            await sampler
        return {
            "prepare": prepared,
            "evaluations": len(order),
            **result,
            "consistent_after_s": round(done - last, 2),
            "first_held_after_s": {k: round(v - last, 2) for k, v in marks.items()},
            "checks": checks,
            "check_interval_s": CHECK_S,
            "consumers": self.burst_lag(last),
        }

    # ------------------------------------------------------------------ 5. the consumers against their ceilings

    async def consumers(self, account: CpuAccount, profiler: Profiler) -> dict[str, Any]:
        """Each consuming service draining a backlog alone, next to its ceilings.

        The three consuming services are stopped; the Q4 evaluations the e2e part left are finalised (their
        events wait on the broker); then the services are started again one at a time, in the order the
        events flow (training, notification, reporting: each one's backlog includes what the one before
        published while draining), each only once the one before has caught up and its own topics are
        quiet. A service's rate counts from the first time its committed offsets moved to its lag 0, so the
        process's start and its group's join (shown apart) are left out. Its ceilings are measured right
        after, alone: a bare aiokafka read of the same records, and a bare ``insert_many`` of as many
        documents (the events themselves) into a scratch collection."""
        items = [(p, self.period(4)) for p in self.q4_left]
        starts = {service: await self.broker.ends(self.broker.topics_of(service)) for service in CONSUMERS}
        for service in CONSUMERS:
            self.services[service].stop()
        log(f"consumers: {', '.join(CONSUMERS)} stopped; {len(items):,} Q4 evaluations finalised meanwhile")
        finalised = await self.finalise_all(items, "Q4, consumers stopped")
        results: dict[str, Any] = {
            "finalised_meanwhile": {k: v for k, v in finalised.items() if k not in ("began", "last_answer")}
        }
        for service in CONSUMERS:
            topics = self.broker.topics_of(service)
            await self.quiet(topics)
            backlog = (await self.broker.snapshot())[service]
            began = time.perf_counter()
            self.services[service].start()
            series = [(began, backlog)]
            spent: dict[str, Any] = {}
            profiled = profiler.service is self.services[service]
            async with profiler.during(f"drain-{service}") if profiled else contextlib.nullcontext():
                with account.during(spent):
                    while True:
                        await asyncio.sleep(OFFSETS_S / 2)
                        now = time.perf_counter()
                        series.append((now, (await self.broker.snapshot())[service]))
                        done, end = series[-1][1]
                        if done >= end:
                            break
                        if now - began > WAIT_LIMIT_S:
                            raise TimeoutError(f"{service} did not drain {backlog} within {WAIT_LIMIT_S:.0f}s")
                    await wait_ready({service: self.services[service]})
            first, last_t, drained, timed_share, rate = timed_drain(series, backlog[0])
            ends = await self.broker.ends(topics)
            values, read_s = await self.broker.bare_read(starts[service], ends)
            write_s = await bare_write(self.mongo["bench_scratch"], f"ceiling_{service}", values)
            read_rate = len(values) / read_s if read_s else None
            write_rate = len(values) / write_s if write_s else None
            ceiling = min(r for r in (read_rate, write_rate) if r) if (read_rate or write_rate) else None
            results[service] = {
                "topics": topics,
                "backlog": backlog[1] - backlog[0],
                "start_to_first_commit_s": round(first[0] - began, 2),
                "records_after_first_commit": drained,
                "timed_share": round(timed_share, 3),
                "seconds_after_first_commit": round(last_t - first[0], 2),
                "start_to_lag_zero_s": round(last_t - began, 2),
                "events_per_s": round(rate, 1) if rate else None,
                "bare_read_records": len(values),
                "bare_read_per_s": round(read_rate, 1) if read_rate else None,
                "bare_write_per_s": round(write_rate, 1) if write_rate else None,
                "ratio": round(rate / ceiling, 3) if rate and ceiling else None,
                "cpu_s": spent["cpu"]["cpu_s"],
                "db_commands": spent["cpu"]["db_commands"].get(service),
            }
            log(f"consumers: {service}: {results[service]}")
        await self.mongo.drop_database("bench_scratch")
        return results

    async def quiet(self, topics: list[str], still_s: float = 1.0) -> None:
        """Until the topics' end offsets have not moved for ``still_s`` (every outbox before has published)."""
        previous = await self.broker.ends(topics)
        while True:
            await asyncio.sleep(still_s)
            now = await self.broker.ends(topics)
            if now == previous:
                return
            previous = now

    def burst_lag(self, last: float) -> dict[str, Any]:
        """From the burst's offset samples, per consuming service: the records it consumed, the most it was
        behind, and when its lag was 0 after the last answer (the consumers running all along)."""
        found: dict[str, Any] = {}
        for service in CONSUMERS:
            series = [(t, s[service]) for t, s in self.samples]
            if len(series) < 2:
                continue
            peak = max(end - done for _, (done, end) in series)
            drained = next((t for t, (done, end) in series if t > last and done == end), series[-1][0])
            found[service] = {
                "records_consumed": series[-1][1][0] - series[0][1][0],
                "peak_lag": peak,
                "lag_zero_after_last_answer_s": round(drained - last, 2),
            }
        return found

    # ------------------------------------------------------------------ 6. replay

    async def replay(self) -> dict[str, Any]:
        before = await self.reports(f"/city?year={self.year}")
        env = self.services["reporting"].env
        began = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "reporting.replay", cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await process.communicate()
        elapsed = time.perf_counter() - began
        after = await self.reports(f"/city?year={self.year}")
        try:
            result = json.loads(out.decode().strip().splitlines()[-1])
        except (ValueError, IndexError):
            result = {"output": out.decode()[-500:]}
        return {
            "exit_code": process.returncode,
            "seconds": round(elapsed, 1),
            "result": result,
            "city_view_equal": _without_freshness(before) == _without_freshness(after),
        }


def _without_freshness(view: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in view.items() if k != "freshness"}


# ------------------------------------------------------------------------------------------- the report


def environment(info: MongoDocument, args: argparse.Namespace) -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), platform.processor())
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    git = ["git", "rev-parse", "--short", "HEAD"]
    commit = subprocess.run(git, capture_output=True, text=True, cwd=ROOT, check=False)
    argv = " ".join(sys.argv[1:])
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": f'make bench-system BENCH_ARGS="{argv}"' if argv else "make bench-system",
        "commit": commit.stdout.strip(),
        "machine": f"{os.cpu_count()} cores ({cpu}), {memory_kb // 1024 // 1024} GiB",
        "cpu_count": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "mongo_wire_server": os.environ.get("KINERJA_MONGO_SERVER") or "secantusdb (default)",
        "mongo_reports_version": info.get("version"),
        "kafka": "3.9.2 (local stack, single node)",
        "packages": {
            name: metadata.version(name) for name in ("pymongo", "aiokafka", "faststream", "fastapi", "httpx")
        },
        "size": args.size,
        "seed": args.seed,
        "load_phases_skipped": list(args.skip_load),
    }


def timed_drain(
    series: Sequence[tuple[float, tuple[int, int]]], committed_at_start: int
) -> tuple[tuple[float, int], float, int, float, float | None]:
    """A consumer's drain from its samples ``(time, (committed, end))``: the first sample past
    ``committed_at_start`` (its first commit: time, committed), the last sample's time, the records committed
    after that first commit, their share of all committed, and their rate; no rate when the first commit
    held most of the backlog (``MIN_TIMED_SHARE``) or the rest took less than ``MIN_TIMED_S``."""
    first = next(((t, d) for t, (d, _) in series if d > committed_at_start), (series[-1][0], series[-1][1][0]))
    last_t, (last_done, _) = series[-1]
    drained = last_done - first[1]
    timed_share = drained / max(last_done - committed_at_start, 1)
    timed = last_t - first[0] >= MIN_TIMED_S and drained > 0 and timed_share >= MIN_TIMED_SHARE
    return first, last_t, drained, timed_share, drained / (last_t - first[0]) if timed else None


def verdict(value: float | None, goal: float, *, at_most: bool = True) -> str:
    if value is None:
        return "not measured"
    met = value <= goal if at_most else value >= goal
    return "met" if met else "**missed**"


TRIED = 'bench/README.md, sections "Where the time goes" and "The consumers\' own ceilings"'


def saturation(spent: dict[str, Any] | None) -> str:
    """'N of M CPU seconds (P % of the cores)' for a part's CPU account."""
    if not spent:
        return "not measured"
    used, capacity = sum(spent["cpu_s"].values()), spent["wall_s"] * (spent["cores"] or 1)
    top = sorted(spent["cpu_s"].items(), key=lambda kv: -kv[1])[:3]
    return (
        f"the processes used {used:.1f} of {capacity:.1f} CPU seconds ({used / capacity:.0%} of the cores; most: "
        + ", ".join(f"{name} {seconds:.1f}" for name, seconds in top)
        + ")"
    )


def goal_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal of issue 15 with this run's figure and verdict (in system.json as ``goals``; the Markdown's
    table): ``value`` in ``unit``, ``goal`` the bound (``at_most`` or at least)."""
    rows: list[dict[str, Any]] = []

    def row(figure: str, value: float | None, unit: str, goal: float, *, at_most: bool = True, shown: str = "") -> None:
        suffix = f" {unit}" if unit else ""
        rows.append(
            {
                "figure": figure,
                "value": value,
                "unit": unit,
                "goal": goal,
                "at_most": at_most,
                "verdict": verdict(value, goal, at_most=at_most).strip("*"),  # met, missed or not measured
                "shown": f"{value}{suffix}" if value is not None else "n/a",
                "goal_shown": shown or f"{'<=' if at_most else '>='} {goal:g}{suffix}",
            }
        )

    e2e, burst, consumers, replay = (report.get(k) for k in ("e2e", "burst", "consumers", "replay"))
    if e2e:
        row(
            f"e2e p99 at {e2e['rate_asked_per_s']:.0f}/s: finalise answer -> view and inbox",
            e2e["both"].get("p99_ms"),
            "ms",
            GOALS["e2e_p99_ms"],
        )
    if burst:
        row("burst: errors", burst["errors"], "", 0, shown="0")
        row(
            "burst: last finalise answer -> everything consistent",
            burst["consistent_after_s"],
            "s",
            GOALS["consistent_s"],
        )
    for service in CONSUMERS if consumers else ():
        row(
            f"{service}: events/s draining a backlog / min(bare read, bare write)",
            (consumers or {}).get(service, {}).get("ratio"),
            "",
            GOALS["consumer_ratio"],
            at_most=False,
            shown=f">= {GOALS['consumer_ratio']:.2f}",
        )
    if replay:
        row("reporting replay", replay["seconds"], "s", GOALS["replay_s"])
    return rows


def bold_missed(verdict: str) -> str:
    return "**missed**" if verdict == "missed" else verdict


def with_goals(report: dict[str, Any]) -> dict[str, Any]:
    """``report`` with ``goals`` (``goal_rows``) and ``missed_goals`` (the bottleneck of each goal missed, as
    Markdown lines), as the JSON file holds them."""
    return report | {"goals": goal_rows(report), "missed_goals": [line for line in missed_goals(report) if line]}


def missed_goals(report: dict[str, Any]) -> list[str]:
    """For each goal missed: the bottleneck, read from this run's own figures, and where what was tried is."""
    found: list[str] = []
    e2e, burst, consumers, replay = (report.get(k) for k in ("e2e", "burst", "consumers", "replay"))
    if e2e and (e2e["both"].get("p99_ms") or 0) > GOALS["e2e_p99_ms"]:
        stages = e2e["stages"]
        named = {
            "answer -> published": "appraisal's outbox relay (answer to the Kafka record)",
            "published -> in the inbox": "notification's consumer (the Kafka record to the inbox message)",
        }
        parts = "; ".join(
            f"{what} p50 {stages[k].get('p50_ms')} ms, p99 {stages[k].get('p99_ms')} ms" for k, what in named.items()
        )
        found.append(
            f"- **e2e p99 {e2e['both'].get('p99_ms')} ms** against {GOALS['e2e_p99_ms']:.0f} ms. By stage: {parts}; "
            f"the finalise answers themselves p99 {e2e['finalise_answer'].get('p99_ms')} ms. During the part "
            f"{saturation(report.get('cpu', {}).get('e2e'))}: every stage waits for a core."
        )
    if burst and burst["consistent_after_s"] > GOALS["consistent_s"]:
        held = burst["first_held_after_s"]
        found.append(
            f"- **consistent after {burst['consistent_after_s']} s** against {GOALS['consistent_s']:.0f} s: "
            f"lag 0 after {held.get('lag_zero')} s, the inbox after {held.get('inbox')} s, the city view after "
            f"{held.get('city_view')} s (reporting's summaries recompute once the marks stop for 1 s)."
        )
    for service, c in (consumers or {}).items():
        if service not in CONSUMERS or c.get("ratio") is None or c["ratio"] >= GOALS["consumer_ratio"]:
            continue
        wall = c["start_to_lag_zero_s"] or 1e-6
        own, db = c["cpu_s"].get(service, 0.0), c["cpu_s"].get("mongo", 0.0)
        commands = (c.get("db_commands") or {}).get("total", 0)
        found.append(
            f"- **{service}: ratio {c['ratio']}** ({c['events_per_s']}/s against the bare write's "
            f"{c['bare_write_per_s']}/s). "
            f"From its start to lag 0 ({wall} s, its start-up included) it used {own:.1f} CPU s itself "
            f"({own / wall:.0%} of one core) and the "
            f"database server {db:.1f}, for {commands:,} database commands ({commands / max(c['backlog'], 1):.2f} per "
            "record): "
            + (
                "the service's own Python per event is the limit (one process, one core)."
                if own >= 2 * db
                else "the database server's share is as large as the service's."
            )
        )
    if replay and replay["seconds"] > GOALS["replay_s"]:
        found.append(
            f'- **replay {replay["seconds"]} s** against {GOALS["replay_s"]:.0f} s (bench/README.md "Reporting": the '
            "bare write of the same documents alone takes most of it on this server)."
        )
    if not found:
        return []
    return [
        "",
        "### Missed goals: the bottleneck, from this run's figures",
        "",
        *found,
        "",
        f"What was tried: {TRIED}.",
    ]


def markdown(report: dict[str, Any]) -> str:
    env = report["environment"]
    lines = [
        "# System benchmark",
        "",
        f"`{env['command']}` at commit `{env['commit']}`, {env['date']}; size **{env['size']}** (seed {env['seed']}). "
        f"Machine: {env['machine']}, load average at the start {env['load_average_at_start']}; Python {env['python']}; "
        f"Mongo-wire server {env['mongo_wire_server']} (reports {env['mongo_reports_version']}); Kafka {env['kafka']}; "
        + ", ".join(f"{k} {v}" for k, v in env["packages"].items())
        + f". The whole run took {report.get('run_s')} s; the benchmark's own reads were sent again "
        f"{report.get('get_retries', 0)} times after a transport error, and its finalisations "
        f"{report.get('finalise_retries', 0)} times.",
        "",
        "## Goals",
        "",
        "| figure | measured | goal | |",
        "|---|---:|---:|---|",
    ]
    lines += [
        f"| {g['figure']} | {g['shown']} | {g['goal_shown']} | {bold_missed(g['verdict'])} |" for g in goal_rows(report)
    ]
    lines += missed_goals(report)
    e2e, burst, consumers, replay = (report.get(k) for k in ("e2e", "burst", "consumers", "replay"))
    if failed := report.get("failed"):
        lines += [
            "",
            f"### The run failed in its part `{failed['part']}`",
            "",
            f"`{failed['error']}`. The parts after it did not run; the figures here are those measured before. "
            "The traceback is in system.json (`failed.traceback`).",
        ]
    prepare = report.get("prepare")
    lines += (
        []
        if not prepare
        else [
            "",
            "## 1. Prepare (untimed)",
            "",
            f"{prepare['people']:,} people ({prepare['pppk']:,} PPPK) in {prepare['units']} units, "
            f"year {prepare['year']}, "
            f"loaded through the public APIs in {prepare['seconds']} s (phases: "
            + ", ".join(f"{k} {v} s" for k, v in prepare["phases_s"].items())
            + "). "
            + (
                f"Load phases left out (`--skip-load`): {', '.join(skipped)}. "
                if (skipped := env.get("load_phases_skipped"))
                else ""
            )
            + " ".join(prepare["notes"]),
        ]
    )
    api = report.get("api")
    if api:
        lines += [
            "",
            f"## 2. API latency, {api['clients']} concurrent clients for {api['seconds']} s "
            f"({api['requests']:,} requests, {api['requests_per_s']}/s)",
            "",
            "Each client sends one request after the other (no think time), kinds and people at random; the "
            "writes set the values already stored on the open Q4 evaluations.",
            "",
            "| request | n | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | answers |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for name, c in api["by_kind"].items():
            lines.append(
                f"| {name} | {c['n']} | {c.get('p50_ms')} | {c.get('p95_ms')} | {c.get('p99_ms')} | {c.get('max_ms')} "
                f"| {', '.join(f'{k}: {v}' for k, v in c['statuses'].items())} |"
            )
        lines += [f"- error: `{e}`" for e in api["errors_first"][:5]]
    if e2e:
        lines += [
            "",
            f"## 3. End-to-end latency at {e2e['rate_asked_per_s']:.0f} finalisations/s",
            "",
            f"{e2e['finalised']:,} Q4 evaluations finalised at a steady rate over {e2e['wall_s']} s "
            f"({e2e['finalised'] / max(e2e['wall_s'], 1e-6):.1f}/s achieved; finalise "
            f"answer p50 {e2e['finalise_answer'].get('p50_ms')} ms, p99 {e2e['finalise_answer'].get('p99_ms')} ms; "
            f"{e2e['errors']} errors); every {SAMPLE_EVERY}th sampled ({e2e['samples']}). From the finalise answer, "
            f"each sample polls the reporting employee view and the inbox (the employee's token), each every "
            f"{e2e['poll_interval_ms']:.0f} ms after the previous poll's answer, "
            f"{e2e['polls_per_sample_mean']} polls per sample on average. A figure is the time at the answer "
            "of the first poll that saw it: it overstates the true time by up to one interval plus one poll.",
            "",
            "| seen in | n | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name in ("reporting_view", "inbox", "both"):
            c = e2e[name]
            lines.append(
                f"| {name} | {c['n']} | {c.get('p50_ms')} | {c.get('p95_ms')} | {c.get('p99_ms')} | {c.get('max_ms')} |"
            )
        stages = e2e["stages"]
        lines += [
            "",
            f"Not seen within 30 s: {e2e['not_seen_within_30s']}.",
            *(f"- error: `{e}`" for e in e2e["errors_first"][:5]),
            "",
            f"Where the time went, for all {stages['finalised']:,} (not only the samples; no polling), from the "
            "timestamps the system writes: the event's `occurred_at` (written in appraisal's request, before "
            "its answer), the Kafka record's timestamp (appraisal's outbox relay handing it to the producer), the "
            f"inbox message's `created_at` (notification's consumer writing it); {stages['published_seen']:,} "
            f"events and {stages['inbox_seen']:,} messages found:",
            "",
            "| stage | n | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name in STAGES:
            c = stages[name]
            lines.append(
                f"| {name} | {c['n']} | {c.get('p50_ms')} | {c.get('p95_ms')} | {c.get('p99_ms')} | {c.get('max_ms')} |"
            )
    if consumers:
        meanwhile = consumers["finalised_meanwhile"]
        lines += [
            "",
            "## 4. Each consumer draining a backlog, against its ceilings",
            "",
            f"The three consuming services stopped, the rest of Q4 ({meanwhile['finalised']:,}) was finalised "
            f"({meanwhile['per_s']}/s, {meanwhile['errors']} errors), its events waiting on the broker. Then each "
            "service was started alone, in the order the events flow (training, notification, reporting: each "
            "backlog holds what the one before published while draining), once its topics were quiet. Its rate "
            "counts from the first time its committed offsets moved (sampled from the broker every "
            f"{OFFSETS_S / 2} s) to lag 0, so the start of the process and the group's join are left out "
            "(shown apart). The ceilings, measured right after, alone: a bare aiokafka read of the same records "
            "(every topic the service consumes, from the stop), and a bare `insert_many` (unordered, batches of "
            "500) of as many documents (the events themselves) into a scratch collection with one secondary "
            "index, on the same server.",
            "",
            "| service | backlog | start -> first commit (s) | records after it | s to lag 0 | events/s | "
            "bare read/s | bare write/s | ratio |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for service in CONSUMERS:
            c = consumers.get(service)
            if c is None:
                continue
            lines.append(
                f"| {service} | {c['backlog']:,} | {c['start_to_first_commit_s']} | "
                f"{c['records_after_first_commit']:,} | {c['seconds_after_first_commit']} | "
                f"{c['events_per_s'] if c['events_per_s'] is not None else 'too few to time'} | "
                f"{c['bare_read_per_s']} | {c['bare_write_per_s']} | "
                f"{c['ratio'] if c['ratio'] is not None else 'n/a'} |"
            )
        lines += [
            "",
            "What each drain cost, from the service's start to its lag 0 (CPU seconds per process; the "
            "service's database commands, `mongo_commands_total`, the most frequent):",
            "",
        ]
        for service in CONSUMERS:
            c = consumers.get(service)
            if c is None:
                continue
            cpu = ", ".join(f"{name} {seconds:.1f}" for name, seconds in c["cpu_s"].items() if seconds >= 0.05)
            commands = c.get("db_commands") or {"total": 0, "top": {}}
            top = ", ".join(f"{k} {v:.0f}" for k, v in list(commands["top"].items())[:6])
            per_event = commands["total"] / c["backlog"] if c["backlog"] else 0
            lines.append(
                f"- {service}: CPU s {cpu}; {commands['total']:,} database commands ({per_event:.2f} per record): {top}"
            )
        lines += ["", "The appraisal service consumes nothing (it only publishes)."]
    if burst:
        prep = burst["prepare"]
        held = burst["first_held_after_s"]
        lines += [
            "",
            f"## 5. End-of-year burst: {burst['evaluations']:,} annual evaluations",
            "",
            f"Prepared untimed in {prep['seconds']} s: the organisation predikat of "
            f"{prep['organisation_predikat_set']} units, then every annual evaluation opened (prefilled by the "
            f"roll-up) and rated ({prep['heads']} heads by their organisation's predikat). Then finalised with "
            f"{report['environment'].get('concurrency', '')} requests in flight:",
            "",
            f"- **{burst['per_s']} finalisations/s** ({burst['finalised']:,} in {burst['seconds']} s; answer p50 "
            f"{burst['answer'].get('p50_ms')} ms, p99 {burst['answer'].get('p99_ms')} ms); "
            f"**errors: {burst['errors']}**" + "".join(f"\n  - `{e}`" for e in burst["errors_first"][:5]),
            f"- from the last answer, checked every {burst['check_interval_s']} s (cheapest first: every consumer "
            "group's lag on the broker, then the inbox count in notification's database, then the reporting city "
            "view, then every OPD view, all in one pass): every group's lag 0 first after "
            f"{held.get('lag_zero')} s, the inbox complete after {held.get('inbox')} s, the city view after "
            f"{held.get('city_view')} s, **everything at once after {burst['consistent_after_s']} s** "
            f"({burst['checks']} checks).",
        ]
        lines += [
            "",
            "Each consumer during the burst (committed offsets sampled from the broker every "
            f"{OFFSETS_S} s, the consumers running all along):",
            "",
            "| service | records consumed | most behind (records) | lag 0 after the last answer (s) |",
            "|---|---:|---:|---:|",
        ]
        for service, c in burst.get("consumers", {}).items():
            lines.append(
                f"| {service} | {c['records_consumed']:,} | {c['peak_lag']:,} | {c['lag_zero_after_last_answer_s']} |"
            )
    if replay:
        lines += [
            "",
            "## 6. Reporting replay",
            "",
            f"`python -m reporting.replay` with the reporting service's environment, the service running: "
            f"exit {replay['exit_code']} after **{replay['seconds']} s**; the city view after it equals the one "
            f"before: {replay['city_view_equal']}. Its result: `{json.dumps(replay['result'])[:400]}`",
        ]
    if report.get("cpu"):
        lines += [
            "",
            "## Where the cores went (CPU seconds per process during each part)",
            "",
            "| part | wall (s) | " + " | ".join(CPU_COLUMNS) + " | all |",
            "|---|---:|" + "---:|" * (len(CPU_COLUMNS) + 1),
        ]
        for part, spent in report["cpu"].items():
            used = spent["cpu_s"]
            cells = " | ".join(f"{used.get(name, 0):.1f}" for name in CPU_COLUMNS)
            lines.append(f"| {part} | {spent['wall_s']} | {cells} | {sum(used.values()):.1f} |")
        lines.append(
            f"\n{report['cpu'][next(iter(report['cpu']))]['cores']} cores: a part's `all` near cores x wall means the "
            "machine was saturated. Divide by the part's requests for the CPU cost of one."
        )
        for part, spent in report["cpu"].items():
            commands = spent.get("db_commands") or {}
            if any(c["total"] for c in commands.values()):
                lines += ["", f"Database commands during {part} (`mongo_commands_total`, the most frequent):", ""]
                for service, counted in commands.items():
                    top = ", ".join(f"{k} {v:.0f}" for k, v in list(counted["top"].items())[:8])
                    lines.append(f"- {service}: {counted['total']:.0f} in all; {top}")
    for part, profile in (report.get("profile") or {}).items():
        lines += ["", f"## Profile: {profile['service']} during the {part} part (py-spy, 100 Hz)", ""]
        if "error" in profile:
            lines.append(f"py-spy failed: `{profile['error'][-300:]}`")
            continue
        lines += [
            f"{profile['samples']} samples; raw stacks in `{profile['file']}`.",
            "",
            "| on top of the stack (self) | share | project frame anywhere on the stack | share |",
            "|---|---:|---|---:|",
        ]
        for own, inc in itertools.zip_longest(profile["self"][:15], profile["inclusive"][:15]):
            left = f"`{own['frame'][:90]}` | {own['share']:.1%}" if own else " | "
            right = f"`{inc['frame'][:90]}` | {inc['share']:.1%}" if inc else " | "
            lines.append(f"| {left} | {right} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------- main


async def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    keys_dir = RUN_DIR / "system-keys"
    shutil.rmtree(keys_dir, ignore_errors=True)
    private, public = ensure_local_keypair(keys_dir)
    services = configure_services(public)
    parts = set(args.parts)
    report: dict[str, Any] = {}
    for service in services.values():
        service.start()
    system = System(args, services, private)
    profiler = Profiler(services.get(args.profile) if args.profile else None, args.out)
    account = CpuAccount(services)
    cpu: dict[str, Any] = {}
    part = "start"
    try:
        await wait_ready(services)
        log("the four services are ready: " + ", ".join(f"{n} {s.url}" for n, s in services.items()))
        info = await system.mongo.admin.command("buildInfo")
        report["environment"] = environment(info, args) | {"concurrency": args.concurrency}
        part = "prepare"
        report["prepare"] = await system.prepare()
        log(f"prepare: {report['prepare']}")
        if "api" in parts:
            part = "api"
            log(f"api: {args.clients} clients for {args.api_seconds} s")
            async with profiler.during("api"):
                with account.during(cpu.setdefault("api", {})):
                    report["api"] = await system.api_latency()
            await system.settle("the API phase")
        system.q4_left = list(system.people)
        if "e2e" in parts:
            part = "e2e"
            log(f"e2e: Q4 finalised at {args.rate}/s")
            with account.during(cpu.setdefault("e2e", {})):
                report["e2e"] = await system.e2e()
        if "consumers" in parts:
            part = "consumers"
            report["consumers"] = await system.consumers(account, profiler)
        elif parts & {"burst", "replay"} and system.q4_left:
            log("finalising the rest of Q4 (untimed; the consumers part is not run)")
            await system.finalise_all([(p, system.period(4)) for p in system.q4_left], "Q4")
        if parts & {"burst", "replay"}:
            await system.settle("Q4")
        if "burst" in parts:
            part = "burst"
            async with profiler.during("burst"):
                with account.during(cpu.setdefault("burst", {})):
                    report["burst"] = await system.burst()
            log(f"burst: {report['burst']}")
        if "replay" in parts:
            part = "replay"
            log("replay: python -m reporting.replay")
            report["replay"] = await system.replay()
            log(f"replay: {report['replay']}")
    except Exception as exc:  # a part failed: what was measured before it is kept and written, with why
        log(f"{part} failed: {exc!r}; the report holds the parts before it")
        report["failed"] = {
            "part": part,
            "error": repr(exc)[:500],
            "traceback": traceback.format_exc().replace(f"{ROOT}/", "")[-4000:],
        }
    finally:
        await system.close()
        for service in services.values():
            service.stop()
    if profiler.results:
        report["profile"] = profiler.results
    report["cpu"] = {part: spent["cpu"] for part, spent in cpu.items() if "cpu" in spent}
    report["get_retries"] = system.get_retries
    report["finalise_retries"] = system.finalise_retries
    report["run_s"] = round(time.perf_counter() - started, 1)
    return report


async def run_until_stopped(args: argparse.Namespace) -> dict[str, Any]:
    """``run``, cancelled by SIGTERM as by Ctrl-C (asyncio's own SIGINT handling), so that its ``finally``
    stops the four services it started instead of leaving them running."""
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    return await run(args)


README_START = "<!-- bench-system figures: generated from bench/results/system.json -->\n"
README_END = "<!-- /bench-system figures -->\n"


def readme_figures(report: dict[str, Any]) -> str:
    """The README's section "Performance: the whole system" up to its hand-written reading: the run's
    figures beside the goals (``--update-readme`` writes it between ``README_START`` and ``README_END``)."""
    env, prepare, api, e2e = report["environment"], report["prepare"], report["api"], report["e2e"]
    burst, consumers, replay, stages = report["burst"], report["consumers"], report["replay"], report["e2e"]["stages"]
    command = re.sub(r" --(out|update-readme)( [^\s\"]+)?", "", env["command"])

    def ms(value: float | None) -> str:
        return f"{value:,.0f}" if value is not None else "n/a"

    def three(name: str) -> str:
        c = api["by_kind"][name]
        return f"{ms(c.get('p50_ms'))} / {ms(c.get('p95_ms'))} / {ms(c.get('p99_ms'))}"

    p99 = e2e["both"].get("p99_ms")
    lines = [
        "## Performance: the whole system (`make bench-system`)",
        "",
        'One command (`make bench-system`, `bench/system.py`; bench/README.md "System" explains every part)',
        "starts a fresh bench stack, the four services as their own processes, loads a `kinerja_demo` city",
        "through the public APIs, and measures the issue's figures; it writes `bench/results/system.json` and",
        "`bench/results/system.md` (machine, versions, command, each figure beside its goal, and for each goal",
        "missed the bottleneck read from the run's own figures); `--update-readme` writes this table.",
        '`BENCH_ARGS="--size small"` takes ~5 minutes.',
        "",
        f"**The `{env['size']}` run** (`{command}`, commit `{env['commit']}`, {env['date'][:10]}; "
        f"{prepare['people']:,} people in {prepare['units']} units; {env['machine']}, load average at the start "
        f"{env['load_average_at_start']}; SecantusDB, the local Mongo-wire server, not MongoDB; "
        f"{report['run_s'] / 60:.0f} minutes in all, {prepare['seconds'] / 60:.0f} of them loading the city "
        "through the APIs):",
        "",
        "| figure | measured | goal | |",
        "|---|---:|---:|---|",
        f"| e2e at {e2e['rate_asked_per_s']:.0f}/s asked ({e2e['finalised'] / max(e2e['wall_s'], 1e-6):.1f}/s "
        "achieved): finalise answer -> the employee's reporting view and "
        f"inbox, p50 / p99 | {ms(e2e['both'].get('p50_ms'))} / {ms(p99)} ms | p99 <= {GOALS['e2e_p99_ms']:.0f} ms | "
        f"{verdict(p99, GOALS['e2e_p99_ms'])} |",
        f"| end-of-year burst: {burst['evaluations']:,} annual finalisations, {env.get('concurrency')} in flight | "
        f"{burst['per_s']}/s, {burst['errors']} errors | 0 errors | {verdict(burst['errors'], 0)} |",
        f"| burst: last answer -> every read model and inbox consistent | {burst['consistent_after_s']} s | "
        f"<= {GOALS['consistent_s']:.0f} s | {verdict(burst['consistent_after_s'], GOALS['consistent_s'])} |",
    ]
    for service in CONSUMERS:
        c = consumers.get(service)
        if not c:
            continue
        ratio = c["ratio"]
        lines.append(
            f"| {service} draining a backlog of {c['backlog']:,} alone: events/s / bare read / bare write | "
            f"{ms(c['events_per_s'])} / {ms(c['bare_read_per_s'])} / {ms(c['bare_write_per_s'])} "
            f"(ratio {ratio if ratio is not None else 'n/a'}) | "
            f"ratio >= {GOALS['consumer_ratio']:.2f} | {verdict(ratio, GOALS['consumer_ratio'], at_most=False)} |"
        )
    applied = replay["result"].get("applied", 0) if isinstance(replay.get("result"), dict) else 0
    lines += [
        f"| reporting replay of the year ({applied:,} records) | {replay['seconds']} s | "
        f"<= {GOALS['replay_s']:.0f} s | {verdict(replay['seconds'], GOALS['replay_s'])} |",
        f"| API with {api['clients']} clients ({api['requests_per_s']} requests/s in all), p50 / p95 / p99 ms | "
        f"reads: `GET /skp` {three('read: GET /skp?nip=')}, `GET /evaluations/{{id}}` "
        f"{three('read: GET /evaluations/{id}')}, reporting employee view {three('read: reporting employee view')}, "
        f"inbox {three('read: notification inbox')}; writes: realisation "
        f"{three('write: PUT .../realisations/{indicator}')}, ratings {three('write: PATCH .../ratings')} "
        "| none set | |",
        "",
        f"Where the e2e time goes (every one of the {stages['finalised']:,} finalisations, from the system's own "
        "timestamps): appraisal's outbox relay hands the event to Kafka p50 "
        f"{ms(stages['answer -> published'].get('p50_ms'))} ms / p99 {ms(stages['answer -> published'].get('p99_ms'))} "
        "ms after the answer; notification's consumer writes the inbox message p50 "
        f"{ms(stages['published -> in the inbox'].get('p50_ms'))} / p99 "
        f"{ms(stages['published -> in the inbox'].get('p99_ms'))} ms after that; the finalise answers themselves "
        f"took p50 {ms(e2e['finalise_answer'].get('p50_ms'))} / p99 {ms(e2e['finalise_answer'].get('p99_ms'))} ms.",
    ]
    return "\n".join(lines) + "\n"


def update_readme(report: dict[str, Any], readme: Path = ROOT / "README.md") -> None:
    """Replace the generated part of the README's section "Performance" with ``report``'s figures."""
    missing = [part for part in PARTS if part not in report]
    if failed := report.get("failed"):
        raise SystemExit(f"the README's figures come from a whole run: this one failed in {failed['part']}")
    if missing:
        raise SystemExit(f"the README's figures come from a whole run: this one lacks {', '.join(missing)}")
    text = readme.read_text()
    if README_START not in text or README_END not in text:
        raise SystemExit(f"{readme} has no bench-system figures block to replace")
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    readme.write_text(head + README_START + readme_figures(report) + README_END + tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=SIZES, default="city")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--parts", nargs="*", choices=PARTS, default=list(PARTS), help="run only these (default all)")
    parser.add_argument("--concurrency", type=int, default=32, help="finalise requests in flight in the burst")
    parser.add_argument("--load-concurrency", type=int, default=16, help="requests in flight while preparing")
    parser.add_argument("--rate", type=float, default=50.0, help="finalisations per second in the e2e part")
    parser.add_argument("--e2e-seconds", type=float, default=120.0)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients in the api part")
    parser.add_argument("--api-seconds", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--skip-load",
        nargs="*",
        choices=OPTIONAL_PHASES,
        default=list(OPTIONAL_PHASES),
        help="load phases of the demo city left out (default: both; the parts measure appraisal's flow and its "
        "consumers, and a city's learning takes ~40 min to load); --skip-load with nothing loads them all",
    )
    parser.add_argument("--markdown-from", type=Path, help="only write system.md again from this system.json")
    parser.add_argument(
        "--update-readme",
        action="store_true",
        help="also write the figures into the README's section Performance (with --markdown-from: from that file)",
    )
    parser.add_argument(
        "--profile",
        choices=SERVICES,
        help="sample this service with py-spy during the api and burst parts (and its drain in the consumers part)",
    )
    args = parser.parse_args(argv)
    if args.markdown_from:
        report = json.loads(args.markdown_from.read_text())
        (args.out / "system.md").write_text(markdown(report))
        if args.update_readme:
            update_readme(report)
        return 0
    try:
        report = asyncio.run(run_until_stopped(args))
    except (asyncio.CancelledError, KeyboardInterrupt):
        log("stopped before the end: no report written; the services were stopped")
        return 130
    args.out.mkdir(parents=True, exist_ok=True)
    if "environment" in report:
        report = with_goals(report)
    (args.out / "system.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    if "environment" in report:
        (args.out / "system.md").write_text(markdown(report))
    if failed := report.get("failed"):
        log(f"failed in its part {failed['part']}: the report written to {args.out} holds the parts before it")
        return 1
    if args.update_readme:
        update_readme(report)
    log(f"written to {args.out / 'system.md'} ({report['run_s']} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
