#!/usr/bin/env python3
"""Run the four services and the portal in the foreground against the local stack (``make run``).

Starts each service as ``python -m <service>`` and the portal as ``python -m portal``, waits until
every ``/readyz`` (the portal's ``/healthz``) answers 200, prints the URLs, then waits. Ctrl-C (or
``make down``, which sends SIGTERM) stops them cleanly.
Logs go to ``.run/logs/<service>.log``.

**Demo mode** (``make run DEMO=small``, or ``KINERJA_DEMO=small``; sizes ``tiny``, ``small``, ``city``):
once everything is ready, loads a seeded Palembang through the services' APIs (``python -m kinerja_demo``;
a second start adds nothing), then prints where to look and whom to sign in as.

Each service runs as its own principal: its Kafka user (with the ACLs of ``deploy/kafka/acls.json``)
and, on SecantusDB, its MongoDB user (readWrite on its own database only), as ``stack.py env --as
<service>`` gives them. Servers given from outside (``KAFKA_BOOTSTRAP_SERVERS``, ``MONGODB_URL``)
keep the credentials given with them in the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN_DIR = Path(os.environ.get("KINERJA_RUN_DIR", ROOT / ".run"))
SERVICES = {"appraisal": 8001, "training": 8002, "notification": 8003, "reporting": 8004}
PORTAL_PORT = 8000
KEYS_DIR = ROOT / ".run" / "keys"
PID_FILE = RUN_DIR / "pids" / "services.pid"
EXTRA_ENV = {"training": {"TRAINING_SEED_CATALOGUE": "true"}}
"""The run has a catalogue: training loads its seed at start-up (idempotent; ``python -m training.seed``)."""


def ready(port: int, path: str = "/readyz") -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def service_env(name: str) -> dict[str, str]:
    """The addresses of the ``run`` instance and the service's own credentials (``stack.py env --as``)."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "local" / "stack.py"), "env", "--as", name],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines() if "=" in line)


def start(env: dict[str, str]) -> dict[str, subprocess.Popen[bytes]]:
    (RUN_DIR / "logs").mkdir(parents=True, exist_ok=True)
    procs = {}
    for name in SERVICES:
        log = (RUN_DIR / "logs" / f"{name}.log").open("ab")
        procs[name] = subprocess.Popen(
            [sys.executable, "-m", name],
            cwd=ROOT,
            env={**env, **service_env(name), **EXTRA_ENV.get(name, {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    log = (RUN_DIR / "logs" / "portal.log").open("ab")
    procs["portal"] = subprocess.Popen(
        [sys.executable, "-m", "portal"], cwd=ROOT, env={**env, **portal_env()}, stdout=log, stderr=subprocess.STDOUT
    )
    return procs


def portal_env() -> dict[str, str]:
    """The portal on this machine: the developer sign-in with the local key (``make keys`` writes it and
    the session secret), the services on their default ports."""
    return {
        "PORTAL_PORT": str(PORTAL_PORT),
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{PORTAL_PORT}",
        "PORTAL_SESSION_SECRET_FILE": str(KEYS_DIR / "portal-session.key"),
        "PORTAL_DEV_SIGNIN_KEY_FILE": str(KEYS_DIR / "jwt-private.pem"),
        **{f"PORTAL_{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in SERVICES.items()},
    }


def stop(procs: dict[str, subprocess.Popen[bytes]], timeout: float = 30.0) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for name, proc in procs.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"[run] {name} did not stop in time; killing it", flush=True)
            proc.kill()
            proc.wait()


def load_demo(size: str) -> None:
    """Load the demo city (the loader prints its phases, and whom to sign in as), then say where to look.
    A failed load is reported and the system keeps running with what was loaded."""
    summary = RUN_DIR / "demo-summary.json"
    print(f"[run] loading the demo city ({size}); the progress goes below", flush=True)
    loaded = subprocess.run(
        [sys.executable, "-m", "kinerja_demo", "--size", size, "--seed", "1", "--summary-file", str(summary)],
        cwd=ROOT,
        env={**os.environ, "KINERJA_DEMO_KEYS_DIR": str(KEYS_DIR)},
        check=False,
    )
    if loaded.returncode != 0:
        print(f"[run] the demo load ended with errors (exit {loaded.returncode}); see above", file=sys.stderr)
    portal = f"http://127.0.0.1:{PORTAL_PORT}"
    try:
        opd = json.loads(summary.read_text())["sign_in"]["kepala_dinas"]["opd_code"]
    except (OSError, ValueError, KeyError, TypeError):
        opd = "DINKES"
    print("[run] where to look:", flush=True)
    print(f"  sign in       {portal}/masuk   (type a NIP above and tick its roles)", flush=True)
    print(f"  dashboards    {portal}/kota (BKPSDM, pimpinan)   {portal}/opd?kode={opd} (kepala dinas, admin OPD)")
    print(f"  API docs      http://127.0.0.1:{SERVICES['appraisal']}/docs (and 8002-8004)", flush=True)
    print("  metrics       'make prometheus' (alerts, queries); Grafana dashboards: deploy/grafana", flush=True)
    print(f"  summary       {summary}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for readiness")
    parser.add_argument("--stop-stack", action="store_true", help="also stop Kafka and the Mongo-wire server on exit")
    parser.add_argument(
        "--demo",
        choices=("tiny", "small", "city"),
        default=os.environ.get("KINERJA_DEMO") or None,
        help="load a demo city of this size once the services are ready (env KINERJA_DEMO)",
    )
    args = parser.parse_args()
    env = {**os.environ}
    procs = start(env)
    PID_FILE.parent.mkdir(parents=True, exist_ok=True)
    PID_FILE.write_text(str(os.getpid()))
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        deadline = time.monotonic() + args.timeout
        pending = {**SERVICES, "portal": PORTAL_PORT}
        while pending and not stopping:
            for name, port in list(pending.items()):
                if procs[name].poll() is not None:
                    print(f"[run] {name} exited; see {RUN_DIR / 'logs' / (name + '.log')}", file=sys.stderr)
                    return 1
                if ready(port, "/healthz" if name == "portal" else "/readyz"):
                    del pending[name]
            if time.monotonic() > deadline:
                print(f"[run] not ready after {args.timeout:.0f}s: {', '.join(pending)}", file=sys.stderr)
                return 1
            time.sleep(0.5)
        if stopping:
            return 0
        print("[run] the four services and the portal are ready:", flush=True)
        print(f"  portal        http://127.0.0.1:{PORTAL_PORT}   (sign in: pick a person and a role)", flush=True)
        for name, port in SERVICES.items():
            print(f"  {name:13} http://127.0.0.1:{port}   API docs http://127.0.0.1:{port}/docs", flush=True)
        if args.demo and not stopping:
            load_demo(args.demo)
        print(f"[run] logs in {RUN_DIR / 'logs'}; Ctrl-C or 'make down' stops them", flush=True)
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    print(f"[run] {name} exited with {proc.returncode}; stopping the others", file=sys.stderr)
                    return 1
            time.sleep(0.5)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        print("[run] stopping services", flush=True)
        stop(procs)
        if args.stop_stack:
            subprocess.run([sys.executable, str(ROOT / "deploy" / "local" / "stack.py"), "down"], check=False)
        PID_FILE.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
