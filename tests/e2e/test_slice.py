"""The whole system as deployed: four service processes, real Kafka, the real Mongo-wire server.

An appraisal recorded through the appraisal API reaches the employee's inbox (notification) and
the predikat counts (reporting), only through Kafka.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from kinerja_testing import Infra, Keys, ServiceProcess, employee_record, skip_history

pytestmark = pytest.mark.infra

SERVICES = ("appraisal", "training", "notification", "reporting")
APPRAISER = "197501012000031001"
ADMIN = "197001012000011001"


@dataclass
class System:
    services: dict[str, ServiceProcess]

    @property
    def urls(self) -> dict[str, str]:
        return {name: service.url for name, service in self.services.items()}


@pytest.fixture(scope="module")
def system(infra: Infra, keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    run_id = os.urandom(4).hex()
    log_dir = tmp_path_factory.mktemp("e2e-logs")
    services = {name: ServiceProcess.configure(name, infra, keys, run_id, log_dir) for name in SERVICES}
    for name in ("notification", "reporting"):
        asyncio.run(
            skip_history(infra, services[name].env[f"{name.upper()}_CONSUMER_GROUP"], ["appraisal.completed.v1"])
        )
    for service in services.values():
        service.start()
    try:
        for service in services.values():
            service.wait_ready()
        yield System(services)
    finally:
        for service in services.values():
            service.stop()


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
    registered = httpx.post(
        f"{system.urls['appraisal']}/api/v1/employees",
        json=employee_record(nip, "DINKES"),
        headers=keys.headers(ADMIN, "admin_bkpsdm"),
    )
    assert registered.status_code == 201, registered.text
    created = httpx.post(
        f"{system.urls['appraisal']}/api/v1/appraisals",
        json={
            "nip": nip,
            "opd_code": "DINKES",
            "period": period,
            "hasil_kerja": "di_atas_ekspektasi",
            "perilaku_kerja": "di_atas_ekspektasi",
        },
        headers=keys.headers(ADMIN, "admin_bkpsdm") | {"X-Correlation-ID": "e2e-slice-1"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["predikat"] == "sangat_baik"

    def inbox() -> list[dict[str, object]]:
        page = httpx.get(f"{system.urls['notification']}/api/v1/inbox", headers=keys.headers(nip, "pegawai")).json()
        return list(page["items"])

    items = poll(inbox)
    assert isinstance(items, list)
    assert items[0]["ref"] == created.json()["id"]
    assert items[0]["title"] == "Penilaian kinerja Triwulan III 2026 telah selesai"
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


def test_a_deactivated_employee_is_refused_by_every_service_at_once(
    system: System, keys: Keys, new_nip: Callable[[], str]
) -> None:
    """Deactivation revokes: the registry (appraisal) refuses at once; training, notification and
    reporting as soon as ``employee.updated.v1`` reaches their roster, while the token still lives."""
    nip = new_nip()
    admin = keys.headers(ADMIN, "admin_bkpsdm")
    body = {"nip": nip, "name": "Pegawai Keluar", "employee_type": "PNS", "position_type": "JF", "opd_code": "DINKES"}
    assert httpx.post(f"{system.urls['appraisal']}/api/v1/employees", json=body, headers=admin).status_code == 201
    person = keys.headers(nip, "pegawai", "admin_opd", opd_code="DINKES")
    calls = {
        "appraisal": f"/api/v1/employees/{nip}",
        "training": "/api/v1/rules/jp-obligation/PNS",
        "notification": "/api/v1/inbox",
        "reporting": "/api/v1/reports/appraisals/summary",
    }
    for name, path in calls.items():
        assert httpx.get(f"{system.urls[name]}{path}", headers=person).status_code == 200, name
    deactivated = httpx.patch(
        f"{system.urls['appraisal']}/api/v1/employees/{nip}",
        json={"active": False},
        headers=admin | {"If-Match": '"1"'},
    )
    assert deactivated.status_code == 200, deactivated.text
    for name, path in calls.items():

        def refused(name: str = name, path: str = path) -> bool:
            response = httpx.get(f"{system.urls[name]}{path}", headers=person)
            return response.status_code == 403 and response.json()["code"] == "inactive"

        poll(refused)
    # Someone the registry does not know (the BKPSDM's staff) still passes.
    assert httpx.get(f"{system.urls['notification']}/api/v1/inbox", headers=admin).status_code == 200


def test_services_stop_cleanly_on_sigterm(system: System) -> None:
    training = system.services["training"]
    # uvicorn shuts the app down, then re-raises the signal so a supervisor sees why it ended.
    assert training.stop(signal.SIGTERM) == -signal.SIGTERM
    log = training.log.read_text()
    assert '"training stopped"' in log
    assert "Application shutdown complete." in log
