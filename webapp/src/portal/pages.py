"""The pages: beranda, the SKP editor (pegawai), the worklist and SKP review (pejabat penilai), and the
live stream of new messages. Each page reads the services' APIs with the signed-in person's token;
the services decide what that person may see and do (a page never widens it)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from portal import skp_content
from portal.apis import ApiProblem
from portal.skp_content import CODE
from portal.web import (
    ACTIONS,
    CAUSES,
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
SKP_ID = re.compile(r"^[0-9]{18}-[0-9]{4}(-[0-9]{1,2})?$")
PREDIKAT_RANK = {"sangat_kurang": 1, "kurang_misconduct": 2, "butuh_perbaikan": 3, "baik": 4, "sangat_baik": 5}
MAX_STREAMS_PER_SESSION = 10
"""Live streams one session may hold open at once (one per open tab)."""
MAX_STREAMS = 5000
"""Live streams the portal process relays at once (each holds a connection to the notification service)."""
DONE = {
    "disetujui": "SKP disetujui.",
    "dikembalikan": "SKP dikembalikan.",
    "rencana": "Rencana pengembangan tersimpan.",
}
"""What the worklist says after a form (``?selesai=``); any other value says nothing."""
STATUS_NAMES = {
    "draft": "Draf",
    "submitted": "Diajukan, menunggu pejabat penilai",
    "returned": "Dikembalikan untuk diperbaiki",
    "approved": "Disetujui",
    "closed": "Ditutup (mutasi)",
}


def _skp_id(value: str) -> str:
    if not SKP_ID.fullmatch(value):
        raise ApiProblem(404, "Tidak ditemukan", "SKP itu tidak ada.")
    return value


def _code(value: str, what: str) -> str:
    if not CODE.fullmatch(value):
        raise ApiProblem(404, "Tidak ditemukan", f"{what} itu tidak ada.")
    return value


def _version(form: Any) -> int:
    try:
        version = int(str(form.get("version") or ""))
    except ValueError:
        raise ApiProblem(400, "Formulir tidak lengkap", "Versi SKP tidak terbaca; muat ulang halaman.") from None
    if not 0 < version < 1_000_000:
        raise ApiProblem(400, "Formulir tidak lengkap", "Versi SKP tidak sah; muat ulang halaman.")
    return version


# ---------------------------------------------------------------- beranda


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    session = signed_in(request)
    apis = portal_of(request).apis
    year = this_year()
    tasks = (await apis.get("notification", "/tasks", session.token, status="open", limit=10)).get("items", [])
    unread = (await apis.get("notification", "/inbox/unread-count", session.token)).get("unread", 0)
    skps: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    view: dict[str, Any] = {}
    if session.nip != "PPK":
        skps = (await apis.get("appraisal", "/skp", session.token, nip=session.nip, year=year)).get("items", [])
        try:
            view = await apis.get("reporting", f"/reports/employees/{session.nip}", session.token, year=year)
            history = list(reversed(view.get("history", [])))[-8:]
        except ApiProblem:
            history = []  # not yet in the reports (a new employee): the page says so
            view = {}
    return render(
        request,
        "beranda.html",
        tasks=tasks,
        unread=unread,
        skps=skps,
        history=history,
        development=view,
        predikat_names=PREDIKAT_NAMES,
        predikat_rank=PREDIKAT_RANK,
        status_names=STATUS_NAMES,
    )


# ---------------------------------------------------------------- SKP (pegawai)


async def _my_skp(request: Request, year: int) -> dict[str, Any] | None:
    """The employee's SKP of ``year`` that is not closed (the latest segment), if any."""
    session = signed_in(request)
    page = await portal_of(request).apis.get("appraisal", "/skp", session.token, nip=session.nip, year=year)
    current = [s for s in page.get("items", []) if s.get("status") != "closed"]
    return max(current, key=lambda s: s.get("segment", 1)) if current else None


@router.get("/skp", response_class=HTMLResponse)
async def skp_page(request: Request) -> Response:
    session = signed_in(request)
    apis = portal_of(request).apis
    year = this_year()
    skp = await _my_skp(request, year)
    cascade = await apis.get("appraisal", f"/employees/{session.nip}/cascade", session.token, year=year)
    return render(
        request,
        "skp.html",
        skp=skp,
        cascade=cascade,
        aspects=skp_content.ASPECTS,
        kinds=skp_content.KINDS,
        status_names=STATUS_NAMES,
        editable=skp is None or skp.get("status") in ("draft", "returned"),
        saved=request.query_params.get("tersimpan"),
    )


def _first_indicator(form: Any) -> tuple[str, str, str, str]:
    aspect = text_field(form, "aspect", limit=20) or ""
    if aspect not in skp_content.ASPECTS:
        raise ApiProblem(400, "Aspek tidak dikenal", "Pilih aspek kuantitas, kualitas, waktu atau biaya.")
    return (
        aspect,
        text_field(form, "indicator_text") or "",
        text_field(form, "target", limit=100) or "",
        text_field(form, "unit", limit=50) or "",
    )


def _new_rhk(form: Any) -> tuple[str, str, str | None]:
    kind = text_field(form, "kind", limit=20) or ""
    if kind not in skp_content.KINDS:
        raise ApiProblem(400, "Jenis RHK tidak dikenal", "Pilih RHK utama atau tambahan.")
    intervened = text_field(form, "intervened_rhk_id", required=False, limit=64)
    if intervened is not None and not CODE.fullmatch(intervened):
        raise ApiProblem(400, "RHK atasan tidak sah", "Pilih RHK atasan dari daftar.")
    return kind, text_field(form, "rhk_text") or "", intervened


@router.post("/skp")
async def create_skp(request: Request) -> Response:
    session = signed_in(request)
    form = await request.form()
    check_csrf(session, form)
    kind, text, intervened = _new_rhk(form)
    content = skp_content.add_rhk(
        {"approach": "kuantitatif", "rhk": []}, kind, text, intervened, _first_indicator(form)
    )
    await portal_of(request).apis.send("appraisal", "POST", "/skp", session.token, {"year": this_year(), **content})
    return see_other("/skp?tersimpan=dibuat")


async def _edit(request: Request, skp_id: str, change: Any) -> Response:
    """Apply ``change`` to the SKP's content as the employee saw it (``version`` of the form: a change
    made meanwhile elsewhere is refused by the service with 412, shown as such)."""
    session = signed_in(request)
    form = await request.form()
    check_csrf(session, form)
    version = _version(form)
    apis = portal_of(request).apis
    skp = await apis.get("appraisal", f"/skp/{_skp_id(skp_id)}", session.token)
    try:
        content = change(skp_content.content_of(skp), form)
    except (KeyError, ValueError) as exc:
        raise ApiProblem(400, "Perubahan tidak dapat diterapkan", str(exc)) from None
    await apis.send("appraisal", "PUT", f"/skp/{skp_id}", session.token, content, version=version)
    return see_other("/skp?tersimpan=diubah")


@router.post("/skp/{skp_id}/rhk")
async def add_rhk(request: Request, skp_id: str) -> Response:
    def change(content: skp_content.Content, form: Any) -> skp_content.Content:
        kind, text, intervened = _new_rhk(form)
        return skp_content.add_rhk(content, kind, text, intervened, _first_indicator(form))

    return await _edit(request, skp_id, change)


@router.post("/skp/{skp_id}/rhk/{rhk_id}/indikator")
async def add_indicator(request: Request, skp_id: str, rhk_id: str) -> Response:
    rhk = _code(rhk_id, "RHK")
    return await _edit(
        request, skp_id, lambda content, form: skp_content.add_indicator(content, rhk, _first_indicator(form))
    )


@router.post("/skp/{skp_id}/rhk/{rhk_id}/hapus")
async def remove_rhk(request: Request, skp_id: str, rhk_id: str) -> Response:
    rhk = _code(rhk_id, "RHK")
    return await _edit(request, skp_id, lambda content, _: skp_content.remove_rhk(content, rhk))


@router.post("/skp/{skp_id}/rhk/{rhk_id}/indikator/{indicator_id}/hapus")
async def remove_indicator(request: Request, skp_id: str, rhk_id: str, indicator_id: str) -> Response:
    rhk, indicator = _code(rhk_id, "RHK"), _code(indicator_id, "Indikator")
    return await _edit(request, skp_id, lambda content, _: skp_content.remove_indicator(content, rhk, indicator))


@router.post("/skp/{skp_id}/ajukan")
async def submit_skp(request: Request, skp_id: str) -> Response:
    session = signed_in(request)
    form = await request.form()
    check_csrf(session, form)
    await portal_of(request).apis.send(
        "appraisal", "POST", f"/skp/{_skp_id(skp_id)}/submit", session.token, version=_version(form)
    )
    return see_other("/skp?tersimpan=diajukan")


# ---------------------------------------------------------------- worklist (pejabat penilai)


@router.get("/penilaian", response_class=HTMLResponse)
async def worklist(request: Request) -> Response:
    session = signed_in(request)
    apis = portal_of(request).apis
    # Asked of the service for this appraiser: whatever else the person may see (an admin OPD sees the
    # whole OPD), only theirs, and none cut off by the page size.
    me = {"pejabat_penilai_nip": session.nip}
    mine = await apis.get("appraisal", "/skp", session.token, status="submitted", limit=100, **me)
    to_rate = await apis.get(
        "appraisal", "/evaluations", session.token, status="open", year=this_year(), limit=200, **me
    )
    awaiting = await apis.get(
        "appraisal", "/development-plans", session.token, status="awaiting_input", limit=100, **me
    )
    return render(
        request,
        "penilaian.html",
        skps=mine.get("items", []),
        evaluations=to_rate.get("items", []),
        plans=awaiting.get("items", []),
        more=max(mine.get("total", 0) - 100, to_rate.get("total", 0) - 200, awaiting.get("total", 0) - 100, 0),
        causes=CAUSES,
        actions=ACTIONS,
        predikat_names=PREDIKAT_NAMES,
        done=DONE.get(request.query_params.get("selesai") or ""),
    )


SKP_STATUS_OF_MEMBER = {
    "not_submitted": "Belum diajukan",
    "submitted": "Diajukan",
    "returned": "Dikembalikan",
    "approved": "Disetujui",
}


@router.get("/tim", response_class=HTMLResponse)
async def team(request: Request) -> Response:
    """The pejabat penilai's team this year, from the reporting service: SKP status, evaluations done and
    due per period, the latest predikat, open plans and pending objections of each member."""
    session = signed_in(request)
    year = this_year()
    view = await portal_of(request).apis.get("reporting", f"/reports/teams/{session.nip}", session.token, year=year)
    return render(
        request,
        "tim.html",
        view=view,
        shown_year=year,
        skp_names=SKP_STATUS_OF_MEMBER,
        predikat_names=PREDIKAT_NAMES,
    )


@router.get("/penilaian/skp/{skp_id}", response_class=HTMLResponse)
async def review_skp(request: Request, skp_id: str) -> Response:
    session = signed_in(request)
    skp = await portal_of(request).apis.get("appraisal", f"/skp/{_skp_id(skp_id)}", session.token)
    return render(request, "skp_review.html", skp=skp, aspects=skp_content.ASPECTS, status_names=STATUS_NAMES)


@router.post("/penilaian/skp/{skp_id}/setujui")
async def approve_skp(request: Request, skp_id: str) -> Response:
    session = signed_in(request)
    form = await request.form()
    check_csrf(session, form)
    await portal_of(request).apis.send(
        "appraisal", "POST", f"/skp/{_skp_id(skp_id)}/approve", session.token, version=_version(form)
    )
    return see_other("/penilaian?selesai=disetujui")


@router.post("/penilaian/skp/{skp_id}/kembalikan")
async def return_skp(request: Request, skp_id: str) -> Response:
    session = signed_in(request)
    form = await request.form()
    check_csrf(session, form)
    reason = text_field(form, "reason")
    await portal_of(request).apis.send(
        "appraisal", "POST", f"/skp/{_skp_id(skp_id)}/return", session.token, {"reason": reason}, version=_version(form)
    )
    return see_other("/penilaian?selesai=dikembalikan")


# ---------------------------------------------------------------- live


@router.get("/langsung")
async def live(request: Request) -> Response:
    """The signed-in person's new messages as Server-Sent Events, relayed from the notification
    service's stream (the browser's EventSource cannot send the token; the portal does). It ends when
    the session ends: signed out (anywhere) or expired, checked at every message and heartbeat."""
    session = signed_in(request)
    portal = portal_of(request)
    url = f"{portal.settings.service_url('notification')}/api/v1/stream"
    headers = {"Authorization": f"Bearer {session.token}", "Accept": "text/event-stream"}
    streams = portal.open_streams
    if streams.get(session.sid, 0) >= MAX_STREAMS_PER_SESSION or sum(streams.values()) >= MAX_STREAMS:
        raise ApiProblem(429, "Terlalu banyak halaman terbuka", "Tutup beberapa tab portal lalu muat ulang.")
    streams[session.sid] = streams.get(session.sid, 0) + 1

    async def relay() -> AsyncIterator[bytes]:
        try:
            async with portal.streams.stream(
                "GET", url, headers=headers, params={"max_seconds": 600}, timeout=httpx.Timeout(10, read=None)
            ) as upstream:
                if upstream.status_code != 200:
                    yield b"event: error\ndata: {}\n\n"
                    return
                async for chunk in upstream.aiter_raw():
                    if await request.is_disconnected():
                        return
                    if session.expired or session.sid in portal.signed_out:
                        yield b"event: ended\ndata: {}\n\n"
                        return
                    yield chunk
        except httpx.HTTPError:
            yield b"retry: 5000\n\n"
        finally:
            left = streams.get(session.sid, 1) - 1
            if left > 0:
                streams[session.sid] = left
            else:
                streams.pop(session.sid, None)

    return StreamingResponse(
        relay(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
