"""The portal's app: pages rendered on the server (Jinja2), progressively enhanced by one small script
(live messages); every form works without it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from portal import dashboards, evaluations, pages, registry, signin
from portal.apis import ApiProblem, Apis
from portal.config import Settings
from portal.session import Sealer
from portal.web import HERE, Portal, SignInRequired, problem_page, see_other

MAX_BODY = 64 * 1024
"""The largest form the portal reads (the CSV import has its own route and bound)."""


def security_headers(settings: Settings) -> dict[str, str]:
    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }
    if settings.secure_cookies:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


def create_app(settings: Settings) -> FastAPI:
    sealer = Sealer.from_file(settings.session_secret_file)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    headers = security_headers(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(follow_redirects=False) as client:
            app.state.portal = Portal(settings, sealer, Apis(settings, client), templates)
            yield

    app = FastAPI(title="Portal Kinerja ASN", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        length = request.headers.get("content-length")
        limit = registry.UPLOAD_LIMIT if request.url.path == "/registri/impor" else MAX_BODY
        if length is not None and (not length.isdigit() or int(length) > limit):
            return Response("Isian terlalu besar", status_code=413, media_type="text/plain; charset=utf-8")
        response = await call_next(request)
        for name, value in headers.items():
            if name == "Cache-Control" and request.url.path.startswith("/static/"):
                continue
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(ApiProblem)
    async def on_problem(request: Request, problem: ApiProblem) -> Response:
        return problem_page(request, problem)

    @app.exception_handler(SignInRequired)
    async def on_sign_in(request: Request, _: SignInRequired) -> Response:
        return see_other("/masuk")

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {404: "Halaman tidak ditemukan", 405: "Cara akses tidak didukung"}
        problem = ApiProblem(exc.status_code, titles.get(exc.status_code, "Permintaan tidak dapat diproses"))
        return problem_page(request, problem)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(signin.router)
    app.include_router(pages.router)
    app.include_router(evaluations.router)
    app.include_router(registry.router)
    app.include_router(dashboards.router)
    return app
