"""The Kafka principals and their ACLs, derived from what each service publishes and consumes.

The broker denies everything no ACL allows (``allow.everyone.if.no.acl.found=false``); ``admin`` is
the only super user (the local stack, operators, test set-up). Every other principal gets exactly:

- a **service** (``appraisal``, ``training``, ``notification``, ``reporting``):
  - WRITE on the topics it publishes, and on the dead-letter topic (``<topic>.dlq``) of each topic
    it consumes: a consumer dead-letters what it cannot apply to the DLQ of the topic it read it from;
  - READ on the topics it consumes, and on its consumer groups (prefix ``<service>.``, the default
    ``<SERVICE>_CONSUMER_GROUP``);
  - CREATE and DESCRIBE on all of those topics and the DLQs of the topics it publishes, because a
    service creates the topics it uses at start-up (``shared.app``, ``shared.kafka.ensure_topics``);
  - IDEMPOTENT_WRITE on the cluster: every service runs an idempotent producer (``acks=all``,
    ``shared.kafka.create_broker``), which asks for a producer id when it starts. Since Kafka 3.0
    (KIP-679) WRITE on any topic would do instead, but a service that publishes nothing (training,
    today) has none, and could not start. It lets a producer get an id, not write anywhere;
  - nothing else: it cannot write another service's topic, read a topic it does not consume, or
    read any dead-letter topic (looking at and re-driving dead letters is the operator's, as ``admin``);
- **integration** (for integration teams): READ and DESCRIBE on every event topic and READ on the
  consumer groups ``ext.*`` (the naming docs/integration.md asks of them); no WRITE, no CREATE.

``deploy/kafka/acls.json`` is this plan for the four services, written by
``deploy/kafka/acls.py write`` and checked against the code by ``tests/platform/test_kafka_acls.py``;
the local stack and the compose set-up apply that file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from typing import Literal, Protocol

from shared.events import Topic

ADMIN = "admin"
INTEGRATION = "integration"
INTEGRATION_GROUP_PREFIX = "ext."
REDRIVE_GROUP_PREFIX = "dlq-redrive"
"""The consumer groups of ``python -m shared.dlq redrive``: ``dlq-redrive.<dlq topic>``."""

CLUSTER = "kafka-cluster"

ResourceType = Literal["TOPIC", "GROUP", "CLUSTER"]
PatternType = Literal["LITERAL", "PREFIXED"]
Operation = Literal["READ", "WRITE", "CREATE", "DESCRIBE", "IDEMPOTENT_WRITE"]


class ServiceTopics(Protocol):
    """What the plan needs of a service (a ``shared.app.ServiceDefinition`` has it)."""

    @property
    def name(self) -> str: ...
    @property
    def publishes(self) -> Sequence[Topic]: ...
    @property
    def consumes(self) -> Sequence[Topic]: ...


@dataclass(frozen=True, order=True)
class Acl:
    """One ALLOW rule for ``User:<principal>`` from any host."""

    principal: str
    resource_type: ResourceType
    resource_name: str
    pattern_type: PatternType
    operation: Operation


def _topic(principal: str, names: Iterable[str], *operations: Operation) -> set[Acl]:
    return {Acl(principal, "TOPIC", name, "LITERAL", op) for name in names for op in operations}


def service_acls(service: ServiceTopics, group_prefix: str | None = None) -> list[Acl]:
    """The ACLs of one service's principal (named as the service)."""
    who = service.name
    publishes = [str(topic) for topic in service.publishes]
    consumes = [str(topic) for topic in service.consumes]
    created = {*publishes, *consumes, *(f"{t}.dlq" for t in (*publishes, *consumes))}
    acls = _topic(who, created, "CREATE", "DESCRIBE")
    acls |= _topic(who, [*publishes, *(f"{t}.dlq" for t in consumes)], "WRITE")
    acls |= _topic(who, consumes, "READ")
    acls.add(Acl(who, "CLUSTER", CLUSTER, "LITERAL", "IDEMPOTENT_WRITE"))
    if consumes:
        acls.add(Acl(who, "GROUP", f"{group_prefix or who}.", "PREFIXED", "READ"))
        # shared.lag: how far ``python -m shared.dlq redrive`` got in each dead-letter topic
        acls.add(Acl(who, "GROUP", f"{REDRIVE_GROUP_PREFIX}.", "PREFIXED", "DESCRIBE"))
    return sorted(acls)


def integration_acls(principal: str = INTEGRATION, group_prefix: str = INTEGRATION_GROUP_PREFIX) -> list[Acl]:
    """Read-only: every event topic (not the dead-letter topics), its own consumer groups."""
    acls = _topic(principal, [str(topic) for topic in Topic], "READ", "DESCRIBE")
    acls.add(Acl(principal, "GROUP", group_prefix, "PREFIXED", "READ"))
    return sorted(acls)


def plan(services: Iterable[ServiceTopics]) -> dict[str, object]:
    """The principals (besides ``admin``) and every ACL, as ``deploy/kafka/acls.json`` holds them."""
    services = sorted(services, key=lambda service: service.name)
    acls = [acl for service in services for acl in service_acls(service)] + integration_acls()
    return {
        "admin": ADMIN,
        "principals": [service.name for service in services] + [INTEGRATION],
        "columns": [f.name for f in fields(Acl)],
        "acls": [list(astuple(acl)) for acl in acls],
    }


def to_json(document: dict[str, object]) -> str:
    """JSON with one ACL per line, so a change reads well in a diff."""
    head = {k: v for k, v in document.items() if k != "acls"}
    rows = [json.dumps(row) for row in document["acls"]]  # type: ignore[attr-defined]
    body = json.dumps(head, indent=1)[:-2]
    return body + ',\n "acls": [\n  ' + ",\n  ".join(rows) + "\n ]\n}\n"
