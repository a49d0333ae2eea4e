"""The dashboards in a real browser against the real services: the BKPSDM configures the year and reads
the city (trend and adoption charts, tables, exports); an OPD admin reads their OPD (distribution against
the curve, JP compliance, adoption) and downloads a table; another OPD's dashboard is refused; axe-core
on each page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
ADMIN = "197203142000031002"


def test_the_bkpsdm_and_an_opd_admin_read_their_dashboards_and_export(
    portal: str,
    people: dict[str, str],
    year: int,
    sign_in: Callable[..., None],
    accessible: Callable[[Any], None],
    chromium: Any,
) -> None:
    bkpsdm = chromium.new_context(locale="id-ID").new_page()
    sign_in(bkpsdm, portal, BKPSDM, "pegawai", "admin_bkpsdm")
    bkpsdm.get_by_role("link", name="Tahun kinerja").click()
    accessible(bkpsdm)
    bkpsdm.get_by_label("Frekuensi evaluasi").select_option("quarterly")
    bkpsdm.get_by_label("Batas persetujuan SKP").fill(f"{year}-12-31")
    bkpsdm.get_by_role("button", name="Simpan").click()
    bkpsdm.wait_for_url(f"{portal}/tahun?tahun={year}&tersimpan=1")
    assert bkpsdm.get_by_text(f"{year}-Q1").count() >= 1

    bkpsdm.get_by_role("link", name="Kota", exact=True).click()
    bkpsdm.get_by_role("heading", name=f"Kota Palembang · {year}").wait_for()
    accessible(bkpsdm)
    for chart in bkpsdm.locator("img.chart").all():  # the charts load (same origin, relayed with the token)
        assert chart.evaluate("image => image.complete && image.naturalWidth > 0")
    with bkpsdm.expect_download() as download:
        bkpsdm.get_by_role("link", name="CSV").first.click()
    assert download.value.suggested_filename.endswith(".csv")

    admin = chromium.new_context(locale="id-ID").new_page()
    sign_in(admin, portal, ADMIN, "pegawai", "admin_opd", opd="DINKES")
    admin.get_by_role("link", name="Dasbor OPD").click()
    admin.get_by_role("heading", name=f"OPD DINKES · {year}").wait_for()
    accessible(admin)
    response = admin.request.get(f"{portal}/ekspor/opd/DINKES/tables/kepatuhan-jp.xlsx?tahun={year}")
    assert response.status == 200
    assert response.body()[:2] == b"PK"  # an XLSX is a zip
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert response.headers["content-disposition"].startswith("attachment")
    other = admin.request.get(f"{portal}/opd?kode=DISDIK")
    assert other.status in (403, 404)  # the reporting service refuses another OPD's view
    traversal = admin.request.get(f"{portal}/ekspor/opd/DINKES/tables/..%2f..%2fcity%2ftables%2fopd.csv")
    assert traversal.status == 404
