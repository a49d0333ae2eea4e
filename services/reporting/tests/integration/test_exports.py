"""Exports through the real broker and database: events in, the view settles, then its tables open as
valid CSV and XLSX with the expected rows, the charts as SVG, each refused exactly where its view is."""

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import openpyxl
import pytest

from kinerja_testing import Infra, Keys, eventually, publish_events, serve, skip_history
from kinerja_testing import events as ev
from reporting.config import Settings
from reporting.main import DEFINITION, create_app
from shared.events import Predikat

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
YEAR = 2026
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
async def client(service_settings: Callable[..., Settings], infra: Infra) -> AsyncIterator[httpx.AsyncClient]:
    settings = service_settings(Settings)
    await skip_history(infra, settings.consumer_group, DEFINITION.consumes)
    async with serve(create_app(settings)) as http:
        yield http


@pytest.fixture
def opd(unique: str) -> str:
    return f"T{unique.upper()}"


class Reader:
    def __init__(self, client: httpx.AsyncClient, keys: Keys) -> None:
        self.client, self.keys = client, keys

    async def get(self, path: str, nip: str = BKPSDM, *roles: str, opd: str | None = None) -> httpx.Response:
        headers = self.keys.headers(nip, *(roles or ("admin_bkpsdm",)), opd_code=opd)
        return await self.client.get(f"/api/v1/reports{path}", headers=headers)

    async def until(self, path: str, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        async def probe() -> dict[str, Any] | None:
            response = await self.get(path)
            if response.status_code == 404:
                return None  # the employee's own event is not applied yet
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            fresh = body.get("freshness", {}).get("stale_summaries", 0) == 0
            return body if fresh and check(body) else None

        view: dict[str, Any] | None = await eventually(probe, within=45)
        assert view is not None
        return view


@pytest.fixture
def reader(client: httpx.AsyncClient, keys: Keys) -> Reader:
    return Reader(client, keys)


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def xlsx_rows(response: httpx.Response) -> tuple[list[str], list[list[Any]]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [str(h) for h in rows[0]], rows[1:]


async def test_opd_and_city_exports_open_with_the_expected_rows_and_the_views_access(
    reader: Reader, infra: Infra, opd: str, new_nip: Callable[[], str]
) -> None:
    a, b, c = new_nip(), new_nip(), new_nip()
    due = dt.date(2026, 4, 15)
    await publish_events(
        infra,
        [
            ev.person(a, opd, name="=HYPERLINK(1)"),
            ev.person(b, opd),
            ev.person(c, opd),
            ev.org_year(opd, YEAR, "baik"),
            ev.completed("a-" + a, a, "2026-Q1", Predikat.SANGAT_BAIK, opd_code=opd, due=due),
            ev.completed("a-" + b, b, "2026-Q1", Predikat.BAIK, opd_code=opd, due=due, late=True),
            ev.completed("a-" + c, c, "2026-Q1", Predikat.BUTUH_PERBAIKAN, opd_code=opd, due=due),
            ev.flagged("a-" + c, c, "2026-Q1", opd_code=opd, unit_code="PKM-2", weak=("Cakupan imunisasi",)),
        ],
    )

    def settled(view: dict[str, Any]) -> bool:
        return any(p["period"] == "2026-Q1" and p["total"] == 3 and p["low"] == 1 for p in view["periods"])

    view = await reader.until(f"/opd/{opd}?year={YEAR}", settled)

    response = await reader.get(f"/opd/{opd}/tables/distribusi.csv?year={YEAR}")
    disposition = response.headers["content-disposition"]
    assert disposition == f'attachment; filename="kinerja-opd-{opd}-{YEAR}-distribusi.csv"'
    rows = csv_rows(response)
    q1 = next(r for r in rows if r["Periode"] == "2026-Q1")
    assert q1["Jumlah"] == "3"
    assert (q1["Sangat Baik (jumlah)"], q1["Baik (jumlah)"], q1["Butuh Perbaikan (jumlah)"]) == ("1", "1", "1")
    assert (q1["Dengan Batas Waktu"], q1["Tepat Waktu"], q1["Terlambat"]) == ("3", "2", "1")
    assert q1["Predikat Organisasi"] == "Baik"
    assert len(rows) == len(view["periods"])

    headers, cells = xlsx_rows(await reader.get(f"/opd/{opd}/tables/hotspot-unit.xlsx?year={YEAR}"))
    assert headers == ["Periode", "Unit", "Skor Rendah"]
    assert cells == [["2026-Q1", "PKM-2", 1]]
    assert isinstance(cells[0][2], int)

    headers, cells = xlsx_rows(await reader.get(f"/opd/{opd}/tables/adopsi.xlsx?year={YEAR}"))
    share = cells[0][headers.index("Pangsa Evaluasi Tepat Waktu (0-1)")]
    assert share == pytest.approx(0.6667)

    chart = await reader.get(f"/opd/{opd}/charts/distribusi.svg?period=2026-Q1")
    assert chart.status_code == 200, chart.text
    assert chart.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(chart.content)  # noqa: S314 (the service's own output)
    counts = {r.get("data-predikat"): r.get("data-count") for r in root.iter(f"{SVG_NS}rect") if r.get("data-count")}
    assert (counts["sangat_baik"], counts["baik"], counts["butuh_perbaikan"]) == ("1", "1", "1")

    city = await reader.until(f"/city?year={YEAR}", lambda v: any(r["opd_code"] == opd for r in v["adoption"]))
    adoption = csv_rows(await reader.get(f"/city/tables/adopsi.csv?year={YEAR}"))
    assert [r["OPD"] for r in adoption] == [r["opd_code"] for r in city["adoption"]]
    assert [int(r["Peringkat"]) for r in adoption] == list(range(1, len(adoption) + 1))
    trend = csv_rows(await reader.get(f"/city/tables/tren.csv?year={YEAR}"))
    assert [r["Periode"] for r in trend] == [t["period"] for t in city["trend"]]
    for path in ("/city/charts/tren.svg", "/city/charts/adopsi.svg"):
        response = await reader.get(f"{path}?year={YEAR}")
        assert response.status_code == 200
        ET.fromstring(response.content)  # noqa: S314 (the service's own output)

    # exactly the view's access
    for path in (
        f"/opd/{opd}/tables/distribusi.csv",
        f"/opd/{opd}/tables/skp.xlsx",
        f"/opd/{opd}/charts/distribusi.svg",
    ):
        assert (await reader.get(path, a, "admin_opd", opd=opd)).status_code == 200
        assert (await reader.get(path, a, "pimpinan")).status_code == 200
        assert (await reader.get(path, a, "admin_opd", opd="DISDIK")).status_code == 403
        assert (await reader.get(path, a, "pegawai", opd=opd)).status_code == 403
    for path in ("/city/tables/opd.csv", "/city/charts/tren.svg", "/city/charts/adopsi.svg"):
        assert (await reader.get(path, a, "pimpinan")).status_code == 200
        assert (await reader.get(path, a, "admin_opd", opd=opd)).status_code == 403
        assert (await reader.get(path, a, "pegawai")).status_code == 403

    unknown = await reader.get(f"/opd/{opd}/tables/gaji.csv")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "table_not_found"
    english = await reader.client.get(
        f"/api/v1/reports/opd/{opd}/tables/gaji.csv",
        headers=reader.keys.headers(BKPSDM, "admin_bkpsdm") | {"Accept-Language": "en"},
    )
    assert "There is no table" in english.text
    assert (await reader.get(f"/opd/{opd}/tables/distribusi.pdf")).status_code == 422


async def test_employee_and_team_exports_with_the_views_access(
    reader: Reader, infra: Infra, opd: str, new_nip: Callable[[], str]
) -> None:
    nip, appraiser, peer = new_nip(), new_nip(), new_nip()
    indicators = [
        {
            "rhk_id": "r1",
            "rhk_text": "Cakupan layanan",
            "indicator_id": "i1",
            "indicator_text": "@SUM(A1:A9)",
            "target": "95",
            "realisation": "62",
            "unit": "%",
            "achievement_pct": 65.3,
        }
    ]
    await publish_events(
        infra,
        [
            ev.year_configured(YEAR),
            ev.person(appraiser, opd, position_type="PENGAWAS"),
            ev.person(nip, opd, pejabat_penilai_nip=appraiser, name="Siti Aminah"),
            ev.person(peer, opd, pejabat_penilai_nip=appraiser),
            ev.completed("q1-" + nip, nip, "2026-Q1", Predikat.BAIK, opd_code=opd, indicators=indicators),
            ev.training_completed("e1-" + nip, nip, 12),
        ],
    )

    def complete(view: dict[str, Any]) -> bool:
        return len(view["history"]) == 1 and len(view["trainings"]) == 1

    await reader.until(f"/employees/{nip}?year={YEAR}", complete)
    rows = csv_rows(await reader.get(f"/employees/{nip}/tables/riwayat.csv?year={YEAR}", nip, "pegawai"))
    assert [(r["Periode"], r["Predikat"], r["Revisi"]) for r in rows] == [("2026-Q1", "Baik", "1")]
    indicator = csv_rows(await reader.get(f"/employees/{nip}/tables/indikator.csv?year={YEAR}", nip, "pegawai"))
    assert indicator[0]["Indikator"] == "'@SUM(A1:A9)"  # neutralised
    assert indicator[0]["Capaian (%)"] == "65.3"
    headers, cells = xlsx_rows(await reader.get(f"/employees/{nip}/tables/pelatihan.xlsx?year={YEAR}", nip, "pegawai"))
    training = dict(zip(headers, cells[0], strict=True))
    assert training["JP"] == 12.0
    assert isinstance(training["Tanggal Selesai"], dt.datetime)

    employee_path = f"/employees/{nip}/tables/riwayat.xlsx?year={YEAR}"
    assert (await reader.get(employee_path, appraiser, "pejabat_penilai")).status_code == 200
    assert (await reader.get(employee_path, peer, "pegawai")).status_code == 404
    assert (await reader.get(employee_path, peer, "admin_opd", opd=opd)).status_code == 200
    assert (await reader.get(employee_path, peer, "admin_opd", opd="DISDIK")).status_code == 404
    assert (await reader.get(employee_path, peer, "pimpinan")).status_code == 404

    await reader.until(f"/teams/{appraiser}?year={YEAR}", lambda v: v["size"] == 2 and bool(v["members"][0]))
    response = await reader.get(f"/teams/{appraiser}/tables/anggota.xlsx?year={YEAR}", appraiser, "pejabat_penilai")
    assert response.headers["content-disposition"].endswith(f'kinerja-tim-{appraiser}-{YEAR}-anggota.xlsx"')
    headers, cells = xlsx_rows(response)
    members = {row[0]: dict(zip(headers, row, strict=True)) for row in cells}
    assert set(members) == {nip, peer}
    assert members[nip]["Nama"] == "Siti Aminah"
    assert members[nip]["Predikat 2026-Q1"] == "Baik"
    assert members[peer]["Status SKP"] == "Belum diajukan"
    periods = csv_rows(
        await reader.get(f"/teams/{appraiser}/tables/periode.csv?year={YEAR}", appraiser, "pejabat_penilai")
    )
    q1 = next(p for p in periods if p["Periode"] == "2026-Q1")
    assert (q1["Evaluasi Selesai"], q1["Anggota"], q1["Pangsa Selesai (0-1)"], q1["Batas Waktu"]) == (
        "1",
        "2",
        "0.5",
        "2026-04-15",
    )

    team_path = f"/teams/{appraiser}/tables/anggota.csv?year={YEAR}"
    assert (await reader.get(team_path, nip, "pegawai")).status_code == 404
    assert (await reader.get(team_path, peer, "admin_opd", opd=opd)).status_code == 200
    assert (await reader.get(team_path, peer, "admin_opd", opd="DISDIK")).status_code == 404
