"""The local-stack script: readiness probes and the one-line message for a missing prerequisite."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

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
    if infra.stack_instance is not None:
        instance = stack.instance(infra.stack_instance)
        assert stack.kafka_ready(instance)  # SASL/SCRAM as the administrator, then a Metadata request
        assert not stack.kafka_admin.ready(stack.HOST, instance.kafka_port, "admin", "not-the-password")
        if infra.mongodb_server_url == instance.mongodb_url:
            assert stack.mongo_ping_ok(instance.mongo_port)
    assert not stack.kafka_admin.ready(stack.HOST, 1, "admin", "any-password")
    assert not stack.mongo_ping_ok(1)


def stack_module() -> Any:
    sys.path.insert(0, str(STACK.parent))
    try:
        import stack
    finally:
        sys.path.remove(str(STACK.parent))
    return stack


def test_a_port_offset_moves_every_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    stack = stack_module()
    monkeypatch.delenv("KINERJA_STACK_PORT_OFFSET", raising=False)  # this checkout may run with one
    before = stack.instance("test")
    monkeypatch.setenv("KINERJA_STACK_PORT_OFFSET", "1000")
    after = stack.instance("test")
    assert (after.kafka_port, after.controller_port, after.mongo_port) == (
        before.kafka_port + 1000,
        before.controller_port + 1000,
        before.mongo_port + 1000,
    )
    monkeypatch.setenv("KINERJA_STACK_PORT_OFFSET", "-5")
    with pytest.raises(stack.StackError, match="KINERJA_STACK_PORT_OFFSET"):
        stack.instance("test")


def test_a_cluster_id_never_starts_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    """The storage tool reads an id starting with "-" as an option: CI once failed on one (1 id in 64)."""
    stack = stack_module()
    dash_first = uuid.UUID(bytes=b"\xfb" + bytes(15))  # base64 of 0xfb... starts with "-"
    fresh = iter([dash_first, uuid.UUID(int=1)])
    monkeypatch.setattr(stack.uuid, "uuid4", lambda: next(fresh))
    cluster_id = stack.new_cluster_id()
    assert cluster_id == "AAAAAAAAAAAAAAAAAAAAAQ"


def test_the_test_instance_has_its_own_ports_and_folder() -> None:
    stack = stack_module()
    run, test = stack.instance("run"), stack.instance("test")
    assert {run.kafka_port, run.controller_port, run.mongo_port}.isdisjoint(
        {test.kafka_port, test.controller_port, test.mongo_port}
    )
    assert test.run_dir != run.run_dir
    assert run.run_dir / "data" not in (test.run_dir / "data").parents


@pytest.mark.infra
def test_run_wipes_the_instance_first_and_stops_it_at_the_end(tmp_path: Path) -> None:
    """``stack.py --instance bench run -- CMD``: CMD sees a fresh instance (a marker written by the
    first run is gone in the second), and nothing is left running afterwards."""
    env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URL")}
    env["KINERJA_RUN_DIR"] = str(tmp_path / "run")
    probe = (
        "import os, pathlib, pymongo; c = pymongo.MongoClient(os.environ['MONGODB_URL'], "
        "username=os.environ['MONGODB_USERNAME'], authSource='admin', "
        "password=pathlib.Path(os.environ['MONGODB_PASSWORD_FILE']).read_text().strip()); "
        "print('env', os.environ['KAFKA_BOOTSTRAP_SERVERS'], os.environ['MONGODB_URL'], "
        "os.environ['KINERJA_STACK_INSTANCE']); "
        "print('markers', c.probe.marker.count_documents({})); c.probe.marker.insert_one({'x': 1})"
    )
    for _ in range(2):
        result = run_stack("--instance", "bench", "run", "--", sys.executable, "-c", probe, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        bench = stack_module().instance("bench")
        assert f"env {bench.kafka_bootstrap_servers} {bench.mongodb_url} bench" in result.stdout
        assert "markers 0" in result.stdout  # the second run found the first run's marker wiped
        status = run_stack("--instance", "bench", "status", env=env)
        assert status.returncode == 1
        assert "stopped" in status.stdout
        assert "ready" not in status.stdout


def test_run_refuses_the_instance_of_make_run(tmp_path: Path) -> None:
    env = {**os.environ, "KINERJA_RUN_DIR": str(tmp_path / "run")}
    result = run_stack("run", "--", "true", env=env)
    assert result.returncode == 1
    assert "use --instance test or --instance bench" in result.stderr


def test_a_stale_pid_file_never_stops_another_process(tmp_path: Path) -> None:
    """After a reboot a pid file can name an unrelated process: ``down`` leaves it alone."""
    run_dir = tmp_path / "run"
    (run_dir / "pids").mkdir(parents=True)
    with subprocess.Popen(["sleep", "60"]) as unrelated:
        try:
            pid_file = run_dir / "pids" / "kafka.pid"
            pid_file.write_text(str(unrelated.pid))
            hours_ago = time.time() - 7200
            os.utime(pid_file, (hours_ago, hours_ago))  # written long before that process started
            result = run_stack("down", env={**os.environ, "KINERJA_RUN_DIR": str(run_dir)})
            assert result.returncode == 0, result.stderr
            assert unrelated.poll() is None
        finally:
            unrelated.kill()
