"""HTTP conventions: RFC 9457 problem+json errors, correlation ids, request metrics."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any, NotRequired, TypedDict

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from opentelemetry.trace import NoOpTracer, SpanKind
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.docs import DOCS_CSP, DOCS_PATHS
from shared.field_errors import field_message, field_name
from shared.i18n import Text, negotiate, verbatim
from shared.logs import correlation_id_var
from shared.mongo import is_transient
from shared.tracing import TRACEPARENT, Tracing, context_of

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
CORRELATION_HEADER = "X-Correlation-ID"


class FieldProblem(TypedDict):
    """One item of a problem's ``errors``: what is wrong (``message``), and where when it is a field."""

    message: Text
    field: NotRequired[str]


class ProblemError(Exception):
    """An error the client can act on, rendered as problem+json with a stable machine ``code``; its
    title, detail and error messages in the caller's language (``shared.i18n``). Every text is a
    ``Text`` (both languages): the type checker refuses a plain string."""

    def __init__(
        self,
        status: int,
        code: str,
        title: Text,
        detail: Text | None = None,
        *,
        errors: list[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(str(detail or title))
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers


def problem_response(
    request: Request,
    status: int,
    code: str,
    title: Text,
    detail: Text | None = None,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The problem+json answer, in the language the request's ``Accept-Language`` asks for (Bahasa
    Indonesia unless it prefers English); ``code`` and field names are the same in both."""
    language = negotiate(request.headers.get("accept-language"))
    body: dict[str, Any] = {
        "type": f"urn:kinerja-asn:problem:{code}",
        "title": title.in_(language),
        "status": status,
        "code": code,
        "instance": request.url.path,
    }
    if detail:
        body["detail"] = detail.in_(language)
    if errors:
        body["errors"] = [
            {**({"field": error["field"]} if "field" in error else {}), "message": error["message"].in_(language)}
            for error in errors
        ]
    correlation_id = correlation_id_var.get()
    if correlation_id:
        body["correlation_id"] = correlation_id
    language_headers = {"Content-Language": language, "Vary": "Accept-Language"}
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_JSON, headers={**language_headers, **(headers or {})}
    )


BAD_REQUEST = Text("Permintaan tidak valid", "Bad request")
UNAUTHENTICATED = Text("Autentikasi diperlukan", "Authentication required")
FORBIDDEN = Text("Akses ditolak", "Forbidden")
NOT_FOUND = Text("Tidak ditemukan", "Not found")
CONFLICT = Text("Konflik", "Conflict")
TOO_LARGE = Text("Isi permintaan terlalu besar", "Payload too large")
UNSUPPORTED_MEDIA_TYPE = Text("Jenis media tidak didukung", "Unsupported media type")
PRECONDITION_FAILED = Text("Prasyarat tidak terpenuhi", "Precondition failed")
INTERNAL_ERROR = Text("Terjadi kesalahan pada server", "Internal server error")
_STATUS_CODES = {
    400: ("bad_request", BAD_REQUEST),
    401: ("unauthenticated", UNAUTHENTICATED),
    403: ("forbidden", FORBIDDEN),
    404: ("not_found", NOT_FOUND),
    405: ("method_not_allowed", Text("Metode tidak diizinkan", "Method not allowed")),
    409: ("conflict", CONFLICT),
    413: ("too_large", TOO_LARGE),
    415: ("unsupported_media_type", UNSUPPORTED_MEDIA_TYPE),
    422: ("validation_error", Text("Validasi gagal", "Validation error")),
}
_KNOWN_DETAILS = {
    # FastAPI says this for a body its JSON parser gave up on other than by a syntax error: in practice one
    # nested too deeply for the parser (a syntax error is 400 invalid_json).
    "There was an error parsing the body": Text(
        "Isi permintaan tidak dapat dibaca: JSON bersarang terlalu dalam atau rusak",
        "The body cannot be read: JSON nested too deeply, or broken",
    ),
}
"""What the framework says in English, said in both languages."""


def _http_detail(exc: StarletteHTTPException) -> Text | None:
    """The detail of a framework error: none when it only repeats the status phrase; a known one in
    both languages; any other (a library's own English text) as it is."""
    if isinstance(exc, BodyTooLarge):
        return exc.text
    detail = exc.detail
    if not isinstance(detail, str) or not detail:
        return None
    try:
        if detail == HTTPStatus(exc.status_code).phrase:
            return None
    except ValueError:
        pass
    return _KNOWN_DETAILS.get(detail) or verbatim(detail)


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        return problem_response(request, exc.status, exc.code, exc.title, exc.detail, exc.errors, exc.headers)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if any(err.get("type") == "json_invalid" for err in exc.errors()):
            detail = Text("Isi permintaan bukan JSON yang valid", "The request body is not valid JSON")
            return problem_response(request, 400, "invalid_json", BAD_REQUEST, detail)
        if _not_declared_json(request, exc):
            return problem_response(
                request,
                415,
                "unsupported_media_type",
                UNSUPPORTED_MEDIA_TYPE,
                Text(
                    "Kirim isi permintaan sebagai application/json (Content-Type: application/json)",
                    "Send the body as application/json (Content-Type: application/json)",
                ),
            )
        errors: list[FieldProblem] = [{"field": field_name(err), "message": field_message(err)} for err in exc.errors()]
        fields = ", ".join(e.get("field", "") for e in errors)
        return problem_response(
            request,
            422,
            "validation_error",
            Text("Permintaan tidak valid", "The request is not valid"),
            Text(f"Isian yang tidak valid: {fields}", f"Invalid fields: {fields}"),
            errors,
        )

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code, title = _STATUS_CODES.get(exc.status_code, ("http_error", Text("Kesalahan HTTP", "HTTP error")))
        detail = _http_detail(exc)
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405:  # every method of the path, not only those of the first route that has it
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request.app, request.url.path))}
        return problem_response(request, exc.status_code, code, title, detail, headers=headers)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("unhandled error", exc_info=exc)
        return problem_response(request, 500, "internal_error", INTERNAL_ERROR)

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


def _not_declared_json(request: Request, exc: RequestValidationError) -> bool:
    """Whether a route that takes JSON was sent a body it did not read as JSON (another or no
    ``Content-Type``), which FastAPI reports as an invalid body."""
    body_field = getattr(request.scope.get("route"), "body_field", None)
    if body_field is None or getattr(body_field.field_info, "media_type", None) != "application/json":
        return False
    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    kind, _, subtype = content_type.partition("/")
    if kind == "application" and (subtype == "json" or subtype.endswith("+json")):
        return False
    return any(tuple(err.get("loc", ()))[:1] == ("body",) and err.get("type") != "missing" for err in exc.errors())


def allowed_methods(app: Any, path: str) -> list[str]:
    """The methods of every route whose path matches ``path``, for ``Allow``."""
    methods: set[str] = set()
    for route in iter_route_contexts(list(app.routes)):
        regex, route_methods = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex is not None and route_methods and regex.match(path):
            methods.update(route_methods)
    return sorted(methods)


PRINCIPAL = "kinerja.principal"
"""Where a request's scope keeps the caller once their token was verified. (Not ``scope["state"]``:
servers may hand every request the same lifespan state dict.)"""
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
"""Methods the ``BodyGuard`` lets through unread; a request of any other method needs a valid token."""
RETRY_AFTER_S = 5
"""What a 503 asks the client to wait before trying again (the database restarts or fails over)."""
CORRELATION_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
"""What a caller's ``X-Correlation-ID`` may be; anything else is replaced by a new id."""
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def route_template(request: Request) -> str:
    """The matched route's template with every router prefix (``/api/v1/skp/{skp_id}``), never the raw
    path: a bounded label. A route inside a nested router knows only its own part of the path; the
    prefixes are what the request path has before that part."""
    route = request.scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str):
        return "unmatched"
    path: str = request.scope.get("path", "")
    try:
        rendered = str(getattr(route, "path_format", template)).format(
            **{k: str(v) for k, v in request.path_params.items()}
        )
    except (KeyError, IndexError, ValueError):
        return template
    if rendered and path.endswith(rendered):
        return path[: len(path) - len(rendered)] + template
    return template


def install_request_middleware(
    app: FastAPI, registry: CollectorRegistry, service: str, tracing: Tracing | None = None
) -> None:
    """Correlation id (a valid ``X-Correlation-ID`` or a new one), request count/latency metrics with
    bounded labels, security headers, and a problem+json 500 that keeps the correlation id."""
    requests = Counter(
        "http_requests_total", "HTTP requests handled", ["service", "method", "route", "status"], registry=registry
    )
    latency = Histogram(
        "http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"], registry=registry
    )

    spans = tracing or Tracing(NoOpTracer())

    @app.middleware("http")
    async def traced(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """A SERVER span per API request (``shared.tracing``), child of the caller's ``traceparent``."""
        if not request.url.path.startswith("/api/"):  # probes and scrapes are not traced
            return await correlation_and_metrics(request, call_next)
        method = request.method if request.method in KNOWN_METHODS else "OTHER"
        given = request.headers.get(TRACEPARENT) or ""
        parent = context_of(given) if len(given) <= 128 else None
        attributes = {"http.request.method": method}
        with spans.span(f"{method}", SpanKind.SERVER, parent=parent, attributes=attributes) as span:
            response = await correlation_and_metrics(request, call_next)
            route = route_template(request)
            span.update_name(f"{method} {route}")
            span.set_attribute("http.route", route)
            span.set_attribute("http.response.status_code", response.status_code)
            return response

    async def correlation_and_metrics(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        given = request.headers.get(CORRELATION_HEADER) or ""
        correlation_id = given if CORRELATION_ID.fullmatch(given) else str(uuid.uuid4())
        token = correlation_id_var.set(correlation_id)
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as exc:  # answered here, while the correlation id is still known
            if is_transient(exc):  # the database is away for now (a restart, a fail-over): retry
                logger.warning("database unavailable: %s", exc)
                response = problem_response(
                    request,
                    503,
                    "unavailable",
                    Text("Layanan tidak tersedia", "Service unavailable"),
                    Text(
                        "Basis data tidak dapat dihubungi saat ini; coba lagi sebentar lagi",
                        "The database cannot be reached now; retry",
                    ),
                )
                response.headers["Retry-After"] = str(RETRY_AFTER_S)
            else:
                logger.exception("unhandled error", exc_info=exc)
                response = problem_response(request, 500, "internal_error", INTERNAL_ERROR)
        finally:
            correlation_id_var.reset(token)
        # Label values stay bounded: the route template (never the raw path) and a known method.
        route_path = route_template(request)
        method = request.method if request.method in KNOWN_METHODS else "OTHER"
        requests.labels(service, method, route_path, str(response.status_code)).inc()
        latency.labels(service, method, route_path).observe(time.perf_counter() - started)
        response.headers[CORRELATION_HEADER] = correlation_id
        response.headers.update(SECURITY_HEADERS)
        if request.url.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"  # personal data: never kept by a cache
        if request.url.path in DOCS_PATHS:
            response.headers["Content-Security-Policy"] = DOCS_CSP
        return response


def body_limit(limit: int) -> Text:
    return Text(
        f"Isi permintaan paling besar {limit:,} byte".replace(",", "."),
        f"The request body may be at most {limit:,} bytes",
    )


class BodyTooLarge(StarletteHTTPException):
    def __init__(self, limit: int) -> None:
        self.text = body_limit(limit)
        super().__init__(413, self.text.en)


class BodyGuard:
    """ASGI middleware in front of everything: a request with a body is refused before any of the
    body is read when it is larger than its route allows (413) or carries no valid bearer token
    (401); a body without a ``Content-Length`` is counted as it streams in and cut off at the limit.

    ``limits`` maps path patterns to their limit in bytes (e.g. a CSV import); every other route
    takes ``default_limit``."""

    def __init__(self, app: ASGIApp, *, limits: Mapping[str, int], default_limit: int) -> None:
        self.app = app
        self.limits = [(re.compile(pattern), limit) for pattern, limit in limits.items()]
        self.default_limit = default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in BODYLESS_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        limit = next((n for pattern, n in self.limits if pattern.fullmatch(scope["path"])), self.default_limit)
        length = request.headers.get("content-length")
        if length is not None and not re.fullmatch(r"[0-9]{1,12}", length):
            detail = Text("Content-Length tidak valid", "Content-Length is not valid")
            await self._refuse(scope, receive, send, 400, "bad_request", BAD_REQUEST, detail)
            return
        if length is not None and int(length) > limit:
            await self._refuse(scope, receive, send, 413, "too_large", TOO_LARGE, body_limit(limit))
            return
        verifier = getattr(request.app.state, "verifier", None)
        if verifier is not None:
            try:
                principal = await verify_bearer(request.headers.get("authorization", ""), verifier)
            except ProblemError as exc:
                await self._refuse(scope, receive, send, exc.status, exc.code, exc.title, exc.detail, exc.headers)
                return
            scope[PRINCIPAL] = principal  # this request's own scope: the route's authentication takes it from here
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)

    async def _refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        status: int,
        code: str,
        title: Text,
        detail: Text | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        request = Request(scope, receive)
        response = problem_response(
            request, status, code, title, detail, headers={**(headers or {}), "Connection": "close"}
        )
        response.headers.update(SECURITY_HEADERS)
        await response(scope, receive, send)


async def verify_bearer(header: str, verifier: Any) -> Any:
    """The principal of an ``Authorization: Bearer`` header, or a 401 ProblemError."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProblemError(
            401,
            "unauthenticated",
            UNAUTHENTICATED,
            Text("Kirim header 'Authorization: Bearer <token>'", "Send 'Authorization: Bearer <token>'"),
            headers={"WWW-Authenticate": "Bearer"},
        )
    return await verifier.verify(token.strip())
