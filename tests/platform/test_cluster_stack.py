"""The ``cluster`` instance of the local stack (deploy/local/cluster.py): its own ports and folder,
three KRaft nodes configured for durability and for the credentials of the other instances (SASL,
authorizer, every principal's SCRAM user at format time), and the environment that points services
at all three with a principal's credentials. Starting it and taking a node away is done by
tests/reliability/test_kafka_cluster.py."""

from __future__ import annotations

import importlib
import json
import os
import stat
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


def properties(file: Path) -> dict[str, str]:
    lines = file.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


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
        props = properties(cluster.broker_config(inst, node))
        assert props["node.id"] == str(node)
        assert props["process.roles"] == "broker,controller"
        assert props["controller.quorum.voters"] == voters
        assert props["listeners"] == (
            f"SASL_PLAINTEXT://127.0.0.1:{cluster.broker(inst, node).port},"
            f"CONTROLLER://127.0.0.1:{cluster.controller_port(inst, node)}"
        )
        assert props["log.dirs"] == str(tmp_path / "cluster" / "data" / f"kafka-{node}")
        assert props["default.replication.factor"] == props["offsets.topic.replication.factor"] == "3"
        assert props["min.insync.replicas"] == "2"
        assert props["unclean.leader.election.enable"] == "false"
        assert props["auto.create.topics.enable"] == "false"


def test_every_node_requires_credentials_as_the_single_node_stack_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINERJA_RUN_DIR", str(tmp_path))
    stack, cluster = modules()
    inst = stack.instance("cluster")
    single = stack.kafka_config(stack.instance("test"))
    same = (
        "advertised.listeners",
        "inter.broker.listener.name",
        "controller.listener.names",
        "listener.security.protocol.map",
        "listener.name.sasl_plaintext.sasl.enabled.mechanisms",
        "listener.name.controller.sasl.enabled.mechanisms",
        "sasl.mechanism.inter.broker.protocol",
        "sasl.mechanism.controller.protocol",
        "authorizer.class.name",
        "allow.everyone.if.no.acl.found",
        "super.users",
    )
    password = inst.secret("kafka", "admin")
    for node in (1, 2, 3):
        file = cluster.broker_config(inst, node)
        props = properties(file)
        assert stat.S_IMODE(file.stat().st_mode) == 0o600  # it holds the administrator's password
        for key in same:
            assert props[key] == properties(single)[key].replace(
                str(stack.instance("test").kafka_port), str(cluster.broker(inst, node).port)
            ), key
        assert props["listener.security.protocol.map"] == "CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT"
        assert props["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
        assert props["allow.everyone.if.no.acl.found"] == "false"
        assert props["super.users"] == "User:admin"
        jaas = props["listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config"]
        assert f'username="admin" password="{password}"' in jaas
        assert f'user_admin="{password}"' in props["listener.name.controller.plain.sasl.jaas.config"]
        assert "@" not in "".join(v for k, v in props.items() if k != "controller.quorum.voters")  # all filled in


def test_each_node_is_formatted_with_every_principals_scram_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``format_storage`` runs the storage tool once per node with ``--add-scram`` for every principal
    of the ACL plan, and a node formatted without them is refused (as the single-node stack does)."""
    monkeypatch.setenv("KINERJA_RUN_DIR", str(tmp_path))
    stack, cluster = modules()
    inst = stack.instance("cluster")
    calls: list[list[str]] = []

    class Formatted:
        returncode = 0

        def __init__(self, argv: list[str], **_: object) -> None:
            calls.append(argv)
            data = properties(Path(argv[argv.index("-c") + 1]))["log.dirs"]
            Path(data, "meta.properties").write_text("formatted\n")

        def communicate(self, timeout: float) -> tuple[bytes, None]:
            return b"", None

    monkeypatch.setattr(cluster.subprocess, "Popen", Formatted)
    monkeypatch.setattr(cluster.stack, "require", lambda tool: tool)
    cluster.format_storage(inst, tmp_path / "lib")
    plan = json.loads((ROOT / "deploy" / "kafka" / "acls.json").read_text())
    principals = ["admin", *plan["principals"]]
    assert len(calls) == 3
    for argv in calls:
        scram = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--add-scram"]
        assert [entry.split("name=")[1].split(",")[0] for entry in scram] == principals
        for name, entry in zip(principals, scram, strict=True):
            assert entry == f"SCRAM-SHA-512=[name={name},password={inst.secret('kafka', name)}]"
    for node in (1, 2, 3):
        marker = cluster.broker(inst, node).data_dir() / "kinerja-scram-users"
        assert marker.read_text().split() == principals
    (cluster.broker(inst, 2).data_dir() / "kinerja-scram-users").write_text("admin\n")
    with pytest.raises(stack.StackError, match="no SCRAM credentials for appraisal"):
        cluster.format_storage(inst, tmp_path / "lib")


@pytest.mark.parametrize("principal", ["admin", "appraisal", "integration"])
def test_env_names_all_three_brokers_a_principals_credentials_and_the_replication_factor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, principal: str
) -> None:
    # Servers given in the environment are not the cluster's: the cluster always runs its own.
    env = {
        **os.environ,
        "KINERJA_RUN_DIR": str(tmp_path),
        "KINERJA_MONGO_SERVER": "secantusdb",
        "KAFKA_BOOTSTRAP_SERVERS": "kafka.example:9092",
        "MONGODB_URL": "mongodb://mongo.example:27017/",
    }
    result = subprocess.run(
        [sys.executable, str(LOCAL / "stack.py"), "--instance", "cluster", "env", "--as", principal],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    monkeypatch.setenv("KINERJA_RUN_DIR", str(tmp_path))
    stack, cluster = modules()
    inst = stack.instance("cluster")
    secrets = tmp_path / "cluster" / "secrets"
    brokers = ",".join(f"127.0.0.1:{cluster.broker(inst, n).port}" for n in (1, 2, 3))
    database = [
        f"export MONGODB_USERNAME={principal}",
        f"export MONGODB_PASSWORD_FILE={secrets}/mongo-{principal}.password",
    ]
    assert result.stdout.splitlines() == [
        f"export KAFKA_BOOTSTRAP_SERVERS={brokers}",
        f"export MONGODB_URL=mongodb://127.0.0.1:{inst.mongo_port}/",
        "export KINERJA_STACK_INSTANCE=cluster",
        "export KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT",
        "export KAFKA_SASL_MECHANISM=SCRAM-SHA-512",
        f"export KAFKA_SASL_USERNAME={principal}",
        f"export KAFKA_SASL_PASSWORD_FILE={secrets}/kafka-{principal}.password",
        f"export KINERJA_STACK_SECRETS={secrets}",
        *(database if principal != "integration" else []),  # integration has no database user
        "export KAFKA_REPLICATION_FACTOR=3",
    ]
    assert (secrets / f"kafka-{principal}.password").read_text().strip() not in result.stdout
    # The same variables as the single-node stack's for that principal (its addresses aside).
    single = {**stack.kafka_credentials_env(inst, principal), **stack.mongo_credentials_env(inst, principal)}
    assert {k: v for k, v in cluster.env(inst, principal).items() if k in single} == single


def test_env_refuses_an_unknown_principal(tmp_path: Path) -> None:
    env = {**os.environ, "KINERJA_RUN_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, str(LOCAL / "stack.py"), "--instance", "cluster", "env", "--as", "intruder"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert "unknown principal 'intruder'" in result.stderr
    assert result.stdout == ""


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
