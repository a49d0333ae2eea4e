"""The OPD admin's (and the BKPSDM's) registry import: upload a CSV, watch its progress, read the
rejected rows. The appraisal service imports in the background and decides every row; the page polls
it (a meta refresh, so it works without JavaScript)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from portal.apis import ApiProblem
from portal.skp_content import CODE
from portal.web import check_csrf, portal_of, render, see_other, signed_in

router = APIRouter()
MAX_CSV = 10 * 1024 * 1024
"""The appraisal service takes files up to 10 MiB."""
UPLOAD_LIMIT = MAX_CSV + 64 * 1024
"""What ``POST /registri/impor`` may carry: the file and the form around it."""


def _admin(request: Request) -> None:
    if not signed_in(request).has("admin_opd", "admin_bkpsdm"):
        raise ApiProblem(403, "Tidak diizinkan", "Impor registri memerlukan peran admin OPD atau BKPSDM.")


@router.get("/registri/impor", response_class=HTMLResponse)
async def import_page(request: Request) -> Response:
    _admin(request)
    return render(request, "impor.html")


@router.post("/registri/impor")
async def upload(request: Request) -> Response:
    session = signed_in(request)
    _admin(request)
    form = await request.form(max_files=1, max_fields=5, max_part_size=MAX_CSV)
    check_csrf(session, form)
    upload = form.get("berkas")
    if not isinstance(upload, UploadFile):
        raise ApiProblem(400, "Berkas belum dipilih", "Pilih berkas CSV registri pegawai.")
    content = await upload.read(MAX_CSV + 1)
    if len(content) > MAX_CSV:
        raise ApiProblem(413, "Berkas terlalu besar", "Berkas CSV paling besar 10 MiB.")
    if not content.strip():
        raise ApiProblem(400, "Berkas kosong", "Berkas CSV itu tidak berisi baris.")
    response = await portal_of(request).apis.call(
        "appraisal", "POST", "/employee-imports", session.token, content=content, content_type="text/csv"
    )
    return see_other(f"/registri/impor/{response.json()['id']}")


@router.get("/registri/impor/{import_id}", response_class=HTMLResponse)
async def progress(request: Request, import_id: str) -> Response:
    session = signed_in(request)
    if not CODE.fullmatch(import_id):  # the same bound as every id the portal passes on
        raise ApiProblem(404, "Tidak ditemukan", "Impor itu tidak ada.")
    apis = portal_of(request).apis
    job = await apis.get("appraisal", f"/employee-imports/{import_id}", session.token)
    rejected: list[dict[str, object]] = []
    if job.get("status") != "running" and job.get("rejected"):
        rows = await apis.get(
            "appraisal", f"/employee-imports/{import_id}/rows", session.token, outcome="rejected", limit=200
        )
        rejected = rows.get("items", [])
    return render(request, "impor_kemajuan.html", job=job, rejected=rejected)
