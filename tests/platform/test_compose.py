"""docker-compose.yml checked against the Compose Specification's JSON Schema (from the compose-go
Go module, the one Docker Compose itself uses) and against what the stack needs. No Docker engine
runs here, so the file is parsed, not started."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_GO = "github.com/compose-spec/compose-go/v2@v2.16.2"
SERVICES = {"appraisal": 8001, "training": 8002, "notification": 8003, "reporting": 8004}


@pytest.fixture(scope="module")
def compose_schema() -> dict[str, Any]:
    go = shutil.which("go")
    assert go, "missing prerequisite 'go' (needed to fetch the Compose Specification schema)"
    result = subprocess.run(
        [go, "mod", "download", "-json", COMPOSE_GO],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "GOFLAGS": "-mod=mod"},
        cwd=ROOT,
    )
    schema_file = Path(json.loads(result.stdout)["Dir"]) / "schema" / "compose-spec.json"
    schema: dict[str, Any] = json.loads(schema_file.read_text())
    return schema


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_compose_file_is_valid_against_the_compose_specification(
    compose: dict[str, Any], compose_schema: dict[str, Any]
) -> None:
    errors = sorted(Draft202012Validator(compose_schema).iter_errors(compose), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_schema_check_catches_an_invalid_file(compose: dict[str, Any], compose_schema: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["appraisal"]["restart"] = ["always"]
    broken["services"]["kafka"]["no_such_key"] = 1
    assert len(list(Draft202012Validator(compose_schema).iter_errors(broken))) >= 2


def properties(path: Path) -> dict[str, str]:
    lines = [line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_infrastructure_is_kafka_39_kraft_and_mongodb_7_replica_set(compose: dict[str, Any]) -> None:
    kafka, mongo = compose["services"]["kafka"], compose["services"]["mongo"]
    assert kafka["image"].startswith("apache/kafka:3.9.")
    config = properties(ROOT / "deploy/compose/kafka-server.properties")
    assert config["process.roles"] == "broker,controller"
    assert config["auto.create.topics.enable"] == "false"
    major = int(mongo["image"].split(":")[1].split(".")[0])
    assert major >= 7
    assert "--replSet" in mongo["command"]
    assert "healthcheck" in kafka
    assert "healthcheck" in mongo


SECURITY_KEYS = (
    "listener.security.protocol.map",
    "inter.broker.listener.name",
    "listener.name.sasl_plaintext.sasl.enabled.mechanisms",
    "listener.name.controller.sasl.enabled.mechanisms",
    "sasl.mechanism.inter.broker.protocol",
    "sasl.mechanism.controller.protocol",
    "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
    "listener.name.controller.plain.sasl.jaas.config",
    "authorizer.class.name",
    "allow.everyone.if.no.acl.found",
    "super.users",
)


def test_kafka_requires_sasl_scram_and_acls_as_the_local_stack_does(compose: dict[str, Any]) -> None:
    compose_config = properties(ROOT / "deploy/compose/kafka-server.properties")
    local_config = properties(ROOT / "deploy/local/kafka/server.properties")
    assert {k: compose_config[k] for k in SECURITY_KEYS} == {k: local_config[k] for k in SECURITY_KEYS}
    assert compose_config["allow.everyone.if.no.acl.found"] == "false"
    assert compose_config["super.users"] == "User:admin"
    assert compose_config["listeners"].startswith("SASL_PLAINTEXT://")
    kafka = compose["services"]["kafka"]
    assert kafka["entrypoint"] == ["/bin/bash", "/opt/kinerja/kafka.sh"]
    assert "--add-scram" in (ROOT / "deploy/compose/kafka.sh").read_text()
    plan = json.loads((ROOT / "deploy/kafka/acls.json").read_text())
    assert set(kafka["secrets"]) == {f"kafka-{name}" for name in ["admin", *plan["principals"]]}
    assert "--command-config /tmp/admin.properties" in " ".join(kafka["healthcheck"]["test"])
    setup = compose["services"]["kafka-setup"]
    assert setup["command"][1:3] == ["/setup/kafka_admin.py", "apply"]
    assert "--acls=/setup/acls.json" in setup["command"]
    assert "./deploy/kafka:/setup:ro" in setup["volumes"]
    assert setup["depends_on"] == {"kafka": {"condition": "service_healthy"}}


def test_mongodb_requires_authentication_with_a_user_per_service_database(compose: dict[str, Any]) -> None:
    mongo = compose["services"]["mongo"]
    assert "--keyFile" in mongo["command"]
    assert mongo["environment"]["MONGO_INITDB_ROOT_USERNAME"] == "admin"
    assert mongo["environment"]["MONGO_INITDB_ROOT_PASSWORD_FILE"] == "/run/secrets/mongo-admin"
    assert set(mongo["secrets"]) == {"mongo-admin", "mongo-keyfile"} | {f"mongo-{name}" for name in SERVICES}
    users = (ROOT / "deploy/compose/mongo-users.js").read_text()
    assert '["appraisal", "training", "notification", "reporting"]' in users
    assert 'roles: [{ role: "readWrite", db: `kinerja_${service}` }]' in users
    assert "-u admin" in " ".join(mongo["healthcheck"]["test"])


def test_every_secret_is_a_generated_file_and_no_password_is_written_in_the_file(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    declared = compose["secrets"]
    used = {name for service in compose["services"].values() for name in service.get("secrets", [])}
    assert used == set(declared)
    result = subprocess.run(
        [sys.executable, str(ROOT / "deploy/local/stack.py"), "compose-secrets"],
        env={**os.environ, "KINERJA_RUN_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "written" in result.stdout
    for name, secret in declared.items():
        assert secret["file"] == f"./.run/compose-secrets/{name}"
        written = tmp_path / "compose-secrets" / name
        assert len(written.read_text().strip()) >= 24
    assert (tmp_path / "compose-secrets").stat().st_mode & 0o077 == 0
    for service in compose["services"].values():
        env = service.get("environment", {})
        assert not [k for k in env if k.endswith("PASSWORD")], "passwords go in files (…_PASSWORD_FILE)"


def test_each_service_is_built_from_its_dockerfile_with_port_env_healthcheck_and_dependencies(
    compose: dict[str, Any],
) -> None:
    for name, port in SERVICES.items():
        service = compose["services"][name]
        assert service["build"]["dockerfile"] == f"services/{name}/Dockerfile"
        assert (ROOT / service["build"]["dockerfile"]).is_file()
        assert service["ports"] == [f"{port}:{port}"]
        env = service["environment"]
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert env["MONGODB_URL"].startswith("mongodb://mongo:27017/")
        assert int(env[f"{name.upper()}_PORT"]) == port
        assert f"127.0.0.1:{port}/readyz" in " ".join(service["healthcheck"]["test"])
        assert service["depends_on"] == {
            "kafka": {"condition": "service_healthy"},
            "kafka-setup": {"condition": "service_completed_successfully"},
            "mongo": {"condition": "service_healthy"},
        }
        # Its own principal, and only its own two passwords.
        assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
        assert env["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
        assert env["KAFKA_SASL_USERNAME"] == env["MONGODB_USERNAME"] == name
        assert env["KAFKA_SASL_PASSWORD_FILE"] == f"/run/secrets/kafka-{name}"
        assert env["MONGODB_PASSWORD_FILE"] == f"/run/secrets/mongo-{name}"
        assert service["secrets"] == [f"kafka-{name}", f"mongo-{name}"]


def test_dockerfiles_install_from_hashed_pins_and_run_their_service() -> None:
    for name, port in SERVICES.items():
        dockerfile = (ROOT / "services" / name / "Dockerfile").read_text()
        assert "--require-hashes -r /app/requirements.txt" in dockerfile
        assert f'CMD ["python", "-m", "{name}"]' in dockerfile
        assert f"EXPOSE {port}" in dockerfile


def test_the_portal_is_built_from_its_dockerfile_and_reaches_the_services_by_their_names(
    compose: dict[str, Any],
) -> None:
    portal = compose["services"]["portal"]
    assert portal["build"]["dockerfile"] == "webapp/Dockerfile"
    env = portal["environment"]
    assert env["PORTAL_SESSION_SECRET_FILE"] == "/run/secrets/portal-session"
    assert {env[f"PORTAL_{name.upper()}_URL"] for name in SERVICES} == {
        f"http://{name}:{port}" for name, port in zip(SERVICES, (8001, 8002, 8003, 8004), strict=True)
    }
    assert set(portal["depends_on"]) == set(SERVICES)
    dockerfile = (ROOT / "webapp" / "Dockerfile").read_text()
    assert "--require-hashes" in dockerfile
    assert 'CMD ["python", "-m", "portal"]' in dockerfile


def test_prometheus_scrapes_every_service(compose: dict[str, Any]) -> None:
    prometheus = compose["services"]["prometheus"]
    assert "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prometheus["volumes"]
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {
        target for job in config["scrape_configs"] for group in job["static_configs"] for target in group["targets"]
    }
    assert targets == {f"{name}:{port}" for name, port in SERVICES.items()}
    assert {job["metrics_path"] for job in config["scrape_configs"]} == {"/metrics"}
