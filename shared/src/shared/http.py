"""HTTP conventions: RFC 9457 problem+json errors, correlation ids, request metrics."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.docs import DOCS_CSP, DOCS_PATHS
from shared.i18n import Language, Text, negotiate
from shared.logs import correlation_id_var
from shared.mongo import is_transient

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
CORRELATION_HEADER = "X-Correlation-ID"
Said = Text | str
"""What a problem says: a ``Text`` in both languages (a plain ``str`` is sent as it is)."""


def say(text: Said, language: Language) -> str:
    return text.in_(language) if isinstance(text, Text) else text


class ProblemError(Exception):
    """An error the client can act on, rendered as problem+json with a stable machine ``code``; its
    title, detail and error messages in the caller's language (``shared.i18n``)."""

    def __init__(
        self,
        status: int,
        code: str,
        title: Said,
        detail: Said | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
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
    title: Said,
    detail: Said | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The problem+json answer, in the language the request's ``Accept-Language`` asks for (Bahasa
    Indonesia unless it prefers English); ``code`` and field names are the same in both."""
    language = negotiate(request.headers.get("accept-language"))
    body: dict[str, Any] = {
        "type": f"urn:kinerja-asn:problem:{code}",
        "title": say(title, language),
        "status": status,
        "code": code,
        "instance": request.url.path,
    }
    if detail:
        body["detail"] = say(detail, language)
    if errors:
        body["errors"] = [
            {key: say(value, language) if isinstance(value, Text) else value for key, value in error.items()}
            for error in errors
        ]
    correlation_id = correlation_id_var.get()
    if correlation_id:
        body["correlation_id"] = correlation_id
    language_headers = {"Content-Language": language, "Vary": "Accept-Language"}
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_JSON, headers={**language_headers, **(headers or {})}
    )


_STATUS_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("too_large", "Payload too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("validation_error", "Validation error"),
}


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        return problem_response(request, exc.status, exc.code, exc.title, exc.detail, exc.errors, exc.headers)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if any(err.get("type") == "json_invalid" for err in exc.errors()):
            return problem_response(request, 400, "invalid_json", "Bad request", "The request body is not valid JSON")
        if _not_declared_json(request, exc):
            return problem_response(
                request,
                415,
                "unsupported_media_type",
                "Unsupported media type",
                "Send the body as application/json (Content-Type: application/json)",
            )
        errors = [
            {"field": ".".join(str(part) for part in err.get("loc", ())), "message": err.get("msg", "")}
            for err in exc.errors()
        ]
        fields = ", ".join(e["field"] for e in errors)
        return problem_response(
            request, 422, "validation_error", "The request is not valid", f"Invalid fields: {fields}", errors
        )

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code, title = _STATUS_CODES.get(exc.status_code, ("http_error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405:  # every method of the path, not only those of the first route that has it
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request.app, request.url.path))}
        return problem_response(request, exc.status_code, code, title, detail, headers=headers)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("unhandled error", exc_info=exc)
        return problem_response(request, 500, "internal_error", "Internal server error")

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


def install_request_middleware(app: FastAPI, registry: CollectorRegistry, service: str) -> None:
    """Correlation id (a valid ``X-Correlation-ID`` or a new one), request count/latency metrics with
    bounded labels, security headers, and a problem+json 500 that keeps the correlation id."""
    requests = Counter(
        "http_requests_total", "HTTP requests handled", ["service", "method", "route", "status"], registry=registry
    )
    latency = Histogram(
        "http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"], registry=registry
    )

    @app.middleware("http")
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
                    request, 503, "unavailable", "Service unavailable", "The database cannot be reached now; retry"
                )
                response.headers["Retry-After"] = str(RETRY_AFTER_S)
            else:
                logger.exception("unhandled error", exc_info=exc)
                response = problem_response(request, 500, "internal_error", "Internal server error")
        finally:
            correlation_id_var.reset(token)
        # Label values stay bounded: the route template (never the raw path) and a known method.
        route_path = getattr(request.scope.get("route"), "path", "unmatched")
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


class BodyTooLarge(StarletteHTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body may be at most {limit:,} bytes")


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
        if length is not None and (not length.isdigit() or len(length) > 12):
            await self._refuse(scope, receive, send, 400, "bad_request", "Bad request", "Content-Length is not valid")
            return
        if length is not None and int(length) > limit:
            detail = f"The request body may be at most {limit:,} bytes"
            await self._refuse(scope, receive, send, 413, "too_large", "Payload too large", detail)
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
        title: Said,
        detail: Said | None,
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
            "Authentication required",
            "Send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return await verifier.verify(token.strip())
