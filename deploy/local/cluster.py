"""The ``cluster`` instance of the local stack: a three-node Kafka KRaft cluster and its own Mongo-wire server.

Standard library only (like ``stack.py``, whose helpers it uses). Run it through ``stack.py``:

    python3 deploy/local/stack.py --instance cluster up [--fresh]   # start the three brokers and the Mongo-wire server
    python3 deploy/local/stack.py --instance cluster down           # stop them
    python3 deploy/local/stack.py --instance cluster status|reset|env
    python3 deploy/local/stack.py --instance cluster run -- CMD ... # a fresh cluster for CMD, stopped when it ends

Each node is a combined broker and controller (``process.roles=broker,controller``) of a static
three-voter quorum, with the durability settings of production: replication factor 3,
``min.insync.replicas=2``, no unclean leader election (``kafka/cluster.properties``). The services
produce with ``acks=all`` and idempotence, so one broker may be lost at any moment without losing an
acknowledged record and without stopping producers. Each JVM gets a small heap
(``KINERJA_CLUSTER_KAFKA_HEAP``, default ``-Xms128m -Xmx384m``).

Ports (plus ``KINERJA_STACK_PORT_OFFSET``): brokers 9192, 9194, 9196 (controllers 9193, 9195,
9197), Mongo-wire 27020; folder ``.run/cluster/`` (``data/kafka-N``, ``logs/kafka-N.log``,
``pids/kafka-N.pid``). ``KAFKA_BOOTSTRAP_SERVERS`` and ``MONGODB_URL`` are ignored here: the
cluster exists to be stopped and started piece by piece, so it always runs its own servers.

Credentials as in the other instances, with ``stack.py``'s functions: SASL/SCRAM-SHA-512 on the
client listener (every principal's user written when each node is formatted), SASL/PLAIN as the
administrator on the controller listener, the ``StandardAuthorizer`` denying what no ACL allows, the
ACLs of ``deploy/kafka/acls.json`` applied after start, and SecantusDB with its users. The
passwords are in ``.run/cluster/secrets/``; ``env [--as PRINCIPAL]`` exports them as files.

The fault tests (``tests/reliability/test_kafka_cluster.py``) start it themselves and call
``stop_broker`` / ``start_broker`` to take one node away and bring it back.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import stack
from stack import ADMIN, HOST, Component, Instance, StackError, log

NAME = "cluster"
BROKERS = 3
DEFAULT_HEAP = "-Xms128m -Xmx384m"


def broker(inst: Instance, node: int) -> Component:
    """Node ``node`` (1..3): its client port is the instance's Kafka port plus 2 per node before it,
    its controller port the next one."""
    if not 1 <= node <= BROKERS:
        raise StackError(f"no broker {node}; the cluster has brokers 1 to {BROKERS}")
    return Component(f"kafka-{node}", inst.kafka_port + 2 * (node - 1), inst)


def controller_port(inst: Instance, node: int) -> int:
    return inst.controller_port + 2 * (node - 1)


def nodes() -> range:
    return range(1, BROKERS + 1)


def bootstrap_servers(inst: Instance) -> str:
    return ",".join(f"{HOST}:{broker(inst, node).port}" for node in nodes())


def brokers_seen(inst: Instance, port: int) -> int:
    """How many live (unfenced) brokers the node on ``port`` lists in a Metadata answer to the
    administrator (SASL/SCRAM); 0 when it does not answer or refuses."""
    return stack.kafka_brokers_seen(inst, port)


def broker_ready(inst: Instance, node: int) -> bool:
    """The node answers and sees every broker of the cluster alive (it has caught up and is unfenced)."""
    return brokers_seen(inst, broker(inst, node).port) == BROKERS


def broker_config(inst: Instance, node: int) -> Path:
    """``conf/kafka-N.properties`` (0600: it holds the administrator's password)."""
    voters = ",".join(f"{n}@{HOST}:{controller_port(inst, n)}" for n in nodes())
    return stack.write_kafka_config(
        inst,
        "cluster.properties",
        f"kafka-{node}",
        {
            "@NODE_ID@": str(node),
            "@VOTERS@": voters,
            "@LOG_DIRS@": str(broker(inst, node).data_dir()),
            "@PORT@": str(broker(inst, node).port),
            "@CONTROLLER_PORT@": str(controller_port(inst, node)),
        },
    )


def _java_base(lib: Path, log4j: Path) -> tuple[str, list[str]]:
    java = stack.require("java")
    return java, ["-cp", f"{lib}/*", f"-Dlog4j.configuration=file:{log4j}"]


def format_storage(inst: Instance, lib: Path) -> None:
    """Format the nodes whose storage is new, all with the cluster's one id (kept in ``data/cluster.id``)
    and every principal's SCRAM credentials; then check that each node's storage has them all."""
    unformatted = [n for n in nodes() if not (broker(inst, n).data_dir() / "meta.properties").exists()]
    if not unformatted:
        for node in nodes():
            stack.check_scram_users(broker(inst, node).data_dir())
        return
    id_file = inst.run_dir / "data" / "cluster.id"
    id_file.parent.mkdir(parents=True, exist_ok=True)
    if not id_file.exists():
        id_file.write_text(stack.new_cluster_id())
    cluster_id = id_file.read_text().strip()
    log(
        f"formatting Kafka storage of nodes {unformatted} (cluster {cluster_id}; "
        f"SCRAM users: {', '.join(stack.kafka_principals())})"
    )
    scram = stack.scram_format_args(inst)
    jobs = []
    for node in unformatted:
        props = broker_config(inst, node)
        broker(inst, node).data_dir().mkdir(parents=True, exist_ok=True)
        java, base = _java_base(lib, props.parent / "kafka-log4j.properties")
        argv = [java, *base, "kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}", "-c", str(props)]
        argv += ["--ignore-formatted", *scram]
        jobs.append((node, subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)))
    for node, job in jobs:  # the three JVMs start at once: formatting takes as long as one
        out, _ = job.communicate(timeout=120)
        if job.returncode != 0:
            raise StackError(f"kafka storage format failed:\n{out.decode(errors='replace')[-2000:]}")
        stack.mark_scram_users(broker(inst, node).data_dir())
    for node in nodes():
        stack.check_scram_users(broker(inst, node).data_dir())


def spawn_broker(inst: Instance, node: int, lib: Path) -> None:
    """Start node ``node`` without waiting for it (a new cluster needs two voters before any is ready)."""
    component = broker(inst, node)
    if component.pid() is not None:
        log(f"kafka-{node} already running (pid {component.pid()}) on {HOST}:{component.port}")
        return
    if stack.port_open(component.port) or stack.port_open(controller_port(inst, node)):
        raise StackError(
            f"ports {component.port}/{controller_port(inst, node)} of kafka-{node} are taken by another "
            "process; stop it, or choose other ports with KINERJA_STACK_PORT_OFFSET"
        )
    props = broker_config(inst, node)
    java, base = _java_base(lib, props.parent / "kafka-log4j.properties")
    heap = os.environ.get("KINERJA_CLUSTER_KAFKA_HEAP", DEFAULT_HEAP).split()
    argv = [
        java,
        *heap,
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        f"-Dkafka.logs.dir={inst.run_dir / 'logs'}",
        *base,
        "kafka.Kafka",
        str(props),
    ]
    pid = stack.spawn(component, component.name, argv, cwd=inst.run_dir)
    log(f"kafka-{node} starting (pid {pid}); log {component.log_file()}")


def wait_for_broker(inst: Instance, node: int, timeout: float = 120) -> None:
    component = broker(inst, node)
    stack.wait_until(
        lambda: broker_ready(inst, node), f"kafka-{node}", component, component.log_file(), timeout=timeout
    )


def start_broker(inst: Instance, node: int, timeout: float = 120) -> None:
    """Start one node (again) and wait until it is back in the cluster: it answers and sees all
    three brokers alive. Its replicas then catch up in the background."""
    lib = stack.ensure_kafka_jars()
    format_storage(inst, lib)
    spawn_broker(inst, node, lib)
    wait_for_broker(inst, node, timeout)
    log(f"kafka-{node} ready on {HOST}:{broker(inst, node).port}")


def stop_broker(inst: Instance, node: int, *, kill: bool = False, timeout: float = 30) -> None:
    """Stop one node: SIGTERM (a controlled shutdown: its partitions get other leaders first), or
    with ``kill`` SIGKILL (a crash: the others notice when its session times out)."""
    component = broker(inst, node)
    pid = component.pid()
    if kill and pid is not None:
        log(f"killing kafka-{node} of instance {inst.name} (pid {pid})")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    stack.stop(component, timeout=timeout)


def up(inst: Instance, *, fresh: bool = False) -> None:
    started = time.monotonic()
    if fresh:
        reset(inst)
    inst.run_dir.mkdir(parents=True, exist_ok=True)
    lib = stack.ensure_kafka_jars()
    format_storage(inst, lib)
    try:
        for node in nodes():
            spawn_broker(inst, node, lib)
        for node in nodes():
            wait_for_broker(inst, node)
        log(f"cluster of {BROKERS} brokers ready on {bootstrap_servers(inst)} (SASL/{stack.SCRAM_MECHANISM})")
        stack.apply_kafka_acls(inst, broker(inst, 1).port)  # the controllers give them to every node
        stack.start_mongo(inst, stack.mongo_server_kind())
    except BaseException:
        down(inst)  # nothing half-started is left behind
        raise
    log(f"stack {inst.name} up in {time.monotonic() - started:.1f}s")


def down(inst: Instance) -> None:
    stack.stop(inst.mongo)
    # All nodes at once: stopped one by one, the last ones would wait for a quorum that is gone.
    running = [node for node in nodes() if broker(inst, node).pid() is not None]
    if running:
        log(f"stopping kafka nodes {running} of instance {inst.name}")
    for node in running:
        pid = broker(inst, node).pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
    for node in nodes():
        stack.stop(broker(inst, node), timeout=20)
    log(f"stack {inst.name} down")


def reset(inst: Instance) -> None:
    down(inst)
    shutil.rmtree(inst.run_dir / "data", ignore_errors=True)
    log(f"data wiped under {inst.run_dir / 'data'}")


def status(inst: Instance) -> int:
    code = 0
    for node in nodes():
        component = broker(inst, node)
        pid = component.pid()
        seen = brokers_seen(inst, component.port)
        state = (
            "ready"
            if seen == BROKERS
            else (f"sees {seen} of {BROKERS}" if seen else ("starting" if pid else "stopped"))
        )
        print(f"{component.name:18} {state:22} pid={pid or '-':<8} {HOST}:{component.port}  log={component.log_file()}")
        code |= 0 if seen == BROKERS else 1
    mongo = inst.mongo
    kind = mongo.running_kind() or mongo.name
    ready = stack.mongo_ping_ok(mongo.port)
    state = "ready" if ready else ("starting or unhealthy" if mongo.pid() else "stopped")
    print(f"{kind:18} {state:22} pid={mongo.pid() or '-':<8} {HOST}:{mongo.port}  log={mongo.log_file(kind)}")
    return code | (0 if ready else 1)


def env(inst: Instance, principal: str = ADMIN) -> dict[str, str]:
    """What ``stack.stack_env`` gives for ``principal`` (addresses, SASL settings and database user
    with password files, the secrets folder), for all three brokers, and the replication factor."""
    stack.check_principal(principal)
    return {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers(inst),
        "MONGODB_URL": inst.mongodb_url,
        "KINERJA_STACK_INSTANCE": inst.name,
        **stack.kafka_credentials_env(inst, principal),
        **stack.mongo_credentials_env(inst, principal),
        # The services create their topics with this factor (their default is 1, for one broker).
        "KAFKA_REPLICATION_FACTOR": str(BROKERS),
    }


def run(inst: Instance, argv: list[str]) -> int:
    """Wipe and start the cluster, run ``argv`` against it, then stop it, whatever happens."""
    return stack.run_against(argv, up=lambda: up(inst, fresh=True), env=lambda: env(inst), down=lambda: down(inst))


def command(inst: Instance, name: str, *, fresh: bool, rest: list[str], principal: str = ADMIN) -> int:
    """``stack.py --instance cluster <name>``."""
    if name == "up":
        up(inst, fresh=fresh)
    elif name == "down":
        down(inst)
    elif name == "status":
        return status(inst)
    elif name == "reset":
        reset(inst)
    elif name == "run":
        return run(inst, rest)
    else:
        for key, value in env(inst, principal).items():
            print(f"export {key}={value}")
    return 0
