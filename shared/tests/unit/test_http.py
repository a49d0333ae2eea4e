"""problem+json errors, correlation ids and roles, on a small app (no infrastructure needed)."""

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from prometheus_client import CollectorRegistry, generate_latest
from pydantic import BaseModel, Field
from pymongo.errors import ServerSelectionTimeoutError
from starlette.types import Message, Receive, Scope, Send

from kinerja_testing import Keys
from shared.auth import CurrentPrincipal, Principal, Role, TokenVerifier, require_roles
from shared.http import (
    CORRELATION_HEADER,
    PROBLEM_JSON,
    BodyGuard,
    ProblemError,
    install_problem_handlers,
    install_request_middleware,
)
from shared.i18n import Text

NIP = "198609262015051001"


class Body(BaseModel):
    nip: str = Field(pattern=r"^\d{18}$")
    count: int


@pytest.fixture
async def client(keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    registry = CollectorRegistry()
    app.state.registry = registry
    app.state.verifier = TokenVerifier(public_key_file=keys.public, jwks_url=None, audience="kinerja-asn", issuer=None)
    install_problem_handlers(app)
    install_request_middleware(app, registry, "test")

    @app.post("/things")
    async def create(body: Body) -> dict[str, int]:
        return {"count": body.count}

    @app.get("/things")
    async def things() -> list[str]:
        return []

    @app.get("/conflict")
    async def conflict() -> None:
        raise ProblemError(
            409,
            "thing_exists",
            Text("Sudah ada", "Thing exists"),
            Text("Sudah ada barang dengan nama ini.", "A thing with this name exists."),
        )

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("unexpected")

    @app.get("/db-down")
    async def db_down() -> None:
        raise ServerSelectionTimeoutError("127.0.0.1:27017: [Errno 111] Connection refused")

    @app.get("/admin")
    async def admin(principal: Annotated[Principal, Depends(require_roles(Role.ADMIN_BKPSDM))]) -> dict[str, str]:
        return {"nip": principal.nip}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        http.app = app  # type: ignore[attr-defined]
        yield http


async def test_validation_error_is_422_problem_naming_each_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/things", json={"nip": "123", "count": "many"})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert {e["field"] for e in problem["errors"]} == {"body.nip", "body.count"}
    assert "body.nip" in problem["detail"]


async def test_a_body_that_is_not_json_is_a_400_problem(client: httpx.AsyncClient) -> None:
    response = await client.post("/things", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == "invalid_json"


async def test_a_body_nested_too_deeply_is_a_400_problem_that_says_so(client: httpx.AsyncClient) -> None:
    deep = b"[" * 5_000 + b"]" * 5_000
    response = await client.post("/things", content=deep, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["detail"] == "Isi permintaan tidak dapat dibaca: JSON bersarang terlalu dalam atau rusak"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_body_not_sent_as_json_is_a_415_problem(client: httpx.AsyncClient, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post("/things", content=b'{"nip": "198609262015051001", "count": 1}', headers=headers)
    assert response.status_code == 415
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == "unsupported_media_type"
    sent_as_json = await client.post("/things", json={"nip": "198609262015051001", "count": 1})
    assert sent_as_json.status_code == 200
    no_body = await client.post("/things")
    assert (no_body.status_code, no_body.json()["code"]) == (422, "validation_error")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "OPTIONS"])
async def test_a_method_the_path_does_not_have_is_405_allowing_all_it_has(
    client: httpx.AsyncClient, method: str
) -> None:
    response = await client.request(method, "/things")
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["allow"] == "GET, POST"  # both routes of the path, not only the first


async def test_problem_error_keeps_its_code(client: httpx.AsyncClient) -> None:
    response = await client.get("/conflict")
    assert response.status_code == 409
    assert response.json()["code"] == "thing_exists"
    assert response.json()["detail"] == "Sudah ada barang dengan nama ini."
    english = await client.get("/conflict", headers={"Accept-Language": "en"})
    assert english.json()["code"] == "thing_exists"
    assert english.json()["detail"] == "A thing with this name exists."


async def test_unknown_route_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == "not_found"


async def test_unexpected_error_is_a_500_problem_without_internals(client: httpx.AsyncClient) -> None:
    response = await client.get("/boom")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "unexpected" not in response.text


async def test_an_unreachable_database_is_a_503_to_retry_not_a_500(client: httpx.AsyncClient) -> None:
    response = await client.get("/db-down")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["code"] == "unavailable"
    assert "27017" not in response.text


async def test_correlation_id_is_echoed_or_created(client: httpx.AsyncClient) -> None:
    given = await client.get("/conflict", headers={CORRELATION_HEADER: "abc-123"})
    assert given.headers[CORRELATION_HEADER] == "abc-123"
    assert given.json()["correlation_id"] == "abc-123"
    created = await client.get("/conflict")
    assert len(created.headers[CORRELATION_HEADER]) == 36


async def test_missing_token_is_401_with_bearer_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get("/admin")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "unauthenticated"


async def test_wrong_role_is_403_and_right_role_passes(client: httpx.AsyncClient, keys: Keys) -> None:
    forbidden = await client.get("/admin", headers=keys.headers(NIP, "pegawai"))
    assert forbidden.status_code == 403
    assert "admin_bkpsdm" in forbidden.json()["detail"]
    allowed = await client.get("/admin", headers=keys.headers(NIP, "admin_bkpsdm"))
    assert allowed.status_code == 200
    assert allowed.json() == {"nip": NIP}


async def test_requests_are_counted_by_route_and_status(client: httpx.AsyncClient) -> None:
    await client.get("/conflict")
    exposition = generate_latest(client.app.state.registry).decode()  # type: ignore[attr-defined]
    assert 'http_requests_total{method="GET",route="/conflict",service="test",status="409"} 1.0' in exposition


async def test_a_500_keeps_the_correlation_id_of_its_request(client: httpx.AsyncClient) -> None:
    response = await client.get("/boom", headers={CORRELATION_HEADER: "trace-500"})
    assert response.status_code == 500
    assert response.json()["correlation_id"] == "trace-500"
    assert response.headers[CORRELATION_HEADER] == "trace-500"


@pytest.mark.parametrize("given", ["x" * 129, "a b", "<script>", "ümlaut", "id\twith\ttabs"])
async def test_a_correlation_id_that_is_too_long_or_odd_is_replaced(client: httpx.AsyncClient, given: str) -> None:
    response = await client.get("/conflict", headers={CORRELATION_HEADER.encode(): given.encode()})
    assert response.headers[CORRELATION_HEADER] != given
    assert len(response.headers[CORRELATION_HEADER]) == 36


async def test_metric_labels_stay_bounded_for_invented_methods_and_paths(client: httpx.AsyncClient) -> None:
    for n in range(3):
        await client.request("X" * 2000 + str(n), "/conflict")
        await client.get(f"/random/{n}/{'y' * 500}")
    exposition = generate_latest(client.app.state.registry).decode()  # type: ignore[attr-defined]
    assert "XXXX" not in exposition
    assert "yyyy" not in exposition
    assert 'method="OTHER"' in exposition
    assert 'method="GET",route="unmatched",service="test",status="404"} 3.0' in exposition


async def test_responses_carry_the_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/conflict")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.fixture
async def guarded(keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    """An app behind the BodyGuard: 1 KiB by default, 8 KiB on /big."""
    app = FastAPI()
    app.state.verifier = TokenVerifier(public_key_file=keys.public, jwks_url=None, audience="kinerja-asn", issuer=None)
    install_problem_handlers(app)
    read: list[int] = []

    @app.post("/things")
    async def create(body: Body) -> dict[str, int]:
        read.append(1)
        return {"count": body.count}

    @app.post("/big")
    async def big(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    app.add_middleware(BodyGuard, limits={"/big": 8192}, default_limit=1024)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        http.read = read  # type: ignore[attr-defined]
        yield http


async def test_a_body_over_the_limit_is_413_before_it_is_read(guarded: httpx.AsyncClient, keys: Keys) -> None:
    body = b'{"nip": "198609262015051001", "count": 1, "pad": "' + b"x" * 2000 + b'"}'
    response = await guarded.post("/things", content=body, headers=keys.headers(NIP, "pegawai"))
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert guarded.read == []  # type: ignore[attr-defined]


async def test_a_body_without_a_token_is_401_before_it_is_read(guarded: httpx.AsyncClient) -> None:
    response = await guarded.post("/things", json={"nip": NIP, "count": 1})
    assert response.status_code == 401
    assert guarded.read == []  # type: ignore[attr-defined]
    forged = await guarded.post("/things", json={"nip": NIP, "count": 1}, headers={"Authorization": "Bearer x.y.z"})
    assert forged.status_code == 401


async def test_a_streamed_body_is_cut_off_at_the_limit(guarded: httpx.AsyncClient, keys: Keys) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * 1000

    response = await guarded.post("/big", content=chunks(), headers=keys.headers(NIP, "pegawai"))
    assert response.status_code == 413
    within = await guarded.post("/big", content=b"x" * 8000, headers=keys.headers(NIP, "pegawai"))
    assert within.json() == {"bytes": 8000}


async def test_a_route_with_its_own_limit_takes_more(guarded: httpx.AsyncClient, keys: Keys) -> None:
    response = await guarded.post("/big", content=b"x" * 4000, headers=keys.headers(NIP, "pegawai"))
    assert response.status_code == 200


async def test_a_body_request_verifies_its_token_once(keys: Keys) -> None:
    """The BodyGuard verifies the token before the body; the route's authentication reuses that."""
    calls: list[str] = []

    class CountingVerifier(TokenVerifier):
        async def verify(self, token: str) -> Principal:
            calls.append(token)
            return await super().verify(token)

    app = FastAPI()
    app.state.verifier = CountingVerifier(
        public_key_file=keys.public, jwks_url=None, audience="kinerja-asn", issuer=None
    )
    install_problem_handlers(app)

    @app.post("/mine")
    async def mine(principal: CurrentPrincipal, body: Body) -> dict[str, str]:
        return {"nip": principal.nip}

    app.add_middleware(BodyGuard, limits={}, default_limit=1024)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.post("/mine", json={"nip": NIP, "count": 1}, headers=keys.headers(NIP, "pegawai"))
    assert response.json() == {"nip": NIP}
    assert len(calls) == 1


async def test_the_verified_caller_never_carries_over_to_another_request(keys: Keys) -> None:
    """Two callers, one after the other, on a server that shares its lifespan state between requests."""
    app = FastAPI()
    app.state.verifier = TokenVerifier(public_key_file=keys.public, jwks_url=None, audience="kinerja-asn", issuer=None)
    install_problem_handlers(app)

    @app.post("/mine")
    async def mine(principal: CurrentPrincipal) -> dict[str, str]:
        return {"nip": principal.nip}

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, str]:
        return {"nip": principal.nip}

    app.add_middleware(BodyGuard, limits={}, default_limit=1024)
    shared_state: dict[str, object] = {}

    async def server(scope: Scope, receive: Receive, send: Send) -> None:
        await app({**scope, "state": shared_state}, receive, send)

    other = "197501012000031001"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=server), base_url="http://t") as http:
        assert (await http.post("/mine", json={}, headers=keys.headers(NIP, "pegawai"))).json() == {"nip": NIP}
        assert (await http.get("/me", headers=keys.headers(other, "pegawai"))).json() == {"nip": other}
        assert (await http.get("/me")).status_code == 401


@pytest.mark.parametrize("length", ["\u00b2", "\u00b9\u00b2", "1\u00b3", "-1", "1e3", " 12", "1234567890123"])
async def test_a_content_length_that_is_not_ascii_digits_is_a_400(length: str) -> None:
    """Latin-1 holds superscript digits, which ``str.isdigit`` takes for digits and ``int`` refuses."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("the guard lets nothing through")

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/things",
        "raw_path": b"/things",
        "query_string": b"",
        "headers": [(b"content-length", length.encode("latin-1"))],
        "app": FastAPI(),
    }
    await BodyGuard(app, limits={}, default_limit=1024)(scope, receive, send)
    assert sent[0]["status"] == 400


def test_the_route_label_is_the_whole_template_with_the_routers_prefixes() -> None:
    from fastapi import APIRouter, FastAPI, Request
    from fastapi.testclient import TestClient

    from shared.http import route_template

    inner = APIRouter()

    @inner.get("/skp/{skp_id}/events/{n}")
    async def nested(skp_id: str, n: int, request: Request) -> dict[str, str]:
        return {"route": route_template(request)}

    outer = APIRouter(prefix="/api/v1")
    outer.include_router(inner)
    app = FastAPI()
    app.include_router(outer)
    client = TestClient(app)
    assert client.get("/api/v1/skp/198609262015051001-2026/events/3").json() == {
        "route": "/api/v1/skp/{skp_id}/events/{n}"
    }
