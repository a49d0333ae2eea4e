"""The HTTP edge of a real service: body limits before parsing, headers, the docs pages."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest

from appraisal.config import Settings
from appraisal.main import create_app
from kinerja_testing import Keys, serve

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"


async def test_a_huge_body_without_a_token_is_refused_before_it_is_read(client: httpx.AsyncClient) -> None:
    """The attack of the security test: tens of megabytes of JSON and no token."""
    huge = b'{"nip": "' + b"1" * (20 * 1024 * 1024) + b'"}'
    response = await client.post("/api/v1/employees", content=huge, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


async def test_a_small_body_without_a_token_is_401_and_a_large_one_with_a_token_413(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    unauthenticated = await client.post("/api/v1/employees", json={"nip": "1"})
    assert unauthenticated.status_code == 401
    large = await client.post(
        "/api/v1/employees",
        content=b'{"name": "' + b"x" * 300_000 + b'"}',
        headers=keys.headers(BKPSDM, "admin_bkpsdm") | {"content-type": "application/json"},
    )
    assert large.status_code == 413


async def test_the_csv_import_takes_its_own_larger_limit(client: httpx.AsyncClient, keys: Keys) -> None:
    header = b"nip,name,employee_type,position_type,opd_code\n"
    csv = header + b"198609262015051001,Siti,PNS,JF,DINKES\n" * 20_000  # ~800 KB: over the default 256 KiB
    response = await client.post(
        "/api/v1/employee-imports",
        content=csv,
        headers=keys.headers(BKPSDM, "admin_bkpsdm") | {"content-type": "text/csv"},
    )
    assert response.status_code == 202, response.text


async def test_personal_data_is_not_cached_and_the_headers_say_little(client: httpx.AsyncClient, keys: Keys) -> None:
    response = await client.get("/api/v1/employees", headers=keys.headers(BKPSDM, "admin_bkpsdm"))
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_docs_pages_run_only_pinned_scripts(client: httpx.AsyncClient) -> None:
    """Every script of the docs pages is the service's own or a jsDelivr file pinned by version and
    SHA-384 (Subresource Integrity); the policy allows no inline script."""
    for page in ("/docs", "/redoc"):
        response = await client.get(page)
        assert response.status_code == 200
        policy = response.headers["content-security-policy"]
        script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src
        assert "'unsafe-eval'" not in script_src
        scripts = re.findall(r"<script[^>]*>", response.text)
        assert scripts, page
        for tag in scripts:
            src = re.search(r'src="([^"]+)"', tag)
            assert src is not None, f"inline script on {page}: {tag}"
            if src.group(1).startswith("https://"):
                assert re.search(r"@\d+\.\d+\.\d+/", src.group(1)), f"not pinned to a version: {tag}"
                assert re.search(r'integrity="sha384-[A-Za-z0-9+/=]{64}"', tag), f"no integrity pin: {tag}"
                assert 'crossorigin="anonymous"' in tag
            else:
                assert (await client.get(src.group(1))).headers["content-type"].startswith("text/javascript")
    css = re.findall(r"<link[^>]*stylesheet[^>]*>", (await client.get("/docs")).text)
    assert all("integrity=" in tag for tag in css)


async def test_the_docs_pages_can_be_turned_off(service_settings: Callable[..., Settings]) -> None:
    async with serve(create_app(service_settings(Settings, docs_enabled=False))) as http:
        assert (await http.get("/docs")).status_code == 404
        assert (await http.get("/redoc")).status_code == 404
        assert (await http.get("/docs/init.js")).status_code == 404
        assert (await http.get("/openapi.json")).status_code == 200


@pytest.mark.parametrize(
    ("query", "status"), [("offset=9223372036854775808", 422), ("offset=10000001", 422), ("offset=10000000", 200)]
)
async def test_an_offset_beyond_its_bound_is_a_422_not_a_500(
    client: httpx.AsyncClient, keys: Keys, query: str, status: int
) -> None:
    for path in ("/api/v1/employees", "/api/v1/skp", "/api/v1/evaluations", "/api/v1/development-plans"):
        response = await client.get(f"{path}?{query}", headers=keys.headers(BKPSDM, "admin_bkpsdm"))
        assert response.status_code == status, (path, response.text)


@pytest.mark.parametrize(("if_match", "status"), [("9" * 5000, 422), ('"²"', 400), ('W/"1" junk', 400), ('"1"', 200)])
async def test_a_malformed_if_match_is_a_4xx(
    client: httpx.AsyncClient, keys: Keys, new_nip: Callable[[], str], if_match: str, status: int
) -> None:
    admin = keys.headers(BKPSDM, "admin_bkpsdm")
    nip = new_nip()
    body = {"nip": nip, "name": "Pegawai", "employee_type": "PNS", "position_type": "JF", "opd_code": "DINKES"}
    assert (await client.post("/api/v1/employees", json=body, headers=admin)).status_code == 201
    raw = [(name.encode(), value.encode()) for name, value in (admin | {"If-Match": if_match}).items()]
    patched = await client.patch(f"/api/v1/employees/{nip}", json={"name": "Nama Baru"}, headers=raw)
    assert patched.status_code == status, patched.text
