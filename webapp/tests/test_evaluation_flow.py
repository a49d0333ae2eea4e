"""An evaluation through the portal in a real browser, against the real services: the pegawai records
realisation with evidence, the pejabat penilai rates with the service's suggestions pre-selected and
finalises, the pegawai sees the predikat and objects, and the atasan decides; axe-core on each page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.infra

SEKDA = "196801011990031001"


def test_an_evaluation_is_recorded_rated_finalised_objected_and_decided(
    portal: str,
    people: dict[str, str],
    approved_skp: Callable[[str, str], None],
    year: int,
    sign_in: Callable[..., None],
    accessible: Callable[[Any], None],
    chromium: Any,
) -> None:
    kabid, kadis = people["kabid"], people["kadis"]
    approved_skp(kabid, kadis)
    pegawai = chromium.new_context(locale="id-ID").new_page()
    penilai = chromium.new_context(locale="id-ID").new_page()
    atasan = chromium.new_context(locale="id-ID").new_page()
    period = f"{year}-Q1"

    sign_in(pegawai, portal, kabid, "pegawai")
    pegawai.get_by_role("link", name="Kinerja saya").click()
    accessible(pegawai)
    pegawai.get_by_label("Periode", exact=True).select_option(period)
    pegawai.get_by_role("button", name="Buka evaluasi").click()
    pegawai.wait_for_url(f"{portal}/kinerja/{kabid}-{period}")
    pegawai.get_by_label("Realisasi (%)").fill("96")
    pegawai.get_by_label("Tautan bukti dukung").fill("https://drive.palembang.go.id/bukti/imunisasi-q1")
    pegawai.get_by_label("Catatan", exact=True).fill("Sweeping posyandu bulan Maret")
    pegawai.get_by_role("button", name="Simpan realisasi b1-1").click()
    pegawai.wait_for_url(f"{portal}/kinerja/{kabid}-{period}?tersimpan=realisasi")
    assert pegawai.get_by_label("Realisasi (%)").input_value() == "96"
    accessible(pegawai)

    sign_in(penilai, portal, kadis, "pegawai", "pejabat_penilai")
    penilai.get_by_role("link", name="Penilaian").click()
    penilai.get_by_role("link", name=f"{kabid} · Triwulan I {year}").click()
    accessible(penilai)
    # The service's suggestions are pre-selected (capaian 96/95 = 101 %: as expected).
    assert penilai.get_by_label("Penilaian b1").input_value() == "sesuai_ekspektasi"
    assert penilai.get_by_label("Hasil kerja", exact=True).input_value() == "sesuai_ekspektasi"
    penilai.get_by_role("button", name="Simpan penilaian").click()
    penilai.wait_for_url(f"{portal}/penilaian/evaluasi/{kabid}-{period}?tersimpan=nilai")
    penilai.get_by_role("button", name="Finalkan evaluasi").click()
    penilai.wait_for_url(f"{portal}/penilaian/evaluasi/{kabid}-{period}?tersimpan=final")
    assert penilai.locator("[data-predikat]").inner_text() == "Baik"

    pegawai.goto(f"{portal}/kinerja/{kabid}-{period}")
    assert pegawai.locator("[data-predikat]").inner_text() == "Baik"
    pegawai.get_by_label("Alasan keberatan").fill("Capaian saya di atas target; mohon dinilai di atas ekspektasi.")
    pegawai.get_by_role("button", name="Ajukan keberatan").click()
    pegawai.wait_for_url(f"{portal}/kinerja/{kabid}-{period}?tersimpan=keberatan")
    assert pegawai.locator("[data-objection]").inner_text() == "menunggu keputusan atasan"
    accessible(pegawai)

    sign_in(atasan, portal, SEKDA, "pegawai", "pejabat_penilai", "atasan_pejabat_penilai")
    atasan.get_by_role("link", name="Keberatan").click()
    atasan.get_by_role("link", name=f"{kabid} · Triwulan I {year}").click()
    accessible(atasan)
    atasan.get_by_label("Ditolak (hasil tetap)").check()
    atasan.get_by_label("Catatan keputusan").fill("Capaian 101 % sesuai ekspektasi; predikat tetap.")
    atasan.get_by_role("button", name="Putuskan").click()
    atasan.wait_for_url(f"{portal}/keberatan?selesai=diputuskan")

    pegawai.goto(f"{portal}/kinerja/{kabid}-{period}")
    assert pegawai.locator("[data-objection]").inner_text() == "ditolak"
