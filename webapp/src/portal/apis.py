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
    errors = body.get("errors")
    for error in errors[:20] if isinstance(errors, list) else []:
        if isinstance(error, dict):
            where = field_label(str(error.get("field") or ""))
            message = str(error.get("message") or "")[:300]
            fields.append(f"{where}: {message}" if where else message)
    return ApiProblem(
        status=response.status_code,
        title=str(body.get("title") or "Permintaan tidak dapat diproses"),
        detail=str(body.get("detail") or ""),
        code=str(body.get("code") or ""),
        fields=fields[:20],
    )


FIELD_NAMES = {
    "rhk": "RHK",
    "indicators": "indikator",
    "text": "uraian",
    "aspect": "aspek",
    "target": "target",
    "unit": "satuan",
    "kind": "jenis",
    "intervened_rhk_id": "RHK atasan yang diintervensi",
    "approach": "pendekatan",
    "realisations": "realisasi",
    "realisation": "realisasi",
    "value": "nilai",
    "evidence_links": "tautan bukti",
    "note": "catatan",
    "reason": "alasan",
    "feedback": "umpan balik",
    "work_result_rating": "rating hasil kerja",
    "behaviour_rating": "rating perilaku",
    "behaviour": "perilaku",
    "justification": "alasan penilaian",
    "cause": "penyebab",
    "cause_note": "catatan penyebab",
    "actions": "tindakan",
    "decision": "keputusan",
    "explanation": "penjelasan",
    "question": "pertanyaan",
    "year": "tahun",
    "frequency": "frekuensi",
    "skp_due": "batas SKP",
    "evaluation_due": "batas evaluasi",
    "objection_window_days": "jangka keberatan (hari)",
    "finalise_grace_days": "tenggang finalisasi (hari)",
    "nip": "NIP",
    "name": "nama",
    "opd_code": "kode OPD",
}
"""The names a person reads for the fields the services name in their errors (``rhk.0.indicators.1.target``
reads "RHK ke-1, indikator ke-2, target")."""


def field_label(path: str) -> str:
    """A service's field path in words; where the field is (body, query, header) is left out."""
    parts = [p for p in path.split(".") if p][:8]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    words: list[str] = []
    for part in parts:
        if part.isascii() and part.isdecimal() and words:
            words[-1] = f"{words[-1]} ke-{int(part) + 1}"
        else:
            words.append(FIELD_NAMES.get(part, part.replace("_", " ")[:40]))
    return ", ".join(words)


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
        request = self.client.build_request(
            method, url, params=params, json=json, content=content, headers=headers, timeout=self.settings.api_timeout_s
        )
        try:
            response = await self.client.send(request, stream=True)
            try:
                # Read as it arrives and stop past the bound: a huge answer is never held whole.
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_body:
                        raise ApiProblem(
                            502, "Jawaban layanan terlalu besar", f"Layanan {service} menjawab lebih dari batasnya."
                        )
                    chunks.append(chunk)
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            raise ApiProblem(
                503, "Layanan tidak dapat dihubungi", f"Layanan {service} tidak menjawab; coba lagi sebentar lagi."
            ) from exc
        # Already decoded: the new answer must not decode it again.
        kept = [(k, v) for k, v in response.headers.items() if k.lower() not in ("content-encoding", "content-length")]
        response = httpx.Response(response.status_code, headers=kept, content=b"".join(chunks), request=request)
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
