"""Low results and their follow-up through the portal in a real browser, against the real services: the
pejabat penilai records a development plan from the worklist and reads their team; the BKPSDM reads the escalated cases;
the kepala dinas finds their OPD's dashboard in the menu. Signing out revokes the session: a copy of
the cookie opens nothing afterwards, and an open live stream ends."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kinerja_testing import Keys, ServiceProcess

pytestmark = pytest.mark.infra

SEKDA = "196801011990031001"
BKPSDM = "197001012000011001"


def wait_until_heads(services: dict[str, ServiceProcess], keys: Keys, kadis: str) -> None:
    """Until the reporting service's registry copy knows the kadis heads DINKES."""
    url = f"{services['reporting'].url}/api/v1/reports/appraisals/summary"
    headers = keys.headers(kadis, "pegawai", "pejabat_penilai")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        response = httpx.get(url, headers=headers, timeout=10)
        if response.status_code == 200 and response.json().get("opd_code") == "DINKES":
            return
        time.sleep(0.3)
    raise AssertionError(f"reporting never saw {kadis} as the head of DINKES: {response.text}")


def test_a_plan_is_recorded_from_the_worklist_and_the_bkpsdm_reads_the_escalations(
    portal: str,
    services: dict[str, ServiceProcess],
    keys: Keys,
    people: dict[str, str],
    new_nip: Callable[[], str],
    low_two_years: Callable[[str, str], None],
    year: int,
    sign_in: Callable[..., None],
    accessible: Callable[[Any], None],
    chromium: Any,
) -> None:
    kadis, staff = people["kadis"], new_nip()
    low_two_years(staff, kadis)
    wait_until_heads(services, keys, kadis)
    penilai = chromium.new_context(locale="id-ID").new_page()
    bkpsdm = chromium.new_context(locale="id-ID").new_page()

    sign_in(penilai, portal, kadis, "pegawai", "pejabat_penilai")
    # The kepala dinas finds their OPD's dashboard in the menu (no ?kode= needed).
    penilai.get_by_role("link", name="Dasbor OPD").click()
    penilai.wait_for_url(f"{portal}/opd")
    assert "DINKES" in penilai.get_by_role("heading", level=1).inner_text()
    assert penilai.get_by_role("link", name="Dasbor OPD").get_attribute("aria-current") == "page"

    # The team view: every person the kadis appraises, with their SKP status and latest predikat (the
    # reporting service follows the registry's events: reloaded until the new staff member is in it).
    penilai.get_by_role("link", name="Tim saya").click()
    penilai.wait_for_url(f"{portal}/tim")
    member = penilai.get_by_role("row").filter(has_text=staff)
    deadline = time.monotonic() + 30
    while member.count() == 0 and time.monotonic() < deadline:
        penilai.wait_for_timeout(500)
        penilai.reload()
    assert "Sangat Kurang" in member.inner_text()
    assert penilai.get_by_role("row").filter(has_text=people["kabid"]).count() == 1
    accessible(penilai)

    penilai.get_by_role("link", name="Penilaian").click()
    plan = penilai.locator(f'form[action="/penilaian/rencana/{staff}-{year}"]')
    assert staff in plan.inner_text()
    accessible(penilai)
    # No action chosen: a readable refusal, nothing recorded.
    plan.get_by_label("Penyebab hasil rendah").select_option("kompetensi")
    plan.get_by_role("button", name="Simpan rencana").click()
    assert "Tindakan belum dipilih" in penilai.get_by_role("heading", level=1).inner_text()
    penilai.go_back()
    plan = penilai.locator(f'form[action="/penilaian/rencana/{staff}-{year}"]')
    plan.get_by_label("Penyebab hasil rendah").select_option("kompetensi")
    plan.get_by_label("Catatan penyebab (boleh kosong)").fill("Belum pernah pelatihan imunisasi")
    plan.get_by_label("Coaching").check()
    plan.get_by_label("Pelatihan").check()
    plan.get_by_role("button", name="Simpan rencana").click()
    penilai.wait_for_url(f"{portal}/penilaian?selesai=rencana")
    assert penilai.get_by_role("status").filter(has_text="Rencana pengembangan tersimpan").is_visible()
    assert penilai.locator(f'form[action="/penilaian/rencana/{staff}-{year}"]').count() == 0
    recorded = httpx.get(
        f"{services['appraisal'].url}/api/v1/evaluations/{staff}-{year}",
        headers=keys.headers(kadis, "pejabat_penilai"),
        timeout=10,
    ).json()["development_plan"]
    assert (recorded["status"], recorded["cause"], recorded["actions"]) == (
        "active",
        "kompetensi",
        ["coaching", "pelatihan"],
    )
    assert recorded["cause_note"] == "Belum pernah pelatihan imunisasi"

    sign_in(bkpsdm, portal, BKPSDM, "pegawai", "admin_bkpsdm")
    bkpsdm.get_by_role("link", name="Eskalasi").click()
    accessible(bkpsdm)
    row = bkpsdm.get_by_role("row").filter(has_text=staff)
    assert re.search(r"DINKES.*Kompetensi.*Coaching, Pelatihan", row.inner_text().replace("\n", " ").replace("\t", " "))
    bkpsdm.get_by_label("Kode OPD (kosong: semua)").fill("DISDIK")
    bkpsdm.get_by_role("button", name="Tampilkan").click()
    assert bkpsdm.get_by_role("row").filter(has_text=staff).count() == 0
    bkpsdm.goto(f"{portal}/eskalasi?kode=bad%20code")
    assert "Kode OPD tidak sah" in bkpsdm.get_by_role("heading", level=1).inner_text()

    # Another pegawai of the OPD has no escalation menu, and the list shows them nobody else's case.
    other = chromium.new_context(locale="id-ID").new_page()
    sign_in(other, portal, people["kabid"], "pegawai")
    assert other.get_by_role("link", name="Eskalasi").count() == 0
    other.goto(f"{portal}/eskalasi")
    assert other.get_by_role("heading", name="0 kasus").is_visible()
    assert other.get_by_role("row").filter(has_text=staff).count() == 0


def test_a_plan_being_filled_in_survives_a_live_refresh_of_the_worklist(
    portal: str,
    services: dict[str, ServiceProcess],
    keys: Keys,
    people: dict[str, str],
    new_nip: Callable[[], str],
    low_two_years: Callable[[str, str], None],
    year: int,
    sign_in: Callable[..., None],
    chromium: Any,
) -> None:
    """A message arriving while the pejabat penilai fills in a plan refreshes the worklist's lists, but
    not the form being filled in: what was typed and chosen stays, and so does the focus. Untouched,
    the plans are refreshed like the rest."""
    kadis, kabid, staff, second = people["kadis"], people["kabid"], new_nip(), new_nip()
    low_two_years(staff, kadis)
    penilai = chromium.new_context(locale="id-ID").new_page()
    sign_in(penilai, portal, kadis, "pegawai", "pejabat_penilai")
    penilai.goto(f"{portal}/penilaian")
    plan = penilai.locator(f'form[action="/penilaian/rencana/{staff}-{year}"]')
    plan.wait_for()
    low_two_years(second, kadis)  # a second plan awaits input: the untouched list shows it live
    penilai.locator(f'form[action="/penilaian/rencana/{second}-{year}"]').wait_for(timeout=30_000)

    plan.get_by_label("Penyebab hasil rendah").select_option("beban_kerja")
    plan.get_by_label("Mentoring").check()
    note = plan.get_by_label("Catatan penyebab (boleh kosong)")
    note.fill("Beban kerja naik sejak mutasi")

    # The kabid submits an SKP: a message to the kadis, and the worklist's SKP list refreshed in place.
    url, owner = services["appraisal"].url, keys.headers(kabid, "pegawai")
    rhk = {
        "rhk_id": "b1",
        "kind": "utama",
        "text": "Meningkatnya cakupan imunisasi dasar",
        "intervened_rhk_id": "k1",
        "indicators": [{"indicator_id": "b1-1", "aspect": "kuantitas", "text": "Cakupan", "target": "95", "unit": "%"}],
    }
    skp = httpx.post(f"{url}/api/v1/skp", json={"year": year, "rhk": [rhk]}, headers=owner, timeout=10).json()
    submitted = httpx.post(
        f"{url}/api/v1/skp/{skp['id']}/submit", headers={**owner, "If-Match": f'"{skp["version"]}"'}, timeout=10
    )
    assert submitted.status_code == 200, submitted.text
    penilai.get_by_role("link", name=f"SKP {year} · {kabid}").wait_for(timeout=30_000)

    plan = penilai.locator(f'form[action="/penilaian/rencana/{staff}-{year}"]')
    assert plan.get_by_label("Catatan penyebab (boleh kosong)").input_value() == "Beban kerja naik sejak mutasi"
    assert plan.get_by_label("Penyebab hasil rendah").input_value() == "beban_kerja"
    assert plan.get_by_label("Mentoring").is_checked()
    assert plan.get_by_label("Catatan penyebab (boleh kosong)").evaluate("field => field === document.activeElement")


def dev_session(portal: str, nip: str, *roles: str) -> httpx.Client:
    client = httpx.Client(base_url=portal, follow_redirects=False, timeout=30)
    page = client.get("/masuk").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    signed = client.post("/masuk/dev", data={"csrf": csrf.group(1), "nip": nip, "roles": list(roles)})
    assert signed.status_code == 303, signed.text
    return client


def test_signing_out_revokes_the_session_and_ends_its_live_stream(portal: str, people: dict[str, str]) -> None:
    client = dev_session(portal, people["kabid"], "pegawai")
    copied = dict(client.cookies)
    assert client.get("/").status_code == 200
    # The worklist's confirmation comes from a fixed list: a link cannot make it say anything else.
    spoofed = client.get("/penilaian", params={"selesai": "dihapus oleh BKPSDM"})
    assert spoofed.status_code == 200
    assert "dihapus oleh BKPSDM" not in spoofed.text
    assert "SKP disetujui." in client.get("/penilaian", params={"selesai": "disetujui"}).text
    frames: list[bytes] = []

    def listen() -> None:
        with (
            httpx.Client(base_url=portal, cookies=copied, timeout=30) as stream_client,
            stream_client.stream("GET", "/langsung") as stream,
        ):
            assert stream.status_code == 200
            frames.extend(stream.iter_raw())

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    deadline = time.monotonic() + 10
    while not frames and time.monotonic() < deadline:
        time.sleep(0.1)
    assert frames, "the live stream never opened"

    beranda = client.get("/").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', beranda)
    assert csrf is not None
    out = client.post("/keluar", data={"csrf": csrf.group(1)})
    assert out.status_code == 303
    assert out.headers["location"] == "/masuk"
    # The copy of the cookie, taken before signing out, opens nothing now.
    with httpx.Client(base_url=portal, cookies=copied, follow_redirects=False) as thief:
        again = thief.get("/")
        assert (again.status_code, again.headers["location"]) == (303, "/masuk")
    # The stream that was open ends at its next heartbeat (2 s in these tests), saying why.
    listener.join(timeout=15)
    assert not listener.is_alive(), "the live stream went on after signing out"
    assert b"event: ended" in b"".join(frames)


def test_numbers_too_long_to_convert_are_a_readable_400_not_a_500(portal: str, people: dict[str, str]) -> None:
    """Python refuses to convert more than 4,300 digits: a ``?tahun=`` or ``?dari=`` that long is refused
    as any other bad number, before it is converted (leading zeros too)."""
    client = dev_session(portal, people["kadis"], "pegawai", "pejabat_penilai")
    for path, param, title in (
        ("/eskalasi", "dari", "Halaman tidak sah"),
        ("/opd", "tahun", "Tahun tidak sah"),
        ("/kota", "tahun", "Tahun tidak sah"),
        ("/tahun", "tahun", "Tahun tidak sah"),
        ("/ekspor/city/tables/opd.csv", "tahun", "Tahun tidak sah"),
    ):
        for value in ("9" * 5000, "0" * 4400 + "2026"):
            answer = client.get(path, params={param: value})
            assert (answer.status_code, title in answer.text) == (400, True), (path, answer.text[:200])


def test_pages_answer_while_many_live_streams_are_open(portal: str, people: dict[str, str]) -> None:
    """Every open page holds a live stream for minutes; 120 of them, 10 in each of 12 sessions (more than
    an HTTP client's usual pool of 100 connections), leave the pages' own calls to the services
    unaffected (before, the beranda waited for a pooled connection and failed with 503). An 11th stream
    of one session is refused with 429: one person cannot hold the portal's connections."""
    sessions = [dict(dev_session(portal, people["kabid"], "pegawai").cookies) for _ in range(12)]

    async def many_streams_then_a_page() -> tuple[int, int, int]:
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
        async with contextlib.AsyncExitStack() as stack:
            browsers = [
                await stack.enter_async_context(
                    httpx.AsyncClient(base_url=portal, cookies=cookies, timeout=30, limits=limits)
                )
                for cookies in sessions
            ]
            streams = [
                await stack.enter_async_context(browser.stream("GET", "/langsung"))
                for browser in browsers
                for _ in range(10)
            ]
            readers = [stream.aiter_raw() for stream in streams]  # kept: each relays its upstream until the end
            firsts = await asyncio.gather(*(anext(reader) for reader in readers))
            eleventh = await browsers[0].get("/langsung")
            page = await browsers[0].get("/", timeout=30)
            return sum(b": connected" in first for first in firsts), eleventh.status_code, page.status_code

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        connected, eleventh, status = thread.submit(asyncio.run, many_streams_then_a_page()).result()
    assert connected == 120  # every stream reached the notification service
    assert eleventh == 429
    assert status == 200
