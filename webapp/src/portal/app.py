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
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal import dashboards, evaluations, pages, registry, signin
from portal.apis import ApiProblem, Apis
from portal.config import Settings
from portal.session import Revocations, Sealer
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


class BodyLimit:
    """Refuses (413) a request body larger than its route allows, counting the bytes as they arrive: a
    ``Content-Length`` that says too much is refused at once, and a body sent in chunks without one is
    cut off at the limit, before any form parser holds it in memory."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = registry.UPLOAD_LIMIT if scope.get("path") == "/registri/impor" else MAX_BODY
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await too_large(send)
            return
        seen = 0
        refused = False
        started = False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = True
                    raise BodyTooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started:
                await too_large(send)
        except Exception:
            if not refused:
                raise
            if not started:
                await too_large(send)


class BodyTooLarge(Exception):
    pass


async def too_large(send: Send) -> None:
    body = b"Isian terlalu besar"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def create_app(settings: Settings) -> FastAPI:
    sealer = Sealer.from_file(settings.session_secret_file)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    headers = security_headers(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            httpx.AsyncClient(follow_redirects=False) as client,
            # One connection per open page, as many as the pages open (each ends within 10 minutes).
            httpx.AsyncClient(follow_redirects=False, limits=httpx.Limits(max_connections=None)) as streams,
        ):
            app.state.portal = Portal(
                settings, sealer, Apis(settings, client), templates, Revocations(), Revocations(), streams
            )
            yield

    app = FastAPI(title="Portal Kinerja ASN", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
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

    app.add_middleware(BodyLimit)  # outermost: a body is counted before anything reads it
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(signin.router)
    app.include_router(pages.router)
    app.include_router(evaluations.router)
    app.include_router(registry.router)
    app.include_router(dashboards.router)
    return app
