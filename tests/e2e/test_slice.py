"""The whole system as deployed: four service processes, real Kafka, the real Mongo-wire server.

An appraisal recorded through the appraisal API reaches the employee's inbox (notification) and
the predikat counts (reporting), only through Kafka.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kinerja_testing import Infra, Keys

pytestmark = pytest.mark.infra

SERVICES = ("appraisal", "training", "notification", "reporting")
APPRAISER = "197501012000031001"
ADMIN = "197001012000011001"


@dataclass
class System:
    urls: dict[str, str]
    procs: dict[str, subprocess.Popen[bytes]]
    logs: dict[str, Path]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(system: System, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    pending = set(SERVICES)
    while pending and time.monotonic() < deadline:
        for name in list(pending):
            if system.procs[name].poll() is not None:
                raise AssertionError(f"{name} exited: {system.logs[name].read_text()[-3000:]}")
            try:
                if httpx.get(f"{system.urls[name]}/readyz", timeout=2).status_code == 200:
                    pending.discard(name)
            except httpx.HTTPError:
                pass
        time.sleep(0.3)
    assert not pending, f"not ready: {pending}"


@pytest.fixture(scope="module")
def system(infra: Infra, keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    run_id = os.urandom(4).hex()
    log_dir = tmp_path_factory.mktemp("e2e-logs")
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "MONGODB_URL": infra.mongodb_url,
        "AUTH_PUBLIC_KEY_FILE": str(keys.public),
        "OUTBOX_POLL_INTERVAL_S": "0.5",
        "SHUTDOWN_TIMEOUT_S": "10",
    }
    urls, procs, logs = {}, {}, {}
    for name in SERVICES:
        port = free_port()
        prefix = name.upper()
        env_for = env | {
            f"{prefix}_PORT": str(port),
            f"{prefix}_MONGODB_DATABASE": f"e2e_{run_id}_{name}",
            f"{prefix}_CONSUMER_GROUP": f"e2e-{run_id}-{name}",
        }
        logs[name] = log_dir / f"{name}.log"
        with logs[name].open("wb") as out:
            procs[name] = subprocess.Popen([sys.executable, "-m", name], env=env_for, stdout=out, stderr=out)
        urls[name] = f"http://127.0.0.1:{port}"
    system = System(urls, procs, logs)
    try:
        wait_ready(system)
        yield system
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def poll(check: Callable[[], object], timeout: float = 30.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError("condition not met in time")


def test_every_service_is_ready_and_serves_openapi(system: System) -> None:
    for name, url in system.urls.items():
        ready = httpx.get(f"{url}/readyz")
        assert ready.json() == {"status": "ready", "checks": {"mongodb": "ok", "kafka": "ok"}}, name
        spec = httpx.get(f"{url}/openapi.json").json()
        assert spec["info"]["title"] == f"Kinerja ASN: {name} service"


def test_appraisal_reaches_inbox_and_report_through_kafka(
    system: System, keys: Keys, new_nip: Callable[[], str]
) -> None:
    nip = new_nip()
    period = "2026-Q3"
    created = httpx.post(
        f"{system.urls['appraisal']}/api/v1/appraisals",
        json={
            "nip": nip,
            "opd_code": "DINKES",
            "period": period,
            "hasil_kerja": "di_atas_ekspektasi",
            "perilaku_kerja": "di_atas_ekspektasi",
        },
        headers=keys.headers(APPRAISER, "pejabat_penilai") | {"X-Correlation-ID": "e2e-slice-1"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["predikat"] == "sangat_baik"

    def inbox() -> list[dict[str, object]]:
        page = httpx.get(f"{system.urls['notification']}/api/v1/inbox", headers=keys.headers(nip, "pegawai")).json()
        return list(page["items"])

    items = poll(inbox)
    assert isinstance(items, list)
    assert items[0]["ref"] == created.json()["id"]
    assert items[0]["title"] == "Penilaian kinerja triwulan III 2026 telah selesai"
    assert "predikat Sangat Baik" in str(items[0]["body"])

    def report() -> dict[str, int] | None:
        body = httpx.get(
            f"{system.urls['reporting']}/api/v1/reports/appraisals/summary",
            params={"period": period, "opd_code": "DINKES"},
            headers=keys.headers(ADMIN, "pimpinan"),
        ).json()
        return body["by_predikat"] if body["total"] >= 1 else None

    by_predikat = poll(report)
    assert isinstance(by_predikat, dict)
    assert by_predikat["sangat_baik"] >= 1

    metrics = httpx.get(f"{system.urls['notification']}/metrics").text
    assert "faststream_received_processed_messages_total" in metrics
    assert 'status="acked"' in metrics


def test_services_stop_cleanly_on_sigterm(system: System) -> None:
    proc = system.procs["training"]
    proc.send_signal(signal.SIGTERM)
    # uvicorn shuts the app down, then re-raises the signal so a supervisor sees why it ended.
    assert proc.wait(timeout=30) == -signal.SIGTERM
    log = system.logs["training"].read_text()
    assert '"training stopped"' in log
    assert "Application shutdown complete." in log
