#!/usr/bin/env python3
"""Local infrastructure: a real Apache Kafka broker and a real MongoDB-wire server (FerretDB).

Standard library only, so it runs before the project's virtualenv exists.

    python3 deploy/local/stack.py up       # fetch/build once (cached), start, wait until ready
    python3 deploy/local/stack.py down     # stop both
    python3 deploy/local/stack.py status   # what runs, where
    python3 deploy/local/stack.py reset    # stop and wipe the data directories
    python3 deploy/local/stack.py env      # print the environment variables that point at the stack

Kafka 3.9 (KRaft, single node) runs from the Maven Central jars; FerretDB 1.24 is built with
``go install`` and stores its data with the SQLite backend. Downloads and builds land in a cache
outside git (``$KINERJA_CACHE_DIR``, default ``~/.cache/kinerja-asn``); data, logs and pid files
land in ``.run/`` at the repo root. Where ``KAFKA_BOOTSTRAP_SERVERS`` or ``MONGODB_URL`` is set,
that server is used and the local one is not started.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

KAFKA_VERSION = "3.9.2"
FERRETDB_VERSION = "v1.24.2"
KAFKA_PORT = 9092
KAFKA_CONTROLLER_PORT = 9093
FERRETDB_PORT = 27017
HOST = "127.0.0.1"

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RUN_DIR = Path(os.environ.get("KINERJA_RUN_DIR", ROOT / ".run"))
CACHE_DIR = Path(os.environ.get("KINERJA_CACHE_DIR", Path.home() / ".cache" / "kinerja-asn"))

INSTALL_HINTS = {
    "java": "install a Java 17+ runtime (Debian: apt-get install -y openjdk-17-jre-headless)",
    "mvn": "install Apache Maven (Debian: apt-get install -y maven)",
    "go": "install Go 1.24+ (https://go.dev/doc/install, or Debian: apt-get install -y golang)",
}


class StackError(RuntimeError):
    """A problem the user can act on; printed as one line."""


def log(msg: str) -> None:
    print(f"[stack] {msg}", flush=True)


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise StackError(f"missing prerequisite '{tool}': {INSTALL_HINTS[tool]}")
    return path


# ---------------------------------------------------------------- process bookkeeping


@dataclass(frozen=True)
class Component:
    name: str
    port: int

    @property
    def pid_file(self) -> Path:
        return RUN_DIR / "pids" / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return RUN_DIR / "logs" / f"{self.name}.log"

    @property
    def data_dir(self) -> Path:
        return RUN_DIR / "data" / self.name

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        _reap(pid)  # a child of this process that exited is a zombie until reaped
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        return pid


KAFKA = Component("kafka", KAFKA_PORT)
FERRETDB = Component("ferretdb", FERRETDB_PORT)


def port_open(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def spawn(component: Component, argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> int:
    component.log_file.parent.mkdir(parents=True, exist_ok=True)
    component.pid_file.parent.mkdir(parents=True, exist_ok=True)
    with component.log_file.open("ab") as out:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    component.pid_file.write_text(str(proc.pid))
    return proc.pid


def stop(component: Component, timeout: float = 30.0) -> None:
    pid = component.pid()
    if pid is None:
        component.pid_file.unlink(missing_ok=True)
        return
    log(f"stopping {component.name} (pid {pid})")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and component.pid() is not None:
        _reap(pid)
        time.sleep(0.2)
    if component.pid() is not None:
        log(f"{component.name} did not stop in {timeout:.0f}s; killing it")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        time.sleep(0.5)
        _reap(pid)
    component.pid_file.unlink(missing_ok=True)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def wait_until(check: Callable[[], bool], what: str, component: Component, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if component.pid() is None:
            raise StackError(f"{what} exited while starting; see {component.log_file}")
        time.sleep(0.3)
    raise StackError(f"{what} not ready after {timeout:.0f}s; see {component.log_file}")


# ---------------------------------------------------------------- Kafka


def kafka_home() -> Path:
    return CACHE_DIR / f"kafka-{KAFKA_VERSION}"


def ensure_kafka_jars() -> Path:
    home = kafka_home()
    lib = home / "lib"
    marker = home / ".complete"
    if marker.exists():
        return lib
    require("java")
    mvn = require("mvn")
    log(f"fetching Kafka {KAFKA_VERSION} jars from Maven Central into {lib} (once)")
    home.mkdir(parents=True, exist_ok=True)
    pom = (HERE / "kafka" / "pom.xml").read_text().replace("@KAFKA_VERSION@", KAFKA_VERSION)
    (home / "pom.xml").write_text(pom)
    tmp_lib = home / "lib.partial"
    shutil.rmtree(tmp_lib, ignore_errors=True)
    result = subprocess.run(
        [mvn, "-B", "-q", "dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={tmp_lib}"],
        cwd=home,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise StackError(f"maven could not fetch the Kafka jars:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    shutil.rmtree(lib, ignore_errors=True)
    tmp_lib.rename(lib)
    marker.write_text(KAFKA_VERSION)
    return lib


def kafka_metadata_ok(port: int = KAFKA_PORT) -> bool:
    """Send a Kafka Metadata v0 request and check that the answer names at least one broker."""
    client_id = b"kinerja-stack"
    header = struct.pack(">hhih", 3, 0, 1, len(client_id)) + client_id
    body = struct.pack(">i", 0)  # empty topic list
    request = header + body
    try:
        with socket.create_connection((HOST, port), timeout=2) as sock:
            sock.sendall(struct.pack(">i", len(request)) + request)
            size = struct.unpack(">i", _recv_exact(sock, 4))[0]
            payload = _recv_exact(sock, size)
    except (OSError, struct.error):
        return False
    correlation_id, brokers = struct.unpack(">ii", payload[:8])
    return bool(correlation_id == 1 and brokers >= 1)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks = b""
    while len(chunks) < n:
        chunk = sock.recv(n - len(chunks))
        if not chunk:
            raise OSError("connection closed")
        chunks += chunk
    return chunks


def kafka_config() -> Path:
    conf_dir = RUN_DIR / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    props = (HERE / "kafka" / "server.properties").read_text()
    props = props.replace("@LOG_DIRS@", str(KAFKA.data_dir))
    target = conf_dir / "kafka-server.properties"
    target.write_text(props)
    shutil.copy(HERE / "kafka" / "log4j.properties", conf_dir / "kafka-log4j.properties")
    return target


def start_kafka() -> None:
    java = require("java")
    if KAFKA.pid() is not None:
        log(f"kafka already running (pid {KAFKA.pid()}) on {HOST}:{KAFKA_PORT}")
        wait_until(kafka_metadata_ok, "kafka", KAFKA, timeout=90)
        return
    if port_open(KAFKA_PORT) or port_open(KAFKA_CONTROLLER_PORT):
        raise StackError(
            f"ports {KAFKA_PORT}/{KAFKA_CONTROLLER_PORT} are taken by another process; stop it, "
            "or point KAFKA_BOOTSTRAP_SERVERS at that broker"
        )
    lib = ensure_kafka_jars()
    props = kafka_config()
    log4j = props.parent / "kafka-log4j.properties"
    classpath = f"{lib}/*"
    log4j_opt = f"-Dlog4j.configuration=file:{log4j}"
    meta = KAFKA.data_dir / "meta.properties"
    if not meta.exists():
        KAFKA.data_dir.mkdir(parents=True, exist_ok=True)
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        log(f"formatting Kafka storage in {KAFKA.data_dir}")
        result = subprocess.run(
            [
                java,
                "-cp",
                classpath,
                log4j_opt,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(props),
                "--ignore-formatted",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise StackError(f"kafka storage format failed: {result.stdout[-1500:]}{result.stderr[-1500:]}")
    heap = os.environ.get("KINERJA_KAFKA_HEAP", "-Xms256m -Xmx768m").split()
    argv = [
        java,
        *heap,
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        log4j_opt,
        f"-Dkafka.logs.dir={RUN_DIR / 'logs'}",
        "-cp",
        classpath,
        "kafka.Kafka",
        str(props),
    ]
    pid = spawn(KAFKA, argv, cwd=RUN_DIR)
    log(f"kafka starting (pid {pid}); log {KAFKA.log_file}")
    wait_until(kafka_metadata_ok, "kafka", KAFKA, timeout=120)
    log(f"kafka ready on {HOST}:{KAFKA_PORT}")


# ---------------------------------------------------------------- FerretDB


def ferretdb_binary() -> Path:
    return CACHE_DIR / f"ferretdb-{FERRETDB_VERSION}" / "ferretdb"


def ensure_ferretdb() -> Path:
    """Build FerretDB from its module source (once).

    A plain ``go install module@version`` builds a binary that panics at start: FerretDB embeds
    ``build/version/version.txt``, which its release tooling generates and the module zip lacks.
    So the source is copied out of the module cache, the file is written, and ``go build`` runs there.
    """
    binary = ferretdb_binary()
    if binary.exists():
        return binary
    go = require("go")
    module = f"github.com/FerretDB/FerretDB@{FERRETDB_VERSION}"
    log(f"building FerretDB {FERRETDB_VERSION} from the Go module proxy into {binary.parent} (once; ~2 min)")
    env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"}
    download = subprocess.run(
        [go, "mod", "download", "-json", module], env=env, capture_output=True, text=True, check=False
    )
    if download.returncode != 0:
        raise StackError(f"go mod download {module} failed: {download.stdout[-1500:]}{download.stderr[-1500:]}")
    source = Path(json.loads(download.stdout)["Dir"])
    build_dir = binary.parent / "src"
    shutil.rmtree(build_dir, ignore_errors=True)
    shutil.copytree(source, build_dir)
    for path in [build_dir, *build_dir.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    (build_dir / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
    (build_dir / "build" / "version" / "package.txt").write_text("kinerja-local\n")
    result = subprocess.run(
        [go, "build", "-trimpath", "-o", str(binary), "./cmd/ferretdb"],
        cwd=build_dir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    shutil.rmtree(build_dir, ignore_errors=True)
    if result.returncode != 0 or not binary.exists():
        raise StackError(f"building FerretDB failed: {result.stderr[-2000:]}")
    return binary


def mongo_ping_ok(port: int = FERRETDB_PORT) -> bool:
    """Send an OP_MSG {ping: 1} and check for an OP_MSG reply with ok: 1."""
    doc = _bson_doc([(b"\x10", b"ping", struct.pack("<i", 1)), (b"\x02", b"$db", struct.pack("<i", 6) + b"admin\x00")])
    body = struct.pack("<I", 0) + b"\x00" + doc
    msg = struct.pack("<iiii", 16 + len(body), 1, 0, 2013) + body
    try:
        with socket.create_connection((HOST, port), timeout=2) as sock:
            sock.sendall(msg)
            length = struct.unpack("<i", _recv_exact(sock, 4))[0]
            rest = _recv_exact(sock, length - 4)
    except (OSError, struct.error):
        return False
    opcode = struct.unpack("<i", rest[8:12])[0]
    return opcode == 2013 and b"\x01ok\x00\x00\x00\x00\x00\x00\x00\xf0\x3f" in rest


def _bson_doc(elements: list[tuple[bytes, bytes, bytes]]) -> bytes:
    body = b"".join(kind + name + b"\x00" + value for kind, name, value in elements) + b"\x00"
    return struct.pack("<i", len(body) + 4) + body


def start_ferretdb() -> None:
    if not ferretdb_binary().exists():
        require("go")
    if FERRETDB.pid() is not None:
        log(f"ferretdb already running (pid {FERRETDB.pid()}) on {HOST}:{FERRETDB_PORT}")
        wait_until(mongo_ping_ok, "ferretdb", FERRETDB, timeout=30)
        return
    if port_open(FERRETDB_PORT):
        raise StackError(
            f"port {FERRETDB_PORT} is taken by another process; stop it, or point MONGODB_URL at that server"
        )
    binary = ensure_ferretdb()
    data = FERRETDB.data_dir
    data.mkdir(parents=True, exist_ok=True)
    argv = [
        str(binary),
        "--handler=sqlite",
        f"--sqlite-url=file:{data}/",
        f"--listen-addr={HOST}:{FERRETDB_PORT}",
        f"--state-dir={data}",
        "--debug-addr=-",
        "--telemetry=disable",
        "--log-level=warn",
    ]
    pid = spawn(FERRETDB, argv, cwd=RUN_DIR)
    log(f"ferretdb starting (pid {pid}); log {FERRETDB.log_file}")
    wait_until(mongo_ping_ok, "ferretdb", FERRETDB, timeout=60)
    log(f"ferretdb ready on {HOST}:{FERRETDB_PORT}")


# ---------------------------------------------------------------- commands


def external_kafka() -> str | None:
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None


def external_mongo() -> str | None:
    return os.environ.get("MONGODB_URL") or None


def cmd_up() -> None:
    started = time.monotonic()
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    if external_kafka():
        log(f"using KAFKA_BOOTSTRAP_SERVERS={external_kafka()} (local Kafka not started)")
    else:
        start_kafka()
    if external_mongo():
        log("using MONGODB_URL from the environment (local FerretDB not started)")
    else:
        start_ferretdb()
    log(f"stack up in {time.monotonic() - started:.1f}s")


def cmd_down() -> None:
    stop(FERRETDB)
    stop(KAFKA)
    log("stack down")


def cmd_status() -> int:
    code = 0
    for component, check in ((KAFKA, kafka_metadata_ok), (FERRETDB, mongo_ping_ok)):
        pid = component.pid()
        ready = check()
        state = "ready" if ready else ("starting or unhealthy" if pid else "stopped")
        print(f"{component.name:9} {state:22} pid={pid or '-':<8} {HOST}:{component.port}  log={component.log_file}")
        code |= 0 if ready else 1
    return code


def cmd_reset() -> None:
    cmd_down()
    for component in (KAFKA, FERRETDB):
        shutil.rmtree(component.data_dir, ignore_errors=True)
    log(f"data wiped under {RUN_DIR / 'data'}")


def cmd_env() -> None:
    print(f"export KAFKA_BOOTSTRAP_SERVERS={external_kafka() or f'{HOST}:{KAFKA_PORT}'}")
    print(f"export MONGODB_URL={external_mongo() or f'mongodb://{HOST}:{FERRETDB_PORT}/'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["up", "down", "status", "reset", "env"])
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            cmd_up()
        elif args.command == "down":
            cmd_down()
        elif args.command == "status":
            return cmd_status()
        elif args.command == "reset":
            cmd_reset()
        else:
            cmd_env()
    except StackError as exc:
        print(f"[stack] error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
