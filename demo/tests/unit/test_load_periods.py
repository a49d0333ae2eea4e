"""The Loader's ``recorded`` and ``unfinalised`` periods (what bench/system.py loads), against a fake
appraisal API: recorded periods go to ``POST /appraisals`` only; unfinalised ones are opened, realised and
rated but never finalised, nor followed by a plan or an objection; the other periods take the whole flow."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from kinerja_demo.city import Unit, build_city
from kinerja_demo.load import OPTIONAL_PHASES, Loader, Urls
from shared.token import ensure_local_keypair

UNITS = [Unit.from_api(u) for u in json.loads((Path(__file__).parents[1] / "opd.json").read_text())]
YEAR = 2025


def fake_appraisal(calls: list[tuple[str, str, Any]]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/v1")
        body = json.loads(request.content) if request.content else None
        calls.append((request.method, path, body))
        if path == "/appraisals":
            return httpx.Response(201, json={})
        if path == "/evaluations":
            assert body is not None
            opened = {"id": f"{body['nip']}-{body['period']}", "status": "open", "realisations": []}
            return httpx.Response(201, json=opened)
        if path.endswith("/suggestion"):
            return httpx.Response(200, json={"rhk_ratings": {}, "hasil_kerja": None})
        if path.endswith("/finalise"):
            return httpx.Response(200, json={"status": "finalised", "development_plan": None, "objection": None})
        if path.endswith("/objection"):
            return httpx.Response(200, json={"objection": {"status": "pending"}})
        return httpx.Response(200, json={"status": "open"})

    return httpx.MockTransport(handle)


def test_recorded_periods_are_posted_as_appraisals_and_unfinalised_ones_are_rated_but_left_open(
    tmp_path: Path,
) -> None:
    city = build_city("tiny", 1, UNITS, YEAR)
    private, _ = ensure_local_keypair(tmp_path)
    calls: list[tuple[str, str, Any]] = []
    recorded, unfinalised = [f"{YEAR}-Q1", f"{YEAR}-Q2"], [f"{YEAR}-Q4"]

    async def load() -> None:
        async with httpx.AsyncClient(transport=fake_appraisal(calls), base_url="http://appraisal") as client:
            loader = Loader(
                city, Urls(appraisal="http://appraisal"), private, quiet=True, client=client,
                recorded=recorded, unfinalised=unfinalised,
            )  # fmt: skip
            loader.summary.evaluated_periods = list(city.periods)
            await loader.load_evaluations()
            assert loader.summary.error_count == 0, loader.summary.errors

    asyncio.run(load())
    people = len(city.people)
    posted = Counter(body["period"] for method, path, body in calls if (method, path) == ("POST", "/appraisals"))
    assert posted == {period: people for period in recorded}
    opened = Counter(body["period"] for method, path, body in calls if (method, path) == ("POST", "/evaluations"))
    assert opened == {f"{YEAR}-Q3": people, f"{YEAR}-Q4": people}
    finalised = [path for method, path, _ in calls if path.endswith("/finalise")]
    assert len(finalised) == people
    assert all(path.endswith(f"-{YEAR}-Q3/finalise") for path in finalised)
    rated = Counter(path.split("/")[2].rsplit("-", 1)[-1] for _, path, _ in calls if path.endswith("/ratings"))
    assert rated == {"Q3": people, "Q4": people}
    followed_up = [path for _, path, _ in calls if f"-{YEAR}-Q4/" in path and "objection" in path]
    followed_up += [path for _, path, _ in calls if f"-{YEAR}-Q4/" in path and "development-plan" in path]
    assert followed_up == []


def test_only_the_optional_last_phases_can_be_skipped(tmp_path: Path) -> None:
    city = build_city("tiny", 1, UNITS, YEAR)
    private, _ = ensure_local_keypair(tmp_path)
    loader = Loader(city, Urls(), private, skip=OPTIONAL_PHASES)
    assert loader.skip == {"training", "courses"}
    with pytest.raises(ValueError, match="only training, courses can be skipped, not evaluations"):
        Loader(city, Urls(), private, skip=["evaluations"])
