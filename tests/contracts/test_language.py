"""The language of problem details, service by service: a real error of each of the four services
comes back in Bahasa Indonesia by default and in English with ``Accept-Language: en``, with the same
``code`` and status (the contract) and ``Content-Language`` saying which it is."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from kinerja_testing import Infra, Keys, serve

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
ADMIN_OPD = "198609262015051001"
UNKNOWN = "198601012015011999"
CASES = {
    # service: (method, path, role, OPD, status, code, Indonesian, English)
    "appraisal": (
        "GET",
        f"/api/v1/employees/{UNKNOWN}",
        "admin_bkpsdm",
        "BKPSDM",
        404,
        "not_found",
        ("Tidak ditemukan", f"Pegawai dengan NIP {UNKNOWN} tidak ditemukan"),
        ("Not found", f"No employee {UNKNOWN}"),
    ),
    "training": (
        "GET",
        "/api/v1/rules/jp-obligation/PPPK",
        "pegawai",
        "DINKES",
        404,
        "no_jp_obligation",
        ("Tidak ada kewajiban JP", "Tidak ada batas minimum JP per tahun untuk PPPK."),
        ("No JP obligation", "No yearly JP minimum is set for PPPK."),
    ),
    "notification": (
        "GET",
        "/api/v1/inbox?limit=1000",
        "pegawai",
        "DINKES",
        422,
        "validation_error",
        ("Permintaan tidak valid", "Isian yang tidak valid: query.limit"),
        ("The request is not valid", "Invalid fields: query.limit"),
    ),
    "reporting": (
        "GET",
        "/api/v1/reports/appraisals/summary?opd_code=DISDIK",
        "admin_opd",
        "DINKES",
        403,
        "forbidden",
        ("Akses ditolak", "Data ini tidak dapat Anda lihat"),
        ("Forbidden", "You may not see this"),
    ),
}


@pytest.fixture(params=sorted(CASES))
async def service(
    request: pytest.FixtureRequest, infra: Infra, keys: Keys
) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    name: str = request.param
    main = importlib.import_module(f"{name}.main")
    run = uuid.uuid4().hex[:10]
    settings = importlib.import_module(f"{name}.config").Settings.model_validate(
        {
            "mongodb_url": infra.mongodb_url,
            "kafka_bootstrap_servers": infra.kafka_bootstrap_servers,
            "mongodb_database": f"test_language_{name}_{run}",
            "consumer_group": f"test-language-{name}-{run}",
            "auth_public_key_file": keys.public,
            "log_json": False,
        }
    )
    async with serve(main.create_app(settings)) as client:
        yield name, client


async def test_a_problem_is_in_bahasa_indonesia_by_default_and_in_english_on_request(
    service: tuple[str, httpx.AsyncClient], keys: Keys
) -> None:
    name, client = service
    method, path, role, opd, status, code, indonesian, english = CASES[name]
    headers = keys.headers(ADMIN_OPD if role != "admin_bkpsdm" else BKPSDM, role, opd_code=opd)
    default = await client.request(method, path, headers=headers)
    asked = await client.request(method, path, headers=headers | {"Accept-Language": "en-US,en;q=0.9,id;q=0.5"})
    for response, language, (title, detail) in ((default, "id", indonesian), (asked, "en", english)):
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["Content-Language"] == language
        assert "Accept-Language" in response.headers["Vary"]
        problem = response.json()
        assert (problem["code"], problem["status"], problem["type"]) == (
            code,
            status,
            f"urn:kinerja-asn:problem:{code}",
        )
        assert (problem["title"], problem["detail"]) == (title, detail)
    if name == "notification":  # the field error itself, too
        assert default.json()["errors"] == [
            {"field": "query.limit", "message": "Harus lebih kecil dari atau sama dengan 100"}
        ]
        assert asked.json()["errors"] == [
            {"field": "query.limit", "message": "Input should be less than or equal to 100"}
        ]


async def test_an_unauthenticated_call_is_refused_in_either_language(infra: Infra, keys: Keys) -> None:
    main = importlib.import_module("reporting.main")
    run = uuid.uuid4().hex[:10]
    settings = importlib.import_module("reporting.config").Settings.model_validate(
        {
            "mongodb_url": infra.mongodb_url,
            "kafka_bootstrap_servers": infra.kafka_bootstrap_servers,
            "mongodb_database": f"test_language_auth_{run}",
            "consumer_group": f"test-language-auth-{run}",
            "auth_public_key_file": keys.public,
            "log_json": False,
        }
    )
    async with serve(main.create_app(settings)) as client:
        path = "/api/v1/reports/appraisals/summary"
        default = (await client.get(path)).json()
        english = (await client.get(path, headers={"Accept-Language": "en"})).json()
    assert default["code"] == english["code"] == "unauthenticated"
    assert (default["title"], english["title"]) == ("Autentikasi diperlukan", "Authentication required")
