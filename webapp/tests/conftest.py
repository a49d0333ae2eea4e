"""The portal's browser tests share these: the services (appraisal, notification) in their own
processes, the portal as ``python -m portal`` with the developer sign-in, a small organisation
(Sekda, a head of DINKES with an approved SKP, a kabid they appraise), and the browser helpers."""

from __future__ import annotations

import base64
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from kinerja_testing import Infra, Keys, ServiceProcess, free_port, running, skip_history
from kinerja_testing.browser import axe_violations
from notification.main import DEFINITION as NOTIFICATION
from reporting.main import DEFINITION as REPORTING

SEKDA = "196801011990031001"
BKPSDM = "197001012000011001"
YEAR = time.localtime().tm_year


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def services(
    infra: Infra, keys: Keys, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict[str, ServiceProcess]]:
    run_id = os.urandom(4).hex()
    logs = tmp_path_factory.mktemp("services")
    started = {
        name: ServiceProcess.configure(name, infra, keys, run_id, logs)
        for name in ("appraisal", "notification", "reporting")
    }
    started["notification"].env["NOTIFICATION_STREAM_HEARTBEAT_S"] = "2"  # a signed-out stream ends soon
    group = started["notification"].env["NOTIFICATION_CONSUMER_GROUP"]
    await skip_history(infra, group, [str(t) for t in NOTIFICATION.consumes])
    group = started["reporting"].env["REPORTING_CONSUMER_GROUP"]
    await skip_history(infra, group, [str(t) for t in REPORTING.consumes])
    with running(started):
        yield started


@contextlib.contextmanager
def portal_process(folder: Path, **env: str) -> Iterator[str]:
    """``python -m portal`` with a fresh session secret and ``env`` (``PORTAL_*``); yields its URL once
    ``/healthz`` answers, stops it at the end."""
    secret = folder / "session.key"
    secret.write_text(base64.b64encode(os.urandom(32)).decode())
    port = free_port()
    full = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "PORTAL_PORT": str(port),
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PORTAL_SESSION_SECRET_FILE": str(secret),
        **env,
    }
    log = (folder / "portal.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "portal"], env=full, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError((folder / "portal.log").read_text()[-2000:])
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def portal(services: dict[str, ServiceProcess], keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The portal with the developer sign-in, against the module's services."""
    with portal_process(
        tmp_path_factory.mktemp("portal"),
        PORTAL_DEV_SIGNIN_KEY_FILE=str(keys.private),
        PORTAL_APPRAISAL_URL=services["appraisal"].url,
        PORTAL_NOTIFICATION_URL=services["notification"].url,
        PORTAL_TRAINING_URL="http://127.0.0.1:9",  # not needed by these pages
        PORTAL_REPORTING_URL=services["reporting"].url,
    ) as url:
        yield url


@pytest.fixture
def launch_portal(tmp_path: Path) -> Callable[..., contextlib.AbstractContextManager[str]]:
    """``with launch_portal(PORTAL_OIDC_ISSUER=...) as url``: a portal of the test's own configuration."""
    return lambda **env: portal_process(tmp_path, **env)


def api(url: str, method: str, path: str, headers: dict[str, str], body: Any = None, version: int | None = None) -> Any:
    extra = {"If-Match": f'"{version}"'} if version is not None else {}
    response = httpx.request(method, f"{url}/api/v1{path}", json=body, headers=headers | extra, timeout=10)
    assert response.status_code < 300, response.text
    return response.json()


@pytest.fixture
def people(services: dict[str, ServiceProcess], keys: Keys, new_nip: Callable[[], str]) -> dict[str, str]:
    """A head of DINKES with an approved SKP (RHK k1), and a kabid they appraise; the year configured."""
    url = services["appraisal"].url
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    httpx.put(
        f"{url}/api/v1/performance-years/{YEAR}",
        json={"frequency": "quarterly", "skp_due": f"{YEAR}-12-31"},
        headers=admin,
        timeout=10,
    )
    kadis, kabid = new_nip(), new_nip()
    for nip, fields in (
        (SEKDA, {"opd_code": "SETDA", "position_type": "JPT"}),
        (kadis, {"opd_code": "DINKES", "position_type": "JPT", "pejabat_penilai_nip": SEKDA}),
        (
            kabid,
            {
                "opd_code": "DINKES",
                "position_type": "ADMINISTRATOR",
                "pejabat_penilai_nip": kadis,
                "atasan_pejabat_penilai_nip": SEKDA,  # who decides the kabid's objections
            },
        ),
    ):
        body = {"nip": nip, "name": f"Pegawai {nip[-4:]}", "employee_type": "PNS", **fields}
        response = httpx.post(f"{url}/api/v1/employees", json=body, headers=admin, timeout=10)
        assert response.status_code in (201, 409), response.text
    mine = keys.headers(kadis, "pegawai")
    rhk = {
        "rhk_id": "k1",
        "kind": "utama",
        "text": "Meningkatnya derajat kesehatan masyarakat",
        "indicators": [{"indicator_id": "k1-1", "aspect": "kuantitas", "text": "Cakupan", "target": "95", "unit": "%"}],
    }
    approve(url, mine, keys.headers(SEKDA, "pejabat_penilai"), rhk)
    return {"kadis": kadis, "kabid": kabid}


def approve(url: str, owner: dict[str, str], appraiser: dict[str, str], rhk: dict[str, Any]) -> None:
    """An SKP of the year with one RHK, drafted and submitted by its owner, approved by the appraiser (API)."""
    skp = api(url, "POST", "/skp", owner, {"year": YEAR, "rhk": [rhk]})
    skp = api(url, "POST", f"/skp/{skp['id']}/submit", owner, version=skp["version"])
    api(url, "POST", f"/skp/{skp['id']}/approve", appraiser, version=skp["version"])


def _sign_in(page: Any, portal: str, nip: str, *roles: str, opd: str | None = None) -> None:
    page.goto(f"{portal}/masuk")
    page.get_by_label("NIP (atau PPK)").fill(nip)
    for box in page.locator("input[name=roles]").all():
        if box.is_checked():
            box.uncheck()
    for role in roles:
        page.locator(f"input[name=roles][value={role}]").check()
    if opd:
        page.get_by_label("Kode OPD (untuk admin OPD)").fill(opd)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{portal}/")


def _accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], (page.url, violations)


@pytest.fixture
def sign_in() -> Callable[..., None]:
    """``sign_in(page, portal, nip, *roles, opd=None)``: through the developer sign-in page."""
    return _sign_in


@pytest.fixture
def accessible() -> Callable[[Any], None]:
    """``accessible(page)``: axe-core finds no serious or critical violation on the page."""
    return _accessible


@pytest.fixture
def year() -> int:
    return YEAR


def _approved_skp(url: str, keys: Keys, kabid: str, kadis: str) -> None:
    """The kabid's SKP of the year, cascaded from the head's RHK k1 and approved (through the API)."""
    mine, boss = keys.headers(kabid, "pegawai"), keys.headers(kadis, "pejabat_penilai")
    rhk = {
        "rhk_id": "b1",
        "kind": "utama",
        "text": "Meningkatnya cakupan imunisasi dasar",
        "intervened_rhk_id": "k1",
        "indicators": [
            {"indicator_id": "b1-1", "aspect": "kuantitas", "text": "Cakupan imunisasi", "target": "95", "unit": "%"}
        ],
    }
    approve(url, mine, boss, rhk)


@pytest.fixture
def approved_skp(services: dict[str, ServiceProcess], keys: Keys) -> Callable[[str, str], None]:
    """``approved_skp(kabid, kadis)``: the kabid's SKP of the year, cascaded from k1, approved (API)."""
    return lambda kabid, kadis: _approved_skp(services["appraisal"].url, keys, kabid, kadis)


def _low_two_years(services: dict[str, ServiceProcess], keys: Keys, nip: str, kadis: str, year: int) -> None:
    """``nip`` in DINKES, appraised by ``kadis``, with a low annual result last year and this year: this
    year's development plan awaits the kadis's input and is escalated to the BKPSDM."""
    url = f"{services['appraisal'].url}/api/v1"
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    employee = {
        "nip": nip,
        "name": f"Pegawai {nip[-4:]}",
        "employee_type": "PNS",
        "opd_code": "DINKES",
        "position_type": "PELAKSANA",
        "pejabat_penilai_nip": kadis,
        "atasan_pejabat_penilai_nip": SEKDA,
    }
    assert httpx.post(f"{url}/employees", json=employee, headers=admin, timeout=10).status_code == 201
    for period in (str(year - 1), str(year)):
        body = {
            "nip": nip,
            "opd_code": "DINKES",
            "period": period,
            "pejabat_penilai_nip": kadis,
            "hasil_kerja": "di_bawah_ekspektasi",
            "perilaku_kerja": "di_bawah_ekspektasi",
        }
        response = httpx.post(f"{url}/appraisals", json=body, headers=admin, timeout=10)
        assert response.status_code == 201, response.text


@pytest.fixture
def low_two_years(services: dict[str, ServiceProcess], keys: Keys) -> Callable[[str, str], None]:
    """``low_two_years(nip, kadis)``: a DINKES employee with a low annual result last year and this year
    (API): this year's development plan awaits the kadis's input and is escalated to the BKPSDM."""
    return lambda nip, kadis: _low_two_years(services, keys, nip, kadis, YEAR)
