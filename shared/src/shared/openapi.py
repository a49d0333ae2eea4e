"""The OpenAPI document tells the truth about the HTTP edge every service shares.

FastAPI documents what a route declares; the platform answers more than that, the same way for
every service: the ``BodyGuard`` (401, 413 and 400 before a body is read), the problem+json
handlers (400 for a body that is not JSON, 415 for one that is not declared as JSON, 422 for
invalid input, 500), ``If-Match`` (428 when missing, 400 when malformed) and the router (405 with
``Allow``). ``describe_platform`` adds all of that to the generated document, reading each route's
dependencies rather than a list of paths: an operation that depends on ``authenticate`` (or takes a
body, which the ``BodyGuard`` admits only with a valid token) declares the bearer scheme, one that
depends on ``expected_version`` declares ``If-Match`` required, and every error has the one
``Problem`` schema under ``application/problem+json``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute

from shared.auth import authenticate
from shared.http import BODYLESS_METHODS, PROBLEM_JSON
from shared.pagination import expected_version, optional_version

BEARER = "bearerAuth"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PROBLEM_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "title": "Problem",
        "description": "An RFC 9457 problem: every error of this API, whatever its status.",
        "type": "object",
        "required": ["type", "title", "status", "code", "instance"],
        "properties": {
            "type": {"type": "string", "description": "`urn:kinerja-asn:problem:<code>`"},
            "title": {
                "type": "string",
                "description": "What went wrong, in the language of the request (`Content-Language`).",
            },
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "code": {
                "type": "string",
                "description": "Stable machine code (the contract: the same in every language), e.g. "
                "`validation_error`, `unauthenticated`, `forbidden`, `not_found`, `rule_violation`, "
                "`version_conflict`, `precondition_required`.",
            },
            "instance": {"type": "string", "description": "The request's path."},
            "detail": {"type": "string", "description": "This occurrence, in the language of the request."},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemItem"}},
            "correlation_id": {"type": "string", "description": "The request's `X-Correlation-ID`."},
        },
    },
    "ProblemItem": {
        "title": "ProblemItem",
        "description": "One reason of a problem; `field` names the input it is about, when it is about one.",
        "type": "object",
        "required": ["message"],
        "properties": {
            "field": {"type": "string"},
            "message": {"type": "string", "description": "In the language of the request."},
        },
    },
}

COMMON: dict[str, str] = {
    "400": "Bad request: the body is not valid JSON, `Content-Length` is not valid, or `If-Match` is malformed",
    "401": "Missing or invalid bearer token",
    "413": "The request body is larger than this route allows (refused before it is read)",
    "415": "The request body is not `application/json`",
    "422": "Invalid input: `errors` names each field",
    "428": "`If-Match` is required: send the ETag of the version being changed",
    "500": "Internal server error (the problem carries the correlation id)",
    "503": "The database cannot be reached now (a restart, a fail-over): retry after `Retry-After` seconds",
}
METHOD_NOT_ALLOWED = {
    "description": "The path exists, but not with this method; `Allow` lists the methods it has. "
    "Every path of this API answers so to a method it does not list.",
    "headers": {"Allow": {"description": "The methods of the path", "schema": {"type": "string"}}},
    "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
}


CONVENTIONS = (
    "Every `/api/` operation needs `Authorization: Bearer <JWT>` (401 without a valid one). Every error is "
    "`application/problem+json` (the `Problem` schema) with a stable `code`; its `title`, `detail` and "
    "messages are in Bahasa Indonesia, or in English when `Accept-Language` prefers English (e.g. "
    "`Accept-Language: en`), and `Content-Language` says which. A method a path does not list is "
    "answered with 405 and `Allow` (the `MethodNotAllowed` response)."
)


def describe_platform(document: dict[str, Any], routes: Iterable[BaseRoute]) -> dict[str, Any]:
    """Adds to a generated OpenAPI document what the platform answers for every route (in place)."""
    info = document.setdefault("info", {})
    info["description"] = f"{info['description']}\n\n{CONVENTIONS}" if info.get("description") else CONVENTIONS
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(PROBLEM_SCHEMAS)
    components.setdefault("securitySchemes", {})[BEARER] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A JWT from the city's identity provider; `sub` is the caller's NIP.",
    }
    components.setdefault("responses", {})["MethodNotAllowed"] = METHOD_NOT_ALLOWED
    for route in api_routes(routes):
        for method in route.methods or ():
            operation = document.get("paths", {}).get(route.path_format, {}).get(method.lower())
            if operation is not None:
                _describe_operation(operation, route, method)
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422 body, which this API never sends
        schemas.pop(name, None)
    return document


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[Any]:
    """The documented API routes (with the prefixes and dependencies of the routers they are in)."""
    for context in iter_route_contexts(list(routes)):
        if isinstance(context.original_route, APIRoute) and context.include_in_schema:
            yield context


def depends_on(dependant: Dependant, call: Callable[..., Any]) -> bool:
    return any(sub.call is call or depends_on(sub, call) for sub in dependant.dependencies)


def takes_json(route: Any) -> bool:
    body = route.body_field
    return body is not None and getattr(body.field_info, "media_type", "application/json") == "application/json"


def _describe_operation(operation: dict[str, Any], route: Any, method: str) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    guarded = method not in BODYLESS_METHODS  # the BodyGuard's: a token before any byte of the body
    codes = ["500", "503"] if route.path.startswith("/api/") else ["500"]
    if guarded or depends_on(route.dependant, authenticate):
        operation["security"] = [{BEARER: []}]
        codes.append("401")
    if guarded:
        codes += ["400", "413"]
    if takes_json(route):
        codes += ["400", "415"]
    if operation.get("parameters") or operation.get("requestBody"):
        codes.append("422")
    required_if_match = depends_on(route.dependant, expected_version)
    if required_if_match:
        codes += ["400", "428"]
    elif depends_on(route.dependant, optional_version):
        codes.append("400")
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "header" and parameter["name"].lower() == "if-match":
            parameter["schema"] = _not_null(parameter["schema"])  # a header is there or not, never null
            if required_if_match:
                parameter["required"] = True  # its absence is answered with 428, not taken as "any version"
    for code in codes:
        declared = responses.setdefault(code, {})
        if declared.get("description", "Validation Error") == "Validation Error":  # none, or FastAPI's
            declared["description"] = COMMON[code]
        if code == "422" or "content" not in declared:
            declared["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
        if code == "401":
            declared["headers"] = {
                "WWW-Authenticate": {"required": True, "description": "`Bearer`", "schema": {"type": "string"}}
            }
    for code, declared in responses.items():  # every other error a route declares is a problem too
        if code[0] in "45" and "content" not in declared:
            declared["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
    operation["responses"] = dict(sorted(responses.items()))


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``str | None`` as documented by FastAPI (``anyOf`` with null), without the null."""
    options = [option for option in schema.get("anyOf", []) if option.get("type") != "null"]
    if len(options) != 1:
        return schema
    extra = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**options[0], **extra}
