"""The OPD admin imports a CSV of the registry through the portal, in a real browser against the real
appraisal service: the progress page follows the background import until it ends, and lists the
rejected rows with their reasons; axe-core on each page."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.infra

ROWS = 700  # more than one chunk of 500: the progress moves while the import runs
ADMIN = "197203142000031002"


def csv_file(rng: random.Random) -> tuple[bytes, set[str]]:
    """ROWS good rows of DINKES, one with a bad NIP, one of another OPD; returns the file and the good NIPs."""
    lines = ["nip,name,employee_type,position_type,opd_code"]
    good: set[str] = set()
    while len(good) < ROWS:
        birth = f"1986{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        nip = f"{birth}201505{rng.randint(1, 2)}{rng.randint(1, 999):03d}"
        if nip not in good:
            good.add(nip)
            lines.append(f"{nip},Pegawai {len(good)},PNS,PELAKSANA,DINKES")
    lines.append("12345,Salah NIP,PNS,PELAKSANA,DINKES")
    lines.append(f"19860101201505{rng.randint(1, 2)}{rng.randint(1, 999):03d},Bukan OPD saya,PNS,PELAKSANA,DISDIK")
    return ("\n".join(lines) + "\n").encode(), good


def test_an_opd_admin_imports_a_csv_and_watches_its_progress(
    portal: str,
    services: dict[str, Any],
    sign_in: Callable[..., None],
    accessible: Callable[[Any], None],
    chromium: Any,
) -> None:
    content, _ = csv_file(random.Random())
    page = chromium.new_context(locale="id-ID").new_page()
    sign_in(page, portal, ADMIN, "pegawai", "admin_opd", opd="DINKES")

    page.get_by_role("link", name="Impor registri").click()
    accessible(page)
    page.get_by_label("Berkas CSV").set_input_files({"name": "registri.csv", "mimeType": "text/csv", "buffer": content})
    page.get_by_role("button", name="Impor").click()
    page.wait_for_url(f"{portal}/registri/impor/*")
    assert page.locator("progress").count() == 1
    page.get_by_role("heading", name="Selesai").wait_for(timeout=60_000)  # the page refreshes itself
    assert page.locator("[data-processed]").inner_text() == str(ROWS + 2)
    assert page.locator("[data-rejected]").inner_text() == "2"
    rejected = page.get_by_role("table", name="Baris yang ditolak dan alasannya")
    assert rejected.locator("tbody tr").count() == 2
    assert "12345" in rejected.inner_text()
    accessible(page)
