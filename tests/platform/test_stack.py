"""The local-stack script: readiness probes and the one-line message for a missing prerequisite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kinerja_testing import Infra

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "deploy" / "local" / "stack.py"


def run_stack(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(STACK), *args], capture_output=True, text=True, env=env, check=False)


def test_missing_java_is_one_clear_line(tmp_path: Path) -> None:
    env = {
        "PATH": str(tmp_path),  # nothing on it
        "HOME": str(tmp_path),
        "KINERJA_RUN_DIR": str(tmp_path / "run"),
        "KINERJA_CACHE_DIR": str(tmp_path / "cache"),
    }
    result = run_stack("up", env=env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "[stack] error: missing prerequisite 'java': install a Java 17+ runtime "
        "(Debian: apt-get install -y openjdk-17-jre-headless)"
    ]


def test_external_servers_are_used_instead_of_starting_local_ones(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "KINERJA_RUN_DIR": str(tmp_path / "run"),
        "KINERJA_CACHE_DIR": str(tmp_path / "cache"),
        "KAFKA_BOOTSTRAP_SERVERS": "kafka.example:9092",
        "MONGODB_URL": "mongodb://mongo.example:27017/",
    }
    result = run_stack("up", env=env)
    assert result.returncode == 0, result.stderr
    assert "using KAFKA_BOOTSTRAP_SERVERS=kafka.example:9092" in result.stdout
    assert "using MONGODB_URL" in result.stdout
    assert not (tmp_path / "cache").exists()


@pytest.mark.infra
def test_probes_tell_a_running_server_from_a_closed_port(infra: Infra) -> None:
    sys.path.insert(0, str(STACK.parent))
    try:
        import stack
    finally:
        sys.path.remove(str(STACK.parent))
    if infra.kafka_bootstrap_servers == "127.0.0.1:9092":
        assert stack.kafka_metadata_ok(9092)
    if infra.mongodb_url.startswith("mongodb://127.0.0.1:27017"):
        assert stack.mongo_ping_ok(27017)
    assert not stack.kafka_metadata_ok(1)
    assert not stack.mongo_ping_ok(1)
