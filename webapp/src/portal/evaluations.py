"""Evaluation pages: the pegawai records realisation and evidence, reads the result and objects within
the window; the pejabat penilai rates (with the service's suggestions shown) and finalises; the atasan
decides an objection. Every rule stays with the appraisal service; a page only builds what it sends."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from portal.apis import ApiProblem
from portal.skp_content import CODE
from portal.web import (
    ACTIONS,
    CAUSES,
    PREDIKAT_NAMES,
    check_csrf,
    opd_code_field,
    portal_of,
    render,
    see_other,
    signed_in,
    text_field,
    this_year,
)

router = APIRouter()
EVALUATION_ID = re.compile(r"^[0-9]{18}-[0-9]{4}(-(S[12]|Q[1-4]|0[1-9]|1[0-2]))?$")
PERIOD = re.compile(r"^[0-9]{4}(-(S[12]|Q[1-4]|0[1-9]|1[0-2]))?$")
RATINGS = {
    "di_bawah_ekspektasi": "Di bawah ekspektasi",
    "sesuai_ekspektasi": "Sesuai ekspektasi",
    "di_atas_ekspektasi": "Di atas ekspektasi",
}
VALUES = {
    "berorientasi_pelayanan": "Berorientasi pelayanan",
    "akuntabel": "Akuntabel",
    "kompeten": "Kompeten",
    "harmonis": "Harmonis",
    "loyal": "Loyal",
    "adaptif": "Adaptif",
    "kolaboratif": "Kolaboratif",
}


def _id(value: str) -> str:
    if not EVALUATION_ID.fullmatch(value):
        raise ApiProblem(404, "Tidak ditemukan", "Evaluasi itu tidak ada.")
    return value


def _rating(form: Any, name: str, *, required: bool = True) -> str | None:
    value = str(form.get(name) or "")
    if not value and not required:
        return None
    if value not in RATINGS:
        raise ApiProblem(400, "Penilaian belum lengkap", f"Pilih penilaian untuk '{name}'.")
    return value


# ---------------------------------------------------------------- pegawai


@router.get("/kinerja", response_class=HTMLResponse)
async def my_evaluations(request: Request) -> Response:
    session = signed_in(request)
    apis = portal_of(request).apis
    year = this_year()
    page = await apis.get("appraisal", "/evaluations", session.token, nip=session.nip, year=year, limit=50)
    try:
        periods = (await apis.get("appraisal", f"/performance-years/{year}", session.token)).get("periods", [])
    except ApiProblem:
        periods = []  # the year is not configured yet: the page says so
    opened = {e["period"] for e in page.get("items", [])}
    return render(
        request,
        "kinerja.html",
        evaluations=page.get("items", []),
        periods=[p for p in periods if p not in opened],
        ratings=RATINGS,
        values=VALUES,
        predikat_names=PREDIKAT_NAMES,
    )


@router.post("/kinerja")
async def open_evaluation(request: Request) -> Response:
    session = signed_in(request)
    form = await request.form()
    check_csrf(session, form)
    period = text_field(form, "period", limit=10) or ""
    if not PERIOD.fullmatch(period):
        raise ApiProblem(400, "Periode tidak sah", "Pilih periode dari daftar.")
    opened = await portal_of(request).apis.send(
        "appraisal", "POST", "/evaluations", session.token, {"nip": session.nip, "period": period}
    )
    return see_other(f"/kinerja/{opened['id']}")


@router.get("/kinerja/{evaluation_id}", response_class=HTMLResponse)
async def my_evaluation(request: Request, evaluation_id: str) -> Response:
    session = signed_in(request)
    evaluation = await portal_of(request).apis.get("appraisal", f"/evaluations/{_id(evaluation_id)}", session.token)
    realised = {r["indicator_id"]: r for r in evaluation.get("realisations", [])}
    return render(
        request,
        "evaluasi.html",
        evaluation=evaluation,
        realised=realised,
        saved=request.query_params.get("tersimpan"),
        ratings=RATINGS,
        values=VALUES,
        predikat_names=PREDIKAT_NAMES,
    )


@router.post("/kinerja/{evaluation_id}/realisasi/{indicator_id}")
async def record_realisation(request: Request, evaluation_id: str, indicator_id: str) -> Response:
    session = signed_in(request)
    form = await request.form()
    check_csrf(session, form)
    if not CODE.fullmatch(indicator_id):
        raise ApiProblem(404, "Tidak ditemukan", "Indikator itu tidak ada.")
    evidence = text_field(form, "evidence", required=False, limit=2000)
    body = {
        "realisation": text_field(form, "realisation", limit=100),
        "evidence_links": [evidence] if evidence else [],
        "note": text_field(form, "note", required=False),
    }
    await portal_of(request).apis.send(
        "appraisal", "PUT", f"/evaluations/{_id(evaluation_id)}/realisations/{indicator_id}", session.token, body
    )
    return see_other(f"/kinerja/{evaluation_id}?tersimpan=realisasi")


@router.post("/kinerja/{evaluation_id}/keberatan")
async def file_objection(request: Request, evaluation_id: str) -> Response:
    session = signed_in(request)
    form = await request.form()
    check_csrf(session, form)
    await portal_of(request).apis.send(
        "appraisal",
        "POST",
        f"/evaluations/{_id(evaluation_id)}/objection",
        session.token,
        {"reason": text_field(form, "reason")},
    )
    return see_other(f"/kinerja/{evaluation_id}?tersimpan=keberatan")


# ---------------------------------------------------------------- pejabat penilai


@router.get("/penilaian/evaluasi/{evaluation_id}", response_class=HTMLResponse)
async def rate_page(request: Request, evaluation_id: str) -> Response:
    session = signed_in(request)
    apis = portal_of(request).apis
    evaluation = await apis.get("appraisal", f"/evaluations/{_id(evaluation_id)}", session.token)
    suggestion: dict[str, Any] = {}
    if evaluation.get("status") == "open":
        suggestion = await apis.get("appraisal", f"/evaluations/{evaluation_id}/suggestion", session.token)
    realised = {r["indicator_id"]: r for r in evaluation.get("realisations", [])}
    given = {r["rhk_id"]: r["rating"] for r in evaluation.get("rhk_ratings", [])}
    values = {r["value"]: r["rating"] for r in evaluation.get("behaviour_ratings", [])}
    return render(
        request,
        "evaluasi_nilai.html",
        evaluation=evaluation,
        suggestion=suggestion,
        realised=realised,
        given=given,
        given_values=values,
        saved=request.query_params.get("tersimpan"),
        ratings=RATINGS,
        values=VALUES,
        predikat_names=PREDIKAT_NAMES,
    )


@router.post("/penilaian/evaluasi/{evaluation_id}/nilai")
async def rate(request: Request, evaluation_id: str) -> Response:
    session = signed_in(request)
    form = await request.form()
    check_csrf(session, form)
    apis = portal_of(request).apis
    evaluation = await apis.get("appraisal", f"/evaluations/{_id(evaluation_id)}", session.token)
    body: dict[str, Any] = {
        "rhk_ratings": [
            {"rhk_id": rhk["rhk_id"], "rating": _rating(form, f"rhk-{rhk['rhk_id']}")}
            for rhk in evaluation.get("rhk", [])
        ],
        "behaviour_ratings": [{"value": value, "rating": _rating(form, f"value-{value}")} for value in VALUES],
        "hasil_kerja": _rating(form, "hasil_kerja"),
        "perilaku_kerja": _rating(form, "perilaku_kerja"),
    }
    justification = text_field(form, "justification", required=False)
    if justification:
        body["justification"] = justification
    await apis.send("appraisal", "PATCH", f"/evaluations/{evaluation_id}/ratings", session.token, body)
    return see_other(f"/penilaian/evaluasi/{evaluation_id}?tersimpan=nilai")


@router.post("/penilaian/evaluasi/{evaluation_id}/final")
async def finalise(request: Request, evaluation_id: str) -> Response:
    session = signed_in(request)
    check_csrf(session, await request.form())
    await portal_of(request).apis.send(
        "appraisal", "POST", f"/evaluations/{_id(evaluation_id)}/finalise", session.token
    )
    return see_other(f"/penilaian/evaluasi/{evaluation_id}?tersimpan=final")


# ---------------------------------------------------------------- atasan


@router.post("/penilaian/rencana/{evaluation_id}")
async def record_plan(request: Request, evaluation_id: str) -> Response:
    """The pejabat penilai records the cause and actions of a low result's development plan."""
    session = signed_in(request)
    form = await request.form()
    check_csrf(session, form)
    cause = str(form.get("cause") or "")
    if cause not in CAUSES:
        raise ApiProblem(400, "Penyebab belum dipilih", "Pilih penyebab hasil rendah dari daftar.")
    actions = [str(a) for a in form.getlist("actions")]
    if not actions or any(a not in ACTIONS for a in actions) or len(set(actions)) != len(actions):
        raise ApiProblem(400, "Tindakan belum dipilih", "Pilih paling sedikit satu tindakan dari daftar.")
    body = {"cause": cause, "cause_note": text_field(form, "cause_note", required=False), "actions": actions}
    await portal_of(request).apis.send(
        "appraisal", "PUT", f"/evaluations/{_id(evaluation_id)}/development-plan", session.token, body
    )
    return see_other("/penilaian?selesai=rencana")


@router.get("/eskalasi", response_class=HTMLResponse)
async def escalations(request: Request) -> Response:
    """The BKPSDM's escalated development plans (a low result again after the plan), 50 a page."""
    session = signed_in(request)
    code = opd_code_field(request.query_params.get("kode"))
    raw = request.query_params.get("dari") or "0"
    if not (raw.isascii() and raw.isdecimal() and len(raw) <= 6) or int(raw) > 100_000:
        raise ApiProblem(400, "Halaman tidak sah", "Nomor urut awal antara 0 dan 100000.")
    offset = int(raw)
    page = await portal_of(request).apis.get(
        "appraisal", "/development-plans", session.token, escalated="true", opd_code=code, limit=50, offset=offset
    )
    return render(
        request,
        "eskalasi.html",
        items=page.get("items", []),
        total=page.get("total", 0),
        offset=offset,
        code=code,
        causes=CAUSES,
        actions=ACTIONS,
        predikat_names=PREDIKAT_NAMES,
    )


@router.get("/keberatan", response_class=HTMLResponse)
async def objections(request: Request) -> Response:
    session = signed_in(request)
    page = await portal_of(request).apis.get("appraisal", "/evaluations", session.token, status="finalised", limit=200)
    pending = [
        e
        for e in page.get("items", [])
        if (e.get("objection") or {}).get("status") == "pending" and e.get("nip") != session.nip
    ]
    return render(
        request,
        "keberatan.html",
        evaluations=pending,
        done=request.query_params.get("selesai"),
        ratings=RATINGS,
        values=VALUES,
        predikat_names=PREDIKAT_NAMES,
    )


@router.get("/keberatan/{evaluation_id}", response_class=HTMLResponse)
async def objection_page(request: Request, evaluation_id: str) -> Response:
    session = signed_in(request)
    evaluation = await portal_of(request).apis.get("appraisal", f"/evaluations/{_id(evaluation_id)}", session.token)
    return render(
        request,
        "keberatan_putus.html",
        evaluation=evaluation,
        ratings=RATINGS,
        values=VALUES,
        predikat_names=PREDIKAT_NAMES,
    )


@router.post("/keberatan/{evaluation_id}")
async def decide(request: Request, evaluation_id: str) -> Response:
    session = signed_in(request)
    form = await request.form()
    check_csrf(session, form)
    decision = str(form.get("decision") or "")
    if decision not in ("upheld", "rejected"):
        raise ApiProblem(400, "Keputusan belum dipilih", "Pilih: keberatan diterima atau ditolak.")
    body: dict[str, Any] = {"decision": decision, "note": text_field(form, "note", required=False)}
    if decision == "upheld":
        for name in ("hasil_kerja", "perilaku_kerja"):
            changed = _rating(form, name, required=False)
            if changed:
                body[name] = changed
    await portal_of(request).apis.send(
        "appraisal", "POST", f"/evaluations/{_id(evaluation_id)}/objection/decision", session.token, body
    )
    return see_other("/keberatan?selesai=diputuskan")
