"""Signing in and out.

- **OpenID Connect** (production, Keycloak): authorization code flow with PKCE (S256), ``state`` and
  ``nonce`` kept in a sealed short-lived cookie; a ``state`` is accepted once. The ID token must carry
  the ``nonce`` (signature from the provider's JWKS, issuer, audience: the portal's client id); the
  access token is verified as the services verify it (signature, issuer, audience, roles claim) and
  kept in the session.
- **Developer sign-in** (local only, when ``PORTAL_DEV_SIGNIN_KEY_FILE`` names the local private key;
  refused in production): pick a person from the registry and their roles; the portal mints the token
  with the local key, as ``make token`` does.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import anyio
import jwt
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.apis import ApiProblem
from portal.session import PRE_COOKIE, Session, cookie_names
from portal.web import (
    OPD_CODE,
    ROLE_NAMES,
    check_csrf,
    clear_session,
    opd_code_field,
    portal_of,
    render,
    see_other,
    session_of,
)
from shared.auth import ALGORITHMS, Role, TokenVerifier
from shared.token import mint_token

router = APIRouter()
PRE_TTL_S = 600
NIP_OR_PPK = re.compile(r"^([0-9]{18}|PPK)$")


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=portal_of(request).settings.secure_cookies,
    )


async def start_session(request: Request, session: Session, to: str = "/") -> Response:
    portal = portal_of(request)
    await _find_relations(request, session)
    response = see_other(to)
    try:
        sealed = portal.sealer.seal_session(session)
    except ValueError as exc:  # larger than the services' own bound on a token
        raise ApiProblem(
            403, "Masuk gagal", "Token dari penyedia identitas terlalu besar untuk sesi; hubungi admin BKPSDM."
        ) from exc
    names = cookie_names()
    for name, value in zip(names, sealed, strict=False):
        _cookie(response, request, name, value, int(session.expires_at - time.time()))
    for name in names[len(sealed) :]:
        response.delete_cookie(name, path="/")
    response.delete_cookie(PRE_COOKIE, path="/")
    return response


async def _find_relations(request: Request, session: Session) -> None:
    """What the menu needs: whether the person has a registry record, and the OPD whose dashboard they
    may read (its admin or its head, as the reporting service decides). Failures leave the defaults."""
    apis = portal_of(request).apis
    if session.nip == "PPK":
        session.registered = False
    else:
        try:
            record = await apis.get("appraisal", f"/employees/{session.nip}", session.token)
            session.name = session.name or (str(record.get("name"))[:200] if record.get("name") else None)
        except ApiProblem as problem:
            session.registered = problem.status != 404
    if session.has("admin_bkpsdm", "pimpinan", "ppk"):
        return  # the city's dashboard, and every OPD's from it
    try:
        summary = await apis.get("reporting", "/reports/appraisals/summary", session.token)
    except ApiProblem:
        return
    code = summary.get("opd_code") if isinstance(summary, dict) else None
    session.dashboard_opd = code if isinstance(code, str) and OPD_CODE.fullmatch(code) else None


def _pre(request: Request) -> dict[str, Any]:
    return portal_of(request).sealer.open(PRE_COOKIE, request.cookies.get(PRE_COOKIE)) or {}


def _with_pre(request: Request, response: Response, data: dict[str, Any]) -> Response:
    data = {**data, "at": time.time()}
    _cookie(response, request, PRE_COOKIE, portal_of(request).sealer.seal(PRE_COOKIE, data), PRE_TTL_S)
    return response


@router.get("/masuk", response_class=HTMLResponse)
async def sign_in_page(request: Request) -> Response:
    portal = portal_of(request)
    if session_of(request) is not None:
        return see_other("/")
    pre = _pre(request)
    csrf = pre.get("csrf") if isinstance(pre.get("csrf"), str) else secrets.token_urlsafe(24)
    people: list[dict[str, Any]] = []
    if portal.settings.dev_signin_key_file is not None:
        people = await _demo_people(request)
    response = render(
        request,
        "masuk.html",
        csrf=csrf,
        dev=portal.settings.dev_signin_key_file is not None,
        oidc=bool(portal.settings.oidc_issuer),
        people=people,
        roles=ROLE_NAMES,
        expired=request.query_params.get("habis") == "1",
    )
    return _with_pre(request, response, {**pre, "csrf": csrf})


async def _demo_people(request: Request) -> list[dict[str, Any]]:
    """Up to 200 people of the registry to pick from (read with a short-lived BKPSDM token)."""
    portal = portal_of(request)
    key = portal.settings.dev_signin_key_file
    assert key is not None
    token = mint_token(key, "199001012015011001", [Role.ADMIN_BKPSDM], ttl=dt.timedelta(minutes=2))
    try:
        page = await portal.apis.get("appraisal", "/employees", token, limit=200)
    except ApiProblem:
        return []
    return [p for p in page.get("items", []) if isinstance(p, dict)]


@router.post("/masuk/dev")
async def dev_sign_in(request: Request) -> Response:
    portal = portal_of(request)
    key = portal.settings.dev_signin_key_file
    if key is None:
        raise ApiProblem(404, "Tidak ditemukan", "Masuk sebagai pengembang hanya ada di lingkungan lokal.")
    form = await request.form()
    pre = _pre(request)
    csrf = pre.get("csrf")
    if not isinstance(csrf, str) or not secrets.compare_digest(str(form.get("csrf") or ""), csrf):
        raise ApiProblem(403, "Formulir kedaluwarsa", "Muat ulang halaman masuk lalu coba lagi.")
    nip = str(form.get("nip") or "").strip()
    if not NIP_OR_PPK.fullmatch(nip):
        raise ApiProblem(400, "NIP tidak sah", "NIP terdiri atas 18 angka (atau PPK untuk Wali Kota).")
    roles = [str(r) for r in form.getlist("roles") if str(r) in ROLE_NAMES]
    if not roles:
        raise ApiProblem(400, "Peran belum dipilih", "Pilih paling sedikit satu peran.")
    opd = opd_code_field(str(form.get("opd_code") or ""))
    hours = portal.settings.session_hours
    token = mint_token(key, nip, roles, opd_code=opd, ttl=dt.timedelta(hours=hours))
    session = Session(nip=nip, roles=roles, token=token, expires_at=time.time() + hours * 3600, opd_code=opd)
    return await start_session(request, session)


@router.post("/keluar")
async def sign_out(request: Request) -> Response:
    """Deletes the session's cookies and revokes its id, so a copy of the cookie opens nothing; the
    person's open live stream ends too."""
    session = session_of(request)
    if session is not None:
        check_csrf(session, await request.form())
        portal_of(request).signed_out.revoke(session.sid, session.expires_at)
    response = see_other("/masuk")
    clear_session(response)
    return response


# ---------------------------------------------------------------- OpenID Connect


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


async def _discovery(request: Request) -> dict[str, Any]:
    portal = portal_of(request)
    cached: dict[str, Any] | None = getattr(request.app.state, "oidc", None)
    if cached is not None:
        return cached
    issuer = (portal.settings.oidc_issuer or "").rstrip("/")
    try:
        response = await portal.apis.client.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
        response.raise_for_status()
        document = response.json()
    except Exception as exc:
        raise ApiProblem(503, "Penyedia identitas tidak dapat dihubungi", "Coba masuk lagi sebentar lagi.") from exc
    if not all(isinstance(document.get(k), str) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")):
        raise ApiProblem(502, "Penyedia identitas tidak lengkap", "Konfigurasi OpenID Connect-nya tidak lengkap.")
    request.app.state.oidc = document
    request.app.state.oidc_keys = jwt.PyJWKClient(document["jwks_uri"], cache_keys=True)
    request.app.state.oidc_verifier = TokenVerifier(
        public_key_file=None,
        jwks_url=document["jwks_uri"],
        audience="kinerja-asn",
        issuer=issuer,
        roles_claim=portal.settings.roles_claim,
    )
    found: dict[str, Any] = document
    return found


@router.get("/masuk/oidc")
async def oidc_start(request: Request) -> Response:
    portal = portal_of(request)
    if not portal.settings.oidc_issuer:
        raise ApiProblem(404, "Tidak ditemukan", "Masuk dengan OpenID Connect tidak dikonfigurasi.")
    document = await _discovery(request)
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": portal.settings.oidc_client_id,
            "redirect_uri": f"{portal.settings.public_url.rstrip('/')}/masuk/callback",
            "scope": portal.settings.oidc_scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    response = RedirectResponse(f"{document['authorization_endpoint']}?{query}", status_code=303)
    return _with_pre(request, response, {**_pre(request), "state": state, "nonce": nonce, "verifier": verifier})


@router.get("/masuk/callback")
async def oidc_callback(request: Request) -> Response:
    portal = portal_of(request)
    pre = _pre(request)
    state, code = request.query_params.get("state", ""), request.query_params.get("code", "")
    fresh = isinstance(pre.get("at"), (int, float)) and time.time() - float(pre["at"]) < PRE_TTL_S
    if not fresh or not pre.get("state") or not secrets.compare_digest(state, str(pre["state"])) or not code:
        raise ApiProblem(400, "Proses masuk tidak sah", "Mulai lagi dari halaman masuk.")
    if state in portal.spent_states:  # a callback replayed (the same state once more)
        raise ApiProblem(400, "Proses masuk tidak sah", "Tautan masuk ini sudah dipakai; mulai lagi.")
    portal.spent_states.revoke(state, float(pre["at"]) + PRE_TTL_S)
    if len(code) > 2000:
        raise ApiProblem(400, "Proses masuk tidak sah", "Kode otorisasi terlalu panjang.")
    document = await _discovery(request)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": f"{portal.settings.public_url.rstrip('/')}/masuk/callback",
        "client_id": portal.settings.oidc_client_id or "",
        "code_verifier": str(pre.get("verifier") or ""),
    }
    if portal.settings.oidc_client_secret_file is not None:
        form["client_secret"] = portal.settings.oidc_client_secret_file.read_text().strip()
    try:
        response = await portal.apis.client.post(document["token_endpoint"], data=form, timeout=10)
        tokens = response.json() if response.status_code == 200 else {}
    except Exception as exc:
        raise ApiProblem(503, "Penyedia identitas tidak dapat dihubungi", "Coba masuk lagi.") from exc
    access = tokens.get("access_token") if isinstance(tokens, dict) else None
    # 403, not 401: the page says why; a 401 means "sign in again" elsewhere in the portal.
    if not isinstance(access, str):
        raise ApiProblem(403, "Masuk gagal", "Penyedia identitas tidak memberikan token.")
    await _check_id_token(request, tokens.get("id_token"), str(pre.get("nonce") or ""))
    verifier: TokenVerifier = request.app.state.oidc_verifier
    try:
        principal = await verifier.verify(access)
    except Exception as exc:
        raise ApiProblem(403, "Masuk gagal", "Token dari penyedia identitas tidak sah.") from exc
    try:
        expires_in = float(tokens.get("expires_in") or 3600)
    except (TypeError, ValueError):
        expires_in = 3600.0
    lifetime = min(max(expires_in, 60.0), portal.settings.session_hours * 3600)
    session = Session(
        nip=principal.nip,
        roles=sorted(str(r) for r in principal.roles),
        token=access,
        expires_at=time.time() + lifetime,
        opd_code=principal.opd_code,
        name=principal.name,
    )
    return await start_session(request, session)


async def _check_id_token(request: Request, id_token: object, nonce: str) -> None:
    """The ID token of this sign-in: signed by the provider, for this portal, carrying the nonce the
    portal sent (a token obtained for another sign-in is refused)."""
    portal = portal_of(request)
    if not isinstance(id_token, str) or len(id_token) > 16_384 or not nonce:
        raise ApiProblem(403, "Masuk gagal", "Penyedia identitas tidak memberikan token identitas.")
    keys: jwt.PyJWKClient = request.app.state.oidc_keys
    try:
        key = (await anyio.to_thread.run_sync(keys.get_signing_key_from_jwt, id_token)).key
        claims = jwt.decode(
            id_token,
            key,
            algorithms=ALGORITHMS,
            audience=portal.settings.oidc_client_id,
            issuer=(portal.settings.oidc_issuer or "").rstrip("/"),
            options={"require": ["exp", "iat", "sub"]},
        )
    except (jwt.PyJWTError, ValueError) as exc:
        raise ApiProblem(403, "Masuk gagal", "Token identitas dari penyedia identitas tidak sah.") from exc
    if not secrets.compare_digest(str(claims.get("nonce") or ""), nonce):
        raise ApiProblem(403, "Masuk gagal", "Token identitas bukan untuk proses masuk ini; mulai lagi.")
