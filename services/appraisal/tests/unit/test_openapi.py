"""The OpenAPI document describes every endpoint, with examples of every request body."""

from typing import Any

from appraisal.config import Settings
from appraisal.main import create_app


def openapi() -> dict[str, Any]:
    return create_app(Settings(auth_public_key_file=None)).openapi()


def test_every_operation_has_a_summary_and_documents_its_errors() -> None:
    spec = openapi()
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1"):
            continue
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            codes = set(operation["responses"])
            assert "422" in codes or method == "get" or not operation.get("requestBody"), f"{method} {path}"
            assert "401" in codes or "403" in codes or "404" in codes or method == "get", f"{method} {path}"


def test_every_json_request_body_has_an_example() -> None:
    spec = openapi()
    schemas = spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            ref = body["schema"].get("$ref", "")
            schema = schemas[ref.split("/")[-1]] if ref else body["schema"]
            assert schema.get("examples") or body.get("examples"), f"{method} {path} has no example"
