"""The portal in a real browser (Debian's Chromium under Playwright) against the real services and
infrastructure: a pegawai drafts and submits an SKP, the pejabat penilai returns it with a reason, the
pegawai sees the reason arrive live (no reload), fixes it and submits again, and it is approved. Every
page is checked with axe-core (no serious or critical violation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.infra


def test_an_skp_is_drafted_returned_seen_live_fixed_and_approved(
    portal: str,
    people: dict[str, str],
    year: int,
    sign_in: Callable[..., None],
    accessible: Callable[[Any], None],
    chromium: Any,
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
    penilai.get_by_role("link", name=f"SKP {year} · {people['kabid']}").click()
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
    penilai.get_by_role("link", name=f"SKP {year} · {people['kabid']}").click()
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
        # bodies are bounded as they arrive, with or without a Content-Length
        chunks = (b"x=" + b"a" * 32 * 1024 for _ in range(4))
        assert (
            client.post(
                "/tahun", content=chunks, headers={"content-type": "application/x-www-form-urlencoded"}
            ).status_code
            == 413
        )
        assert (
            client.post(
                "/tahun", content=b"x=" + b"a" * 70_000, headers={"content-type": "application/x-www-form-urlencoded"}
            ).status_code
            == 413
        )
        # a digit Python reads as one but int() does not is a 400, not a 500
        assert client.get("/kota", params={"tahun": "²"}).status_code == 400
    with httpx.Client(base_url=portal, follow_redirects=False) as anonymous:
        assert anonymous.get("/skp").headers["location"] == "/masuk"
        assert anonymous.post("/skp", data={}).headers["location"] == "/masuk"
