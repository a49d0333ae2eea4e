from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from appraisal.config import Settings
from appraisal.main import create_app
from kinerja_testing import eventually, serve
from shared.clock import Clock

RunImport = Callable[[httpx.AsyncClient, str, dict[str, str]], Awaitable[dict[str, Any]]]


@pytest.fixture
async def client(service_settings: Callable[..., Settings]) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(service_settings(Settings))) as http:
        yield http


@pytest.fixture
async def clocked(service_settings: Callable[..., Settings]) -> AsyncIterator[tuple[httpx.AsyncClient, Clock]]:
    """A client of the service and the service's clock, to act at another moment (``clock.fixed = ...``)."""
    app = create_app(service_settings(Settings))
    async with serve(app) as http:
        yield http, app.state.deps.planning.clock


@pytest.fixture
def run_import() -> RunImport:
    """Start a CSV import and wait until it has ended; the job, with ``rejections`` (row -> errors)."""

    async def run(client: httpx.AsyncClient, csv_text: str, headers: dict[str, str]) -> dict[str, Any]:
        started = await client.post(
            "/api/v1/employee-imports", content=csv_text.encode(), headers=headers | {"content-type": "text/csv"}
        )
        assert started.status_code == 202, started.text
        location = started.headers["location"]

        async def finished() -> dict[str, Any] | None:
            job: dict[str, Any] = (await client.get(location, headers=headers)).json()
            return job if job["status"] != "running" else None

        job: dict[str, Any] | None = await eventually(finished, within=120)
        assert job is not None
        rows = (await client.get(job["rows_url"] + "?limit=200&outcome=rejected", headers=headers)).json()
        job["rejections"] = {row["row"]: row["errors"] for row in rows["items"]}
        return job

    return run
