from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from kinerja_testing import Keys, serve
from training.config import Settings
from training.main import create_app

pytestmark = pytest.mark.infra

NIP = "198609262015051001"


@pytest.fixture
async def client(service_settings: Callable[..., Settings]) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(service_settings(Settings))) as http:
        yield http


async def test_pns_jp_obligation_is_served_with_its_citation(client: httpx.AsyncClient, keys: Keys) -> None:
    response = await client.get("/api/v1/rules/jp-obligation/PNS", headers=keys.headers(NIP, "pegawai"))
    assert response.status_code == 200
    body = response.json()
    assert (body["minimum_jp_per_year"], body["minutes_per_jp"]) == (20, 45)
    assert "PP No. 11 Tahun 2017" in body["citation"]


async def test_unknown_employee_type_is_422_and_pppk_has_no_minimum(client: httpx.AsyncClient, keys: Keys) -> None:
    headers = keys.headers(NIP, "pegawai")
    assert (await client.get("/api/v1/rules/jp-obligation/HONORER", headers=headers)).status_code == 422
    pppk = await client.get("/api/v1/rules/jp-obligation/PPPK", headers=headers)
    assert pppk.status_code == 404
    assert pppk.json()["code"] == "no_jp_obligation"


async def test_metrics_endpoint_exposes_prometheus_text(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert 'http_requests_total{method="GET",route="/healthz",service="training",status="200"}' in response.text
