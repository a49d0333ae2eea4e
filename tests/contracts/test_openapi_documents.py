"""The four OpenAPI documents tell the truth about the edge every service shares: the bearer scheme
on every operation that needs a token, If-Match required wherever a missing one is a 428, and the
errors the platform answers (problem+json, one Problem schema) on every operation they can come
from. Whether the services really answer so is ``test_schemathesis.py``'s part."""

from __future__ import annotations

import importlib
import json
from typing import Any

import jsonschema
import pytest
from starlette.requests import Request

from shared.auth import authenticate
from shared.http import problem_response
from shared.i18n import Text, verbatim
from shared.openapi import api_routes, depends_on

SERVICES = ("appraisal", "training", "notification", "reporting")
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def app(service: str) -> Any:
    return importlib.import_module(f"{service}.main").create_app()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_the_bearer_scheme_is_declared_on_every_operation_that_needs_a_token(service: str) -> None:
    application = app(service)
    document = application.openapi()
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A JWT from the city's identity provider; `sub` is the caller's NIP.",
    }
    needs_token = {
        (method, route.path_format)
        for route in api_routes(application.routes)
        for method in route.methods
        if depends_on(route.dependant, authenticate) or method in ("POST", "PUT", "PATCH")
    }
    assert needs_token, "every service has an operation that needs a token"
    for method, path, operation in operations(document):
        secured = operation.get("security") == [{"bearerAuth": []}]
        assert secured == ((method, path) in needs_token), f"{method} {path}"
        assert secured == path.startswith("/api/"), f"{method} {path}: the API needs a token, health does not"
        if secured:
            unauthenticated = operation["responses"]["401"]
            assert unauthenticated["content"] == PROBLEM, f"{method} {path}"
            assert unauthenticated["headers"]["WWW-Authenticate"]["required"] is True


@pytest.mark.parametrize("service", SERVICES)
def test_if_match_is_required_exactly_where_its_absence_is_a_428(service: str) -> None:
    required_somewhere = False
    for method, path, operation in operations(app(service).openapi()):
        if_match = [p for p in operation.get("parameters", []) if p["in"] == "header" and p["name"] == "if-match"]
        required = bool(if_match) and if_match[0]["required"] is True
        assert ("428" in operation["responses"]) == required, f"{method} {path}"
        if required:
            schema = if_match[0]["schema"]
            assert (schema["type"], schema["pattern"]) == ("string", '^(W/)?"?[0-9]{1,15}"?$'), f"{method} {path}"
            assert operation["responses"]["428"]["content"] == PROBLEM
            required_somewhere = True
    assert required_somewhere or service != "appraisal"


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_documents_the_errors_the_platform_answers(service: str) -> None:
    document = app(service).openapi()
    schemas = document["components"]["schemas"]
    assert {"Problem", "ProblemItem"} <= set(schemas)
    assert "HTTPValidationError" not in schemas, "FastAPI's 422 body is never sent"
    assert document["components"]["responses"]["MethodNotAllowed"]["headers"]["Allow"]
    for method, path, operation in operations(document):
        responses = operation["responses"]
        expected = {"500"}
        if method in ("POST", "PUT", "PATCH"):
            expected |= {"400", "401", "413"}
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            expected |= {"400", "415"}
        if operation.get("parameters") or operation.get("requestBody"):
            expected.add("422")
        assert expected <= set(responses), f"{method} {path} lacks {sorted(expected - set(responses))}"
        for code, response in responses.items():
            if code[0] in "45" and (path, code) != ("/readyz", "503"):
                assert response["content"] == PROBLEM, f"{method} {path} {code}"


def test_the_problem_schema_fits_the_problems_the_services_send() -> None:
    schemas = app("training").openapi()["components"]["schemas"]
    request = Request({"type": "http", "method": "POST", "path": "/api/v1/x", "headers": [], "query_string": b""})
    X = Text("periode tidak dikenal: 2026", "unknown period: 2026")
    problems = [
        problem_response(request, 401, "unauthenticated", Text("Autentikasi", "Auth"), Text("Kirim token", "Send")),
        problem_response(
            request, 422, "validation_error", verbatim("Invalid"), verbatim("x"), [{"field": "body.nip", "message": X}]
        ),
        problem_response(request, 422, "rule_violation", verbatim("Not allowed"), verbatim("x"), [{"message": X}]),
        problem_response(request, 500, "internal_error", Text("Kesalahan", "Internal server error")),
    ]
    for response in problems:
        body = json.loads(bytes(response.body))
        jsonschema.validate(body, {"$ref": "#/components/schemas/Problem", "components": {"schemas": schemas}})
