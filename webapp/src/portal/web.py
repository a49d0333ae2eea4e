"""What every page shares: the templates, the session of the request, the CSRF check of every form, and
turning a service's problem into a readable message."""

from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from portal.apis import ApiProblem, Apis
from portal.config import Settings
from portal.session import Revocations, Sealer, Session, cookie_names, joined_cookie
from shared.clock import LOCAL_TIME

HERE = Path(__file__).resolve().parent
OPD_CODE = re.compile(r"^[A-Z0-9_-]{2,32}$")
"""An OPD or kecamatan code, as the services accept it."""
MAX_FORM_FIELD = 2000
"""The longest text a form field may carry (the services' own bound for texts)."""

ROLE_NAMES = {
    "pegawai": "Pegawai",
    "pejabat_penilai": "Pejabat penilai",
    "atasan_pejabat_penilai": "Atasan pejabat penilai",
    "admin_opd": "Admin OPD",
    "admin_bkpsdm": "BKPSDM",
    "pimpinan": "Pimpinan",
    "ppk": "PPK (Wali Kota)",
}


PREDIKAT_NAMES = {
    "sangat_baik": "Sangat Baik",
    "baik": "Baik",
    "butuh_perbaikan": "Butuh Perbaikan",
    "kurang_misconduct": "Kurang",
    "sangat_kurang": "Sangat Kurang",
}
"""The predikat as PermenPANRB 6/2022 names them."""

CAUSES = {
    "kompetensi": "Kompetensi",
    "beban_kerja": "Beban kerja",
    "sumber_daya": "Sumber daya",
    "motivasi_personal": "Motivasi / masalah pribadi",
    "lainnya": "Lainnya",
}
ACTIONS = {"coaching": "Coaching", "mentoring": "Mentoring", "konseling": "Konseling", "pelatihan": "Pelatihan"}
"""What ``PUT /evaluations/{id}/development-plan`` takes (PermenPANRB 6/2022: the plan of a low result)."""


class SignInRequired(Exception):
    """No valid session: the page sends the browser to the sign-in page."""


@dataclass
class Portal:
    """The app's dependencies (``app.state.portal``)."""

    settings: Settings
    sealer: Sealer
    apis: Apis
    templates: Jinja2Templates
    signed_out: Revocations
    """Sessions signed out (by id) until they would have expired."""
    spent_states: Revocations
    """OpenID Connect ``state`` values already used once."""
    streams: httpx.AsyncClient
    """The live streams' own client: each open page holds one of its connections for minutes, so they
    never take the connections the pages' calls need (``apis.client`` keeps its bounded pool)."""
    open_streams: dict[str, int] = field(default_factory=dict)
    """Live streams open now, per session id (bounded per session and in all: pages.MAX_STREAMS*)."""


def portal_of(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal


def session_of(request: Request) -> Session | None:
    portal = portal_of(request)
    session = portal.sealer.open_session(joined_cookie(request.cookies))
    if session is None or session.sid in portal.signed_out:
        return None
    return session


def clear_session(response: Response) -> None:
    for name in cookie_names():
        response.delete_cookie(name, path="/")


def signed_in(request: Request) -> Session:
    session = session_of(request)
    if session is None:
        raise SignInRequired
    return session


def this_year() -> int:
    return dt.datetime.now(LOCAL_TIME).year


def check_csrf(session: Session, form: Any) -> None:
    """Every form carries the session's CSRF token; a form without it, or with another, is refused."""
    given = form.get("csrf") if form is not None else None
    if not isinstance(given, str) or not hmac.compare_digest(given, session.csrf):
        raise ApiProblem(
            403, "Formulir kedaluwarsa", "Muat ulang halaman lalu kirim lagi (token formulir tidak cocok)."
        )


def text_field(form: Any, name: str, *, required: bool = True, limit: int = MAX_FORM_FIELD) -> str | None:
    """A form's text field, trimmed and bounded; a missing required one is a readable 400."""
    value = form.get(name)
    if value is None or not isinstance(value, str) or not value.strip():
        if required:
            raise ApiProblem(400, "Isian belum lengkap", f"Isian '{name}' wajib diisi.")
        return None
    value = value.strip()
    if len(value) > limit:
        raise ApiProblem(400, "Isian terlalu panjang", f"Isian '{name}' paling banyak {limit} karakter.")
    return value


def opd_code_field(value: str | None) -> str | None:
    """An OPD code a person typed (upper-cased; empty: none); a malformed one is a readable 400."""
    code = (value or "").strip().upper() or None
    if code is not None and not OPD_CODE.fullmatch(code):
        raise ApiProblem(400, "Kode OPD tidak sah", "Kode OPD terdiri atas 2-32 huruf besar, angka, _ atau -.")
    return code


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    portal = portal_of(request)
    session = session_of(request)
    return portal.templates.TemplateResponse(
        request,
        template,
        {"session": session, "role_names": ROLE_NAMES, "year": this_year(), **context},
        status_code=status,
    )


def see_other(path: str) -> RedirectResponse:
    """After a form: back to a page of the portal (a path, never another site)."""
    if not path.startswith("/") or path.startswith("//"):
        path = "/"
    return RedirectResponse(path, status_code=303)


def problem_page(request: Request, problem: ApiProblem) -> Response:
    if problem.status == 401:
        response = see_other("/masuk?habis=1")
        clear_session(response)
        return response
    status = problem.status if 400 <= problem.status < 600 else 500
    return render(request, "problem.html", status=status, problem=problem)
