"""docker-compose.yml checked against the Compose Specification's JSON Schema (from the compose-go
Go module, the one Docker Compose itself uses) and against what the stack needs. No Docker engine
runs here, so the file is parsed, not started."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
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


def test_infrastructure_is_kafka_39_kraft_and_mongodb_7_replica_set(compose: dict[str, Any]) -> None:
    kafka, mongo = compose["services"]["kafka"], compose["services"]["mongo"]
    assert kafka["image"].startswith("apache/kafka:3.9.")
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert str(kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"]) == "false"
    major = int(mongo["image"].split(":")[1].split(".")[0])
    assert major >= 7
    assert "--replSet" in mongo["command"]
    assert "healthcheck" in kafka
    assert "healthcheck" in mongo


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
            "mongo": {"condition": "service_healthy"},
        }


def test_dockerfiles_install_from_hashed_pins_and_run_their_service() -> None:
    for name, port in SERVICES.items():
        dockerfile = (ROOT / "services" / name / "Dockerfile").read_text()
        assert "--require-hashes -r /app/requirements.txt" in dockerfile
        assert f'CMD ["python", "-m", "{name}"]' in dockerfile
        assert f"EXPOSE {port}" in dockerfile


def test_prometheus_scrapes_every_service(compose: dict[str, Any]) -> None:
    prometheus = compose["services"]["prometheus"]
    assert "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prometheus["volumes"]
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {
        target for job in config["scrape_configs"] for group in job["static_configs"] for target in group["targets"]
    }
    assert targets == {f"{name}:{port}" for name, port in SERVICES.items()}
    assert {job["metrics_path"] for job in config["scrape_configs"]} == {"/metrics"}
