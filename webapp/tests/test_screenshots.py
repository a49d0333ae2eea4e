"""Screenshots of the portal's main pages at phone (390 px) and desktop (1366 px) widths, each checked
with axe-core (no serious or critical violation). In the test command they go to a temporary folder;
``make screenshots`` sets ``PORTAL_SCREENSHOTS_DIR=docs/screenshots`` to regenerate the docs' copies."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from kinerja_testing import Keys, ServiceProcess
from kinerja_testing.browser import DESKTOP, PHONE, VIEWPORT_HEIGHTS, screenshot

pytestmark = pytest.mark.infra

SEKDA = "196801011990031001"


def test_the_main_pages_at_phone_and_desktop_widths(
    portal: str,
    people: dict[str, str],
    approved_skp: Callable[[str, str], None],
    services: dict[str, ServiceProcess],
    keys: Keys,
    year: int,
    sign_in: Callable[..., None],
    accessible: Callable[[Any], None],
    new_nip: Callable[[], str],
    low_two_years: Callable[[str, str], None],
    tmp_path: Path,
    chromium: Any,
) -> None:
    folder = Path(os.environ.get("PORTAL_SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    kabid, kadis = people["kabid"], people["kadis"]
    approved_skp(kabid, kadis)
    url = services["appraisal"].url
    period = f"{year}-Q1"
    opened = httpx.post(
        f"{url}/api/v1/evaluations", json={"nip": kabid, "period": period}, headers=keys.headers(kabid, "pegawai")
    )
    assert opened.status_code in (200, 201), opened.text
    httpx.put(
        f"{url}/api/v1/evaluations/{kabid}-{period}/realisations/b1-1",
        json={"realisation": "96", "evidence_links": ["https://drive.palembang.go.id/bukti/q1"]},
        headers=keys.headers(kabid, "pegawai"),
    ).raise_for_status()

    low_two_years(new_nip(), kadis)  # a development plan on the worklist, an escalation for the BKPSDM
    bkpsdm = (SEKDA, "pegawai", "admin_bkpsdm")
    shots: list[tuple[str, str, tuple[str, ...]]] = [
        ("masuk", "/masuk", ()),
        ("beranda-pegawai", "/", (kabid, "pegawai")),
        ("skp-pegawai", "/skp", (kabid, "pegawai")),
        ("evaluasi-pegawai", f"/kinerja/{kabid}-{period}", (kabid, "pegawai")),
        ("daftar-kerja-penilai", "/penilaian", (kadis, "pegawai", "pejabat_penilai")),
        ("menilai-evaluasi", f"/penilaian/evaluasi/{kabid}-{period}", (kadis, "pegawai", "pejabat_penilai")),
        ("tim-penilai", "/tim", (kadis, "pegawai", "pejabat_penilai")),
        ("dasbor-opd", "/opd?kode=DINKES", (kadis, "pegawai", "admin_opd")),
        ("impor-registri", "/registri/impor", bkpsdm),
        ("kota", "/kota", bkpsdm),
        ("eskalasi", "/eskalasi", bkpsdm),
    ]
    written = []
    for name, path, who in shots:
        for width, label in ((PHONE[0], "ponsel"), (DESKTOP[0], "desktop")):
            viewport = {"width": width, "height": VIEWPORT_HEIGHTS[width]}
            page = chromium.new_context(locale="id-ID", viewport=viewport).new_page()
            if who:
                sign_in(page, portal, *who, opd="DINKES" if "admin_opd" in who else None)
            page.goto(f"{portal}{path}")
            assert page.locator("h1").count() == 1, (name, page.content()[:500])
            accessible(page)
            target = folder / f"{name}-{label}.png"
            screenshot(page, target, width)
            assert target.stat().st_size > 5_000
            written.append(target.name)
            page.context.close()
    assert len(written) == 2 * len(shots)
