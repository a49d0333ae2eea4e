"""Reading the reporting service's views in tests: as a caller, and once they have settled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from kinerja_testing import Keys, eventually

BKPSDM = "197001012000011001"


class ReportReader:
    def __init__(self, client: httpx.AsyncClient, keys: Keys) -> None:
        self.client, self.keys = client, keys

    async def get(self, path: str, nip: str = BKPSDM, *roles: str, opd: str | None = None) -> httpx.Response:
        """``GET /api/v1/reports<path>`` as ``nip`` with ``roles`` (default: the BKPSDM)."""
        headers = self.keys.headers(nip, *(roles or ("admin_bkpsdm",)), opd_code=opd)
        return await self.client.get(f"/api/v1/reports{path}", headers=headers)

    async def until(self, path: str, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The view (as the BKPSDM) once ``check`` holds and no summary is stale."""

        async def probe() -> dict[str, Any] | None:
            response = await self.get(path)
            if response.status_code == 404:
                return None  # the employee's own event is not applied yet
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            fresh = body.get("freshness", {}).get("stale_summaries", 0) == 0
            return body if fresh and check(body) else None

        view: dict[str, Any] | None = await eventually(probe, within=45)
        assert view is not None
        return view
