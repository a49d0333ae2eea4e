"""The Kafka ACLs are derived from the code and grant each principal only its part."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from appraisal.main import DEFINITION as APPRAISAL
from notification import handlers as notification_handlers
from notification.main import DEFINITION as NOTIFICATION
from reporting import handlers as reporting_handlers
from reporting.main import DEFINITION as REPORTING
from shared import roster
from shared.app import ServiceDefinition
from shared.events import Topic
from shared.kafka_acl import INTEGRATION, plan, to_json
from training import handlers as training_handlers
from training.main import DEFINITION as TRAINING

ROOT = Path(__file__).resolve().parents[2]
SERVICES: list[ServiceDefinition] = [APPRAISAL, TRAINING, NOTIFICATION, REPORTING]


def acls() -> list[tuple[str, str, str, str, str]]:
    return [tuple(row) for row in json.loads((ROOT / "deploy/kafka/acls.json").read_text())["acls"]]


def grants(operation: str) -> dict[str, set[str]]:
    """principal -> the topics it has ``operation`` on."""
    found: dict[str, set[str]] = defaultdict(set)
    for principal, rtype, name, pattern, op in acls():
        if rtype == "TOPIC" and op == operation:
            assert pattern == "LITERAL", "topic ACLs name each topic"
            found[principal].add(name)
    return found


def test_the_committed_plan_is_the_one_the_code_derives() -> None:
    """``deploy/kafka/acls.json`` (applied by the stack and compose) cannot drift from the code."""
    assert (ROOT / "deploy/kafka/acls.json").read_text() == to_json(plan(SERVICES)), (
        "run .venv/bin/python deploy/kafka/acls.py write"
    )


def test_the_subscriptions_are_the_declared_topics() -> None:
    """The ACLs come from ``DEFINITION.consumes``; the subscriptions must be exactly those."""
    unused: Any = None  # the repositories are not called here
    own = [
        (NOTIFICATION, notification_handlers.subscriptions(unused)),
        (REPORTING, reporting_handlers.subscriptions(unused)),
        (TRAINING, training_handlers.subscriptions(unused)),
    ]
    for definition, subscriptions in own:  # plus the roster of who is active (shared.roster)
        assert {s.topic for s in subscriptions} | set(roster.TOPICS) == set(definition.consumes)


def test_a_service_writes_only_its_own_topics_and_the_dead_letters_of_its_subscriptions() -> None:
    writes = grants("WRITE")
    for service in SERVICES:
        own = {str(t) for t in service.publishes} | {t.dlq for t in service.consumes}
        assert writes.get(service.name, set()) == own
    owners: dict[str, list[str]] = defaultdict(list)
    for principal, topics in writes.items():
        for topic in topics:
            if not topic.endswith(".dlq"):
                owners[topic].append(principal)
    assert all(len(who) == 1 for who in owners.values()), f"a topic with two producers: {dict(owners)}"


def test_a_service_reads_only_its_subscriptions_in_its_own_groups() -> None:
    reads = grants("READ")
    for service in SERVICES:
        assert reads.get(service.name, set()) == {str(t) for t in service.consumes}
    groups = {(p, name, pattern) for p, rtype, name, pattern, op in acls() if rtype == "GROUP" and op == "READ"}
    assert groups == {
        ("notification", "notification.", "PREFIXED"),
        ("reporting", "reporting.", "PREFIXED"),
        ("training", "training.", "PREFIXED"),
        (INTEGRATION, "ext.", "PREFIXED"),
    }
    # The lag probe (shared.lag) may only see how far a re-drive of the dead letters got.
    others = {(p, name, pattern, op) for p, rtype, name, pattern, op in acls() if rtype == "GROUP" and op != "READ"}
    assert others == {(s, "dlq-redrive.", "PREFIXED", "DESCRIBE") for s in ("notification", "reporting", "training")}
    assert not any(pattern == "PREFIXED" and rtype == "TOPIC" for _, rtype, _, pattern, _ in acls())


def test_the_integration_principal_only_reads_event_topics() -> None:
    theirs = [acl for acl in acls() if acl[0] == INTEGRATION]
    assert {op for *_, op in theirs} == {"READ", "DESCRIBE"}
    assert grants("READ")[INTEGRATION] == {str(t) for t in Topic}  # no dead letters
    assert INTEGRATION not in grants("CREATE")


def test_nobody_but_the_administrator_deletes_alters_or_reads_dead_letters() -> None:
    assert {op for *_, op in acls()} <= {"READ", "WRITE", "CREATE", "DESCRIBE", "IDEMPOTENT_WRITE"}
    assert not any(topic.endswith(".dlq") for topics in grants("READ").values() for topic in topics)
    cluster = {(p, op) for p, rtype, _, _, op in acls() if rtype == "CLUSTER"}
    assert cluster == {(s.name, "IDEMPOTENT_WRITE") for s in SERVICES}
    assert "admin" not in {acl[0] for acl in acls()}  # the super user needs no ACL
