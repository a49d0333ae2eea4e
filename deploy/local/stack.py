#!/usr/bin/env python3
"""Local infrastructure: a real Apache Kafka broker and a real MongoDB-wire server.

Standard library only, so it runs before the project's virtualenv exists.

    python3 deploy/local/stack.py up            # fetch/build once (cached), start, wait until ready
    python3 deploy/local/stack.py down          # stop both
    python3 deploy/local/stack.py status        # what runs, where
    python3 deploy/local/stack.py reset         # stop and wipe the data directories
    python3 deploy/local/stack.py env           # print the environment variables that point at the stack
    python3 deploy/local/stack.py env --as appraisal  # ... with a service's credentials instead of admin's
    python3 deploy/local/stack.py compose-secrets     # the password files docker-compose.yml mounts
    python3 deploy/local/stack.py prometheus          # Prometheus and promtool (once, cached): prints their folder
    python3 deploy/local/stack.py browser             # Debian's Chromium + ChromeDriver and axe-core: prints
                                                      # their paths as JSON (the browser tests' tools)
    python3 deploy/local/stack.py --instance test run -- CMD ...
                                                # a fresh, wiped instance for CMD, stopped when it ends

Instances keep their own ports and folders, so the tests never touch the data of ``make run``
and both can run at once:

    instance  Kafka (controller)   Mongo-wire   folder
    run       9092 (9093)          27017        .run/          (make run)
    test      19092 (19093)        27018        .run/test/     (make test: wiped at start, stopped at end)
    bench     29092 (29093)        27019        .run/bench/    (make bench)
    cluster   9192, 9194, 9196     27020        .run/cluster/  (three KRaft nodes for the Kafka fault
              (9193, 9195, 9197)                               tests, started by them; see cluster.py)

Kafka 3.9 (KRaft, single node) runs from the Maven Central jars. The Mongo-wire server is chosen
with ``KINERJA_MONGO_SERVER`` (README, "Storage"):

- ``secantusdb`` (default): SecantusDB on WiredTiger, installed from PyPI with hashed pins into
  its own virtualenv and run as a separate process; durable on every commit (``--sync-on-commit``);
- ``ferretdb``: FerretDB 1.24 with its SQLite backend, built from the Go module proxy (measured
  unfit: lost concurrent updates, no index use, hangs on large bulk writes);
- ``mongo-java-server``: mongo-java-server 1.47 with its H2 backend, a small launcher built from the
  Maven Central jars (atomic, but ignores non-unique indexes).

Credentials (README, "Security"): Kafka requires SASL/SCRAM-SHA-512 with ACLs per principal
(``deploy/kafka/acls.json``, derived from the code) and SecantusDB requires SCRAM-SHA-256 with one
user per service database. Their random passwords are generated once per instance into
``<instance folder>/secrets/`` (mode 0600); ``env`` exports the administrator's (``env --as
appraisal`` a service's), as password files, never the passwords themselves. The cluster instance
(cluster.py) is set up the same way, with the helpers here.

Prometheus and promtool (for the alert-rule tests and the Prometheus test, and for an operator who
wants to look at a local run) come from Debian's ``prometheus`` package, pinned by version and
SHA-256, downloaded with ``apt-get download`` and unpacked into the cache (no system install).

The real-browser tests (``kinerja_testing.browser``) drive Debian's ``chromium`` (with
``chromium-driver``), installed system-wide with ``apt-get`` when missing (as root; otherwise the
command to run is named): test tools' own browser downloads are blocked on this machine, so
Playwright (from PyPI) launches Debian's Chromium. The accessibility checker axe-core comes from
the npm registry, an exact version, packed with the machine's ``npm pack`` into the cache, its
tarball checked against a pinned sha512 integrity, and its ``axe.min.js`` unpacked.

Downloads and builds land in a cache outside git (``$KINERJA_CACHE_DIR``, default
``~/.cache/kinerja-asn``). Where ``KAFKA_BOOTSTRAP_SERVERS`` or ``MONGODB_URL`` is set, that server
is used and the local one is not started.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tarfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

KAFKA_VERSION = "3.9.2"
FERRETDB_VERSION = "v1.24.2"
SECANTUSDB_VERSION = "0.7.0b3"
MONGO_JAVA_SERVER_VERSION = "1.47.0"
HOST = "127.0.0.1"
MONGO_SERVERS = ("secantusdb", "ferretdb", "mongo-java-server")
DEFAULT_MONGO_SERVER = "secantusdb"

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CACHE_DIR = Path(os.environ.get("KINERJA_CACHE_DIR", Path.home() / ".cache" / "kinerja-asn"))
KAFKA_SETUP = ROOT / "deploy" / "kafka"
ACL_PLAN = KAFKA_SETUP / "acls.json"
SERVICES = ("appraisal", "training", "notification", "reporting")
ADMIN = "admin"
SCRAM_MECHANISM = "SCRAM-SHA-512"
SCRAM_MARKER = "kinerja-scram-users"
"""A file in Kafka's data folder: the principals whose SCRAM credentials the storage was formatted with."""
MONGO_USERS_MARKER = "kinerja-users"
"""A file in SecantusDB's data folder: its users exist and it runs with --auth."""

sys.path.insert(0, str(KAFKA_SETUP))
import kafka_admin  # noqa: E402  (deploy/kafka/kafka_admin.py: standard library only)

INSTALL_HINTS = {
    "java": "install a Java 17+ runtime (Debian: apt-get install -y openjdk-17-jre-headless)",
    "javac": "install a Java 17+ JDK (Debian: apt-get install -y openjdk-17-jdk-headless)",
    "mvn": "install Apache Maven (Debian: apt-get install -y maven)",
    "go": "install Go 1.24+ (https://go.dev/doc/install, or Debian: apt-get install -y golang)",
    "python3.11": "install Python 3.11 (Debian: apt-get install -y python3.11 python3.11-venv)",
    "apt-get": "Prometheus comes from Debian's package archive: run on Debian 12 (or put prometheus and promtool "
    "2.42+ on PATH)",
    "dpkg-deb": "install dpkg (Debian: it is part of every system)",
    "npm": "install Node.js with npm (Debian: apt-get install -y npm)",
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


# ---------------------------------------------------------------- instances and processes


@dataclass(frozen=True)
class Instance:
    """One local stack: its ports and its folder (data, logs, pids, configuration)."""

    name: str
    run_dir: Path
    kafka_port: int
    controller_port: int
    mongo_port: int

    @property
    def kafka(self) -> Component:
        return Component("kafka", self.kafka_port, self)

    @property
    def mongo(self) -> Component:
        return Component("mongo", self.mongo_port, self)

    @property
    def kafka_bootstrap_servers(self) -> str:
        return f"{HOST}:{self.kafka_port}"

    @property
    def mongodb_url(self) -> str:
        return f"mongodb://{HOST}:{self.mongo_port}/"

    @property
    def secrets_dir(self) -> Path:
        return self.run_dir / "secrets"

    def secret_file(self, system: str, principal: str) -> Path:
        """``secrets/<system>-<principal>.password``: ``kafka-admin``, ``mongo-appraisal``, ..."""
        return self.secrets_dir / f"{system}-{principal}.password"

    def secret(self, system: str, principal: str) -> str:
        """The password of a principal, generated (random, 0600) the first time it is asked for."""
        file = self.secret_file(system, principal)
        if not file.exists():
            self.secrets_dir.mkdir(parents=True, exist_ok=True)
            self.secrets_dir.chmod(0o700)
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(24) + "\n")
        return file.read_text().strip()


PORTS = {"run": (9092, 9093, 27017), "test": (19092, 19093, 27018), "bench": (29092, 29093, 27019)}
PORTS["cluster"] = (9192, 9193, 27020)  # the first of three brokers (cluster.py: each next one +2)


def port_offset() -> int:
    """``KINERJA_STACK_PORT_OFFSET`` shifts every port of every instance, so a second checkout on the
    same machine can run its own stacks beside the first (for example 1000: test on 20092/28018)."""
    raw = os.environ.get("KINERJA_STACK_PORT_OFFSET", "0").strip() or "0"
    if not re.fullmatch(r"[0-9]{1,5}", raw) or int(raw) > 30000:
        raise StackError(f"KINERJA_STACK_PORT_OFFSET must be a whole number from 0 to 30000, not {raw!r}")
    return int(raw)


def instance(name: str = "run") -> Instance:
    """``run`` lives in ``$KINERJA_RUN_DIR`` (default ``.run``); the others in a folder inside it."""
    if name not in PORTS:
        raise StackError(f"unknown instance {name!r}; one of: {', '.join(PORTS)}")
    base = Path(os.environ.get("KINERJA_RUN_DIR", ROOT / ".run"))
    offset = port_offset()
    kafka_port, controller_port, mongo_port = (port + offset for port in PORTS[name])
    return Instance(name, base if name == "run" else base / name, kafka_port, controller_port, mongo_port)


@dataclass(frozen=True)
class Component:
    name: str
    port: int
    instance: Instance

    @property
    def pid_file(self) -> Path:
        return self.instance.run_dir / "pids" / f"{self.name}.pid"

    @property
    def kind_file(self) -> Path:
        """Which server runs as this component (the Mongo-wire server can be any of MONGO_SERVERS)."""
        return self.instance.run_dir / "pids" / f"{self.name}.kind"

    def log_file(self, kind: str | None = None) -> Path:
        return self.instance.run_dir / "logs" / f"{kind or self.name}.log"

    def data_dir(self, kind: str | None = None) -> Path:
        return self.instance.run_dir / "data" / (kind or self.name)

    def running_kind(self) -> str | None:
        try:
            return self.kind_file.read_text().strip() or None
        except FileNotFoundError:
            return None

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
        return pid if self._is_ours(pid) else None

    def _is_ours(self, pid: int) -> bool:
        """A pid file can outlive its process (a reboot reuses pids): the pid is ours only if that
        process started before the file was written, so a stale file never stops another process."""
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            boot = next(
                int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime")
            )
            started = boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
            written = self.pid_file.stat().st_mtime
        except (OSError, ValueError, IndexError, StopIteration):
            return True  # no /proc to ask: trust the file
        return started <= written + 2


def port_open(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def spawn(component: Component, kind: str, argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> int:
    log_file = component.log_file(kind)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    component.pid_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as out:
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
    component.kind_file.write_text(kind)
    return proc.pid


def stop(component: Component, timeout: float = 30.0) -> None:
    pid = component.pid()
    if pid is None:
        component.pid_file.unlink(missing_ok=True)
        component.kind_file.unlink(missing_ok=True)
        return
    label = component.running_kind() or component.name
    log(f"stopping {label} of instance {component.instance.name} (pid {pid})")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and component.pid() is not None:
        _reap(pid)
        time.sleep(0.2)
    if component.pid() is not None:
        log(f"{label} did not stop in {timeout:.0f}s; killing it")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        time.sleep(0.5)
        _reap(pid)
    # The port is free only once the process has gone; wait for that too (a restart binds it again).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and port_open(component.port):
        time.sleep(0.1)
    component.pid_file.unlink(missing_ok=True)
    component.kind_file.unlink(missing_ok=True)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def wait_until(check: Callable[[], bool], what: str, component: Component, log_file: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if component.pid() is None:
            raise StackError(f"{what} exited while starting; see {log_file}")
        time.sleep(0.2)
    raise StackError(f"{what} not ready after {timeout:.0f}s; see {log_file}")


def run_checked(
    argv: list[str], what: str, *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=cwd, env=env)
    if result.returncode != 0:
        raise StackError(f"{what} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return result


def maven_copy(pom_template: Path, target: Path, replacements: dict[str, str]) -> Path:
    """The runtime jars a tiny pom lists, into ``target/lib`` (once)."""
    lib = target / "lib"
    if (target / ".complete").exists():
        return lib
    mvn = require("mvn")
    target.mkdir(parents=True, exist_ok=True)
    pom = pom_template.read_text()
    for placeholder, value in replacements.items():
        pom = pom.replace(placeholder, value)
    (target / "pom.xml").write_text(pom)
    partial = target / "lib.partial"
    shutil.rmtree(partial, ignore_errors=True)
    run_checked(
        [mvn, "-B", "-q", "dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={partial}"],
        "maven (fetching jars)",
        cwd=target,
    )
    shutil.rmtree(lib, ignore_errors=True)
    partial.rename(lib)
    (target / ".complete").write_text("ok")
    return lib


# ---------------------------------------------------------------- Prometheus

PROMETHEUS_PACKAGE = ("prometheus", "2.42.0+ds-5+deb12u1")
PROMETHEUS_SHA256 = "81d59a24fce84f7fbe97a45a4f2914b6a5881b5cd1db2a6a0e129e515e1a5f55"
"""Debian 12's prometheus package (amd64): the server and promtool, Go binaries needing only libc."""


def ensure_prometheus() -> Path:
    """The folder with ``prometheus`` and ``promtool`` from Debian's package, unpacked into the cache
    (once); the .deb must have the pinned SHA-256."""
    name, version = PROMETHEUS_PACKAGE
    home = CACHE_DIR / f"{name}-{version}"
    tools = home / "usr" / "bin"
    if (home / ".complete").exists():
        return tools
    apt_get, dpkg_deb = require("apt-get"), require("dpkg-deb")
    downloads = CACHE_DIR / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    log(f"fetching Debian's {name} {version} into {home} (once)")
    spec = f"{name}={version}"
    fetched = subprocess.run([apt_get, "download", spec], cwd=downloads, capture_output=True, text=True, check=False)
    if fetched.returncode != 0:  # a fresh machine may have no package lists yet
        run_checked([apt_get, "update", "-qq"], "apt-get update")
        run_checked([apt_get, "download", spec], f"apt-get download {spec}", cwd=downloads)
    debs = sorted(downloads.glob(f"{name}_{version.replace(':', '%3a')}_*.deb"))
    if not debs:
        raise StackError(f"apt-get download {spec} left no .deb in {downloads}")
    digest = hashlib.sha256(debs[-1].read_bytes()).hexdigest()
    if digest != PROMETHEUS_SHA256:
        debs[-1].unlink()
        raise StackError(f"{debs[-1].name} has SHA-256 {digest}, not the pinned {PROMETHEUS_SHA256}")
    partial = home.with_name(home.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    run_checked([dpkg_deb, "-x", str(debs[-1]), str(partial)], "unpacking the prometheus package")
    shutil.rmtree(home, ignore_errors=True)
    partial.rename(home)
    (home / ".complete").write_text("ok")
    return tools


# ---------------------------------------------------------------- the browser tests' tools

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_PACKAGES = ("chromium", "chromium-driver")
"""Debian's Chromium and its driver: a system install, as Chromium needs its libraries."""
AXE_CORE_VERSION = "4.10.3"
AXE_CORE_INTEGRITY = "sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg=="
"""The npm registry's integrity of the axe-core tarball (``npm view axe-core@VERSION dist.integrity``)."""


def ensure_chromium() -> tuple[Path, Path]:
    """``/usr/bin/chromium`` and ``/usr/bin/chromedriver``, from Debian's packages: installed with
    ``apt-get`` when missing and running as root; otherwise a StackError naming the command."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return CHROMIUM, CHROMEDRIVER
    command = ["apt-get", "install", "-y", "--no-install-recommends", *CHROMIUM_PACKAGES]
    if os.geteuid() != 0:
        raise StackError(f"the browser tests need Debian's Chromium: run `sudo {' '.join(command)}`")
    apt_get = require("apt-get")
    log(f"installing Debian's {' and '.join(CHROMIUM_PACKAGES)} (once)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    argv = [apt_get, *command[1:]]
    installed = subprocess.run(argv, capture_output=True, text=True, check=False, env=env)
    if installed.returncode != 0:  # a fresh machine may have no package lists yet
        run_checked([apt_get, "update", "-qq"], "apt-get update", env=env)
        run_checked(argv, " ".join(command), env=env)
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            raise StackError(f"{' '.join(command)} left no {path}")
    return CHROMIUM, CHROMEDRIVER


def ensure_axe_core() -> Path:
    """``axe.min.js`` of axe-core, packed once with ``npm pack`` into the cache; the tarball must have
    the pinned sha512 integrity."""
    home = CACHE_DIR / f"axe-core-{AXE_CORE_VERSION}"
    script = home / "axe.min.js"
    if (home / ".complete").exists():
        return script
    npm = require("npm")
    downloads = CACHE_DIR / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    log(f"fetching axe-core {AXE_CORE_VERSION} into {home} (once)")
    run_checked(
        [npm, "pack", f"axe-core@{AXE_CORE_VERSION}", "--pack-destination", str(downloads), "--silent"],
        f"npm pack axe-core@{AXE_CORE_VERSION}",
        cwd=downloads,
    )
    tarball = downloads / f"axe-core-{AXE_CORE_VERSION}.tgz"
    if not tarball.exists():
        raise StackError(f"npm pack axe-core@{AXE_CORE_VERSION} left no {tarball.name} in {downloads}")
    data = tarball.read_bytes()
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if integrity != AXE_CORE_INTEGRITY:
        tarball.unlink()
        raise StackError(f"{tarball.name} has integrity {integrity}, not the pinned {AXE_CORE_INTEGRITY}")
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("package/axe.min.js")
        if member is None:
            raise StackError(f"{tarball.name} has no package/axe.min.js")
        content = member.read()
    partial = home.with_name(home.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    (partial / "axe.min.js").write_bytes(content)
    shutil.rmtree(home, ignore_errors=True)
    partial.rename(home)
    (home / ".complete").write_text("ok")
    return script


def cmd_browser() -> None:
    """Print the paths of the browser tests' tools as one JSON object."""
    chromium, chromedriver = ensure_chromium()
    axe = ensure_axe_core()
    print(json.dumps({"chromium": str(chromium), "chromedriver": str(chromedriver), "axe": str(axe)}))


# ---------------------------------------------------------------- Kafka


def ensure_kafka_jars() -> Path:
    home = CACHE_DIR / f"kafka-{KAFKA_VERSION}"
    if not (home / ".complete").exists():
        require("java")
        log(f"fetching Kafka {KAFKA_VERSION} jars from Maven Central into {home / 'lib'} (once)")
    return maven_copy(HERE / "kafka" / "pom.xml", home, {"@KAFKA_VERSION@": KAFKA_VERSION})


def kafka_principals() -> list[str]:
    """Every principal of the ACL plan, and the administrator."""
    plan = json.loads(ACL_PLAN.read_text())
    return [ADMIN, *plan["principals"]]


def kafka_brokers_seen(inst: Instance, port: int | None = None) -> int:
    """How many live brokers the broker on ``port`` (default: the instance's) names in a Metadata
    answer to the administrator (SASL/SCRAM); 0 when it does not answer or refuses."""
    port = inst.kafka_port if port is None else port
    return int(kafka_admin.brokers_seen(HOST, port, ADMIN, inst.secret("kafka", ADMIN)))


def kafka_ready(inst: Instance) -> bool:
    """The broker lets the administrator in (SASL/SCRAM) and a Metadata request names a broker."""
    return kafka_brokers_seen(inst) >= 1


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks = b""
    while len(chunks) < n:
        chunk = sock.recv(n - len(chunks))
        if not chunk:
            raise OSError("connection closed")
        chunks += chunk
    return chunks


def write_kafka_config(inst: Instance, template: str, name: str, values: dict[str, str]) -> Path:
    """``conf/<name>.properties`` from ``kafka/<template>`` with ``values`` and the administrator's
    password filled in (mode 0600: it holds that password), and the log4j configuration beside it."""
    conf_dir = inst.run_dir / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    props = (HERE / "kafka" / template).read_text()
    for placeholder, value in {**values, "@ADMIN_PASSWORD@": inst.secret("kafka", ADMIN)}.items():
        props = props.replace(placeholder, value)
    target = conf_dir / f"{name}.properties"
    target.unlink(missing_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(props)
    shutil.copy(HERE / "kafka" / "log4j.properties", conf_dir / "kafka-log4j.properties")
    return target


def new_cluster_id() -> str:
    """A fresh KRaft cluster id: 16 random bytes in URL-safe base64, like Kafka's own ``Uuid.randomUuid``,
    which also never begins with "-" (the storage tool would read one as an option; about 1 id in 64
    did, and CI failed on one)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


def kafka_config(inst: Instance) -> Path:
    return write_kafka_config(
        inst,
        "server.properties",
        "kafka-server",
        {
            "@LOG_DIRS@": str(inst.kafka.data_dir()),
            "@PORT@": str(inst.kafka_port),
            "@CONTROLLER_PORT@": str(inst.controller_port),
        },
    )


def scram_format_args(inst: Instance) -> list[str]:
    """The ``kafka-storage format`` arguments that write every principal's SCRAM credentials."""
    scram = []
    for name in kafka_principals():  # passwords are [A-Za-z0-9_-]: nothing to escape
        scram += ["--add-scram", f"{SCRAM_MECHANISM}=[name={name},password={inst.secret('kafka', name)}]"]
    return scram


def mark_scram_users(data: Path) -> None:
    """Note in a freshly formatted data folder whose SCRAM credentials it holds (``check_scram_users``)."""
    (data / SCRAM_MARKER).write_text("\n".join(kafka_principals()) + "\n")


def check_scram_users(data: Path) -> None:
    """Kafka's SCRAM users are written when its storage is formatted: data formatted before (or
    for fewer principals) cannot let every principal in."""
    marker = data / SCRAM_MARKER
    have = set(marker.read_text().split()) if marker.exists() else set()
    missing = [name for name in kafka_principals() if name not in have]
    if missing:
        raise StackError(
            f"the Kafka data in {data} has no SCRAM credentials for {', '.join(missing)} (it was formatted "
            "before them); wipe it with `make stack-reset` (or `stack.py --instance NAME reset`), or add "
            f"them with kafka-configs (README, Security) and their names to {marker}"
        )


def start_kafka(inst: Instance) -> None:
    java = require("java")
    kafka = inst.kafka
    ready = lambda: kafka_ready(inst)  # noqa: E731
    if kafka.pid() is not None:
        log(f"kafka already running (pid {kafka.pid()}) on {inst.kafka_bootstrap_servers}")
        wait_until(ready, "kafka", kafka, kafka.log_file(), timeout=90)
        apply_kafka_acls(inst)
        return
    if port_open(inst.kafka_port) or port_open(inst.controller_port):
        raise StackError(
            f"ports {inst.kafka_port}/{inst.controller_port} are taken by another process; stop it, "
            "or point KAFKA_BOOTSTRAP_SERVERS at that broker"
        )
    lib = ensure_kafka_jars()
    props = kafka_config(inst)
    log4j = props.parent / "kafka-log4j.properties"
    classpath = f"{lib}/*"
    log4j_opt = f"-Dlog4j.configuration=file:{log4j}"
    data = kafka.data_dir()
    if not (data / "meta.properties").exists():
        data.mkdir(parents=True, exist_ok=True)
        cluster_id = new_cluster_id()
        log(f"formatting Kafka storage in {data} (SCRAM users: {', '.join(kafka_principals())})")
        tool = [java, "-cp", classpath, log4j_opt, "kafka.tools.StorageTool"]
        scram = scram_format_args(inst)
        run_checked(
            [*tool, "format", f"--cluster-id={cluster_id}", "-c", str(props), "--ignore-formatted", *scram],
            "kafka storage format",
        )
        mark_scram_users(data)
    check_scram_users(data)
    heap = os.environ.get("KINERJA_KAFKA_HEAP", "-Xms256m -Xmx768m").split()
    argv = [
        java,
        *heap,
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        log4j_opt,
        f"-Dkafka.logs.dir={inst.run_dir / 'logs'}",
        "-cp",
        classpath,
        "kafka.Kafka",
        str(props),
    ]
    pid = spawn(kafka, "kafka", argv, cwd=inst.run_dir)
    log(f"kafka starting (pid {pid}); log {kafka.log_file()}")
    wait_until(ready, "kafka", kafka, kafka.log_file(), timeout=120)
    log(f"kafka ready on {inst.kafka_bootstrap_servers} (SASL/{SCRAM_MECHANISM})")
    apply_kafka_acls(inst)


def apply_kafka_acls(inst: Instance, port: int | None = None) -> None:
    """Make the broker's ACLs those of ``deploy/kafka/acls.json`` (idempotent), through the broker on
    ``port`` (default: the instance's; in a cluster any one, the controllers share them with all)."""
    principals = json.loads(ACL_PLAN.read_text())["principals"]
    _, acls = kafka_admin.load_plan(ACL_PLAN)
    port = inst.kafka_port if port is None else port
    try:
        summary = kafka_admin.apply_acls(HOST, port, ADMIN, inst.secret("kafka", ADMIN), principals, acls)
    except (OSError, kafka_admin.KafkaAdminError) as exc:
        raise StackError(f"applying the Kafka ACLs failed: {exc}") from exc
    log(f"kafka ACLs: {summary}")


# ---------------------------------------------------------------- Mongo-wire servers


def mongo_ping_ok(port: int) -> bool:
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


def python311() -> str:
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    return require("python3.11")


def ensure_secantusdb() -> Path:
    """SecantusDB in its own virtualenv, from the hashed pins in ``secantusdb/requirements.txt`` (once;
    again when the pins change). It is only ever run as a server process."""
    pins = HERE / "secantusdb" / "requirements.txt"
    home = CACHE_DIR / f"secantusdb-{SECANTUSDB_VERSION}"
    server = home / "bin" / "secantusd-py"
    stamp = home / ".complete"
    want = hashlib.sha256(pins.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == want and server.exists():
        return server
    python = python311()
    log(f"installing SecantusDB {SECANTUSDB_VERSION} from PyPI into {home} (once)")
    shutil.rmtree(home, ignore_errors=True)
    run_checked([python, "-m", "venv", str(home)], "creating the SecantusDB virtualenv")
    pip = [str(home / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run_checked([*pip, "--no-deps", "--require-hashes", "--only-binary=:all:", "-r", str(pins)], "pip install")
    stamp.write_text(want)
    return server


def secantusdb_argv(inst: Instance) -> list[str]:
    server = ensure_secantusdb()
    data = inst.mongo.data_dir("secantusdb")
    data.mkdir(parents=True, exist_ok=True)
    # An explicit configuration file: SecantusDB would otherwise read ./secantusd.toml or ~/.secantus/.
    config = inst.run_dir / "conf" / "secantusd.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "# Written by deploy/local/stack.py; flags on the command line take precedence.\n"
        '[storage]\ncache_size = "512M"\nsync_on_commit = true\n'
    )
    return [
        str(server),
        f"--config={config}",
        f"--host={HOST}",
        f"--port={inst.mongo_port}",
        f"--storage-path={data}",
        "--standalone",  # a standalone server, as the services' connection strings expect
        "--sync-on-commit",  # every acknowledged write survives a crash of the server process
        "--log-level=WARNING",
        *(["--auth"] if (data / MONGO_USERS_MARKER).exists() else []),  # SCRAM-SHA-256 and roles, once users exist
    ]


MONGO_PROVISION = """
import json, sys
import pymongo
from pymongo.errors import OperationFailure
spec = json.load(sys.stdin)
client = pymongo.MongoClient(spec["url"], serverSelectionTimeoutMS=15000)
for name, password, roles in spec["users"]:
    try:
        client.admin.command("createUser", name, pwd=password, roles=roles)
    except OperationFailure:
        client.admin.command("updateUser", name, pwd=password, roles=roles)
print(len(spec["users"]))
"""


def mongo_users(inst: Instance) -> list[tuple[str, str, list[dict[str, str]]]]:
    """The administrator (root) and one user per service, allowed only its own database."""
    users = [(ADMIN, inst.secret("mongo", ADMIN), [{"role": "root", "db": "admin"}])]
    for name in SERVICES:
        users.append((name, inst.secret("mongo", name), [{"role": "readWrite", "db": f"kinerja_{name}"}]))
    return users


def provision_secantusdb(inst: Instance) -> None:
    """First start of a data folder: create the users (the server runs without --auth for this
    once, on loopback, for a second), then restart it with --auth."""
    python = ensure_secantusdb().parent / "python"
    users = mongo_users(inst)
    spec = {"url": inst.mongodb_url, "users": users}
    result = subprocess.run(
        [str(python), "-c", MONGO_PROVISION], input=json.dumps(spec), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise StackError(f"creating the SecantusDB users failed:\n{result.stderr[-2000:]}")
    (inst.mongo.data_dir("secantusdb") / MONGO_USERS_MARKER).write_text("\n".join(name for name, _, _ in users))
    log(f"secantusdb users: {ADMIN} (root), " + ", ".join(f"{n} (readWrite kinerja_{n})" for n in SERVICES))


def ensure_ferretdb() -> Path:
    """Build FerretDB from its module source (once).

    A plain ``go install module@version`` builds a binary that panics at start: FerretDB embeds
    ``build/version/version.txt``, which its release tooling generates and the module zip lacks.
    So the source is copied out of the module cache, the file is written, and ``go build`` runs there.
    """
    binary = CACHE_DIR / f"ferretdb-{FERRETDB_VERSION}" / "ferretdb"
    if binary.exists():
        return binary
    go = require("go")
    module = f"github.com/FerretDB/FerretDB@{FERRETDB_VERSION}"
    log(f"building FerretDB {FERRETDB_VERSION} from the Go module proxy into {binary.parent} (once; ~2 min)")
    env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"}
    download = run_checked([go, "mod", "download", "-json", module], f"go mod download {module}", env=env)
    source = Path(json.loads(download.stdout)["Dir"])
    build_dir = binary.parent / "src"
    shutil.rmtree(build_dir, ignore_errors=True)
    shutil.copytree(source, build_dir)
    for path in [build_dir, *build_dir.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    (build_dir / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
    (build_dir / "build" / "version" / "package.txt").write_text("kinerja-local\n")
    try:
        run_checked(
            [go, "build", "-trimpath", "-o", str(binary), "./cmd/ferretdb"], "building FerretDB", cwd=build_dir, env=env
        )
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)
    return binary


def ferretdb_argv(inst: Instance) -> list[str]:
    binary = ensure_ferretdb()
    data = inst.mongo.data_dir("ferretdb")
    data.mkdir(parents=True, exist_ok=True)
    return [
        str(binary),
        "--handler=sqlite",
        f"--sqlite-url=file:{data}/",
        f"--listen-addr={HOST}:{inst.mongo_port}",
        f"--state-dir={data}",
        "--debug-addr=-",
        "--telemetry=disable",
        "--log-level=warn",
    ]


def ensure_mongo_java_server() -> tuple[Path, Path]:
    """The mongo-java-server jars (Maven Central) and our launcher compiled against them (once)."""
    home = CACHE_DIR / f"mongo-java-server-{MONGO_JAVA_SERVER_VERSION}"
    source = HERE / "mongo-java-server" / "Launcher.java"
    classes = home / "classes"
    stamp = classes / ".source-sha256"
    if not (home / ".complete").exists():
        log(f"fetching mongo-java-server {MONGO_JAVA_SERVER_VERSION} jars from Maven Central into {home} (once)")
    lib = maven_copy(
        HERE / "mongo-java-server" / "pom.xml", home, {"@MONGO_JAVA_SERVER_VERSION@": MONGO_JAVA_SERVER_VERSION}
    )
    want = hashlib.sha256(source.read_bytes()).hexdigest()
    if not (stamp.exists() and stamp.read_text() == want):
        javac = require("javac")
        shutil.rmtree(classes, ignore_errors=True)
        classes.mkdir(parents=True)
        run_checked([javac, "-cp", f"{lib}/*", "-d", str(classes), str(source)], "compiling the launcher")
        stamp.write_text(want)
    return lib, classes


def mongo_java_server_argv(inst: Instance) -> list[str]:
    java = require("java")
    lib, classes = ensure_mongo_java_server()
    data = inst.mongo.data_dir("mongo-java-server")
    data.mkdir(parents=True, exist_ok=True)
    return [
        java,
        "-Xmx1g",
        "-cp",
        f"{lib}/*:{classes}",
        "Launcher",
        "--host",
        HOST,
        "--port",
        str(inst.mongo_port),
        "--backend",
        "h2",
        "--h2-file",
        str(data / "mongo.mv.db"),
    ]


MONGO_ARGV: dict[str, Callable[[Instance], list[str]]] = {
    "secantusdb": secantusdb_argv,
    "ferretdb": ferretdb_argv,
    "mongo-java-server": mongo_java_server_argv,
}


def mongo_server_kind() -> str:
    kind = os.environ.get("KINERJA_MONGO_SERVER") or DEFAULT_MONGO_SERVER
    if kind not in MONGO_SERVERS:
        raise StackError(f"KINERJA_MONGO_SERVER={kind!r} is not one of: {', '.join(MONGO_SERVERS)}")
    return kind


def start_mongo(inst: Instance, kind: str) -> None:
    mongo = inst.mongo
    ready = lambda: mongo_ping_ok(inst.mongo_port)  # noqa: E731
    if mongo.pid() is not None:
        running = mongo.running_kind()
        if running != kind:
            raise StackError(
                f"{running} is running as the Mongo-wire server of instance {inst.name}, not {kind}; "
                f"stop the stack first (python3 deploy/local/stack.py --instance {inst.name} down)"
            )
        log(f"{kind} already running (pid {mongo.pid()}) on {HOST}:{inst.mongo_port}")
        wait_until(ready, kind, mongo, mongo.log_file(kind), timeout=60)
        return
    if port_open(inst.mongo_port):
        raise StackError(
            f"port {inst.mongo_port} is taken by another process; stop it, or point MONGODB_URL at that server"
        )
    argv = MONGO_ARGV[kind](inst)
    pid = spawn(mongo, kind, argv, cwd=inst.run_dir)
    log(f"{kind} starting (pid {pid}); log {mongo.log_file(kind)}")
    wait_until(ready, kind, mongo, mongo.log_file(kind), timeout=90)
    if kind == "secantusdb" and "--auth" not in argv:
        provision_secantusdb(inst)
        stop(mongo)
        pid = spawn(mongo, kind, MONGO_ARGV[kind](inst), cwd=inst.run_dir)
        wait_until(ready, kind, mongo, mongo.log_file(kind), timeout=90)
    auth = " (users and --auth)" if mongo_auth_enabled(inst) else " (no authentication: only SecantusDB has it)"
    log(f"{kind} ready on {HOST}:{inst.mongo_port}{auth}")


def mongo_auth_enabled(inst: Instance) -> bool:
    return (
        inst.mongo.running_kind() == "secantusdb" and (inst.mongo.data_dir("secantusdb") / MONGO_USERS_MARKER).exists()
    )


# ---------------------------------------------------------------- commands


def external_kafka() -> str | None:
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None


def external_mongo() -> str | None:
    return os.environ.get("MONGODB_URL") or None


def cmd_up(inst: Instance, *, fresh: bool = False) -> None:
    started = time.monotonic()
    if fresh:
        cmd_reset(inst)
    inst.run_dir.mkdir(parents=True, exist_ok=True)
    if external_kafka():
        log(f"using KAFKA_BOOTSTRAP_SERVERS={external_kafka()} (local Kafka not started)")
    else:
        start_kafka(inst)
    if external_mongo():
        log("using MONGODB_URL from the environment (local Mongo-wire server not started)")
    else:
        start_mongo(inst, mongo_server_kind())
    log(f"stack {inst.name} up in {time.monotonic() - started:.1f}s")


def cmd_down(inst: Instance) -> None:
    stop(inst.mongo)
    stop(Component("ferretdb", inst.mongo_port, inst))  # its pid file from before the Mongo-wire choice
    stop(inst.kafka)
    log(f"stack {inst.name} down")


def cmd_status(inst: Instance) -> int:
    code = 0
    checks: tuple[tuple[Component, Callable[[], bool]], ...] = (
        (inst.kafka, lambda: kafka_ready(inst)),
        (inst.mongo, lambda: mongo_ping_ok(inst.mongo_port)),
    )
    for component, check in checks:
        pid = component.pid()
        ready = check()
        kind = component.running_kind() or component.name
        state = "ready" if ready else ("starting or unhealthy" if pid else "stopped")
        log_file = component.log_file(kind if component.name == "mongo" else None)
        print(f"{kind:18} {state:22} pid={pid or '-':<8} {HOST}:{component.port}  log={log_file}")
        code |= 0 if ready else 1
    return code


def cmd_reset(inst: Instance) -> None:
    cmd_down(inst)
    shutil.rmtree(inst.run_dir / "data", ignore_errors=True)
    log(f"data wiped under {inst.run_dir / 'data'}")


PRINCIPALS = (ADMIN, *SERVICES, "integration")


def check_principal(principal: str) -> None:
    if principal not in PRINCIPALS:
        raise StackError(f"unknown principal {principal!r}; one of: {', '.join(PRINCIPALS)}")


def kafka_credentials_env(inst: Instance, principal: str) -> dict[str, str]:
    """The SASL settings of ``principal`` for the instance's broker(s), its password as a file."""
    inst.secret("kafka", principal)
    return {
        "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "KAFKA_SASL_MECHANISM": SCRAM_MECHANISM,
        "KAFKA_SASL_USERNAME": principal,
        "KAFKA_SASL_PASSWORD_FILE": str(inst.secret_file("kafka", principal)),
        # Where the tests find the other principals' passwords.
        "KINERJA_STACK_SECRETS": str(inst.secrets_dir),
    }


def mongo_credentials_env(inst: Instance, principal: str) -> dict[str, str]:
    """The database user of ``principal`` on the instance's Mongo-wire server, its password as a
    file; nothing where that server has no users (only SecantusDB has) or the principal has none."""
    if mongo_server_kind() != "secantusdb" or principal == "integration":
        return {}
    inst.secret("mongo", principal)
    return {"MONGODB_USERNAME": principal, "MONGODB_PASSWORD_FILE": str(inst.secret_file("mongo", principal))}


def stack_env(inst: Instance, principal: str = ADMIN) -> dict[str, str]:
    """The addresses of the instance and the credentials of ``principal`` (the administrator, a
    service, or ``integration``), as password files. Servers given from outside keep the
    credentials given with them (nothing is added)."""
    check_principal(principal)
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": external_kafka() or inst.kafka_bootstrap_servers,
        "MONGODB_URL": external_mongo() or inst.mongodb_url,
        # Which local instance those servers belong to (tests may stop and start its broker).
        "KINERJA_STACK_INSTANCE": "" if external_kafka() else inst.name,
    }
    if not external_kafka():
        env.update(kafka_credentials_env(inst, principal))
    if not external_mongo():
        env.update(mongo_credentials_env(inst, principal))
    return env


def cmd_compose_secrets() -> None:
    """The secret files docker-compose.yml mounts, in ``.run/compose-secrets/`` (random, written once;
    an existing one is kept). The folder is 0700; the files 0644, because Compose bind-mounts them
    as they are and each container reads its mounts as its own user."""
    base = Path(os.environ.get("KINERJA_RUN_DIR", ROOT / ".run")) / "compose-secrets"
    base.mkdir(parents=True, exist_ok=True)
    base.chmod(0o700)
    wanted = {f"kafka-{name}": secrets.token_urlsafe(24) for name in kafka_principals()}
    wanted |= {f"mongo-{name}": secrets.token_urlsafe(24) for name in (ADMIN, *SERVICES)}
    wanted["mongo-keyfile"] = base64.b64encode(os.urandom(750)).decode()  # the replica set's internal key
    wanted["portal-session"] = base64.b64encode(os.urandom(32)).decode()  # seals the portal's session cookie
    written = []
    for name, value in wanted.items():
        file = base / name
        if not file.exists():
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            with os.fdopen(fd, "w") as out:
                out.write(value + "\n")
            written.append(name)
    log(f"compose secrets in {base}: {len(written)} written, {len(wanted) - len(written)} kept")


def cmd_env(inst: Instance, principal: str = ADMIN) -> None:
    for name, value in stack_env(inst, principal).items():
        print(f"export {name}={value}")


class _Stopped(Exception):
    pass


def cmd_run(inst: Instance, command: list[str]) -> int:
    """Wipe and start the instance, run ``command`` against it, then stop it, whatever happens."""
    if inst.name == "run":
        raise StackError("'run' wipes its instance; use --instance test or --instance bench")
    return run_against(
        command, up=lambda: cmd_up(inst, fresh=True), env=lambda: stack_env(inst), down=lambda: cmd_down(inst)
    )


def run_against(
    command: list[str], *, up: Callable[[], None], env: Callable[[], dict[str, str]], down: Callable[[], None]
) -> int:
    """Start servers (``up``), run ``command`` with ``env`` added, then stop them (``down``), whatever
    happens: Ctrl-C or a SIGTERM to this script gives the command time for its own clean-up first."""
    if not command:
        raise StackError("run needs a command after --")

    def on_term(signum: int, _frame: object) -> None:
        raise _Stopped

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        up()
        log(f"running {' '.join(command)}")
        with subprocess.Popen(command, env={**os.environ, **env()}) as proc:
            try:
                return proc.wait()
            except (KeyboardInterrupt, _Stopped) as stopped:
                # Ctrl-C reached the command too (one terminal, one process group); a SIGTERM sent to
                # this script alone is passed on. Then the command gets time for its own clean-up.
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                if isinstance(stopped, _Stopped):
                    proc.terminate()
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                return 130
    finally:
        # A second Ctrl-C or SIGTERM must not cut the clean-up short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        down()
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instance", default="run", choices=list(PORTS), help="which local stack (default: run)")
    parser.add_argument(
        "command",
        choices=["up", "down", "status", "reset", "env", "run", "compose-secrets", "prometheus", "browser"],
    )
    parser.add_argument("--fresh", action="store_true", help="up: wipe the instance's data first")
    parser.add_argument(
        "--as", dest="principal", default=ADMIN, help="env: whose credentials (admin, a service, integration)"
    )
    argv = sys.argv[1:] if argv is None else argv
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    rest = argv[split + 1 :]
    try:
        inst = instance(args.instance)
        if inst.name == "cluster":  # three brokers: deploy/local/cluster.py, which imports this module
            sys.modules.setdefault("stack", sys.modules[__name__])
            import cluster

            return cluster.command(inst, args.command, fresh=args.fresh, rest=rest, principal=args.principal)
        if args.command == "up":
            cmd_up(inst, fresh=args.fresh)
        elif args.command == "down":
            cmd_down(inst)
        elif args.command == "status":
            return cmd_status(inst)
        elif args.command == "reset":
            cmd_reset(inst)
        elif args.command == "run":
            return cmd_run(inst, rest)
        elif args.command == "compose-secrets":
            cmd_compose_secrets()
        elif args.command == "prometheus":
            print(ensure_prometheus())
        elif args.command == "browser":
            cmd_browser()
        else:
            cmd_env(inst, args.principal)
    except StackError as exc:
        print(f"[stack] error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
