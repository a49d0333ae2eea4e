"""Test support shared by every suite: fixtures (``kinerja_testing.plugin``) and helpers.

Integration, end-to-end and reliability tests use a real Kafka broker and a real MongoDB-wire
server, found in this order:
1. ``KAFKA_BOOTSTRAP_SERVERS`` / ``MONGODB_URL`` when set (``make test`` sets them to its own fresh
   test stack instance, ``deploy/local/stack.py --instance test run``);
2. testcontainers (Kafka KRaft, MongoDB 7) when ``KINERJA_TESTCONTAINERS=1`` and a Docker engine answers;
3. otherwise the project's *test* stack instance (its own ports and folder), started fresh here and
   stopped at the end of the session. Never the instance of ``make run``, never an in-memory fake.

Credentials: the tests' own clients are the administrator (``KAFKA_SASL_*``, ``MONGODB_USERNAME`` and
``MONGODB_PASSWORD_FILE`` as ``stack.py env`` exports them, or as given with external servers).
Services run as processes (``ServiceProcess``) use their own Kafka principal when the broker is the
stack's (``Infra.principal``), so the end-to-end tests run under the ACLs of production.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, overload

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from pymongo import AsyncMongoClient

from shared.config import ServiceSettings
from shared.consumer import group_id_for
from shared.credentials import KafkaAuth, MongoAuth, mongodb_url_with, read_secret_file
from shared.events import AppraisalCompleted, AppraisalCompletedPayload, Event, Predikat, RatingLevel
from shared.kafka import ensure_topics, topic_specs
from shared.mongo import MongoDocument
from shared.token import ensure_local_keypair, mint_token

ROOT = Path(__file__).resolve().parents[3]  # the repo root (testing/src/kinerja_testing)
S = TypeVar("S", bound=ServiceSettings)
T = TypeVar("T")


@dataclass(frozen=True)
class Infra:
    kafka_bootstrap_servers: str
    mongodb_url: str = field(repr=False)
    """With the administrator's credentials in it (when the server has users): for test clients only
    (kept out of ``repr``, which a failing test prints)."""
    stack_instance: str | None = None
    """The project's local stack instance these servers belong to (``test``), or None for servers
    the tests do not own. A test may stop and start only the servers of such an instance."""
    kafka_auth: KafkaAuth = field(default_factory=KafkaAuth)
    """The administrator's (a super user where the broker has ACLs)."""
    mongo_auth: MongoAuth = field(default_factory=MongoAuth)
    secrets_dir: Path | None = None
    """The local stack's password files (``stack.py``), when the broker is the stack's: then every
    principal of ``deploy/kafka/acls.json`` exists, with its ACLs."""
    mongodb_server_url: str = ""
    """The address alone, without credentials."""

    @property
    def kafka_options(self) -> dict[str, Any]:
        """``bootstrap_servers`` and the administrator's credentials, for any aiokafka client."""
        return {"bootstrap_servers": self.kafka_bootstrap_servers, **self.kafka_auth.client_options()}

    @property
    def has_acls(self) -> bool:
        return self.secrets_dir is not None and self.kafka_auth.security_protocol != "PLAINTEXT"

    def principal(self, name: str) -> KafkaAuth:
        """The Kafka credentials of a principal of the local stack (``appraisal``, ``integration``...)."""
        if self.secrets_dir is None:
            raise LookupError("the broker is not the local stack's: its principals are unknown")
        password = read_secret_file(self.secrets_dir / f"kafka-{name}.password")
        return KafkaAuth(self.kafka_auth.security_protocol, self.kafka_auth.sasl_mechanism, name, password)

    def principal_file(self, system: str, name: str) -> Path:
        if self.secrets_dir is None:
            raise LookupError("the servers are not the local stack's: their principals are unknown")
        return self.secrets_dir / f"{system}-{name}.password"


def _docker_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


def _stack(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, str(ROOT / "deploy/local/stack.py"), *args], check=True)


def _stack_env(name: str) -> dict[str, str]:
    """The addresses of a local instance, as ``stack.py env`` prints them (``export NAME=value``)."""
    env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URL")}
    env = {k: v for k, v in env.items() if not k.startswith(("KAFKA_SASL_", "KAFKA_SECURITY", "MONGODB_"))}
    out = subprocess.run(
        [sys.executable, str(ROOT / "deploy/local/stack.py"), "--instance", name, "env"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    return dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines() if "=" in line)


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    mongo = os.environ.get("MONGODB_URL")
    instance = os.environ.get("KINERJA_STACK_INSTANCE") or None
    kafka_env: dict[str, str] = dict(os.environ)
    mongo_env: dict[str, str] = dict(os.environ)
    with ExitStack() as stack:
        if (not kafka or not mongo) and os.environ.get("KINERJA_TESTCONTAINERS") == "1" and _docker_available():
            from testcontainers.kafka import KafkaContainer
            from testcontainers.mongodb import MongoDbContainer

            if not kafka:
                container = stack.enter_context(KafkaContainer("confluentinc/cp-kafka:7.9.0").with_kraft())
                kafka = container.get_bootstrap_server()
            if not mongo:
                mongo = stack.enter_context(MongoDbContainer("mongo:7.0")).get_connection_url()
        if not kafka or not mongo:  # the test instance starts what is not given (stack.py leaves the rest)
            stack.callback(_stack, "--instance", "test", "down")  # also if starting fails half-way
            _stack("--instance", "test", "up", "--fresh")
            instance = None if kafka else "test"
            given = _stack_env("test")
            kafka_env = kafka_env if kafka else given
            mongo_env = mongo_env if mongo else given
            kafka, mongo = kafka or given["KAFKA_BOOTSTRAP_SERVERS"], mongo or given["MONGODB_URL"]
        mongo_auth = MongoAuth.from_env(mongo_env)
        secrets = kafka_env.get("KINERJA_STACK_SECRETS")
        yield Infra(
            kafka_bootstrap_servers=kafka,
            mongodb_url=mongodb_url_with(mongo, mongo_auth),
            stack_instance=instance,
            kafka_auth=KafkaAuth.from_env(kafka_env),
            mongo_auth=mongo_auth,
            secrets_dir=Path(secrets) if secrets and instance else None,
            mongodb_server_url=mongo,
        )


@pytest.fixture
async def mongo_client(infra: Infra) -> AsyncIterator[AsyncMongoClient[MongoDocument]]:
    client: AsyncMongoClient[MongoDocument] = AsyncMongoClient(infra.mongodb_url, tz_aware=True)
    yield client
    await client.close()


@pytest.fixture
def unique() -> str:
    """A short unique suffix for database names, consumer groups and test data."""
    return uuid.uuid4().hex[:10]


@dataclass(frozen=True)
class Keys:
    private: Path
    public: Path

    def token(self, nip: str, *roles: str, opd_code: str | None = None) -> str:
        return mint_token(self.private, nip, roles, opd_code=opd_code)

    def headers(self, nip: str, *roles: str, opd_code: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(nip, *roles, opd_code=opd_code)}"}


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    private, public = ensure_local_keypair(tmp_path_factory.mktemp("keys"))
    return Keys(private, public)


@pytest.fixture
def new_nip() -> Callable[[], str]:
    """Makes valid PNS NIPs (birth date, TMT CPNS, gender, sequence) that differ between calls."""

    def make() -> str:
        n = uuid.uuid4().int
        return f"1986{n % 12 + 1:02d}{n // 12 % 28 + 1:02d}201505{n // 336 % 2 + 1}{n // 672 % 999 + 1:03d}"

    return make


def employee_record(nip: str, opd_code: str = "DINKES", **fields: Any) -> dict[str, Any]:
    """A valid registry record (``POST /api/v1/employees``): a PNS JF of ``opd_code``, unless ``fields``
    say otherwise."""
    return {
        "nip": nip,
        "name": f"Pegawai {nip[-4:]}",
        "employee_type": "PNS",
        "position_type": "JF",
        "opd_code": opd_code,
        **fields,
    }


async def register_employee(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    nip: str,
    opd_code: str = "DINKES",
    *,
    url: str = "",
    **fields: Any,
) -> dict[str, Any]:
    """Register ``nip`` through the appraisal service's API (``url``: its base, when ``client`` has none),
    as a result recorded from history needs (``POST /api/v1/appraisals`` takes registered NIPs only).
    ``headers``: the BKPSDM's, or the admin_opd's of ``opd_code``. Already registered is fine."""
    record = employee_record(nip, opd_code, **fields)
    response = await client.post(f"{url}/api/v1/employees", json=record, headers=headers)
    assert response.status_code in (201, 409), response.text
    return record


async def record_appraisal(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    nip: str,
    *,
    url: str = "",
    period: str = "2026-Q2",
    opd_code: str = "DINKES",
    extra_headers: dict[str, str] | None = None,
) -> httpx.Response:
    """Record a finalised Baik result for ``nip`` (registered) through ``POST /api/v1/appraisals``, as
    a result from history is recorded: the appraisal service publishes ``appraisal.completed``."""
    return await client.post(
        f"{url}/api/v1/appraisals",
        json={
            "nip": nip,
            "opd_code": opd_code,
            "period": period,
            "hasil_kerja": "sesuai_ekspektasi",
            "perilaku_kerja": "sesuai_ekspektasi",
        },
        headers=headers | (extra_headers or {}),
    )


def prometheus_tools() -> Path:
    """The folder with Debian's ``prometheus`` and ``promtool``, fetched once by the stack script."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "local" / "stack.py"), "prometheus"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return Path(out.strip().splitlines()[-1])


@pytest.fixture
def service_settings(infra: Infra, keys: Keys, unique: str) -> Callable[[type[S]], S]:
    """Settings for an in-process service: the real infrastructure, a fresh database and consumer group."""

    def make(settings_class: type[S], **overrides: object) -> S:
        kafka = infra.kafka_auth
        values: dict[str, object] = {
            "mongodb_url": infra.mongodb_url,
            "mongodb_username": None,  # the URL carries the administrator (these would override it)
            "mongodb_password": None,
            "mongodb_password_file": None,
            "kafka_bootstrap_servers": infra.kafka_bootstrap_servers,
            "kafka_security_protocol": kafka.security_protocol,
            "kafka_sasl_mechanism": kafka.sasl_mechanism,
            "kafka_sasl_username": kafka.username,
            "kafka_sasl_password": kafka.password,
            "kafka_sasl_password_file": None,
            "mongodb_database": f"test_{unique}",
            "consumer_group": f"test-{unique}",
            "auth_public_key_file": keys.public,
            "log_json": False,
            "outbox_poll_interval_s": 0.5,
            "shutdown_timeout_s": 10.0,
        }
        values.update(overrides)
        return settings_class.model_validate(values)

    return make


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's lifespan (Mongo, Kafka, subscribers, relay) and give an HTTP client for it."""
    async with LifespanManager(app, startup_timeout=90, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


def from_the_start(infra: Infra, topic: str) -> AIOKafkaConsumer:
    """A consumer of no group that reads ``topic`` from its first record."""
    return AIOKafkaConsumer(
        topic,
        **infra.kafka_options,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )


async def read_topic(infra: Infra, topic: str, idle_polls: int = 4) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of ``topic`` from the beginning, read with a fresh consumer until ``idle_polls``
    polls in a row (half a second each) bring nothing new."""
    consumer = from_the_start(infra, topic)
    await consumer.start()
    found: list[ConsumerRecord[bytes, bytes]] = []
    try:
        idle = 0
        while idle < idle_polls:
            batches = await consumer.getmany(timeout_ms=500)
            idle = 0 if batches else idle + 1
            for records in batches.values():
                found.extend(records)
    finally:
        await consumer.stop()
    return found


async def wait_for_event(
    infra: Infra, topic: str, predicate: Callable[[dict[str, Any]], bool], within: float = 30.0
) -> tuple[bytes | None, dict[str, Any]]:
    """Read ``topic`` from the beginning with a fresh consumer until a JSON value matches; returns (key, value)."""
    consumer = from_the_start(infra, topic)
    await consumer.start()
    try:
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    if _matches(predicate, record.value):
                        return record.key, json.loads(record.value)
        raise AssertionError(f"no matching event on {topic} within {within}s")
    finally:
        await consumer.stop()


def _matches(predicate: Callable[[dict[str, Any]], bool], raw: bytes | None) -> bool:
    """The tests share topics with tests that publish garbage on purpose: such values never match."""
    try:
        return bool(predicate(json.loads(raw or b"")))
    except (ValueError, KeyError, TypeError):
        return False


@overload
async def eventually(check: Callable[[], Awaitable[T]], within: float = 30.0, interval: float = 0.1) -> T: ...
@overload
async def eventually(check: Callable[[], T], within: float = 30.0, interval: float = 0.1) -> T: ...
async def eventually(check: Callable[[], Any], within: float = 30.0, interval: float = 0.1) -> Any:
    """Poll ``check`` (plain or async) until it returns a truthy value (returned) or ``within`` seconds
    pass (AssertionError)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {within}s (last result: {result!r})")
        await asyncio.sleep(interval)


async def publish_raw(infra: Infra, topic: str, value: dict[str, Any], key: bytes) -> None:
    """Publish one JSON value with a plain idempotent producer, as any other producer would."""
    producer = AIOKafkaProducer(**infra.kafka_options, enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic, json.dumps(value).encode(), key=key, headers=[("content-type", b"application/json")]
        )
    finally:
        await producer.stop()


async def publish_events(infra: Infra, events: Iterable[Event]) -> None:
    """Publish ``events`` in the given order with one idempotent producer, each on its topic under its
    key, as the services' outbox relays do."""
    producer = AIOKafkaProducer(**infra.kafka_options, enable_idempotence=True)
    await producer.start()
    try:
        for event in events:
            await producer.send(
                event.topic,
                event.model_dump_json().encode(),
                key=event.key(),
                headers=[("content-type", b"application/json")],
            )
        await producer.flush()
    finally:
        await producer.stop()


def appraisal_completed(**payload: Any) -> AppraisalCompleted:
    """An ``appraisal.completed.v1`` event for tests; payload fields default to a Baik appraisal."""
    values: dict[str, Any] = {
        "appraisal_id": str(uuid.uuid4()),
        "nip": "198609262015051001",
        "opd_code": "DINKES",
        "period": "2026-Q1",
        "hasil_kerja": RatingLevel.SESUAI_EKSPEKTASI,
        "perilaku_kerja": RatingLevel.SESUAI_EKSPEKTASI,
        "predikat": Predikat.BAIK,
    }
    values.update(payload)
    return AppraisalCompleted.create(AppraisalCompletedPayload.model_validate(values), producer="test")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def bare_read(
    options: dict[str, Any], starts: dict[TopicPartition, int], ends: dict[TopicPartition, int]
) -> tuple[list[ConsumerRecord[bytes, bytes]], float]:
    """Every record between ``starts`` (default 0) and ``ends`` read with a bare aiokafka consumer, and the
    seconds it took: the ceiling any consumer of these records can reach on this broker (the benchmarks'
    yardstick). ``options``: ``bootstrap_servers`` and credentials (``Infra.kafka_options``)."""
    consumer = AIOKafkaConsumer(**options, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        pending = [tp for tp in ends if ends[tp] > starts.get(tp, 0)]
        consumer.assign(pending)
        for tp in pending:
            consumer.seek(tp, starts.get(tp, 0))
        read: list[ConsumerRecord[bytes, bytes]] = []
        began = time.perf_counter()
        while pending:
            for tp, batch in (await consumer.getmany(*pending, timeout_ms=1000, max_records=2000)).items():
                read += [r for r in batch if r.offset < ends[tp]]
            pending = [tp for tp in pending if await consumer.position(tp) < ends[tp]]
        return read, time.perf_counter() - began
    finally:
        await consumer.stop()


@dataclass
class ServiceProcess:
    """One service run as its own process (``python -m <name>``), as in production."""

    name: str
    env: dict[str, str] = field(repr=False)  # it holds credentials; a failing test prints the repr
    log: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def configure(
        cls, name: str, infra: Infra, keys: Keys, run_id: str, log_dir: Path, **extra_env: str
    ) -> ServiceProcess:
        prefix = name.upper()
        credentials = ("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_", "MONGODB_USERNAME", "MONGODB_PASSWORD")
        env = {k: v for k, v in os.environ.items() if not k.startswith(credentials)}
        kafka = infra.principal(name) if infra.has_acls else infra.kafka_auth
        if kafka.username is not None:
            env["KAFKA_SECURITY_PROTOCOL"] = kafka.security_protocol
            env["KAFKA_SASL_MECHANISM"] = kafka.sasl_mechanism
            env["KAFKA_SASL_USERNAME"] = kafka.username
            if infra.has_acls:
                env["KAFKA_SASL_PASSWORD_FILE"] = str(infra.principal_file("kafka", name))
            else:
                env["KAFKA_SASL_PASSWORD"] = kafka.password or ""
        env |= {
            "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
            # Each test has its own database, so the administrator (in the URL) rather than the
            # service's user, who may use only kinerja_<service> (tests/security checks that one).
            "MONGODB_URL": infra.mongodb_url,
            "AUTH_PUBLIC_KEY_FILE": str(keys.public),
            "OUTBOX_POLL_INTERVAL_S": "0.5",
            "SHUTDOWN_TIMEOUT_S": "10",
            f"{prefix}_MONGODB_DATABASE": f"test_{run_id}_{name}",
            # Under the service's consumer-group prefix, the only groups its principal may use.
            f"{prefix}_CONSUMER_GROUP": f"{name}.test-{run_id}",
            **extra_env,
        }
        return cls(name=name, env=env, log=log_dir / f"{name}.log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database(self) -> str:
        return self.env[f"{self.name.upper()}_MONGODB_DATABASE"]

    def start(self, **extra_env: str) -> ServiceProcess:
        env = self.env | {f"{self.name.upper()}_PORT": str(self.port)} | extra_env
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", self.name], env=env, stdout=out, stderr=out)
        return self

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, within: float = 90.0) -> ServiceProcess:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            assert self.proc is not None
            assert self.proc.poll() is None, f"{self.name} exited: {self.log_tail()}"
            if self.ready():
                return self
            time.sleep(0.3)
        raise AssertionError(f"{self.name} not ready within {within}s: {self.log_tail()}")

    def stop(self, sig: int = signal.SIGTERM, within: float = 30.0) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=within)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"{self.name} did not stop within {within}s") from None

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


@contextmanager
def running(processes: Mapping[str, ServiceProcess]) -> Iterator[Mapping[str, ServiceProcess]]:
    """Start every process, wait until each is ready, and stop them all at the end (also on failure)."""
    try:
        for process in processes.values():
            process.start()
        for process in processes.values():
            process.wait_ready()
        yield processes
    finally:
        for process in processes.values():
            if process.proc is not None:
                process.stop()


async def skip_history(infra: Infra, group_prefix: str, topics: Iterable[str], *, exact_group: bool = False) -> None:
    """Start a service's new consumer groups at the end of its topics, as if it had consumed them.

    The tests share topics (``appraisal.completed.v1``) that keep every earlier test's events; a
    fresh group would first read all of them. Events published after this call are consumed.
    Topics that do not exist yet are created as a service would create them."""
    topics = list(topics)
    await ensure_topics(
        infra.kafka_bootstrap_servers,
        topic_specs(topics, partitions=3, replication_factor=1),
        "test-setup",
        auth=infra.kafka_auth,
    )
    for topic in topics:
        consumer = AIOKafkaConsumer(
            **infra.kafka_options,
            group_id=group_prefix if exact_group else group_id_for(group_prefix, topic),
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            partitions = [TopicPartition(topic, p) for p in await _partitions(infra, topic)]
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            await consumer.commit({tp: offset for tp, offset in ends.items()})
        finally:
            await consumer.stop()


async def _partitions(infra: Infra, topic: str) -> set[int]:
    admin = AIOKafkaAdminClient(**infra.kafka_options)
    await admin.start()
    try:
        [description] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    partitions = {int(p["partition"]) for p in description["partitions"]}
    assert partitions, f"topic {topic} not found"
    return partitions
