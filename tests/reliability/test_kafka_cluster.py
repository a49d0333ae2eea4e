"""Faults on a three-broker Kafka cluster, as production runs it: replication factor 3,
``min.insync.replicas=2``, no unclean leader election, producers with ``acks=all`` and idempotence.

The appraisal service (with its outbox relay) and the two consumers of ``appraisal.completed.v1``
(reporting and notification) run in this process against the ``cluster`` instance of the local
stack (``deploy/local/cluster.py``: three KRaft nodes and a Mongo-wire server of its own, started
fresh here and stopped at the end). Appraisals are recorded through the HTTP API in bursts:

1. in the middle of the first, the broker that leads most partitions of the topic is killed
   (SIGKILL) and, once the two others have taken over, started again;
2. in the middle of the second, the Mongo-wire server is stopped and, after longer than a request
   waits for it, started again (clients retry what fails, with the same ``Idempotency-Key``).

Appraisals keep coming before, during and after each fault. After each, every accepted appraisal
has exactly one event id on Kafka (nothing lost on the producing side, the outbox is empty, nothing
dead-lettered), and each consumer's read model holds every event exactly once.

The cluster requires credentials like the other instances: the test's own clients are its
administrator, and each service runs as its own Kafka principal (under the ACLs of
``deploy/kafka/acls.json``) and its own database user, all given in its settings, so nothing of the
environment (``make test`` exports the test instance's credentials) reaches the cluster.
"""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import json
import os
import shutil
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from appraisal.config import Settings as AppraisalSettings
from appraisal.main import create_app as appraisal_app
from kinerja_testing import Infra, Keys, employee_record, eventually, read_topic, serve
from notification.config import Settings as NotificationSettings
from notification.main import create_app as notification_app
from reporting.config import Settings as ReportingSettings
from reporting.main import create_app as reporting_app
from shared.config import ServiceSettings
from shared.credentials import KafkaAuth, MongoAuth, mongodb_url_with
from shared.mongo import MongoDocument

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
TOPIC = "appraisal.completed.v1"
BKPSDM = "197001012000011001"
CLIENTS = 8
PACE_S = 0.4
"""Each client's pause between two appraisals (~20 a second in all: a steady stream, not a flood)."""
BEFORE = AFTER = 100
"""Appraisals accepted before a fault begins, and after it is over, in each burst."""
RATINGS = ("sesuai_ekspektasi", "di_atas_ekspektasi")  # Baik or Sangat Baik: no low-score flags
DATABASE_DOWN_S = 7.0
SETTLE_S = 60.0
"""How long the system may take to deliver a burst's last events after the fault (generous: the
machine is shared; these are bounds against hanging, not timed assertions)."""


def load(name: str) -> ModuleType:
    """``deploy/local/<name>.py`` as the module ``name`` (cluster.py imports ``stack``)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "deploy" / "local" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Cluster:
    stack: ModuleType
    nodes: ModuleType
    instance: Any
    infra: Infra
    executor: ThreadPoolExecutor
    """Where the (blocking) stack functions run, off the event loop the services share; the fixture
    waits for it before stopping the cluster, so a fault cut short cannot start a server afterwards."""

    async def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, partial(function, *args, **kwargs))


@pytest.fixture(scope="module")
def kafka_cluster() -> Iterator[Cluster]:
    """The ``cluster`` instance, wiped and started for this module and stopped after it, whatever happens."""
    if shutil.which("java") is None:
        pytest.skip("needs Java to run the local three-broker Kafka cluster")
    stack = load("stack")
    nodes = load("cluster")
    instance = stack.instance("cluster")
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cluster")
    try:
        nodes.up(instance, fresh=True)
        env = nodes.env(instance)  # the administrator's
        mongo_auth = MongoAuth.from_env(env)
        infra = Infra(
            env["KAFKA_BOOTSTRAP_SERVERS"],
            mongodb_url_with(env["MONGODB_URL"], mongo_auth),
            "cluster",
            kafka_auth=KafkaAuth.from_env(env),
            mongo_auth=mongo_auth,
            secrets_dir=Path(env["KINERJA_STACK_SECRETS"]),
            mongodb_server_url=env["MONGODB_URL"],
        )
        assert infra.has_acls
        yield Cluster(stack, nodes, instance, infra, executor)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        nodes.down(instance)


def settings(kind: type[ServiceSettings], cluster: Cluster, keys: Keys, run_id: str) -> Any:
    """A service's settings for the cluster: its own Kafka principal and database user (every
    credential set here, so none comes from the environment), its own database (the only one its
    user may use; the cluster is fresh) and a consumer group under its prefix (the only ones its
    principal may use)."""
    service = kind.__module__.split(".")[0]
    infra = cluster.infra
    kafka = infra.principal(service)
    return kind.model_validate(
        {
            "mongodb_url": infra.mongodb_server_url,
            "mongodb_username": service,
            "mongodb_password": None,
            "mongodb_password_file": infra.principal_file("mongo", service),
            "mongodb_auth_source": "admin",
            "kafka_bootstrap_servers": infra.kafka_bootstrap_servers,
            "kafka_security_protocol": kafka.security_protocol,
            "kafka_sasl_mechanism": kafka.sasl_mechanism,
            "kafka_sasl_username": kafka.username,
            "kafka_sasl_password": None,
            "kafka_sasl_password_file": infra.principal_file("kafka", service),
            "kafka_replication_factor": 3,
            "mongodb_database": f"kinerja_{service}",
            "consumer_group": f"{service}.cluster-{run_id}",
            "auth_public_key_file": keys.public,
            "log_json": False,
            "outbox_poll_interval_s": 0.5,
            "shutdown_timeout_s": 10.0,
            "consumer_batch_max_records": 50,  # many batches and commits, so the faults fall mid-stream
        }
    )


@dataclass
class Burst:
    """Appraisals recorded through the API, one new employee each, in one period: BEFORE of them
    before a fault, as many as the clients manage while it lasts, and AFTER more once it is over."""

    period: str
    new_nip: Callable[[], str]
    sent: dict[int, str] = field(default_factory=dict)
    """request number -> the appraisal id it records."""
    accepted: dict[str, str] = field(default_factory=dict)
    """appraisal id -> the predikat the API answered."""
    retried: int = 0
    """Requests that had to be sent again (an error or a failed response)."""
    during_fault: int = 0
    """Appraisals accepted while the fault ran (from its start until the server was back)."""


async def record_burst(
    http: httpx.AsyncClient, keys: Keys, burst: Burst, fault: Callable[[], Coroutine[Any, Any, None]]
) -> None:
    """CLIENTS concurrent clients record appraisals, each retrying a request (same Idempotency-Key)
    until it is accepted; ``fault`` runs once BEFORE are accepted, the clients going on meanwhile."""
    headers = keys.headers(BKPSDM, "admin_bkpsdm")
    numbers = itertools.count()
    done = asyncio.Event()
    loop = asyncio.get_running_loop()

    async def client() -> None:
        while not done.is_set():
            n, nip = next(numbers), burst.new_nip()
            while f"{nip}-{burst.period}" in burst.sent.values():  # the generator may repeat one in hundreds
                nip = burst.new_nip()
            burst.sent[n] = f"{nip}-{burst.period}"
            body = {
                "nip": nip,
                "opd_code": "DINKES",
                "period": burst.period,
                "hasil_kerja": RATINGS[n % 2],
                "perilaku_kerja": RATINGS[n // 2 % 2],
            }
            deadline = loop.time() + 120
            while True:
                try:
                    # History is recorded for registered employees only: registered first (409: already, by
                    # an earlier attempt), retried like the recording itself.
                    response = await http.post("/api/v1/employees", json=employee_record(nip), headers=headers)
                    if response.status_code in (201, 409):
                        response = await http.post(
                            "/api/v1/appraisals",
                            json=body,
                            headers=headers | {"Idempotency-Key": f"{burst.period}-{n}"},
                        )
                except Exception as exc:  # the in-process app raises what it could not answer
                    problem = f"{type(exc).__name__}: {exc}"
                else:
                    if response.status_code in (200, 201):  # 200: a replay of an attempt the server applied
                        burst.accepted[response.json()["id"]] = response.json()["predikat"]
                        break
                    problem = f"{response.status_code} {response.text[:300]}"
                    assert response.status_code >= 500, f"appraisal {n} of {burst.period} refused: {problem}"
                burst.retried += 1
                assert loop.time() < deadline, f"appraisal {n} of {burst.period} not accepted within 120s: {problem}"
                await asyncio.sleep(0.5)
            await asyncio.sleep(PACE_S)

    async def conduct() -> None:
        try:
            await eventually(lambda: len(burst.accepted) >= BEFORE, within=120, interval=0.05)
            before = len(burst.accepted)
            async with asyncio.timeout(180):
                await fault()
            burst.during_fault = len(burst.accepted) - before
            await eventually(lambda: len(burst.accepted) >= before + burst.during_fault + AFTER, within=120)
        finally:
            done.set()

    async with asyncio.TaskGroup() as group:  # one failing client or fault cancels the others
        group.create_task(conduct())
        for _ in range(CLIENTS):
            group.create_task(client())
    assert sorted(burst.accepted) == sorted(burst.sent.values())


async def leader_counts(infra: Infra, topic: str) -> Counter[int]:
    """How many partitions of ``topic`` each broker leads."""
    return Counter(p["leader"] for p in (await describe(infra, topic))["partitions"])


async def describe(infra: Infra, topic: str) -> dict[str, Any]:
    admin = AIOKafkaAdminClient(**infra.kafka_options)
    await admin.start()
    try:
        [description] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return dict(description)


async def fully_replicated(infra: Infra, *topics: str) -> bool:
    """Every partition of ``topics`` has all three replicas in sync again."""
    for topic in topics:
        for partition in (await describe(infra, topic))["partitions"]:
            if sorted(partition["isr"]) != [1, 2, 3]:
                return False
    return True


@dataclass(frozen=True)
class ReadModels:
    evaluations: Any
    inbox: Any
    facts: Any
    reporting: httpx.AsyncClient


async def assert_applied_exactly_once(cluster: Cluster, burst: Burst, models: ReadModels, keys: Keys) -> None:
    """The burst's events are all published (outbox empty, one event id per appraisal, nothing
    dead-lettered) and each consumer's read model holds each of them exactly once."""
    expected = set(burst.accepted)
    period = burst.period

    async def pending() -> int:
        return int(await models.evaluations.count_documents({"period": period, "outbox_since": {"$exists": True}}))

    async def inbox_refs() -> list[str]:
        items = await models.inbox.find({}, {"record": 1}).to_list(None)
        records = [str(item["record"]).removeprefix("appraisal:") for item in items]
        return [record for record in records if record.endswith(f"-{period}")]

    async def facts() -> dict[str, MongoDocument]:
        return {d["_id"]: d for d in await models.facts.find({"period": period}).to_list(None)}

    async def delivered() -> bool:
        return await pending() == 0 and set(await inbox_refs()) == expected and set(await facts()) == expected

    try:
        await eventually(delivered, within=SETTLE_S, interval=0.5)
    except AssertionError:
        in_inbox, in_facts = set(await inbox_refs()), set(await facts())
        raise AssertionError(
            f"burst {period} not delivered within {SETTLE_S:.0f}s: {await pending()} appraisals still have "
            f"events in their outbox; the inbox has {len(in_inbox & expected)} of {len(expected)} (missing e.g. "
            f"{sorted(expected - in_inbox)[:3]}), the facts {len(in_facts & expected)} "
            f"(missing e.g. {sorted(expected - in_facts)[:3]})"
        ) from None
    await asyncio.sleep(2)  # anything delivered again late would show up now

    # Producing side: every accepted appraisal was published, under one event id (a record sent
    # again after a failure keeps its id), and nothing was left behind in an outbox.
    event_ids: dict[str, set[str]] = defaultdict(set)
    records = 0
    for record in await read_topic(cluster.infra, TOPIC):
        value = json.loads(record.value or b"{}")
        if value["payload"]["period"] == period:
            records += 1
            event_ids[value["payload"]["appraisal_id"]].add(value["event_id"])
    print(
        f"burst {period}: {len(expected)} appraisals ({burst.during_fault} during the fault), {records} records "
        f"on Kafka, {burst.retried} requests retried"
    )
    assert set(event_ids) == expected, f"missing on Kafka: {sorted(expected - set(event_ids))[:5]}"
    assert all(len(ids) == 1 for ids in event_ids.values()), "an appraisal was published under two event ids"
    leftovers = await models.evaluations.count_documents({"period": period, "outbox.0": {"$exists": True}})
    assert leftovers == 0
    assert await models.evaluations.count_documents({"period": period}) == len(expected)
    assert await models.evaluations.count_documents({"outbox_failed.0": {"$exists": True}}) == 0
    assert await read_topic(cluster.infra, f"{TOPIC}.dlq", idle_polls=2) == []

    # Notification: one inbox item per appraisal (it names the event it came from), none twice.
    refs = Counter(await inbox_refs())
    assert set(refs) == expected
    assert [ref for ref, count in refs.items() if count > 1] == []
    items = await models.inbox.find(
        {"record": {"$in": sorted(expected)[:50]}}, {"record": 1, "source_event_id": 1}
    ).to_list(None)
    assert all(item["source_event_id"] in event_ids[item["record"]] for item in items)

    # Reporting: one fact per appraisal, its first revision with the predikat the API answered, and
    # the summary through the API counts each appraisal once.
    stored = await facts()
    assert {key: (d["revision"], d["predikat"]) for key, d in stored.items()} == {
        key: (1, predikat) for key, predikat in burst.accepted.items()
    }
    summary = await models.reporting.get(
        "/api/v1/reports/appraisals/summary", params={"period": period}, headers=keys.headers(BKPSDM, "admin_bkpsdm")
    )
    assert summary.status_code == 200, summary.text
    assert summary.json()["total"] == len(expected)
    counts, by_predikat = Counter(burst.accepted.values()), summary.json()["by_predikat"]
    assert by_predikat == {predikat: counts.get(predikat, 0) for predikat in by_predikat}


async def test_a_broker_lost_and_the_database_restarted_mid_burst_every_event_is_applied_exactly_once(
    kafka_cluster: Cluster, keys: Keys, new_nip: Callable[[], str]
) -> None:
    cluster, run_id = kafka_cluster, os.urandom(4).hex()
    nodes, instance = cluster.nodes, cluster.instance
    configs = (
        settings(AppraisalSettings, cluster, keys, run_id),
        settings(NotificationSettings, cluster, keys, run_id),
        settings(ReportingSettings, cluster, keys, run_id),
    )
    for config in configs:  # each service as itself, on Kafka and in the database
        assert config.kafka_auth.principal == config.mongo_auth.username == config.service_name
    apps = (appraisal_app(configs[0]), notification_app(configs[1]), reporting_app(configs[2]))
    mongo: AsyncMongoClient[MongoDocument] = AsyncMongoClient(cluster.infra.mongodb_url, tz_aware=True)
    try:
        async with serve(apps[0]) as appraisal, serve(apps[1]), serve(apps[2]) as reporting:
            models = ReadModels(
                evaluations=mongo["kinerja_appraisal"]["evaluations"],
                inbox=mongo["kinerja_notification"]["notifications"],
                facts=mongo["kinerja_reporting"]["g1_appraisals"],  # the read model of generation 1 (no replay ran)
                reporting=reporting,
            )
            partitions = (await describe(cluster.infra, TOPIC))["partitions"]
            assert all(len(partition["replicas"]) == 3 for partition in partitions)

            # 1. The broker that leads most partitions of the topic crashes (SIGKILL: no controlled
            # shutdown, so its partitions have no leader until the controller fences it, ~9 s
            # later); once the two others have taken its partitions over, it is started again.
            [(victim, _)] = (await leader_counts(cluster.infra, TOPIC)).most_common(1)
            survivor = nodes.broker(instance, 1 if victim != 1 else 2)

            async def lose_a_broker() -> None:
                await cluster.call(nodes.stop_broker, instance, victim, kill=True)
                seen = partial(nodes.brokers_seen, instance, survivor.port)
                await eventually(lambda: cluster.call(lambda: seen() == 2), within=60)
                await cluster.call(nodes.start_broker, instance, victim)

            first = Burst("2025", new_nip)
            await record_burst(appraisal, keys, first, lose_a_broker)
            assert first.during_fault > 0, "no appraisal was accepted while the broker was away"
            assert first.retried == 0, "a client noticed the broker's loss (the API writes only to the database)"
            await assert_applied_exactly_once(cluster, first, models, keys)
            await eventually(
                lambda: fully_replicated(cluster.infra, TOPIC, "__consumer_offsets"), within=SETTLE_S, interval=1
            )

            # 2. The Mongo-wire server is stopped (SIGTERM), stays down longer than a request waits
            # for it (5 s), and is started again.
            kind = cluster.stack.mongo_server_kind()

            async def restart_the_database() -> None:
                await cluster.call(cluster.stack.stop, instance.mongo)
                await asyncio.sleep(DATABASE_DOWN_S)
                await cluster.call(cluster.stack.start_mongo, instance, kind)

            second = Burst("2024", new_nip)
            await record_burst(appraisal, keys, second, restart_the_database)
            assert second.retried > 0, "no request failed while the database was down"
            await assert_applied_exactly_once(cluster, second, models, keys)
    finally:
        await mongo.close()
