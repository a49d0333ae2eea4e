# ruff: noqa: E501  (the matrix table is one line per operation, however long its path)
"""The authorisation matrix: every operation of the four services' OpenAPI documents, called by every
role in the right and in the wrong relation to one employee, against the expected outcome written
down per cell in ``MATRIX`` below. An operation in the documents without a row fails here, and so
does a row (or a request) for an operation that is gone (``test_every_documented_operation_has_a_row``).

The callers (columns) each hold a token with one role, around the subject S, a JF of DINKES:

    self   pegawai: S                        peer   pegawai: a colleague of S in DINKES
    pp     pejabat_penilai: S's              pp~    pejabat_penilai of the colleague (not S's)
    atas   atasan_pejabat_penilai: S's, who is also the head of DINKES (a JPT registered in it)
    atas~  atasan_pejabat_penilai of the colleague (not S's)
    opd    admin_opd of DINKES (who started the world's import)
    opd~   admin_opd of DISDIK
    bkp    admin_bkpsdm                      pimp   pimpinan
    ppk    ppk: the Wali Kota (subject "PPK", no NIP), pejabat penilai of the Sekda, two levels above S

Every caller but the PPK is a registered, active employee (so each may draft their own SKP; the PPK,
not an ASN, has no SKP). Outcomes:
``allow``: authorisation lets the call through (anything but 401/403/404: a 409/412/422 from the
record's state still means yes); ``deny``: 403, or 404 (the record is hidden), and a write leaves no
trace (``Row.trace`` read before and after the denied calls). For a list or an inbox, ``allow`` means
S's record is in the page and ``deny`` that it is not (or the list is refused). Without a token
every operation is 401 (an eleventh cell, checked on every row).

The expectations come from the rules (``appraisal.domain.access``, the README's table of who does
what, the route summaries), not from what the code does. Each operation's request is valid apart from
authorisation (real records of S, a valid body, If-Match where needed), so a refusal is not a
validation error; the denied calls run before the allowed ones.
"""

from __future__ import annotations

import datetime as dt
import importlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import pytest

from kinerja_testing import Infra, Keys, appraisal_completed, eventually, publish_raw, serve, skip_history
from shared.clock import LOCAL_TIME
from shared.config import ServiceSettings
from shared.events import (
    EmployeeRegistered,
    EmployeeSnapshot,
    LowScoreFlagged,
    LowScoreFlaggedPayload,
    SkpSubmitted,
    SkpSubmittedPayload,
)

S = TypeVar("S", bound=ServiceSettings)

CELLS = ("self", "peer", "pp", "pp~", "atas", "atas~", "opd", "opd~", "bkp", "pimp", "ppk")
ANONYMOUS = "no token"
PLATFORM = {"/healthz", "/readyz", "/metrics", "/asyncapi.json"}
PREFIX = "/api/v1"

# Where the cells are not a plain reading of ``appraisal.domain.access`` (READ: self, pp, atas, the
# OPD's admin, the BKPSDM; the pimpinan reads no individual record):
# - registering and changing a record is the OPD's admin's or the BKPSDM's (README, registry);
# - any admin_opd may start an import (each row then passes the rules of POST and PATCH); its progress
#   and rows are read by who started it, while in an importing role, or the BKPSDM (README, Security);
# - a year's configuration is read by everyone, set by the BKPSDM, who alone extends the deadline of
#   one SKP or evaluation (README, deadlines);
# - drafting an SKP is always one's own (there is no other form of the call), so every caller may;
# - the employee revises and submits (also a revision of their approved SKP), their pejabat penilai
#   approves or returns and writes the leader's expectations (README, SKP; PermenPANRB 6/2022 Pasal 5);
# - an evaluation is opened by the employee or the pejabat penilai (route summary); the employee
#   records realisation, the pejabat penilai gives feedback, rates, finalises and records the
#   development plan; the employee objects, the atasan pejabat penilai asks for explanations and
#   decides; a request to the employee is answered by the employee (README, evaluation; Pasal 59(3));
#   the suggestion is read by whoever reads the evaluation (it is computed from it);
# - a recorded appraisal is read by "the usual readers" (README, history), as any other record;
# - the organisation predikat is set by the next-higher leader (the pejabat penilai of the OPD's head:
#   here the Sekda, not a cell) or the BKPSDM, never by the head judged; the year is closed by the
#   BKPSDM; the distribution is read by those, the head, the OPD's admin and the pimpinan (README,
#   organisation);
# - the OPD master data is read by every caller and maintained by the BKPSDM (README, master data);
# - the PPK (the Wali Kota, no NIP) is the Sekda's pejabat penilai, two levels above S's head: it stands in
#   no relation to S, so it reads only what every caller reads, and it drafts no SKP (not an ASN; its own
#   rows, appraising the Sekda and deciding objections, are in services/appraisal/tests/integration/test_ppk.py);
# - training (services/training/README.md): the catalogue is read by everyone and managed by the BKPSDM;
#   recommendations, enrolments and the ledger are read by the employee, their pejabat penilai, their OPD's admin
#   and the BKPSDM (not the atasan, not the pimpinan); accepting or declining is the employee's or the pejabat
#   penilai's; attendance and completion the organiser's (OPD admin, BKPSDM); learning done elsewhere is reported
#   by the employee and decided by the pejabat penilai; standings: team, OPD, all; effectiveness (figures, no
#   individual record): any OPD admin for their own OPD, the BKPSDM for all;
# - an inbox, its unread count, its read marks, the tasks, the preferences and the live stream are only ever the
#   caller's own (each caller may call them: ``allow`` means their own; a message of S is marked read by S alone;
#   the task about S's submitted SKP is in the list of S's pejabat penilai alone); webhooks are the BKPSDM's
#   (services/notification/README.md);
# - an inbox is only ever the caller's own; the predikat summary is for the pimpinan, the BKPSDM and
#   the admin and the head of the OPD asked about (route documentation; the head is known from the registry);
# - the reporting views (reporting.domain.access): an employee's by the employee, their pejabat penilai, the
#   admin and the head of their OPD, the BKPSDM; a team's by its pejabat penilai, the admin and head of its OPD,
#   the BKPSDM; an OPD's by its admin and head, the pimpinan, the BKPSDM; the city's and the freshness by the
#   BKPSDM, the pimpinan and the PPK. Every export (table or chart) of a view has exactly the view's cells.
# fmt: off
MATRIX = """
operation                                                    self  peer  pp    pp~   atas  atas~ opd   opd~  bkp   pimp  ppk
[appraisal]
POST /employees                                              deny  deny  deny  deny  deny  deny  allow deny  allow deny  deny
GET /employees                                               allow deny  allow deny  allow deny  allow deny  allow deny  deny
GET /employees/{nip}                                         allow deny  allow deny  allow deny  allow deny  allow deny  deny
PATCH /employees/{nip}                                       deny  deny  deny  deny  deny  deny  allow deny  allow deny  deny
GET /employees/{nip}/link-changes                            allow deny  allow deny  allow deny  allow deny  allow deny  deny
GET /employees/{nip}/cascade                                 allow deny  allow deny  allow deny  allow deny  allow deny  deny
POST /employee-imports                                       deny  deny  deny  deny  deny  deny  allow allow allow deny  deny
GET /employee-imports/{import_id}                            deny  deny  deny  deny  deny  deny  allow deny  allow deny  deny
GET /employee-imports/{import_id}/rows                       deny  deny  deny  deny  deny  deny  allow deny  allow deny  deny
PUT /performance-years/{year}                                deny  deny  deny  deny  deny  deny  deny  deny  allow deny  deny
GET /performance-years/{year}                                allow allow allow allow allow allow allow allow allow allow allow
POST /skp                                                    allow allow allow allow allow allow allow allow allow allow deny
GET /skp                                                     allow deny  allow deny  allow deny  allow deny  allow deny  deny
GET /skp/{skp_id}                                            allow deny  allow deny  allow deny  allow deny  allow deny  deny
PUT /skp/{skp_id}                                            allow deny  deny  deny  deny  deny  deny  deny  deny  deny  deny
POST /skp/{skp_id}/submit                                    allow deny  deny  deny  deny  deny  deny  deny  deny  deny  deny
PUT /skp/{skp_id}/expectations                               deny  deny  allow deny  deny  deny  deny  deny  deny  deny  deny
POST /skp/{skp_id}/return                                    deny  deny  allow deny  deny  deny  deny  deny  deny  deny  deny
POST /skp/{skp_id}/approve                                   deny  deny  allow deny  deny  deny  deny  deny  deny  deny  deny
POST /skp/{skp_id}/revisions                                 allow deny  deny  deny  deny  deny  deny  deny  deny  deny  deny
POST /skp/{skp_id}/deadline-extension                        deny  deny  deny  deny  deny  deny  deny  deny  allow deny  deny
POST /evaluations                                            allow deny  allow deny  deny  deny  deny  deny  deny  deny  deny
GET /evaluations                                             allow deny  allow deny  allow deny  allow deny  allow deny  deny
GET /evaluations/{evaluation_id}                             allow deny  allow deny  allow deny  allow deny  allow deny  deny
PUT /evaluations/{evaluation_id}/realisations/{indicator_id} allow deny  deny  deny  deny  deny  deny  deny  deny  deny  deny
POST /evaluations/{evaluation_id}/feedback                   deny  deny  allow deny  deny  deny  deny  deny  deny  deny  deny
PATCH /evaluations/{evaluation_id}/ratings                   deny  deny  allow deny  deny  deny  deny  deny  deny  deny  deny
GET /evaluations/{evaluation_id}/suggestion                  allow deny  allow deny  allow deny  allow deny  allow deny  deny
POST /evaluations/{evaluation_id}/finalise                   deny  deny  allow deny  deny  deny  deny  deny  deny  deny  deny
PUT /evaluations/{evaluation_id}/development-plan            deny  deny  allow deny  deny  deny  deny  deny  deny  deny  deny
POST /evaluations/{evaluation_id}/deadline-extension         deny  deny  deny  deny  deny  deny  deny  deny  allow deny  deny
POST /evaluations/{evaluation_id}/objection                  allow deny  deny  deny  deny  deny  deny  deny  deny  deny  deny
POST /evaluations/{evaluation_id}/objection/decision         deny  deny  deny  deny  allow deny  deny  deny  deny  deny  deny
POST /evaluations/{evaluation_id}/objection/explanations     deny  deny  deny  deny  allow deny  deny  deny  deny  deny  deny
PUT /evaluations/{evaluation_id}/objection/explanations/{index} allow deny  deny  deny  deny  deny  deny  deny  deny  deny  deny
GET /development-plans                                       allow deny  allow deny  allow deny  allow deny  allow deny  deny
POST /appraisals                                             deny  deny  deny  deny  deny  deny  deny  deny  allow deny  deny
GET /appraisals/{appraisal_id}                               allow deny  allow deny  allow deny  allow deny  allow deny  deny
GET /opd                                                     allow allow allow allow allow allow allow allow allow allow allow
GET /opd/{opd_code}                                          allow allow allow allow allow allow allow allow allow allow allow
PUT /opd/{opd_code}                                          deny  deny  deny  deny  deny  deny  deny  deny  allow deny  deny
PUT /opd/{opd_code}/years/{year}/predikat                    deny  deny  deny  deny  deny  deny  deny  deny  allow deny  deny
GET /opd/{opd_code}/years/{year}/distribution                deny  deny  deny  deny  allow deny  allow deny  allow allow deny
POST /opd/{opd_code}/years/{year}/close                      deny  deny  deny  deny  deny  deny  deny  deny  allow deny  deny
[training]
GET /rules/jp-obligation/{employee_type}                     allow allow allow allow allow allow allow allow allow allow allow
GET /programmes                                              allow allow allow allow allow allow allow allow allow allow allow
GET /programmes/{code}                                       allow allow allow allow allow allow allow allow allow allow allow
PUT /programmes/{code}                                       deny  deny  deny  deny  deny  deny  deny  deny  allow deny  deny
GET /recommendations                                         allow deny  allow deny  deny  deny  allow deny  allow deny  deny
GET /recommendations/{recommendation_id}                     allow deny  allow deny  deny  deny  allow deny  allow deny  deny
POST /recommendations/{recommendation_id}/accept             allow deny  allow deny  deny  deny  deny  deny  deny  deny  deny
POST /recommendations/{recommendation_id}/decline            allow deny  allow deny  deny  deny  deny  deny  deny  deny  deny
POST /enrolments                                             allow deny  allow deny  deny  deny  allow deny  allow deny  deny
GET /enrolments                                              allow deny  allow deny  deny  deny  allow deny  allow deny  deny
GET /enrolments/{enrolment_id}                               allow deny  allow deny  deny  deny  allow deny  allow deny  deny
POST /enrolments/{enrolment_id}/cancel                       allow deny  allow deny  deny  deny  allow deny  allow deny  deny
POST /enrolments/{enrolment_id}/attendance                   deny  deny  deny  deny  deny  deny  allow deny  allow deny  deny
POST /enrolments/{enrolment_id}/completion                   deny  deny  deny  deny  deny  deny  allow deny  allow deny  deny
GET /ledger/{nip}                                            allow deny  allow deny  deny  deny  allow deny  allow deny  deny
POST /external-learning                                      allow deny  deny  deny  deny  deny  deny  deny  deny  deny  deny
POST /external-learning/{entry_id}/decision                  deny  deny  allow deny  deny  deny  deny  deny  deny  deny  deny
GET /jp-standings                                            deny  deny  allow deny  deny  deny  allow deny  allow deny  deny
GET /effectiveness                                           deny  deny  deny  deny  deny  deny  allow allow allow deny  deny
[notification]
GET /inbox                                                   allow deny  deny  deny  deny  deny  deny  deny  deny  deny  deny
GET /inbox/unread-count                                      allow allow allow allow allow allow allow allow allow allow allow
POST /inbox/read-all                                         allow allow allow allow allow allow allow allow allow allow allow
POST /inbox/{notification_id}/read                           allow deny  deny  deny  deny  deny  deny  deny  deny  deny  deny
GET /tasks                                                   deny  deny  allow deny  deny  deny  deny  deny  deny  deny  deny
GET /preferences                                             allow allow allow allow allow allow allow allow allow allow allow
PUT /preferences                                             allow allow allow allow allow allow allow allow allow allow allow
POST /stream-tickets                                         allow allow allow allow allow allow allow allow allow allow allow
GET /stream                                                  allow allow allow allow allow allow allow allow allow allow allow
POST /webhooks                                               deny  deny  deny  deny  deny  deny  deny  deny  allow deny  deny
GET /webhooks                                                deny  deny  deny  deny  deny  deny  deny  deny  allow deny  deny
GET /webhooks/{subscription_id}                              deny  deny  deny  deny  deny  deny  deny  deny  allow deny  deny
PATCH /webhooks/{subscription_id}                            deny  deny  deny  deny  deny  deny  deny  deny  allow deny  deny
DELETE /webhooks/{subscription_id}                           deny  deny  deny  deny  deny  deny  deny  deny  allow deny  deny
POST /webhooks/{subscription_id}/rotate-secret               deny  deny  deny  deny  deny  deny  deny  deny  allow deny  deny
GET /webhooks/{subscription_id}/deliveries                   deny  deny  deny  deny  deny  deny  deny  deny  allow deny  deny
[reporting]
GET /reports/appraisals/summary                              deny  deny  deny  deny  allow deny  allow deny  allow allow allow
GET /reports/employees/{nip}                                 allow deny  allow deny  allow deny  allow deny  allow deny  deny
GET /reports/employees/{nip}/tables/{table}.{format}         allow deny  allow deny  allow deny  allow deny  allow deny  deny
GET /reports/teams/{nip}                                     deny  deny  allow deny  allow deny  allow deny  allow deny  deny
GET /reports/teams/{nip}/tables/{table}.{format}             deny  deny  allow deny  allow deny  allow deny  allow deny  deny
GET /reports/opd/{opd_code}                                  deny  deny  deny  deny  allow deny  allow deny  allow allow allow
GET /reports/opd/{opd_code}/tables/{table}.{format}          deny  deny  deny  deny  allow deny  allow deny  allow allow allow
GET /reports/opd/{opd_code}/charts/distribusi.svg            deny  deny  deny  deny  allow deny  allow deny  allow allow allow
GET /reports/city                                            deny  deny  deny  deny  deny  deny  deny  deny  allow allow allow
GET /reports/city/tables/{table}.{format}                    deny  deny  deny  deny  deny  deny  deny  deny  allow allow allow
GET /reports/city/charts/tren.svg                            deny  deny  deny  deny  deny  deny  deny  deny  allow allow allow
GET /reports/city/charts/adopsi.svg                          deny  deny  deny  deny  deny  deny  deny  deny  allow allow allow
GET /reports/freshness                                       deny  deny  deny  deny  deny  deny  deny  deny  allow allow allow
"""
# fmt: on


def parse_matrix(text: str) -> dict[tuple[str, str], dict[str, str]]:
    """(service, "METHOD /path without /api/v1") -> cell -> "allow" | "deny"."""
    lines = [line.split() for line in text.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert tuple(header[1:]) == CELLS, header
    table: dict[tuple[str, str], dict[str, str]] = {}
    service = ""
    for row in rows:
        if row[0].startswith("["):
            service = row[0].strip("[]")
            continue
        method, path, *outcomes = row
        assert len(outcomes) == len(CELLS), row
        assert set(outcomes) <= {"allow", "deny"}, row
        key = (service, f"{method} {path}")
        assert key not in table, f"two rows for {key}"
        table[key] = dict(zip(CELLS, outcomes, strict=True))
    return table


EXPECTED = parse_matrix(MATRIX)


# ---------------------------------------------------------------- the cast and the world


def make_nip() -> str:
    """A valid PNS NIP (birth date, TMT CPNS, gender, sequence), different on each call."""
    n = uuid.uuid4().int
    return f"1986{n % 12 + 1:02d}{n // 12 % 28 + 1:02d}201505{n // 336 % 2 + 1}{n // 672 % 999 + 1:03d}"


@dataclass(frozen=True)
class Cast:
    sekda: str = field(default_factory=make_nip)
    head: str = field(default_factory=make_nip)  # kepala DINKES: S's atasan pejabat penilai
    appraiser: str = field(default_factory=make_nip)  # S's pejabat penilai
    subject: str = field(default_factory=make_nip)
    other_superior: str = field(default_factory=make_nip)
    other_appraiser: str = field(default_factory=make_nip)
    peer: str = field(default_factory=make_nip)
    opd_admin: str = field(default_factory=make_nip)
    other_opd_admin: str = field(default_factory=make_nip)
    disdik_staff: str = field(default_factory=make_nip)
    bkpsdm: str = field(default_factory=make_nip)
    pimpinan: str = field(default_factory=make_nip)

    def caller(self, cell: str) -> tuple[str, str, str]:
        """The cell's (NIP, role, OPD)."""
        return {
            "self": (self.subject, "pegawai", "DINKES"),
            "peer": (self.peer, "pegawai", "DINKES"),
            "pp": (self.appraiser, "pejabat_penilai", "DINKES"),
            "pp~": (self.other_appraiser, "pejabat_penilai", "DINKES"),
            "atas": (self.head, "atasan_pejabat_penilai", "DINKES"),
            "atas~": (self.other_superior, "atasan_pejabat_penilai", "DINKES"),
            "opd": (self.opd_admin, "admin_opd", "DINKES"),
            "opd~": (self.other_opd_admin, "admin_opd", "DISDIK"),
            "bkp": (self.bkpsdm, "admin_bkpsdm", "BKPSDM"),
            "pimp": (self.pimpinan, "pimpinan", "SETDA"),
            "ppk": ("PPK", "ppk", "SETDA"),
        }[cell]

    def registry(self) -> list[tuple[str, str, str, str | None, str | None]]:
        """(NIP, OPD, position, pejabat penilai, atasan pejabat penilai), heads before their staff:
        PPK -> SEKDA -> head -> appraiser -> S, and head -> other_superior -> other_appraiser -> peer."""
        return [
            (self.sekda, "SETDA", "JPT", "PPK", None),
            (self.head, "DINKES", "JPT", self.sekda, None),
            (self.appraiser, "DINKES", "ADMINISTRATOR", self.head, None),
            (self.subject, "DINKES", "JF", self.appraiser, self.head),
            (self.other_superior, "DINKES", "ADMINISTRATOR", self.head, None),
            (self.other_appraiser, "DINKES", "PENGAWAS", self.other_superior, self.head),
            (self.peer, "DINKES", "JF", self.other_appraiser, self.other_superior),
            (self.opd_admin, "DINKES", "PELAKSANA", None, None),
            (self.other_opd_admin, "DISDIK", "PELAKSANA", None, None),
            (self.disdik_staff, "DISDIK", "JF", None, None),
            (self.bkpsdm, "BKPSDM", "PELAKSANA", None, None),
            (self.pimpinan, "SETDA", "JPT", None, None),
        ]


Y1, Y2, Y3 = 2022, 2023, 2024
"""Y1: S's approved SKP and evaluations; Y2: S's SKP in its workflow; Y3: everyone drafts their own."""
RECORDED, TO_RECORD = "2021", "2020"
VALUES = ["berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"]


@dataclass
class World:
    client: httpx.AsyncClient
    keys: Keys
    cast: Cast
    ids: dict[str, str] = field(default_factory=dict)

    def headers(self, nip: str, role: str, opd: str) -> dict[str, str]:
        return self.keys.headers(nip, role, opd_code=opd)

    def cell(self, cell: str) -> dict[str, str]:
        return self.headers(*self.cast.caller(cell))

    @property
    def bkpsdm(self) -> dict[str, str]:
        return self.cell("bkp")

    def person(self, nip: str, role: str = "pegawai") -> dict[str, str]:
        return self.headers(nip, role, "DINKES")

    async def ok(self, method: str, path: str, headers: dict[str, str], body: Any = None, **extra: str) -> Any:
        response = await self.client.request(method, PREFIX + path, json=body, headers=headers | extra)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    async def read(self, path: str) -> httpx.Response:
        """``path`` as the BKPSDM sees it."""
        return await self.client.get(PREFIX + path, headers=self.bkpsdm)

    async def version(self, path: str) -> int:
        response = await self.read(path)
        assert response.status_code == 200, response.text
        return int(response.json()["version"])


def skp_body(year: int, rhk_id: str, intervened: str | None) -> dict[str, Any]:
    return {
        "year": year,
        "rhk": [
            {
                "rhk_id": rhk_id,
                "kind": "utama",
                "text": "Meningkatnya cakupan imunisasi dasar lengkap",
                "intervened_rhk_id": intervened,
                "indicators": [
                    {
                        "indicator_id": f"{rhk_id}-i1",
                        "aspect": "kuantitas",
                        "text": "Cakupan imunisasi dasar lengkap",
                        "target": "95",
                        "unit": "%",
                    }
                ],
            }
        ],
    }


def ratings(hasil_kerja: str) -> dict[str, Any]:
    return {
        "rhk_ratings": [{"rhk_id": "r1", "rating": hasil_kerja}],
        "behaviour_ratings": [{"value": v, "rating": "sesuai_ekspektasi"} for v in VALUES],
        "hasil_kerja": hasil_kerja,
        "perilaku_kerja": "sesuai_ekspektasi",
    }


def employee(nip: str, opd: str, position: str, appraiser: str | None, superior: str | None) -> dict[str, Any]:
    return {
        "nip": nip,
        "name": f"Pegawai {nip[-3:]}",
        "employee_type": "PNS",
        "position_type": position,
        "opd_code": opd,
        "pejabat_penilai_nip": appraiser,
        "atasan_pejabat_penilai_nip": superior,
    }


async def approved_skp(world: World, owner: str, appraiser: str, year: int, rhk_id: str, above: str | None) -> None:
    skp = await world.ok("POST", "/skp", world.person(owner), skp_body(year, rhk_id, above))
    path, mine = f"/skp/{skp['id']}", world.person(owner)
    skp = await world.ok("POST", f"{path}/submit", mine, **{"If-Match": f'"{skp["version"]}"'})
    approver = world.person(appraiser, "pejabat_penilai")
    await world.ok("POST", f"{path}/approve", approver, **{"If-Match": f'"{skp["version"]}"'})


async def build_appraisal_world(world: World) -> None:
    """Through the public API: three years, the registry, the SKP cascade, S's evaluations (one open,
    one finalised low, one rated and ready), a recorded appraisal and an import by the OPD's admin."""
    c, bkpsdm = world.cast, world.bkpsdm
    for year in (Y1, Y2, Y3):
        config = {"frequency": "quarterly", "skp_due": f"{year}-01-31", "objection_window_days": 14}
        await world.ok("PUT", f"/performance-years/{year}", bkpsdm, config)
    for nip, opd, position, appraiser, superior in c.registry():
        await world.ok("POST", "/employees", bkpsdm, employee(nip, opd, position, appraiser, superior))
    for year in (Y1, Y2):
        await approved_skp(world, c.head, c.sekda, year, "kadis-r1", None)
        await approved_skp(world, c.appraiser, c.head, year, "kabid-r1", "kadis-r1")
    await approved_skp(world, c.subject, c.appraiser, Y1, "r1", "kabid-r1")
    draft = await world.ok("POST", "/skp", world.person(c.subject), skp_body(Y2, "r1", "kabid-r1"))
    world.ids["draft_skp"] = draft["id"]
    world.ids["skp"] = f"{c.subject}-{Y1}"

    me, rater = world.person(c.subject), world.person(c.appraiser, "pejabat_penilai")
    opened = {}
    for quarter in ("Q1", "Q2", "Q3", "Q4"):
        opened[quarter] = await world.ok("POST", "/evaluations", me, {"nip": c.subject, "period": f"{Y1}-{quarter}"})
    world.ids |= {"open": opened["Q1"]["id"], "low": opened["Q2"]["id"], "ready": opened["Q3"]["id"]}
    # Q4: finalised and objected to, the objection left pending (the explanation rows; "low" is decided).
    world.ids["objected"] = opened["Q4"]["id"]
    await world.ok("PATCH", f"/evaluations/{world.ids['objected']}/ratings", rater, ratings("sesuai_ekspektasi"))
    await world.ok("POST", f"/evaluations/{world.ids['objected']}/finalise", rater)
    await world.ok("POST", f"/evaluations/{world.ids['objected']}/objection", me, {"reason": "Data belum lengkap"})
    await world.ok("PUT", f"/evaluations/{world.ids['open']}/realisations/r1-i1", me, {"realisation": "90"})
    await world.ok("PATCH", f"/evaluations/{world.ids['low']}/ratings", rater, ratings("di_bawah_ekspektasi"))
    low = await world.ok("POST", f"/evaluations/{world.ids['low']}/finalise", rater)
    assert low["development_plan"]["status"] == "awaiting_input"
    await world.ok("PATCH", f"/evaluations/{world.ids['ready']}/ratings", rater, ratings("sesuai_ekspektasi"))

    history = {
        "nip": c.subject,
        "opd_code": "DINKES",
        "period": RECORDED,
        "hasil_kerja": "sesuai_ekspektasi",
        "perilaku_kerja": "sesuai_ekspektasi",
        "pejabat_penilai_nip": c.appraiser,
    }
    world.ids["recorded"] = (await world.ok("POST", "/appraisals", bkpsdm, history))["id"]

    started = await world.client.post(
        f"{PREFIX}/employee-imports",
        content=import_csv(),
        headers=world.cell("opd") | {"content-type": "text/csv"},
    )
    assert started.status_code == 202, started.text
    world.ids["import"] = started.json()["id"]

    async def finished() -> bool:
        job = (await world.read(f"/employee-imports/{world.ids['import']}")).json()
        return bool(job["status"] != "running")

    await eventually(finished, within=60)

    # A control for the lists: DISDIK's admin sees DISDIK's staff (a list without S is filtered, not broken).
    listed = await world.ok("GET", "/employees?limit=200", world.cell("opd~"))
    assert {e["nip"] for e in listed["items"]} == {c.other_opd_admin, c.disdik_staff}


def import_csv() -> bytes:
    return f"nip,name,employee_type,position_type,opd_code\n{make_nip()},Pegawai Baru,PNS,JF,DINKES\n".encode()


# ---------------------------------------------------------------- one request per operation


@dataclass(frozen=True)
class Call:
    path: str
    body: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


Build = Callable[[World], Awaitable[Call]]


@dataclass(frozen=True)
class Row:
    """How to call one operation (built again before each cell: a fresh ETag, the state it needs)."""

    build: Build
    listed: Callable[[World, Any], bool] | None = None
    """For a list: whether the page holds S's record."""
    trace: Callable[[World], Awaitable[object]] | None = None
    """For a write: what a denied call must leave unchanged."""


def plain(path: str | Callable[[World], str], body: Any = None) -> Build:
    """The same request for every cell (``path`` and ``body`` may be made from the world)."""

    async def build(world: World) -> Call:
        return Call(path(world) if callable(path) else path, body(world) if callable(body) else body)

    return build


def lists(key: str, value: Callable[[World], str]) -> Callable[[World, Any], bool]:
    def listed(world: World, page: Any) -> bool:
        return any(item[key] == value(world) for item in page["items"])

    return listed


def subject(world: World) -> str:
    return world.cast.subject


def version_of(path: Callable[[World], str]) -> Callable[[World], Awaitable[object]]:
    async def trace(world: World) -> object:
        return await world.version(path(world))

    return trace


def status_of(path: Callable[[World], str]) -> Callable[[World], Awaitable[object]]:
    async def trace(world: World) -> object:
        return (await world.read(path(world))).status_code

    return trace


async def employee_count(world: World) -> object:
    return (await world.read("/employees?limit=1")).json()["total"]


def employee_path(world: World) -> str:
    return f"/employees/{world.cast.subject}"


def draft_path(world: World) -> str:
    return f"/skp/{world.ids['draft_skp']}"


def evaluation_path(name: str) -> Callable[[World], str]:
    return lambda world: f"/evaluations/{world.ids[name]}"


def org_path(world: World) -> str:
    return f"/opd/DINKES/years/{Y1}"


async def new_employee(world: World) -> Call:
    return Call("/employees", employee(make_nip(), "DINKES", "JF", None, None))


async def patch_employee(world: World) -> Call:
    version = await world.version(employee_path(world))
    return Call(employee_path(world), {"position_title": f"Pranata {version}"}, headers={"If-Match": f'"{version}"'})


async def start_import(world: World) -> Call:
    return Call("/employee-imports", content=import_csv(), headers={"content-type": "text/csv"})


async def put_year(world: World) -> Call:
    response = await world.read(f"/performance-years/{Y1}")
    config = {k: response.json()[k] for k in ("frequency", "skp_due", "objection_window_days")}
    return Call(f"/performance-years/{Y1}", config, headers={"If-Match": response.headers["etag"]})


async def put_opd(world: World) -> Call:
    response = await world.read("/opd/DINKES")
    unit = {k: response.json()[k] for k in ("name", "kind", "sector", "active")}
    return Call("/opd/DINKES", unit, headers={"If-Match": response.headers["etag"]})


async def own_skp(world: World) -> Call:
    return Call("/skp", skp_body(Y3, "own-r1", None))


async def skp_step(world: World, path: str = "", body: Any = None, *, submitted: bool = False) -> Call:
    """A step of S's Y2 SKP, with its ETag; ``submitted``: first bring it to the pejabat penilai."""
    skp = (await world.read(draft_path(world))).json()
    if submitted and skp["status"] in ("draft", "returned"):
        mine = world.person(world.cast.subject)
        skp = await world.ok("POST", f"{draft_path(world)}/submit", mine, **{"If-Match": f'"{skp["version"]}"'})
    return Call(draft_path(world) + path, body, headers={"If-Match": f'"{skp["version"]}"'})


async def edit_skp(world: World) -> Call:
    content = skp_body(Y2, "r1", "kabid-r1")
    del content["year"]
    return await skp_step(world, "", content)


async def submit_skp(world: World) -> Call:
    return await skp_step(world, "/submit")


async def set_expectations(world: World) -> Call:
    expectations = {"leader_expectations": "Laporan bulanan tepat waktu"}
    skp = (await world.read(draft_path(world))).json()
    return Call(f"{draft_path(world)}/expectations", expectations, headers={"If-Match": f'"{skp["version"]}"'})


async def return_skp(world: World) -> Call:
    return await skp_step(world, "/return", {"reason": "Target cakupan terlalu rendah"}, submitted=True)


async def approve_skp(world: World) -> Call:
    return await skp_step(world, "/approve", submitted=True)


def approved_skp_path(world: World) -> str:
    return f"/skp/{world.ids['skp']}"


async def revise_skp(world: World) -> Call:
    """A revision of S's approved Y1 SKP, with its ETag."""
    content = skp_body(Y1, "r1", "kabid-r1")
    del content["year"]
    version = await world.version(approved_skp_path(world))
    return Call(f"{approved_skp_path(world)}/revisions", content, headers={"If-Match": f'"{version}"'})


async def decide(world: World) -> Call:
    """The decision of a pending objection (filed by S first when none is)."""
    path = f"/evaluations/{world.ids['low']}"
    if (await world.read(path)).json()["objection"] is None:
        await world.ok("POST", f"{path}/objection", world.person(world.cast.subject), {"reason": "Stok vaksin telat"})
    return Call(f"{path}/objection/decision", {"decision": "rejected", "note": "Tidak terbukti"})


async def answer_explanation(world: World) -> Call:
    """An answer to the atasan's open request to S (asked first when none is open)."""
    path = f"/evaluations/{world.ids['objected']}"
    asked = (await world.read(path)).json()["objection"]["explanations"]
    open_requests = [i for i, e in enumerate(asked) if e["to"] == "employee" and e["answer"] is None]
    if not open_requests:
        superior = world.person(world.cast.head, "atasan_pejabat_penilai")
        request = {"to": "employee", "question": "Mohon jelaskan data realisasi triwulan IV"}
        asked = (await world.ok("POST", f"{path}/objection/explanations", superior, request))["objection"][
            "explanations"
        ]
        open_requests = [len(asked) - 1]
    return Call(f"{path}/objection/explanations/{open_requests[0]}", {"answer": "Laporan puskesmas terlambat masuk"})


async def close_year(world: World) -> Call:
    """Closing DINKES's year (its organisation predikat set first, as closing needs)."""
    report = (await world.read(f"{org_path(world)}/distribution")).json()
    if report["org_predikat"] is None and not report["closed"]:
        await world.ok("PUT", f"{org_path(world)}/predikat", world.bkpsdm, {"predikat": "baik"})
    return Call(f"{org_path(world)}/close")


async def org_state(world: World) -> object:
    report = (await world.read(f"{org_path(world)}/distribution")).json()
    return report["org_predikat"], report["closed"]


EXTENSION = {"until": f"{Y3}-12-31", "reason": "Pegawai cuti sakit panjang"}
TODAY = dt.datetime.now(LOCAL_TIME).date()  # the services' day is Palembang's (WIB)
PROGRAMME = "MW-AUTHZ-01"


def programme_body() -> dict[str, Any]:
    def session(code: str, first: int, last: int) -> dict[str, Any]:
        days = (TODAY + dt.timedelta(days=first)).isoformat(), (TODAY + dt.timedelta(days=last)).isoformat()
        return {"code": code, "starts_on": days[0], "ends_on": days[1], "capacity": 30, "place": "Aula BKPSDM"}

    return {
        "title": "Pelatihan Manajemen Waktu dan Perencanaan Kerja",
        "form": "pelatihan_teknis",
        "jp": 20,
        "jp_stated": 20,
        "competencies": ["manajemen_waktu", "manajemen_kinerja"],
        "keywords": ["imunisasi"],
        "sessions": [session("MW-AUTHZ-A", -3, 0), session("MW-AUTHZ-B", 10, 11), session("MW-AUTHZ-C", 20, 21)],
    }


def enrolment_path(session: str) -> Callable[[World], str]:
    return lambda w: f"/enrolments/{session}:{w.cast.subject}"


def recommendation_path(world: World) -> str:
    return f"/recommendations/{world.ids['recommendation']}"


async def put_programme(world: World) -> Call:
    response = await world.read(f"/programmes/{PROGRAMME}")
    return Call(f"/programmes/{PROGRAMME}", programme_body(), headers={"If-Match": response.headers["etag"]})


async def accept_recommendation(world: World) -> Call:
    return Call(f"{recommendation_path(world)}/accept", {"program_code": PROGRAMME, "session_code": "MW-AUTHZ-C"})


async def enrolment_status(world: World) -> object:
    return (await world.read(f"/enrolments/MW-AUTHZ-C:{world.cast.subject}")).status_code


async def ledger_entries(world: World) -> object:
    body = (await world.read(f"/ledger/{world.cast.subject}?year={TODAY.year}")).json()
    return sorted((e["id"], e["status"]) for e in body["entries"])


TRAINING_ROWS: dict[tuple[str, str], Row] = {
    ("training", "GET /programmes"): Row(plain("/programmes?limit=200")),
    ("training", "GET /programmes/{code}"): Row(plain(f"/programmes/{PROGRAMME}")),
    ("training", "PUT /programmes/{code}"): Row(put_programme, trace=version_of(lambda _: f"/programmes/{PROGRAMME}")),
    ("training", "GET /recommendations"): Row(
        plain("/recommendations?limit=200"), listed=lists("id", lambda w: w.ids["recommendation"])
    ),
    ("training", "GET /recommendations/{recommendation_id}"): Row(plain(recommendation_path)),
    ("training", "POST /recommendations/{recommendation_id}/accept"): Row(
        accept_recommendation, trace=enrolment_status
    ),
    ("training", "POST /recommendations/{recommendation_id}/decline"): Row(
        plain(lambda w: f"{recommendation_path(w)}/decline", {"reason": "Sudah mengikuti pelatihan serupa"}),
        trace=version_of(recommendation_path),
    ),
    ("training", "POST /enrolments"): Row(
        plain("/enrolments", lambda w: {"nip": w.cast.subject, "session_code": "MW-AUTHZ-C"}), trace=enrolment_status
    ),
    ("training", "GET /enrolments"): Row(
        plain("/enrolments?limit=200"), listed=lists("id", lambda w: f"MW-AUTHZ-A:{w.cast.subject}")
    ),
    ("training", "GET /enrolments/{enrolment_id}"): Row(plain(enrolment_path("MW-AUTHZ-A"))),
    ("training", "POST /enrolments/{enrolment_id}/cancel"): Row(
        plain(lambda w: f"{enrolment_path('MW-AUTHZ-B')(w)}/cancel"), trace=version_of(enrolment_path("MW-AUTHZ-B"))
    ),
    ("training", "POST /enrolments/{enrolment_id}/attendance"): Row(
        plain(lambda w: f"{enrolment_path('MW-AUTHZ-A')(w)}/attendance"),
        trace=version_of(enrolment_path("MW-AUTHZ-A")),
    ),
    ("training", "POST /enrolments/{enrolment_id}/completion"): Row(
        plain(lambda w: f"{enrolment_path('MW-AUTHZ-A')(w)}/completion", {"certificate_ref": "BKPSDM/2026/7"}),
        trace=version_of(enrolment_path("MW-AUTHZ-A")),
    ),
    ("training", "GET /ledger/{nip}"): Row(plain(lambda w: f"/ledger/{w.cast.subject}?year={TODAY.year}")),
    ("training", "POST /external-learning"): Row(
        plain(
            "/external-learning",
            lambda w: {
                "nip": w.cast.subject,
                "title": "Webinar Komunikasi Efektif",
                "form": "seminar",
                "on": TODAY.isoformat(),
                "evidence": "SERT/2026/11",
                "days": 1,
            },
        ),
        trace=ledger_entries,
    ),
    ("training", "POST /external-learning/{entry_id}/decision"): Row(
        plain(lambda w: f"/external-learning/{w.ids['external']}/decision", {"approve": True}), trace=ledger_entries
    ),
    ("training", "GET /jp-standings"): Row(
        plain(f"/jp-standings?year={TODAY.year}&limit=200"), listed=lists("nip", subject)
    ),
    ("training", "GET /effectiveness"): Row(plain("/effectiveness")),
}


WEBHOOK = {"url": "https://integrasi.palembang.example/hooks", "event_types": ["skp.approved"]}


def webhook_path(world: World) -> str:
    return f"/webhooks/{world.ids['webhook']}"


async def webhook_count(world: World) -> object:
    return (await world.read("/webhooks?limit=1")).json()["total"]


async def message_read(world: World) -> object:
    page = (await world.client.get(f"{PREFIX}/inbox?limit=100", headers=world.cell("self"))).json()
    return [item["read"] for item in page["items"] if item["id"] == world.ids["message"]]


async def doomed_webhook(world: World) -> Call:
    """A subscription to delete (made again once the BKPSDM deleted it)."""
    if "doomed" not in world.ids or (await world.read(f"/webhooks/{world.ids['doomed']}")).status_code == 404:
        world.ids["doomed"] = (await world.ok("POST", "/webhooks", world.bkpsdm, WEBHOOK))["id"]
    return Call(f"/webhooks/{world.ids['doomed']}")


async def doomed_exists(world: World) -> object:
    return (await world.read(f"/webhooks/{world.ids['doomed']}")).status_code


ROWS: dict[tuple[str, str], Row] = {
    ("appraisal", "POST /employees"): Row(new_employee, trace=employee_count),
    ("appraisal", "GET /employees"): Row(plain("/employees?limit=200"), listed=lists("nip", subject)),
    ("appraisal", "GET /employees/{nip}"): Row(plain(employee_path)),
    ("appraisal", "PATCH /employees/{nip}"): Row(patch_employee, trace=version_of(employee_path)),
    ("appraisal", "GET /employees/{nip}/link-changes"): Row(plain(lambda w: f"{employee_path(w)}/link-changes")),
    ("appraisal", "GET /employees/{nip}/cascade"): Row(plain(lambda w: f"{employee_path(w)}/cascade?year={Y1}")),
    ("appraisal", "POST /employee-imports"): Row(start_import, trace=employee_count),
    ("appraisal", "GET /employee-imports/{import_id}"): Row(plain(lambda w: f"/employee-imports/{w.ids['import']}")),
    ("appraisal", "GET /employee-imports/{import_id}/rows"): Row(
        plain(lambda w: f"/employee-imports/{w.ids['import']}/rows")
    ),
    ("appraisal", "PUT /performance-years/{year}"): Row(
        put_year, trace=version_of(lambda _: f"/performance-years/{Y1}")
    ),
    ("appraisal", "GET /performance-years/{year}"): Row(plain(f"/performance-years/{Y1}")),
    ("appraisal", "GET /opd"): Row(plain("/opd")),
    ("appraisal", "GET /opd/{opd_code}"): Row(plain("/opd/DINKES")),
    ("appraisal", "PUT /opd/{opd_code}"): Row(put_opd, trace=version_of(lambda w: "/opd/DINKES")),
    ("appraisal", "POST /skp"): Row(own_skp),
    ("appraisal", "GET /skp"): Row(plain("/skp?limit=200"), listed=lists("nip", subject)),
    ("appraisal", "GET /skp/{skp_id}"): Row(plain(lambda w: f"/skp/{w.ids['skp']}")),
    ("appraisal", "PUT /skp/{skp_id}"): Row(edit_skp, trace=version_of(draft_path)),
    ("appraisal", "POST /skp/{skp_id}/submit"): Row(submit_skp, trace=version_of(draft_path)),
    ("appraisal", "PUT /skp/{skp_id}/expectations"): Row(set_expectations, trace=version_of(draft_path)),
    ("appraisal", "POST /skp/{skp_id}/return"): Row(return_skp, trace=version_of(draft_path)),
    ("appraisal", "POST /skp/{skp_id}/approve"): Row(approve_skp, trace=version_of(draft_path)),
    ("appraisal", "POST /skp/{skp_id}/deadline-extension"): Row(
        plain(lambda w: f"{draft_path(w)}/deadline-extension", EXTENSION), trace=version_of(draft_path)
    ),
    ("appraisal", "POST /evaluations/{evaluation_id}/deadline-extension"): Row(
        plain(lambda w: f"{evaluation_path('open')(w)}/deadline-extension", EXTENSION),
        trace=version_of(evaluation_path("open")),
    ),
    ("appraisal", "POST /skp/{skp_id}/revisions"): Row(revise_skp, trace=version_of(approved_skp_path)),
    ("appraisal", "POST /evaluations"): Row(
        plain("/evaluations", lambda w: {"nip": w.cast.subject, "period": f"{Y1}-Q4"}),
        trace=status_of(lambda w: f"/evaluations/{w.cast.subject}-{Y1}-Q4"),
    ),
    ("appraisal", "GET /evaluations"): Row(plain("/evaluations?limit=200"), listed=lists("nip", subject)),
    ("appraisal", "GET /evaluations/{evaluation_id}"): Row(plain(evaluation_path("open"))),
    ("appraisal", "PUT /evaluations/{evaluation_id}/realisations/{indicator_id}"): Row(
        plain(lambda w: f"{evaluation_path('open')(w)}/realisations/r1-i1", {"realisation": "95"}),
        trace=version_of(evaluation_path("open")),
    ),
    ("appraisal", "POST /evaluations/{evaluation_id}/feedback"): Row(
        plain(lambda w: f"{evaluation_path('open')(w)}/feedback", {"rhk_id": "r1", "text": "Koordinasikan jadwal"}),
        trace=version_of(evaluation_path("open")),
    ),
    ("appraisal", "PATCH /evaluations/{evaluation_id}/ratings"): Row(
        plain(
            lambda w: f"{evaluation_path('open')(w)}/ratings",
            {"rhk_ratings": [{"rhk_id": "r1", "rating": "sesuai_ekspektasi"}]},
        ),
        trace=version_of(evaluation_path("open")),
    ),
    ("appraisal", "GET /evaluations/{evaluation_id}/suggestion"): Row(
        plain(lambda w: f"{evaluation_path('open')(w)}/suggestion")
    ),
    ("appraisal", "POST /evaluations/{evaluation_id}/finalise"): Row(
        plain(lambda w: f"{evaluation_path('ready')(w)}/finalise"), trace=version_of(evaluation_path("ready"))
    ),
    ("appraisal", "PUT /evaluations/{evaluation_id}/development-plan"): Row(
        plain(
            lambda w: f"{evaluation_path('low')(w)}/development-plan", {"cause": "kompetensi", "actions": ["coaching"]}
        ),
        trace=version_of(evaluation_path("low")),
    ),
    ("appraisal", "POST /evaluations/{evaluation_id}/objection"): Row(
        plain(lambda w: f"{evaluation_path('low')(w)}/objection", {"reason": "Stok vaksin terlambat datang"}),
        trace=version_of(evaluation_path("low")),
    ),
    ("appraisal", "POST /evaluations/{evaluation_id}/objection/decision"): Row(
        decide, trace=version_of(evaluation_path("low"))
    ),
    ("appraisal", "POST /evaluations/{evaluation_id}/objection/explanations"): Row(
        plain(
            lambda w: f"{evaluation_path('objected')(w)}/objection/explanations",
            {"to": "pejabat_penilai", "question": "Apa dasar penilaian triwulan IV?"},
        ),
        trace=version_of(evaluation_path("objected")),
    ),
    ("appraisal", "PUT /evaluations/{evaluation_id}/objection/explanations/{index}"): Row(answer_explanation),
    ("appraisal", "GET /development-plans"): Row(
        plain("/development-plans?limit=200"), listed=lists("id", lambda w: w.ids["low"])
    ),
    ("appraisal", "POST /appraisals"): Row(
        plain(
            "/appraisals",
            lambda w: {
                "nip": w.cast.subject,
                "opd_code": "DINKES",
                "period": TO_RECORD,
                "hasil_kerja": "sesuai_ekspektasi",
                "perilaku_kerja": "sesuai_ekspektasi",
            },
        ),
        trace=status_of(lambda w: f"/appraisals/{w.cast.subject}-{TO_RECORD}"),
    ),
    ("appraisal", "GET /appraisals/{appraisal_id}"): Row(plain(lambda w: f"/appraisals/{w.ids['recorded']}")),
    ("appraisal", "PUT /opd/{opd_code}/years/{year}/predikat"): Row(
        plain(lambda w: f"{org_path(w)}/predikat", {"predikat": "baik"}), trace=org_state
    ),
    ("appraisal", "GET /opd/{opd_code}/years/{year}/distribution"): Row(plain(lambda w: f"{org_path(w)}/distribution")),
    ("appraisal", "POST /opd/{opd_code}/years/{year}/close"): Row(close_year, trace=org_state),
    ("training", "GET /rules/jp-obligation/{employee_type}"): Row(plain("/rules/jp-obligation/PNS")),
    **TRAINING_ROWS,
    ("notification", "GET /inbox"): Row(plain("/inbox?limit=100"), listed=lists("ref", lambda w: w.ids["completed"])),
    ("notification", "GET /inbox/unread-count"): Row(plain("/inbox/unread-count")),
    ("notification", "POST /inbox/read-all"): Row(plain("/inbox/read-all")),
    ("notification", "POST /inbox/{notification_id}/read"): Row(
        plain(lambda w: f"/inbox/{w.ids['message']}/read"), trace=message_read
    ),
    ("notification", "GET /tasks"): Row(plain("/tasks?limit=100"), listed=lists("id", lambda w: w.ids["task"])),
    ("notification", "GET /preferences"): Row(plain("/preferences")),
    ("notification", "PUT /preferences"): Row(plain("/preferences", {"channels": {"training.enrolled": ["push"]}})),
    ("notification", "POST /stream-tickets"): Row(plain("/stream-tickets")),
    ("notification", "GET /stream"): Row(plain("/stream?max_seconds=1")),
    ("notification", "POST /webhooks"): Row(plain("/webhooks", WEBHOOK), trace=webhook_count),
    ("notification", "GET /webhooks"): Row(
        plain("/webhooks?limit=100"), listed=lists("id", lambda w: w.ids["webhook"])
    ),
    ("notification", "GET /webhooks/{subscription_id}"): Row(plain(webhook_path)),
    ("notification", "PATCH /webhooks/{subscription_id}"): Row(
        plain(webhook_path, {"description": "Integrasi SIASN"}), trace=version_of(webhook_path)
    ),
    ("notification", "DELETE /webhooks/{subscription_id}"): Row(doomed_webhook, trace=doomed_exists),
    ("notification", "POST /webhooks/{subscription_id}/rotate-secret"): Row(
        plain(lambda w: f"{webhook_path(w)}/rotate-secret"), trace=version_of(webhook_path)
    ),
    ("notification", "GET /webhooks/{subscription_id}/deliveries"): Row(
        plain(lambda w: f"{webhook_path(w)}/deliveries")
    ),
    ("reporting", "GET /reports/appraisals/summary"): Row(plain("/reports/appraisals/summary?opd_code=DINKES")),
    ("reporting", "GET /reports/employees/{nip}"): Row(plain(lambda w: f"/reports/employees/{w.cast.subject}")),
    ("reporting", "GET /reports/employees/{nip}/tables/{table}.{format}"): Row(
        plain(lambda w: f"/reports/employees/{w.cast.subject}/tables/riwayat.csv")
    ),
    ("reporting", "GET /reports/teams/{nip}"): Row(plain(lambda w: f"/reports/teams/{w.cast.appraiser}")),
    ("reporting", "GET /reports/teams/{nip}/tables/{table}.{format}"): Row(
        plain(lambda w: f"/reports/teams/{w.cast.appraiser}/tables/anggota.xlsx")
    ),
    ("reporting", "GET /reports/opd/{opd_code}"): Row(plain("/reports/opd/DINKES")),
    ("reporting", "GET /reports/opd/{opd_code}/tables/{table}.{format}"): Row(
        plain("/reports/opd/DINKES/tables/distribusi.xlsx")
    ),
    ("reporting", "GET /reports/opd/{opd_code}/charts/distribusi.svg"): Row(
        plain("/reports/opd/DINKES/charts/distribusi.svg")
    ),
    ("reporting", "GET /reports/city"): Row(plain("/reports/city")),
    ("reporting", "GET /reports/city/tables/{table}.{format}"): Row(plain("/reports/city/tables/adopsi.csv")),
    ("reporting", "GET /reports/city/charts/tren.svg"): Row(plain("/reports/city/charts/tren.svg")),
    ("reporting", "GET /reports/city/charts/adopsi.svg"): Row(plain("/reports/city/charts/adopsi.svg")),
    ("reporting", "GET /reports/freshness"): Row(plain("/reports/freshness")),
}


# ---------------------------------------------------------------- the worlds, one per service


def settings_for(settings_class: type[S], infra: Infra, keys: Keys, service: str) -> S:
    run = uuid.uuid4().hex[:10]
    return settings_class.model_validate(
        {
            "mongodb_url": infra.mongodb_url,
            "kafka_bootstrap_servers": infra.kafka_bootstrap_servers,
            "mongodb_database": f"test_authz_{service}_{run}",
            "consumer_group": f"test-authz-{service}-{run}",
            "auth_public_key_file": keys.public,
            "log_json": False,
            "outbox_poll_interval_s": 0.5,
            "shutdown_timeout_s": 10.0,
        }
    )


@pytest.fixture(scope="module")
def cast() -> Cast:
    return Cast()


@asynccontextmanager
async def world_of(service: str, infra: Infra, keys: Keys, cast: Cast) -> AsyncIterator[World]:
    """The service in process on the real infrastructure (a fresh database; a fresh consumer group
    that starts at the end of its topics)."""
    main = importlib.import_module(f"{service}.main")
    settings = settings_for(importlib.import_module(f"{service}.config").Settings, infra, keys, service)
    if main.DEFINITION.consumes:
        await skip_history(infra, settings.consumer_group, main.DEFINITION.consumes)
    async with serve(main.create_app(settings)) as client:
        yield World(client, keys, cast)


@pytest.fixture(scope="module")
async def appraisal_world(infra: Infra, keys: Keys, cast: Cast) -> AsyncIterator[World]:
    async with world_of("appraisal", infra, keys, cast) as world:
        await build_appraisal_world(world)
        yield world


@pytest.fixture(scope="module")
async def training_world(infra: Infra, keys: Keys, cast: Cast) -> AsyncIterator[World]:
    """The cast in the service's copy of the registry (employee.registered.v1), a programme with three sessions,
    a recommendation for S from a low score, S enrolled in two sessions, and learning S reported."""
    async with world_of("training", infra, keys, cast) as world:
        for version, (nip, opd, position, appraiser, superior) in enumerate(cast.registry(), start=1):
            snapshot = EmployeeSnapshot.model_validate(
                employee(nip, opd, position, appraiser, superior) | {"version": version}
            )
            event = EmployeeRegistered.create(snapshot, producer="test")
            await publish_raw(infra, event.topic, event.model_dump(mode="json"), event.key())
        await world.ok("PUT", f"/programmes/{PROGRAMME}", world.bkpsdm, programme_body())
        flagged = LowScoreFlagged.create(
            LowScoreFlaggedPayload.model_validate(
                {
                    "appraisal_id": f"{cast.subject}-{Y1}-Q2",
                    "nip": cast.subject,
                    "opd_code": "DINKES",
                    "period": f"{Y1}-Q2",
                    "predikat": "butuh_perbaikan",
                    "hasil_kerja": "di_bawah_ekspektasi",
                    "perilaku_kerja": "sesuai_ekspektasi",
                    "pejabat_penilai_nip": cast.appraiser,
                }
            ),
            producer="test",
        )
        await publish_raw(infra, flagged.topic, flagged.model_dump(mode="json"), flagged.key())

        async def ready() -> str:
            page = (await world.read(f"/recommendations?nip={cast.subject}")).json()
            known = await world.client.get(
                f"{PREFIX}/ledger/{cast.subject}?year={TODAY.year}", headers=world.cell("pp")
            )
            return str(page["items"][0]["id"]) if page["items"] and known.status_code == 200 else ""

        world.ids["recommendation"] = await eventually(ready, within=60)
        me = world.cell("self")
        for session in ("MW-AUTHZ-A", "MW-AUTHZ-B"):
            await world.ok("POST", "/enrolments", me, {"nip": cast.subject, "session_code": session})
        body: dict[str, Any] = {"nip": cast.subject, "title": "Seminar Pelayanan Publik", "form": "seminar"}
        body |= {"on": TODAY.isoformat(), "evidence": "SERT/2026/10", "days": 1}
        world.ids["external"] = (await world.ok("POST", "/external-learning", me, body))["id"]
        yield world


@pytest.fixture(scope="module")
async def notification_world(infra: Infra, keys: Keys, cast: Cast) -> AsyncIterator[World]:
    """S has one message: an appraisal of theirs was completed."""
    async with world_of("notification", infra, keys, cast) as world:
        world.ids["completed"] = f"authz-{uuid.uuid4().hex[:10]}"
        event = appraisal_completed(appraisal_id=world.ids["completed"], nip=cast.subject, period=f"{Y1}-Q1")
        await publish_raw(infra, event.topic, event.model_dump(mode="json"), event.key())

        async def delivered() -> bool:
            page = (await world.client.get(f"{PREFIX}/inbox", headers=world.cell("self"))).json()
            return any(item["ref"] == world.ids["completed"] for item in page["items"])

        await eventually(delivered)
        submitted = SkpSubmitted.create(
            SkpSubmittedPayload(
                skp_id=f"authz-skp-{uuid.uuid4().hex[:8]}",
                nip=cast.subject,
                year=Y2,
                opd_code="DINKES",
                pejabat_penilai_nip=cast.appraiser,
            ),
            producer="test",
        )
        await publish_raw(infra, submitted.topic, submitted.model_dump(mode="json"), submitted.key())

        async def task() -> str:
            page = (await world.client.get(f"{PREFIX}/tasks", headers=world.cell("pp"))).json()
            return str(page["items"][0]["id"]) if page["items"] else ""

        world.ids["task"] = await eventually(task)
        page = (await world.client.get(f"{PREFIX}/inbox", headers=world.cell("self"))).json()
        world.ids["message"] = next(i["id"] for i in page["items"] if i["ref"] == world.ids["completed"])
        world.ids["webhook"] = (await world.ok("POST", "/webhooks", world.bkpsdm, WEBHOOK))["id"]
        yield world


@pytest.fixture(scope="module")
async def reporting_world(infra: Infra, keys: Keys, cast: Cast) -> AsyncIterator[World]:
    """The cast in the service's copy of the registry (employee.registered.v1): the relations the views'
    access stands on (S's pejabat penilai, the head of DINKES)."""
    async with world_of("reporting", infra, keys, cast) as world:
        for version, (nip, opd, position, appraiser, superior) in enumerate(cast.registry(), start=1):
            snapshot = EmployeeSnapshot.model_validate(
                employee(nip, opd, position, appraiser, superior) | {"version": version}
            )
            event = EmployeeRegistered.create(snapshot, producer="test")
            await publish_raw(infra, event.topic, event.model_dump(mode="json"), event.key())

        async def ready() -> bool:
            team = (await world.read(f"/reports/teams/{cast.other_appraiser}?year={Y1}")).json()
            head = await world.client.get(
                f"{PREFIX}/reports/opd/DINKES?year={Y1}", headers=world.headers(cast.head, "pegawai", "DINKES")
            )
            return bool(team.get("size") == 1 and head.status_code == 200)

        await eventually(ready, within=60)
        yield world


# ---------------------------------------------------------------- the tests


def documented_operations() -> set[tuple[str, str]]:
    found = set()
    for service in ("appraisal", "training", "notification", "reporting"):
        spec = importlib.import_module(f"{service}.main").create_app().openapi()
        for path, operations in spec["paths"].items():
            if path in PLATFORM:
                continue
            assert path.startswith(PREFIX), path
            found |= {(service, f"{method.upper()} {path.removeprefix(PREFIX)}") for method in operations}
    return found


def test_every_documented_operation_has_a_row() -> None:
    """A new operation needs its row (and its request); a removed one takes them away."""
    documented = documented_operations()
    assert sorted(documented - set(EXPECTED)) == [], "operations without a row in MATRIX"
    assert sorted(set(EXPECTED) - documented) == [], "rows in MATRIX for operations that are not documented"
    assert sorted(set(EXPECTED) ^ set(ROWS)) == [], "MATRIX and ROWS name different operations"


async def outcome(world: World, key: tuple[str, str], cell: str) -> tuple[str, int, str]:
    """What happened when ``cell`` called the operation: (allow | deny | 401, status, response text)."""
    row = ROWS[key]
    call = await row.build(world)
    method = key[1].split()[0]
    headers = call.headers | (world.cell(cell) if cell != ANONYMOUS else {})
    response = await world.client.request(
        method, PREFIX + call.path, json=call.body, content=call.content, headers=headers
    )
    status = response.status_code
    if status == 401:
        return "401", status, response.text
    if status in (403, 404):
        return "deny", status, response.text
    if row.listed is not None:
        return ("allow" if status == 200 and row.listed(world, response.json()) else "deny"), status, response.text
    return "allow", status, response.text


async def check(world: World, key: tuple[str, str]) -> None:
    """Every cell of the row: first no token, then the denied callers (and the write's trace unchanged),
    then the allowed ones."""
    expected = {ANONYMOUS: "401", **EXPECTED[key]}
    order = [ANONYMOUS, *(c for c in CELLS if expected[c] == "deny"), *(c for c in CELLS if expected[c] == "allow")]
    trace = ROWS[key].trace
    await ROWS[key].build(world)  # the state the operation needs, before the trace is read
    before = await trace(world) if trace else None
    wrong: list[str] = []
    for cell in order:
        if trace and cell != ANONYMOUS and expected[cell] == "allow" and before is not None:
            after = await trace(world)
            if after != before:
                wrong.append(f"denied calls left a trace: {before!r} became {after!r}")
            before = None
        got, status, text = await outcome(world, key, cell)
        if got != expected[cell]:
            wrong.append(f"{cell}: expected {expected[cell]}, got {got} ({status} {text[:300]})")
    if trace and before is not None:
        after = await trace(world)
        if after != before:
            wrong.append(f"denied calls left a trace: {before!r} became {after!r}")
    assert wrong == [], f"{key[0]} {key[1]}:\n" + "\n".join(wrong)


def rows_of(service: str) -> list[tuple[str, str]]:
    return [key for key in EXPECTED if key[0] == service]


@pytest.mark.infra
@pytest.mark.parametrize("key", rows_of("appraisal"), ids=lambda key: key[1])
async def test_appraisal(appraisal_world: World, key: tuple[str, str]) -> None:
    await check(appraisal_world, key)


@pytest.mark.infra
@pytest.mark.parametrize("key", rows_of("training"), ids=lambda key: key[1])
async def test_training(training_world: World, key: tuple[str, str]) -> None:
    await check(training_world, key)


@pytest.mark.infra
@pytest.mark.parametrize("key", rows_of("notification"), ids=lambda key: key[1])
async def test_notification(notification_world: World, key: tuple[str, str]) -> None:
    await check(notification_world, key)


@pytest.mark.infra
@pytest.mark.parametrize("key", rows_of("reporting"), ids=lambda key: key[1])
async def test_reporting(reporting_world: World, key: tuple[str, str]) -> None:
    await check(reporting_world, key)
