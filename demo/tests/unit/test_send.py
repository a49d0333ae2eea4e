"""``send``: the one retry loop of the demo's Loader and of the benchmark's own reads. Transport errors and
the answers ``again`` names are sent again; any other answer is returned as it is; after the last attempt
the error is raised or the answer returned."""

from __future__ import annotations

import httpx
import pytest

from kinerja_demo.load import send, worth_again


def _client(answers: list[Exception | httpx.Response | int]) -> tuple[httpx.AsyncClient, list[str]]:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url}")
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(answer, json={})

    return httpx.AsyncClient(transport=httpx.MockTransport(handle)), seen


async def test_a_transport_error_is_sent_again_and_counted() -> None:
    client, seen = _client([httpx.ReadError("closed"), httpx.RemoteProtocolError("gone"), 200])
    retried: list[int] = []
    response = await send(client, "GET", "http://x/a", {}, delay=0, on_retry=lambda: retried.append(1))
    assert response.status_code == 200
    assert seen == ["GET http://x/a"] * 3
    assert len(retried) == 2


async def test_without_again_an_error_status_is_an_answer_not_a_retry() -> None:
    client, seen = _client([503, 200])
    response = await send(client, "GET", "http://x/a", {}, delay=0)
    assert response.status_code == 503
    assert len(seen) == 1


async def test_the_last_transport_error_is_raised_after_every_attempt() -> None:
    client, seen = _client([httpx.ReadError("closed")] * 3)
    with pytest.raises(httpx.ReadError):
        await send(client, "GET", "http://x/a", {}, attempts=3, delay=0)
    assert len(seen) == 3


async def test_an_answer_worth_again_is_sent_again_and_the_last_one_returned() -> None:
    client, seen = _client([503, 429, 502])
    response = await send(client, "POST", "http://x/a", {}, again=worth_again, attempts=3, delay=0, json={"a": 1})
    assert response.status_code == 502
    assert seen == ["POST http://x/a"] * 3


async def test_the_loader_sends_a_busy_conflict_again_until_it_passes() -> None:
    busy = httpx.Response(409, json={"code": "busy"})
    client, seen = _client([busy, 201])
    response = await send(client, "POST", "http://x/a", {}, again=worth_again, delay=0)
    assert response.status_code == 201
    assert len(seen) == 2


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(429), True),
        (httpx.Response(500), True),
        (httpx.Response(503), True),
        (httpx.Response(504), True),
        (httpx.Response(409, json={"code": "busy"}), True),
        (httpx.Response(409, json={"code": "exists"}), False),
        (httpx.Response(409, text="not json"), False),
        (httpx.Response(409, json=["busy"]), False),
        (httpx.Response(400), False),
        (httpx.Response(404), False),
        (httpx.Response(422), False),
        (httpx.Response(501), False),
        (httpx.Response(200), False),
    ],
)
def test_worth_again(response: httpx.Response, expected: bool) -> None:
    assert worth_again(response) is expected
