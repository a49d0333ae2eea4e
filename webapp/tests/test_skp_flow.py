"""The portal in a real browser (Debian's Chromium under Playwright) against the real services and
infrastructure: a pegawai drafts and submits an SKP, the pejabat penilai returns it with a reason, the
pegawai sees the reason arrive live (no reload), fixes it and submits again, and it is approved. Every
page is checked with axe-core (no serious or critical violation)."""

from __future__ import annotations

import base64
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

pytestmark = pytest.mark.infra

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
        name: ServiceProcess.configure(name, infra, keys, run_id, logs) for name in ("appraisal", "notification")
    }
    group = started["notification"].env["NOTIFICATION_CONSUMER_GROUP"]
    await skip_history(infra, group, [str(t) for t in NOTIFICATION.consumes])
    with running(started):
        yield started


@pytest.fixture(scope="module")
def portal(services: dict[str, ServiceProcess], keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("portal")
    secret = folder / "session.key"
    secret.write_text(base64.b64encode(os.urandom(32)).decode())
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_PORT": str(port),
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PORTAL_SESSION_SECRET_FILE": str(secret),
        "PORTAL_DEV_SIGNIN_KEY_FILE": str(keys.private),
        "PORTAL_APPRAISAL_URL": services["appraisal"].url,
        "PORTAL_NOTIFICATION_URL": services["notification"].url,
        "PORTAL_TRAINING_URL": "http://127.0.0.1:9",  # not needed by these pages
        "PORTAL_REPORTING_URL": "http://127.0.0.1:9",  # unreachable: the beranda says the history is not there yet
    }
    log = (folder / "portal.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "portal"], env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
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
    proc.terminate()
    proc.wait(timeout=10)


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
        (kabid, {"opd_code": "DINKES", "position_type": "ADMINISTRATOR", "pejabat_penilai_nip": kadis}),
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
    skp = api(url, "POST", "/skp", mine, {"year": YEAR, "rhk": [rhk]})
    skp = api(url, "POST", f"/skp/{skp['id']}/submit", mine, version=skp["version"])
    api(url, "POST", f"/skp/{skp['id']}/approve", keys.headers(SEKDA, "pejabat_penilai"), version=skp["version"])
    return {"kadis": kadis, "kabid": kabid}


def sign_in(page: Any, portal: str, nip: str, *roles: str) -> None:
    page.goto(f"{portal}/masuk")
    page.get_by_label("NIP (atau PPK)").fill(nip)
    for box in page.locator("input[name=roles]").all():
        if box.is_checked():
            box.uncheck()
    for role in roles:
        page.locator(f"input[name=roles][value={role}]").check()
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{portal}/")


def accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], (page.url, violations)


def test_an_skp_is_drafted_returned_seen_live_fixed_and_approved(
    portal: str, people: dict[str, str], tmp_path: Path, chromium: Any
) -> None:
    pegawai = chromium.new_context(locale="id-ID").new_page()
    penilai = chromium.new_context(locale="id-ID").new_page()

    sign_in(pegawai, portal, people["kabid"], "pegawai")
    accessible(pegawai)
    assert pegawai.get_by_role("heading", name="Beranda").is_visible()

    pegawai.get_by_role("link", name="SKP saya").first.click()
    pegawai.wait_for_url(f"{portal}/skp")
    accessible(pegawai)
    pegawai.get_by_label("Rencana hasil kerja").fill("Meningkatnya cakupan imunisasi dasar")
    pegawai.get_by_label("RHK pejabat penilai yang diintervensi").select_option("k1")
    pegawai.get_by_label("Indikator").fill("Cakupan imunisasi dasar lengkap")
    pegawai.get_by_label("Target").fill("80")
    pegawai.get_by_label("Satuan").fill("%")
    pegawai.get_by_role("button", name="Buat draf SKP").click()
    pegawai.wait_for_url(f"{portal}/skp?tersimpan=dibuat")
    assert pegawai.get_by_role("heading", name="Status: Draf").is_visible()
    pegawai.get_by_role("button", name="Ajukan SKP").click()
    assert pegawai.get_by_role("heading", name="Status: Diajukan, menunggu pejabat penilai").is_visible()
    accessible(pegawai)

    sign_in(penilai, portal, people["kadis"], "pegawai", "pejabat_penilai")
    penilai.get_by_role("link", name="Penilaian").click()
    penilai.get_by_role("link", name=f"SKP {YEAR} · {people['kabid']}").click()
    accessible(penilai)
    penilai.get_by_label("Alasan").fill("Target cakupan 80% terlalu rendah; sesuaikan dengan RHK k1 (95%).")
    penilai.get_by_role("button", name="Kembalikan SKP").click()
    penilai.wait_for_url(f"{portal}/penilaian?selesai=dikembalikan")

    # The pegawai's page, never reloaded: the message arrives on the live stream, and the status
    # section is refreshed in place with the reason.
    live = pegawai.locator("#kabar")
    live.filter(has_text="dikembalikan").wait_for(timeout=30_000)
    pegawai.locator("[data-reason]").wait_for(timeout=10_000)
    assert "terlalu rendah" in pegawai.locator("[data-reason]").inner_text()
    assert pegawai.get_by_role("heading", name="Status: Dikembalikan untuk diperbaiki").is_visible()

    pegawai.reload()  # the forms carry the SKP's new version
    pegawai.get_by_text("Tambah indikator").first.click()
    indicator = pegawai.locator("form[action$='/indikator']").first
    indicator.get_by_label("Aspek").select_option("kualitas")
    indicator.get_by_label("Indikator").fill("Cakupan imunisasi sesuai target kota")
    indicator.get_by_label("Target").fill("95")
    indicator.get_by_label("Satuan").fill("%")
    indicator.get_by_role("button", name="Tambah indikator").click()
    pegawai.wait_for_url(f"{portal}/skp?tersimpan=diubah")
    assert pegawai.get_by_text("Cakupan imunisasi sesuai target kota").is_visible()
    pegawai.get_by_role("button", name="Ajukan SKP").click()
    assert pegawai.get_by_role("heading", name="Status: Diajukan, menunggu pejabat penilai").is_visible()

    penilai.goto(f"{portal}/penilaian")
    penilai.get_by_role("link", name=f"SKP {YEAR} · {people['kabid']}").click()
    penilai.get_by_role("button", name="Setujui SKP").click()
    penilai.wait_for_url(f"{portal}/penilaian?selesai=disetujui")

    pegawai.goto(f"{portal}/skp")
    assert pegawai.get_by_role("heading", name="Status: Disetujui").is_visible()
    assert pegawai.get_by_role("button", name="Ajukan SKP").count() == 0  # nothing left to edit
    accessible(pegawai)


def test_forms_without_the_session_token_or_from_another_site_are_refused(portal: str, people: dict[str, str]) -> None:
    with httpx.Client(base_url=portal, follow_redirects=False) as client:
        page = client.get("/masuk")
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
        forged = client.post("/masuk/dev", data={"csrf": "x", "nip": people["kabid"], "roles": "pegawai"})
        assert forged.status_code == 403
        signed = client.post("/masuk/dev", data={"csrf": token, "nip": people["kabid"], "roles": "pegawai"})
        assert signed.status_code == 303
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
        # a signed-in form without the session's CSRF token changes nothing
        refused = client.post("/skp", data={"kind": "utama", "rhk_text": "x"})
        assert refused.status_code == 403
        assert "Formulir kedaluwarsa" in refused.text
    with httpx.Client(base_url=portal, follow_redirects=False) as anonymous:
        assert anonymous.get("/skp").headers["location"] == "/masuk"
        assert anonymous.post("/skp", data={}).headers["location"] == "/masuk"
