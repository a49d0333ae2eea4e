"""Calling the four services' public APIs with the signed-in person's token. A problem the service
answers (RFC 9457 problem+json, in Bahasa Indonesia) becomes ``ApiProblem``, shown on the page as a
readable message with the fields it names; the portal never reads the services' databases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from portal.config import Settings

SERVICES = ("appraisal", "training", "notification", "reporting")
MAX_BODY = 2 * 1024 * 1024
"""The largest answer the portal reads from a service."""


@dataclass
class ApiProblem(Exception):
    status: int
    title: str
    detail: str = ""
    code: str = ""
    fields: list[str] = field(default_factory=list)
    """The field messages the service named (``errors``), readable as they are."""

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"


def problem_of(response: httpx.Response) -> ApiProblem:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    fields = []
    for error in body.get("errors") or []:
        if isinstance(error, dict):
            where = str(error.get("field") or "").removeprefix("body.")
            message = str(error.get("message") or "")
            fields.append(f"{where}: {message}" if where else message)
    return ApiProblem(
        status=response.status_code,
        title=str(body.get("title") or "Permintaan tidak dapat diproses"),
        detail=str(body.get("detail") or ""),
        code=str(body.get("code") or ""),
        fields=fields[:20],
    )


@dataclass
class Apis:
    settings: Settings
    client: httpx.AsyncClient

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        token: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        version: int | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
        max_body: int = MAX_BODY,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "id", "Accept": "application/json"}
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        if content_type:
            headers["Content-Type"] = content_type
        url = f"{self.settings.service_url(service)}/api/v1{path}"
        try:
            response = await self.client.request(
                method,
                url,
                params=params,
                json=json,
                content=content,
                headers=headers,
                timeout=self.settings.api_timeout_s,
            )
        except httpx.HTTPError as exc:
            raise ApiProblem(
                503, "Layanan tidak dapat dihubungi", f"Layanan {service} tidak menjawab; coba lagi sebentar lagi."
            ) from exc
        if len(response.content) > max_body:
            raise ApiProblem(502, "Jawaban layanan terlalu besar", f"Layanan {service} menjawab lebih dari batasnya.")
        if response.status_code >= 400:
            raise problem_of(response)
        return response

    async def get(self, service: str, path: str, token: str, **params: Any) -> Any:
        query = {k: v for k, v in params.items() if v is not None}
        return (await self.call(service, "GET", path, token, params=query)).json()

    async def send(
        self, service: str, method: str, path: str, token: str, body: Any = None, version: int | None = None
    ) -> Any:
        response = await self.call(service, method, path, token, json=body, version=version)
        return response.json() if response.content else None
