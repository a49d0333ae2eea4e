"""The dashboards: the OPD's (kepala dinas, admin OPD), the city's (BKPSDM, pimpinan, PPK), the year's
configuration (BKPSDM), and the reporting service's exports and charts relayed to the browser with the
signed-in person's token (the reporting service decides who may read which)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from portal.apis import ApiProblem
from portal.web import (
    OPD_CODE,
    PREDIKAT_NAMES,
    check_csrf,
    portal_of,
    render,
    see_other,
    signed_in,
    text_field,
    this_year,
)

router = APIRouter()
EXPORT = re.compile(
    r"^(opd/[A-Z0-9_-]{2,32}|city|employees/[0-9]{18}|teams/([0-9]{18}|PPK))/tables/[a-z-]{2,40}\.(csv|xlsx)$"
)
CHART = re.compile(r"^(opd/[A-Z0-9_-]{2,32}/charts/distribusi|city/charts/(tren|adopsi))\.svg$")
OPD_TABLES = {
    "distribusi": "Distribusi predikat",
    "kurva": "Kurva distribusi",
    "hotspot-unit": "Hasil rendah per unit",
    "hotspot-indikator": "Hasil rendah per indikator",
    "kepatuhan-jp": "Kepatuhan JP",
    "adopsi": "Adopsi",
}
CITY_TABLES = {
    "opd": "Semua OPD",
    "tren": "Tren per periode",
    "eskalasi": "Eskalasi",
    "efektivitas-program": "Efektivitas pelatihan per program",
    "adopsi": "Peringkat adopsi",
}
YEAR_FIELDS = (
    "frequency",
    "skp_due",
    "evaluation_due",
    "objection_window_days",
    "distribution_enforcement",
    "finalise_grace_days",
    "deadline_enforcement",
)
"""What ``PUT /performance-years/{year}`` takes."""
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "svg": "image/svg+xml",
}
FREQUENCIES = {"quarterly": "Triwulanan", "semester": "Semesteran", "monthly": "Bulanan"}


def _year(request: Request) -> int:
    raw = request.query_params.get("tahun")
    if raw is None:
        return this_year()
    if not (raw.isascii() and raw.isdecimal() and len(raw) == 4) or not 2020 <= int(raw) <= 2100:
        raise ApiProblem(400, "Tahun tidak sah", "Tahun antara 2020 dan 2100.")
    return int(raw)


@router.get("/opd", response_class=HTMLResponse)
async def opd_dashboard(request: Request) -> Response:
    session = signed_in(request)
    code = (request.query_params.get("kode") or session.dashboard_opd or session.opd_code or "").upper()
    if not OPD_CODE.fullmatch(code):
        raise ApiProblem(400, "OPD belum dipilih", "Tambahkan ?kode=<kode OPD>, misalnya ?kode=DINKES.")
    year = _year(request)
    view = await portal_of(request).apis.get("reporting", f"/reports/opd/{code}", session.token, year=year)
    return render(
        request, "opd.html", view=view, code=code, shown_year=year, tables=OPD_TABLES, predikat_names=PREDIKAT_NAMES
    )


@router.get("/kota", response_class=HTMLResponse)
async def city_dashboard(request: Request) -> Response:
    session = signed_in(request)
    year = _year(request)
    view = await portal_of(request).apis.get("reporting", "/reports/city", session.token, year=year)
    return render(request, "kota.html", view=view, shown_year=year, tables=CITY_TABLES, predikat_names=PREDIKAT_NAMES)


@router.get("/ekspor/{path:path}")
async def export(request: Request, path: str) -> Response:
    """A table of a view as CSV or XLSX, or a chart as SVG, from the reporting service."""
    session = signed_in(request)
    if not (EXPORT.fullmatch(path) or CHART.fullmatch(path)):
        raise ApiProblem(404, "Tidak ditemukan", "Ekspor itu tidak ada.")
    year = _year(request)
    upstream = await portal_of(request).apis.call(
        "reporting", "GET", f"/reports/{path}", session.token, params={"year": year}, max_body=20 * 1024 * 1024
    )
    # The type follows the path (never what came back), and a table is always a download.
    extension = path.rsplit(".", 1)[-1]
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if extension != "svg":
        headers["Content-Disposition"] = f'attachment; filename="{path.rsplit("/", 1)[-1]}"'
    return Response(upstream.content, media_type=EXPORT_TYPES[extension], headers=headers)


@router.get("/tahun", response_class=HTMLResponse)
async def year_page(request: Request) -> Response:
    session = signed_in(request)
    year = _year(request)
    try:
        config: dict[str, Any] | None = await portal_of(request).apis.get(
            "appraisal", f"/performance-years/{year}", session.token
        )
    except ApiProblem as problem:
        if problem.status != 404:
            raise
        config = None
    return render(
        request,
        "tahun.html",
        config=config,
        shown_year=year,
        frequencies=FREQUENCIES,
        saved=request.query_params.get("tersimpan"),
    )


@router.post("/tahun")
async def configure_year(request: Request) -> Response:
    session = signed_in(request)
    form = await request.form()
    check_csrf(session, form)
    year = _year(request)
    frequency = text_field(form, "frequency", limit=20) or ""
    if frequency not in FREQUENCIES:
        raise ApiProblem(400, "Frekuensi tidak dikenal", "Pilih triwulanan, semesteran atau bulanan.")
    # The service takes the whole configuration: what this form does not show is kept as it is.
    current: dict[str, Any] = {}
    try:
        current = await portal_of(request).apis.get("appraisal", f"/performance-years/{year}", session.token)
    except ApiProblem as problem:
        if problem.status != 404:
            raise
    body: dict[str, Any] = {k: current[k] for k in YEAR_FIELDS if k in current}
    body |= {"frequency": frequency, "skp_due": text_field(form, "skp_due", limit=10)}
    window = text_field(form, "objection_window_days", required=False, limit=3)
    if window:
        if not (window.isascii() and window.isdecimal()):
            raise ApiProblem(400, "Jangka keberatan tidak sah", "Isi jumlah hari dengan angka.")
        body["objection_window_days"] = int(window)
    version = str(form.get("version") or "")
    await portal_of(request).apis.send(
        "appraisal",
        "PUT",
        f"/performance-years/{year}",
        session.token,
        body,
        version=int(version) if version.isascii() and version.isdecimal() and len(version) < 7 else None,
    )
    return see_other(f"/tahun?tahun={year}&tersimpan=1")
