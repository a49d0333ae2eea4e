"""The ``cluster`` instance of the local stack (deploy/local/cluster.py): its own ports and folder,
three KRaft nodes configured for durability, and the environment that points services at all three.
Starting it and taking a node away is done by tests/reliability/test_kafka_cluster.py."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / "deploy" / "local"


def modules() -> tuple[Any, Any]:
    """``stack`` and ``cluster`` (which imports ``stack``), as ``stack.py`` itself loads them."""
    sys.path.insert(0, str(LOCAL))
    try:
        return importlib.import_module("stack"), importlib.import_module("cluster")
    finally:
        sys.path.remove(str(LOCAL))


def test_the_cluster_instance_has_ports_and_a_folder_of_its_own() -> None:
    stack, cluster = modules()
    inst = stack.instance("cluster")
    ours = {cluster.broker(inst, n).port for n in (1, 2, 3)} | {cluster.controller_port(inst, n) for n in (1, 2, 3)}
    assert len(ours | {inst.mongo_port}) == 7
    for name in ("run", "test", "bench"):
        other = stack.instance(name)
        assert ours.isdisjoint({other.kafka_port, other.controller_port, other.mongo_port}), name
        assert inst.mongo_port != other.mongo_port
        assert inst.run_dir != other.run_dir
    assert inst.run_dir.name == "cluster"
    with pytest.raises(stack.StackError, match="no broker 4"):
        cluster.broker(inst, 4)


def test_every_node_is_a_voter_and_keeps_every_record_on_three_brokers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINERJA_RUN_DIR", str(tmp_path))
    stack, cluster = modules()
    inst = stack.instance("cluster")
    voters = ",".join(f"{n}@127.0.0.1:{cluster.controller_port(inst, n)}" for n in (1, 2, 3))
    for node in (1, 2, 3):
        lines = cluster.broker_config(inst, node).read_text().splitlines()
        props = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
        assert props["node.id"] == str(node)
        assert props["process.roles"] == "broker,controller"
        assert props["controller.quorum.voters"] == voters
        assert props["listeners"] == (
            f"PLAINTEXT://127.0.0.1:{cluster.broker(inst, node).port},"
            f"CONTROLLER://127.0.0.1:{cluster.controller_port(inst, node)}"
        )
        assert props["log.dirs"] == str(tmp_path / "cluster" / "data" / f"kafka-{node}")
        assert props["default.replication.factor"] == props["offsets.topic.replication.factor"] == "3"
        assert props["min.insync.replicas"] == "2"
        assert props["unclean.leader.election.enable"] == "false"
        assert props["auto.create.topics.enable"] == "false"


def test_env_names_all_three_brokers_and_the_replication_factor(tmp_path: Path) -> None:
    # Servers given in the environment are not the cluster's: the cluster always runs its own.
    env = {**os.environ, "KINERJA_RUN_DIR": str(tmp_path), "KAFKA_BOOTSTRAP_SERVERS": "kafka.example:9092"}
    result = subprocess.run(
        [sys.executable, str(LOCAL / "stack.py"), "--instance", "cluster", "env"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    stack, cluster = modules()
    inst = stack.instance("cluster")
    brokers = ",".join(f"127.0.0.1:{cluster.broker(inst, n).port}" for n in (1, 2, 3))
    assert result.stdout.splitlines() == [
        f"export KAFKA_BOOTSTRAP_SERVERS={brokers}",
        f"export MONGODB_URL=mongodb://127.0.0.1:{inst.mongo_port}/",
        "export KINERJA_STACK_INSTANCE=cluster",
        "export KAFKA_REPLICATION_FACTOR=3",
    ]


def test_status_of_a_cluster_that_is_not_running(tmp_path: Path) -> None:
    env = {**os.environ, "KINERJA_RUN_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, str(LOCAL / "stack.py"), "--instance", "cluster", "status"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert [line.split()[:2] for line in result.stdout.splitlines()] == [
        ["kafka-1", "stopped"],
        ["kafka-2", "stopped"],
        ["kafka-3", "stopped"],
        ["mongo", "stopped"],
    ]
