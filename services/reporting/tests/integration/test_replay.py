"""The replay rebuilds every read model from the start of the topics into a fresh generation and swaps it
in; the rebuilt state equals the one the live consumers built event by event."""

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI

from kinerja_testing import Infra, Keys, eventually, publish_events, serve, skip_history
from kinerja_testing import events as ev
from reporting.config import Settings
from reporting.domain.facts import Model
from reporting.main import DEFINITION, create_app
from reporting.repository.store import Store
from reporting.services.context import Reporting
from reporting.services.replay import PHASES, Progress, replay
from shared.events import Predikat

pytestmark = pytest.mark.infra

BKPSDM = "197001012000011001"
T0 = dt.datetime(2026, 4, 20, 8, 0, tzinfo=dt.UTC)
VOLATILE = {"applied_at", "computed_at", "token", "at"}
"""When something was written, not what: differs between two builds of the same events."""


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


@pytest.fixture
async def app(service_settings: Callable[..., Settings], infra: Infra) -> tuple[FastAPI, Settings]:
    settings = service_settings(Settings)
    await skip_history(infra, settings.consumer_group, DEFINITION.consumes)
    return create_app(settings), settings


async def snapshot(store: Store, opd: str, nips: set[str]) -> dict[str, list[dict[str, Any]]]:
    """The test's own documents of every read model and summary (the topics hold other tests' events)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for model in Model:
        docs = await store.find(model, {})
        mine = [d for d in docs if d.get("nip") in nips or d.get("opd_code") == opd or d["_id"] in nips]
        found[model] = sorted(({k: v for k, v in d.items() if k not in VOLATILE} for d in mine), key=lambda d: d["_id"])
    summaries = await store.find("summaries", {"opd_code": opd})
    found["summaries"] = sorted(
        ({k: v for k, v in d.items() if k not in VOLATILE} for d in summaries), key=lambda d: d["_id"]
    )
    return found


async def test_replay_rebuilds_the_same_state_and_swaps_it_in(
    app: tuple[FastAPI, Settings], infra: Infra, keys: Keys, unique: str, new_nip: Callable[[], str]
) -> None:
    application, settings = app
    opd = f"R{unique.upper()}"
    a, b, appraiser = new_nip(), new_nip(), new_nip()
    events = [
        ev.year_configured(2026),
        ev.org_year(opd, 2026, "baik", version=2),
        ev.org_year(opd, 2026, "istimewa", version=1),
        ev.person(appraiser, opd, position_type="PENGAWAS"),
        ev.person(a, opd, pejabat_penilai_nip=appraiser),
        ev.person(b, opd, pejabat_penilai_nip=appraiser, version=2, unit_code="PKM-2"),
        ev.person(b, opd, pejabat_penilai_nip=appraiser, version=1),
        ev.skp("approved", "s-" + a, a, opd_code=opd, at=at(2)),
        ev.skp("submitted", "s-" + a, a, opd_code=opd, at=at(1)),
        ev.skp("returned", "s-" + b, b, opd_code=opd, at=at(1)),
        ev.completed("q1-" + a, a, "2026-Q1", Predikat.BAIK, opd_code=opd, revision=2),
        ev.completed("q1-" + a, a, "2026-Q1", Predikat.BUTUH_PERBAIKAN, opd_code=opd, revision=1),
        ev.flagged("q1-" + a, a, "2026-Q1", opd_code=opd, revision=1, weak=("Cakupan imunisasi",)),
        ev.withdrawn("q1-" + a, a, "2026-Q1", opd_code=opd, revision=2),
        ev.completed("q1-" + b, b, "2026-Q1", Predikat.KURANG_MISCONDUCT, opd_code=opd),
        ev.completed("q1-" + b, b, "2026-Q1", Predikat.KURANG_MISCONDUCT, opd_code=opd),  # delivered twice
        ev.flagged("q1-" + b, b, "2026-Q1", Predikat.KURANG_MISCONDUCT, opd_code=opd, unit_code="PKM-2"),
        ev.plan("q1-" + b, b, "2026-Q1", "active", opd_code=opd, at=at(3)),
        ev.plan("q1-" + b, b, "2026-Q1", "awaiting_input", opd_code=opd, at=at(2)),
        ev.objection("filed", "q1-" + b, b, "2026-Q1", opd_code=opd),
        ev.recommended("r-" + b, b, source_appraisal_id="q1-" + b),
        ev.training_completed("e-" + b, b, 12, recommendation_id="r-" + b),
        ev.message("read", "n-" + b, b),
        ev.message("delivered", "n-" + b, b),
        ev.message("delivered", "m-" + a, a),
    ]
    nips = {a, b, appraiser}
    headers = keys.headers(BKPSDM, "admin_bkpsdm")
    async with serve(application) as http:
        await publish_events(infra, events)
        ctx: Reporting = application.state.deps.reporting

        async def settled() -> dict[str, Any] | None:
            body: dict[str, Any] = (await http.get(f"/api/v1/reports/opd/{opd}?year=2026", headers=headers)).json()
            ready = (
                body["freshness"]["stale_summaries"] == 0
                and body["periods"]
                and body["periods"][0]["total"] == 2
                and body["cases"]["objections_pending"] == 1
                and body["inbox"]
                and body["inbox"]["read"] == 1
                and body["skp"]["returned"] == 1
            )
            return body if ready else None

        before_view: dict[str, Any] | None = await eventually(settled, within=45)
        assert before_view is not None
        old = await ctx.generations.active()
        before = await snapshot(old, opd, nips)
        assert before[Model.APPRAISALS]
        assert before[Model.MESSAGES]
        assert before["summaries"]

        seen: list[Progress] = []
        result = await replay(
            ctx, settings.kafka_bootstrap_servers, settings.kafka_auth, lambda p: seen.append(dataclasses.replace(p))
        )

        assert result.previous == old.generation
        assert result.generation == old.generation + 1
        assert (await ctx.generations.state()) == (result.generation, None)
        assert result.applied >= len(events)
        assert seen[-1].phase == "summaries"
        assert seen[-1].done == seen[-1].total  # every record up to the end offsets was read
        assert next(p.phase for p in seen if p.phase != "summaries") == f"1/{len(PHASES)}"

        rebuilt = await ctx.generations.store(result.generation)
        after = await snapshot(rebuilt, opd, nips)
        for name in before:
            assert after[name] == before[name], name

        after_view = (await http.get(f"/api/v1/reports/opd/{opd}?year=2026", headers=headers)).json()
        assert after_view["freshness"]["generation"] == result.generation
        for name in ("periods", "people", "skp", "jp", "inbox", "cases", "adoption", "organisation_predikat"):
            assert after_view[name] == before_view[name], name

        # the live consumers keep writing to the new generation after the swap
        c = new_nip()
        await publish_events(infra, [ev.person(c, opd)])

        async def counted() -> bool:
            view = (await http.get(f"/api/v1/reports/opd/{opd}?year=2026", headers=headers)).json()
            return bool(view["people"]["employees"] == 4)

        assert await eventually(counted, within=30)
