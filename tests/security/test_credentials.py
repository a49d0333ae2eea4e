"""The broker and the database require credentials, and each principal may do only its part.

Against the real local stack (SASL/SCRAM-SHA-512 with the ACLs of ``deploy/kafka/acls.json``,
SecantusDB with ``--auth`` and one user per service database); skipped against servers the tests
do not own, whose principals they cannot know.
"""

from __future__ import annotations

import asyncio
import importlib.util
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure

from appraisal.config import Settings as AppraisalSettings
from appraisal.main import create_app as create_appraisal
from kinerja_testing import Infra, appraisal_completed, publish_raw, serve
from notification.config import Settings as NotificationSettings
from notification.main import create_app as create_notification
from reporting.config import Settings as ReportingSettings
from reporting.main import create_app as create_reporting
from shared.config import ServiceSettings
from shared.credentials import KafkaAuth, MongoAuth, read_secret_file
from shared.events import Topic
from shared.kafka import create_broker, ensure_topics, topic_specs
from shared.mongo import MongoDocument
from training.config import Settings as TrainingSettings
from training.main import create_app as create_training

pytestmark = pytest.mark.infra

ALL_TOPICS = topic_specs([str(t) for t in Topic], partitions=3, replication_factor=1)


@pytest.fixture
async def acl_infra(infra: Infra) -> Infra:
    if not infra.has_acls:
        pytest.skip("the broker is not the local stack's: its principals and ACLs are unknown here")
    await ensure_topics(infra.kafka_bootstrap_servers, ALL_TOPICS, "test-setup", auth=infra.kafka_auth)
    return infra


@asynccontextmanager
async def producer(infra: Infra, auth: KafkaAuth, *, idempotent: bool = True) -> AsyncIterator[AIOKafkaProducer]:
    client = AIOKafkaProducer(
        bootstrap_servers=infra.kafka_bootstrap_servers,
        enable_idempotence=idempotent,
        request_timeout_ms=10000,
        **auth.client_options(),
    )
    try:
        await client.start()
        yield client
    finally:
        await client.stop()


async def read_one(infra: Infra, auth: KafkaAuth, topic: str, group: str | None) -> list[Any]:
    """Poll ``topic`` as ``auth`` in consumer group ``group`` (records found in a few polls)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=infra.kafka_bootstrap_servers,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **auth.client_options(),
    )
    try:
        await consumer.start()
        found: list[Any] = []
        for _ in range(20):
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found.extend(records)
            if found:
                break
        return found
    finally:
        await consumer.stop()


async def test_a_service_cannot_publish_to_another_service_topic(acl_infra: Infra) -> None:
    """The services' own producer (``create_broker``): notification may dead-letter
    ``appraisal.completed.v1`` but never publish on it, which is appraisal's."""
    event = appraisal_completed()
    notification = create_broker(
        acl_infra.kafka_bootstrap_servers,
        service_name="notification",
        registry=CollectorRegistry(),
        auth=acl_infra.principal("notification"),
    )
    await notification.start()
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await notification.publish(event.model_dump(mode="json"), topic=Topic.APPRAISAL_COMPLETED, key=event.key())
        with pytest.raises(TopicAuthorizationFailedError):  # nor the DLQ of a topic it does not consume
            await notification.publish(b"x", topic=Topic.APPRAISAL_LOW_SCORE_WITHDRAWN.dlq)
        await notification.publish(b"a dead letter", topic=Topic.APPRAISAL_COMPLETED.dlq)  # its own part
    finally:
        await notification.stop()

    async with producer(acl_infra, acl_infra.principal("training")) as training:
        with pytest.raises(TopicAuthorizationFailedError):
            await training.send_and_wait(Topic.EMPLOYEE_REGISTERED, b"{}")
    async with producer(acl_infra, acl_infra.principal("appraisal")) as appraisal:
        await appraisal.send_and_wait(Topic.APPRAISAL_COMPLETED, event.model_dump_json().encode(), key=event.key())


@pytest.mark.parametrize(
    ("principal", "topic"),
    [
        ("reporting", Topic.SKP_APPROVED.dlq),  # it subscribes to every event topic, and dead letters are not events
        ("appraisal", Topic.APPRAISAL_COMPLETED),  # its own topic: publishing is not reading
        ("notification", Topic.APPRAISAL_COMPLETED.dlq),  # dead letters are the operator's
        ("integration", Topic.APPRAISAL_COMPLETED.dlq),
    ],
)
async def test_a_principal_cannot_read_a_topic_it_does_not_subscribe_to(
    acl_infra: Infra, principal: str, topic: str
) -> None:
    with pytest.raises(TopicAuthorizationFailedError):  # without a group: the topic alone is refused
        await read_one(acl_infra, acl_infra.principal(principal), topic, None)


async def test_a_service_reads_its_subscription_only_in_its_own_consumer_groups(acl_infra: Infra) -> None:
    reporting = acl_infra.principal("reporting")
    event = appraisal_completed()
    await publish_raw(acl_infra, event.topic, event.model_dump(mode="json"), event.key())
    assert await read_one(acl_infra, reporting, Topic.APPRAISAL_COMPLETED, f"reporting.test-{uuid.uuid4().hex[:8]}")
    with pytest.raises(GroupAuthorizationFailedError):  # notification's group
        await read_one(acl_infra, reporting, Topic.APPRAISAL_COMPLETED, "notification.appraisal-completed")


async def test_the_integration_principal_reads_every_event_topic_but_writes_none(acl_infra: Infra) -> None:
    integration = acl_infra.principal("integration")
    event = appraisal_completed()
    await publish_raw(acl_infra, event.topic, event.model_dump(mode="json"), event.key())
    records = await read_one(acl_infra, integration, Topic.APPRAISAL_COMPLETED, f"ext.test-{uuid.uuid4().hex[:8]}")
    assert records
    with pytest.raises(GroupAuthorizationFailedError):  # only groups ext.*
        await read_one(acl_infra, integration, Topic.APPRAISAL_COMPLETED, f"reporting.test-{uuid.uuid4().hex[:8]}")
    async with producer(acl_infra, integration, idempotent=False) as plain:
        with pytest.raises(TopicAuthorizationFailedError):
            await plain.send_and_wait(Topic.APPRAISAL_COMPLETED, b"{}")
    with pytest.raises(ClusterAuthorizationFailedError):  # not even a producer id for an idempotent producer
        async with producer(acl_infra, integration):
            pass


@pytest.mark.parametrize("password", ["not-the-password", None])
async def test_a_wrong_password_or_none_is_refused(acl_infra: Infra, password: str | None) -> None:
    auth = KafkaAuth("SASL_PLAINTEXT", "SCRAM-SHA-512", "appraisal", password) if password else KafkaAuth()
    client = AIOKafkaProducer(bootstrap_servers=acl_infra.kafka_bootstrap_servers, **auth.client_options())
    with pytest.raises(KafkaConnectionError):
        await asyncio.wait_for(client.start(), 60)
    await client.stop()


def mongo_principal(infra: Infra, name: str) -> MongoAuth:
    if (
        infra.secrets_dir is None
        or not infra.principal_file("mongo", name).exists()
        or infra.mongo_auth.username is None
    ):
        pytest.skip("the database has no users of the local stack (only SecantusDB has them)")
    return MongoAuth(name, read_secret_file(infra.principal_file("mongo", name)))


async def test_each_service_user_reads_and_writes_only_its_own_database(infra: Infra) -> None:
    auth = mongo_principal(infra, "appraisal")
    client: AsyncMongoClient[MongoDocument] = AsyncMongoClient(
        infra.mongodb_server_url, serverSelectionTimeoutMS=5000, **auth.client_options()
    )
    marker = {"_id": f"probe-{uuid.uuid4().hex[:8]}"}
    try:
        await client["kinerja_appraisal"]["probe"].insert_one(marker)
        assert await client["kinerja_appraisal"]["probe"].find_one(marker) == marker
        await client["kinerja_appraisal"]["probe"].delete_one(marker)
        for other in ("kinerja_training", "kinerja_reporting", "admin"):
            with pytest.raises(OperationFailure) as refused:
                await client[other]["probe"].insert_one(marker)
            assert refused.value.code == 13  # Unauthorized
            with pytest.raises(OperationFailure):
                await client[other]["probe"].find_one(marker)
    finally:
        await client.close()

    wrong = MongoAuth("appraisal", "not-the-password")
    for credentials in (wrong.client_options(), {}):  # a wrong password, or none at all
        stranger: AsyncMongoClient[MongoDocument] = AsyncMongoClient(
            infra.mongodb_server_url, serverSelectionTimeoutMS=5000, **credentials
        )
        try:
            with pytest.raises(OperationFailure):
                await stranger["kinerja_appraisal"]["probe"].find_one({})
        finally:
            await stranger.close()


SERVICES: list[tuple[str, type[ServiceSettings], Any]] = [
    ("appraisal", AppraisalSettings, create_appraisal),
    ("training", TrainingSettings, create_training),
    ("notification", NotificationSettings, create_notification),
    ("reporting", ReportingSettings, create_reporting),
]


@pytest.mark.parametrize(("name", "settings_class", "create_app"), SERVICES, ids=[s[0] for s in SERVICES])
async def test_each_service_starts_as_its_own_principal_on_its_own_database(
    acl_infra: Infra, keys: Any, name: str, settings_class: type[ServiceSettings], create_app: Any
) -> None:
    """The service's Kafka principal and MongoDB user are enough for everything it does at start-up
    (topics, consumer groups, indexes) and for ``/readyz``."""
    mongo = mongo_principal(acl_infra, name)
    settings = settings_class.model_validate(
        {
            "mongodb_url": acl_infra.mongodb_server_url,
            "mongodb_username": name,
            "mongodb_password": mongo.password,
            "mongodb_password_file": None,
            "kafka_bootstrap_servers": acl_infra.kafka_bootstrap_servers,
            "kafka_security_protocol": "SASL_PLAINTEXT",
            "kafka_sasl_username": name,
            "kafka_sasl_password": None,
            "kafka_sasl_password_file": acl_infra.principal_file("kafka", name),
            "auth_public_key_file": keys.public,
            "log_json": False,
            "shutdown_timeout_s": 10.0,
        }
    )
    assert settings.mongodb_database == f"kinerja_{name}"
    assert settings.consumer_group == name
    async with serve(create_app(settings)) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text


KAFKA_SETUP = Path(__file__).resolve().parents[2] / "deploy" / "kafka"


def kafka_admin_module() -> Any:
    """``deploy/kafka/kafka_admin.py``: the standard-library client the stack and compose apply ACLs with."""
    path = KAFKA_SETUP / "kafka_admin.py"
    spec = importlib.util.spec_from_file_location("kafka_admin", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_applying_the_plan_removes_a_permission_the_code_no_longer_grants(acl_infra: Infra) -> None:
    """An ACL of a managed principal that ``deploy/kafka/acls.json`` does not list (left over from an
    older version of the code, or added by hand) goes at the next apply; the plan itself stays."""
    admin = kafka_admin_module()
    principals, acls = admin.load_plan(KAFKA_SETUP / "acls.json")
    host, port = admin.split_bootstrap(acl_infra.kafka_bootstrap_servers)
    password = acl_infra.kafka_auth.password
    stale = ("integration", "TOPIC", str(Topic.APPRAISAL_COMPLETED), "LITERAL", "WRITE")
    with admin.Connection(host, port) as conn:
        conn.authenticate("admin", password)
        conn.create_acls([stale])
        assert stale in conn.describe_acls()
    summary = admin.apply_acls(host, port, "admin", password, principals, acls)
    assert "1 removed" in summary
    with admin.Connection(host, port) as conn:
        conn.authenticate("admin", password)
        present = set(conn.describe_acls())
    assert stale not in present
    assert set(acls) <= present
    async with producer(acl_infra, acl_infra.principal("integration"), idempotent=False) as plain:
        with pytest.raises(TopicAuthorizationFailedError):
            await plain.send_and_wait(Topic.APPRAISAL_COMPLETED, b"{}")
