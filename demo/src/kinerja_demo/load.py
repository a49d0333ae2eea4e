"""Loads a City through the services' public HTTP APIs, the way its people would.

FOR LOCAL DEMO AND BENCHMARK MACHINES ONLY: every caller's token is minted here with the local private key
(``make keys``, ``.run/keys/jwt-private.pem``), which a real deployment does not have (it trusts the city's
identity provider instead).

Phases, in order: the performance year; the registry (one CSV import, appraisers before the people they
appraise); last year's annual results as history; this year's SKPs level by level (drafted by the owner,
submitted, approved by the pejabat penilai, each RHK intervening one of the pejabat penilai's); this year's
periodic evaluations of the periods that have ended (opened, realisation with an evidence link, the
suggestion read, rated, finalised; development plans for low results; a few objections filed and decided by
the atasan), or, as the caller chooses per period, recorded as finalised elsewhere (the fast way) or rated and
left open (a benchmark finalises them); the year's learning, reported with its evidence and approved by the
pejabat penilai (the JP ledger); what the people with a low result do with the recommendations the training
service made for it (accept and enrol, decline, leave open: ``courses``). Re-running on the same
data is safe: what exists is skipped, nothing is duplicated.

Requests run with bounded concurrency; connection errors and 429/5xx answers (and a 409 ``busy``, a
document being changed at that moment) are retried with backoff; other 4xx answers are errors, except a
409 that says the thing already exists, which counts as done.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import time
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx

from kinerja_demo.city import ADMIN_NIP, MEETS, PPK, VALUES, City, Outcome, Person, period_end
from kinerja_demo.courses import choice_for, sessions_for
from kinerja_demo.learning import Learning, learning_of
from kinerja_demo.progress import Progress
from shared.token import mint_token

WIB = ZoneInfo("Asia/Jakarta")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ATTEMPTS = 6
EVIDENCE = "https://drive.palembang.go.id/kinerja"
T = TypeVar("T")
OPTIONAL_PHASES = ("training", "courses")
"""The phases a caller may skip (``Loader(skip=...)``); the others build what the later ones need."""


@dataclass(frozen=True)
class Urls:
    appraisal: str = "http://127.0.0.1:8001"
    training: str = "http://127.0.0.1:8002"
    notification: str = "http://127.0.0.1:8003"
    reporting: str = "http://127.0.0.1:8004"


@dataclass
class PhaseResult:
    done: int = 0
    skipped: int = 0
    errors: int = 0
    seconds: float = 0.0


@dataclass
class Summary:
    phases: dict[str, PhaseResult] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    evaluated_periods: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def error_count(self) -> int:
        return sum(p.errors for p in self.phases.values())


class LoadError(Exception):
    """One step answered what it should not; the message says which and what came back."""


class Loader:
    def __init__(
        self,
        city: City,
        urls: Urls,
        private_key: Path,
        *,
        concurrency: int = 16,
        quiet: bool = False,
        today: dt.date | None = None,
        client: httpx.AsyncClient | None = None,
        recorded: Collection[str] = (),
        unfinalised: Collection[str] = (),
        skip: Collection[str] = (),
    ) -> None:
        """``recorded``: periods loaded the fast way, as results finalised elsewhere (``POST /appraisals``,
        one request each; they count as final for the annual roll-up, but carry no realisation, plan or
        objection). ``unfinalised``: periods opened, realised and rated but left open (no finalise, plan or
        objection). Every other period that has ended goes through the whole evaluation flow. ``skip``: the
        optional last phases left out (``OPTIONAL_PHASES``: a benchmark that measures appraisal does not need
        the year's learning, which takes a city ~40 minutes to load)."""
        unknown = set(skip) - set(OPTIONAL_PHASES)
        if unknown:
            raise ValueError(f"only {', '.join(OPTIONAL_PHASES)} can be skipped, not {', '.join(sorted(unknown))}")
        self.skip = frozenset(skip)
        self.city, self.urls, self.private_key = city, urls, private_key
        self.recorded, self.unfinalised = frozenset(recorded), frozenset(unfinalised)
        self.concurrency, self.quiet = concurrency, quiet
        self.today = today or dt.datetime.now(WIB).date()
        self._client = client
        self._tokens: dict[tuple[str, tuple[str, ...]], str] = {}
        self.summary = Summary()
        self._phase: PhaseResult = PhaseResult()

    # ------------------------------------------------------------------------------------------ HTTP

    def token(self, nip: str, *roles: str) -> str:
        key = (nip, roles)
        if key not in self._tokens:
            self._tokens[key] = mint_token(self.private_key, nip, roles, ttl=dt.timedelta(hours=8))
        return self._tokens[key]

    def headers(self, nip: str, *roles: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(nip, *roles)}"}

    def owner(self, person: Person) -> dict[str, str]:
        return self.headers(person.nip, "pegawai")

    def appraiser(self, nip: str | None) -> dict[str, str]:
        if nip == PPK:
            return self.headers(PPK, "ppk")
        return self.headers(str(nip), "pegawai", "pejabat_penilai", "atasan_pejabat_penilai")

    def admin(self) -> dict[str, str]:
        return self.headers(ADMIN_NIP, "admin_bkpsdm")

    async def request(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        *,
        json: Any = None,
        content: bytes | None = None,
        version: int | None = None,
    ) -> httpx.Response:
        """One request, retried on connection errors, 429/5xx and a 409 ``busy``, with backoff."""
        assert self._client is not None
        extra = {"If-Match": f'"{version}"'} if version is not None else {}
        return await send(
            self._client, method, url, headers | extra, again=worth_again, json=json, content=content, timeout=60
        )

    async def api(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        *,
        json: Any = None,
        version: int | None = None,
        ok: Iterable[int] = (200, 201),
    ) -> httpx.Response:
        """A call to the appraisal API that must answer one of ``ok`` (else LoadError)."""
        response = await self.request(
            method, f"{self.urls.appraisal}/api/v1{path}", headers, json=json, version=version
        )
        if response.status_code not in set(ok):
            raise LoadError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response

    # ------------------------------------------------------------------------------------------ phases

    async def run(self) -> Summary:
        started = time.monotonic()
        own = self._client is None
        if own:
            limits = httpx.Limits(max_connections=self.concurrency * 2, max_keepalive_connections=self.concurrency * 2)
            self._client = httpx.AsyncClient(limits=limits)
        try:
            periods = await self._phase_run("year", self.configure_year)
            await self._phase_run("registry", self.load_registry)
            await self._phase_run("history", self.load_history)
            await self._phase_run("skp", self.load_skps)
            self.summary.evaluated_periods = [p for p in self.city.periods if p in (periods or ()) and self.ended(p)]
            await self._phase_run("evaluations", self.load_evaluations)
            if "training" not in self.skip:
                await self._phase_run("training", self.load_training)
            if "courses" not in self.skip:
                await self._phase_run("courses", self.load_courses)
        finally:
            if own and self._client is not None:
                await self._client.aclose()
                self._client = None
        self.summary.seconds = time.monotonic() - started
        return self.summary

    def ended(self, period: str) -> bool:
        """Finalising waits until the period has ended (the year's default finalise_grace_days is 0)."""
        return period_end(period) < self.today

    async def _phase_run(self, name: str, step: Callable[[], Awaitable[T]]) -> T | None:
        self._phase = self.summary.phases.setdefault(name, PhaseResult())
        started = time.monotonic()
        try:
            return await step()
        except (LoadError, httpx.HTTPError) as exc:
            self._error(f"{name}: {exc}")
            return None
        finally:
            self._phase.seconds = round(self._phase.seconds + time.monotonic() - started, 2)

    def _error(self, message: str) -> None:
        self._phase.errors += 1
        if len(self.summary.errors) < 200:
            self.summary.errors.append(message)

    async def _each(self, label: str, items: Sequence[T], step: Callable[[T], Awaitable[bool]]) -> None:
        """``step`` for every item with ``concurrency`` workers; it returns True when it changed something,
        False when everything already existed; an exception is one error (the others go on)."""
        progress = Progress(label, len(items), quiet=self.quiet)
        queue: asyncio.Queue[T] = asyncio.Queue()
        for item in items:
            queue.put_nowait(item)

        async def worker() -> None:
            while True:
                try:
                    item = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                try:
                    changed = await step(item)
                except (LoadError, httpx.HTTPError) as exc:
                    self._error(f"{label}: {exc}")
                else:
                    if changed:
                        self._phase.done += 1
                    else:
                        self._phase.skipped += 1
                progress.advance()

        await asyncio.gather(*(worker() for _ in range(max(1, self.concurrency))))
        progress.close()

    # a. the performance year ----------------------------------------------------------------------

    async def configure_year(self) -> list[str]:
        year = self.city.year
        response = await self.api("GET", f"/performance-years/{year}", self.admin(), ok=(200, 404))
        if response.status_code == 200:
            self._phase.skipped += 1
            config = response.json()
            if config["frequency"] != "quarterly":
                raise LoadError(
                    f"the year {year} is configured with frequency {config['frequency']}; the demo evaluates "
                    "quarters: use another --year or a fresh stack"
                )
            return list(config["periods"])
        # Loaded late in the year, so the SKP deadline is the year's end: nothing is marked late.
        body = {"frequency": "quarterly", "skp_due": f"{year}-12-31", "objection_window_days": 14}
        config = (await self.api("PUT", f"/performance-years/{year}", self.admin(), json=body)).json()
        self._phase.done += 1
        return list(config["periods"])

    # b. the registry ---------------------------------------------------------------------------------

    async def load_registry(self) -> None:
        """One CSV import, by level: a row names only people of earlier rows or already registered (the
        import rejects a row naming someone of a later chunk of 500)."""
        out = io.StringIO()
        columns = list(self.city.people[0].record())
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for person in self.city.people:
            writer.writerow(person.record())
        headers = self.admin() | {"Content-Type": "text/csv"}
        response = await self.request(
            "POST", f"{self.urls.appraisal}/api/v1/employee-imports", headers, content=out.getvalue().encode()
        )
        if response.status_code != 202:
            raise LoadError(f"POST /employee-imports: {response.status_code} {response.text[:300]}")
        job = response.json()
        progress = Progress("registry", job["total"], quiet=self.quiet)
        while job["status"] == "running":
            await asyncio.sleep(0.5)
            job = (await self.api("GET", f"/employee-imports/{job['id']}", self.admin())).json()
            progress.advance(job["processed"] - progress.done)
        progress.close()
        if job["status"] != "completed":
            raise LoadError(f"the registry import ended {job['status']}")
        self._phase.done += job["created"] + job["updated"]
        self._phase.skipped += job["unchanged"]
        if job["rejected"]:
            rows = await self.api("GET", f"/employee-imports/{job['id']}/rows?outcome=rejected&limit=50", self.admin())
            for row in rows.json()["items"]:
                self._error(f"registry row {row['row']} ({row['nip']}): {'; '.join(row['errors'])}")
            self._phase.errors += job["rejected"] - min(job["rejected"], 50)

    # c. history ---------------------------------------------------------------------------------------

    async def load_history(self) -> None:
        await self._each("history", self.city.people, self._history_of)

    async def _history_of(self, person: Person) -> bool:
        changed = False
        for record in person.history:  # the year before last first: a second low year is escalated
            changed |= await self._record(person, record.period, record.hasil_kerja, record.perilaku_kerja)
        return changed

    async def _record(self, person: Person, period: str, hasil_kerja: str, perilaku_kerja: str) -> bool:
        """A result finalised elsewhere, recorded by the BKPSDM; True when it was new."""
        body = {
            "nip": person.nip,
            "opd_code": person.opd_code,
            "period": period,
            "hasil_kerja": hasil_kerja,
            "perilaku_kerja": perilaku_kerja,
            "pejabat_penilai_nip": person.pejabat_penilai_nip,
        }
        headers = self.admin() | {"Idempotency-Key": f"kinerja-demo-{person.nip}-{period}"}
        response = await self.api("POST", "/appraisals", headers, json=body, ok=(200, 201, 409))
        if response.status_code == 409 and _code(response) != "appraisal_exists":
            raise LoadError(f"POST /appraisals {person.nip} {period}: 409 {response.text[:300]}")
        return response.status_code == 201

    # d. SKPs -----------------------------------------------------------------------------------------

    async def load_skps(self) -> None:
        for n, level in enumerate(self.city.levels()):
            await self._each(f"skp level {n}", level, self._skp_of)

    async def _skp_of(self, person: Person) -> bool:
        owner, boss = self.owner(person), self.appraiser(person.pejabat_penilai_nip)
        skp_id = f"{person.nip}-{self.city.year}"
        response = await self.api("POST", "/skp", owner, json=person.skp_body(self.city.year), ok=(201, 409))
        if response.status_code == 409:
            if _code(response) != "skp_exists":
                raise LoadError(f"POST /skp {person.nip}: 409 {response.text[:300]}")
            skp = (await self.api("GET", f"/skp/{skp_id}", owner)).json()
        else:
            skp = response.json()
        changed = response.status_code == 201
        if skp["status"] in ("draft", "returned"):
            skp = (await self.api("POST", f"/skp/{skp['id']}/submit", owner, version=skp["version"])).json()
            changed = True
        if skp["status"] == "submitted":
            skp = (await self.api("POST", f"/skp/{skp['id']}/approve", boss, version=skp["version"])).json()
            changed = True
        if skp["status"] != "approved":
            raise LoadError(f"SKP {skp['id']} is {skp['status']}, not approved")
        return changed

    # e. evaluations ----------------------------------------------------------------------------------

    async def load_evaluations(self) -> None:
        periods = set(self.summary.evaluated_periods)
        if not periods:
            self.summary.notes.append(f"no period of {self.city.year} has ended yet: no evaluation loaded")
            return
        counts = {"objections": 0, "plans": 0, "finalised": 0, "recorded": 0, "left_open": 0}

        async def evaluate(person: Person) -> bool:
            changed = False
            for outcome in person.outcomes:  # by period: the recorded ones come before the ones opened
                if outcome.period not in periods:
                    continue
                if outcome.period in self.recorded:
                    new = await self._record(person, outcome.period, outcome.hasil_kerja, outcome.perilaku_kerja)
                    counts["recorded"] += new
                    changed |= new
                else:
                    changed |= await self._evaluation(person, outcome, counts)
            return changed

        await self._each("evaluations", self.city.people, evaluate)
        self.summary.notes.append(
            f"evaluations: {counts['finalised']} finalised now, {counts['plans']} development plans written, "
            f"{counts['objections']} objections filed and decided"
            + (f", {counts['recorded']} recorded as finalised elsewhere" if self.recorded else "")
            + (f", {counts['left_open']} rated and left open" if self.unfinalised else "")
        )

    async def _evaluation(self, person: Person, outcome: Outcome, counts: dict[str, int]) -> bool:
        owner, boss = self.owner(person), self.appraiser(person.pejabat_penilai_nip)
        opened = await self.api("POST", "/evaluations", owner, json={"nip": person.nip, "period": outcome.period})
        evaluation = opened.json()
        path = f"/evaluations/{evaluation['id']}"
        changed = opened.status_code == 201
        if evaluation["status"] == "open":
            recorded = {r["indicator_id"]: r["realisation"] for r in evaluation["realisations"]}
            for indicator_id, value in outcome.realisations:
                if recorded.get(indicator_id) == value:
                    continue
                body: dict[str, Any] = {
                    "realisation": value,
                    "evidence_links": [f"{EVIDENCE}/{person.nip}/{outcome.period}/{indicator_id}"],
                    "note": "Bukti dukung terlampir",
                }
                await self.api("PUT", f"{path}/realisations/{indicator_id}", owner, json=body)
            suggestion = (await self.api("GET", f"{path}/suggestion", boss)).json()
            ratings = suggestion["rhk_ratings"]
            hasil = suggestion["hasil_kerja"] or outcome.hasil_kerja
            ratings_body = {
                "rhk_ratings": [{"rhk_id": r.rhk_id, "rating": ratings.get(r.rhk_id) or hasil} for r in person.rhk],
                "behaviour_ratings": [{"value": v, "rating": outcome.perilaku_kerja} for v in VALUES],
                "hasil_kerja": hasil,
                "perilaku_kerja": outcome.perilaku_kerja,
            }
            evaluation = (await self.api("PATCH", f"{path}/ratings", boss, json=ratings_body)).json()
            changed = True
            if outcome.period in self.unfinalised:
                counts["left_open"] += 1
                return changed
            evaluation = (await self.api("POST", f"{path}/finalise", boss)).json()
            counts["finalised"] += 1
        if outcome.period in self.unfinalised:
            return changed  # finalised by someone else since (a benchmark): its follow-up is theirs
        plan = evaluation.get("development_plan")
        if plan and plan["status"] == "awaiting_input" and outcome.plan_cause:
            plan_body = {
                "cause": outcome.plan_cause,
                "cause_note": "Dibahas dalam dialog kinerja bersama pegawai",
                "actions": list(outcome.plan_actions),
            }
            await self.api("PUT", f"{path}/development-plan", boss, json=plan_body)
            counts["plans"] += 1
            changed = True
        if outcome.objection is not None:
            changed |= await self._objection(person, outcome, evaluation, path, counts)
        return changed

    async def _objection(
        self, person: Person, outcome: Outcome, evaluation: dict[str, Any], path: str, counts: dict[str, int]
    ) -> bool:
        assert outcome.objection is not None
        objection = evaluation.get("objection")
        if objection is None:
            body = {"reason": outcome.objection.reason}
            evaluation = (await self.api("POST", f"{path}/objection", self.owner(person), json=body)).json()
            objection = evaluation["objection"]
            counts["objections"] += 1
        if objection["status"] != "pending":
            return False
        atasan = self.appraiser(person.atasan_pejabat_penilai_nip)
        decision: dict[str, Any]
        if outcome.objection.upheld:
            decision = {
                "decision": "upheld",
                "hasil_kerja": MEETS,
                "perilaku_kerja": MEETS,
                "rhk_ratings": [{"rhk_id": r.rhk_id, "rating": MEETS} for r in person.rhk],
                "behaviour_ratings": [{"value": v, "rating": MEETS} for v in VALUES],
                "note": "Bukti dukung tambahan diterima; hasil kerja sesuai ekspektasi",
            }
        else:
            decision = {"decision": "rejected", "note": "Penilaian sudah sesuai bukti dukung"}
        await self.api("POST", f"{path}/objection/decision", atasan, json=decision)
        return True

    # f. competency development ---------------------------------------------------------------------

    async def load_training(self) -> None:
        """Each person's learning of the year (``learning.learning_of``), reported with its evidence and
        approved by their pejabat penilai, so the JP ledger fills. The training service learns the
        registry from events: it is waited for (the approval needs the pejabat penilai's relation)."""
        if not await self._training_knows(self.city.people[-1]):
            raise LoadError("the training service has not seen the registry after 120 s (is it consuming?)")
        counts = {"reported": 0, "jp": 0.0}

        async def learn(person: Person) -> bool:
            changed = False
            for item in learning_of(person, self.city.year, self.city.seed, self.today):
                changed |= await self._learning(person, item, counts)
            return changed

        await self._each("training", self.city.people, learn)
        self.summary.notes.append(
            f"training: {counts['reported']} learning items reported and approved now ({counts['jp']:.0f} JP)"
        )

    async def load_courses(self) -> None:
        """What the people with a low result do with the training service's recommendations for it
        (``courses.choice_for``): accept one, enrolling in a session of a recommended programme that has not
        ended (a seat, or the waiting list), decline with a reason, or leave it open (also when every
        session has ended). Only recommendations still open are met, so a re-run adds nothing."""
        # Results finalised (through the flow, or recorded) flag a low score; ones left open do not.
        periods = set(self.summary.evaluated_periods) - self.unfinalised
        people = [p for p in self.city.people if any(o.low and o.period in periods for o in p.outcomes)]
        counts = {"accepted": 0, "declined": 0, "left_open": 0, "waiting": 0}
        if not people:
            return
        # The training service makes the recommendations from the events: wait (once) for the last one's.
        await self._recommendations(people[-1], wait_s=120)

        async def decide(person: Person) -> bool:
            changed = False
            for rec in sorted(await self._recommendations(person), key=lambda r: (r["appraisal_id"], r["reason"])):
                if rec["status"] == "open":
                    changed |= await self._course(person, rec, counts)
            return changed

        await self._each("courses", people, decide)
        self.summary.notes.append(
            f"courses: {counts['accepted']} recommendations accepted and enrolled ({counts['waiting']} of them on "
            f"a waiting list), {counts['declined']} declined, {counts['left_open']} left open"
        )

    async def _recommendations(self, person: Person, wait_s: float = 0.0) -> list[dict[str, Any]]:
        """The person's recommendations; with ``wait_s``, waited for while there are none yet (the training
        service makes them from the low results' events, which it may still be consuming)."""
        url = f"{self.urls.training}/api/v1/recommendations?nip={person.nip}&limit=100"
        deadline = time.monotonic() + wait_s
        while True:
            listed = await self.request("GET", url, self.owner(person))
            if listed.status_code != 200:
                raise LoadError(f"GET /recommendations: {listed.status_code} {listed.text[:300]}")
            items: list[dict[str, Any]] = listed.json()["items"]
            if items or time.monotonic() > deadline:
                return items
            await asyncio.sleep(1)

    async def _course(self, person: Person, rec: dict[str, Any], counts: dict[str, Any]) -> bool:
        choice = choice_for(self.city.seed, person.nip, rec["appraisal_id"], rec["reason"])
        base = f"{self.urls.training}/api/v1"
        if choice.action == "leave" or not rec["programmes"]:
            counts["left_open"] += 1
            return False
        if choice.action == "decline":
            declined = await self.request(
                "POST",
                f"{base}/recommendations/{rec['id']}/decline",
                self.owner(person),
                json={"reason": choice.decline_reason},
            )
            if declined.status_code == 409 and _code(declined) == "recommendation_not_open":
                return False
            if declined.status_code != 200:
                raise LoadError(f"POST /recommendations/{{id}}/decline: {declined.status_code} {declined.text[:300]}")
            counts["declined"] += 1
            return True
        codes = [p["program_code"] for p in rec["programmes"]]
        sessions: dict[str, list[dict[str, Any]]] = {}
        for code in codes:
            found = await self.request("GET", f"{base}/programmes/{code}", self.owner(person))
            if found.status_code == 200:
                sessions[code] = found.json().get("sessions", [])
        for program_code, session_code in sessions_for(codes, sessions, self.today):
            accepted = await self.request(
                "POST",
                f"{base}/recommendations/{rec['id']}/accept",
                self.owner(person),
                json={"program_code": program_code, "session_code": session_code},
            )
            if accepted.status_code == 409 and _code(accepted) == "session_overlap":
                continue  # the person holds a session on those dates: the next one
            if accepted.status_code == 409 and _code(accepted) == "recommendation_not_open":
                return False
            if accepted.status_code != 200:
                raise LoadError(f"POST /recommendations/{{id}}/accept: {accepted.status_code} {accepted.text[:300]}")
            counts["accepted"] += 1
            if accepted.json()["enrolment"]["status"] == "waitlisted":
                counts["waiting"] += 1
            return True
        counts["left_open"] += 1  # every session has ended, or clashes with one the person holds
        return False

    async def _training_knows(self, person: Person) -> bool:
        url = f"{self.urls.training}/api/v1/ledger/{person.nip}?year={self.city.year}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            response = await self.request("GET", url, self.appraiser(person.pejabat_penilai_nip))
            if response.status_code == 200:
                return True
            await asyncio.sleep(1)
        return False

    async def _learning(self, person: Person, item: Learning, counts: dict[str, Any]) -> bool:
        url = f"{self.urls.training}/api/v1/external-learning"
        reported = await self.request("POST", url, self.owner(person), json=item.body(person.nip))
        if reported.status_code == 409 and _code(reported) == "evidence_already_reported":
            entry = await self._entry_with(person, item.evidence)
            if entry is None or entry["status"] != "pending":
                return False  # approved already (or decided otherwise by someone)
        elif reported.status_code == 201:
            entry = reported.json()
        else:
            raise LoadError(f"POST /external-learning: {reported.status_code} {reported.text[:300]}")
        decision = await self.request(
            "POST",
            f"{url}/{entry['id']}/decision",
            self.appraiser(person.pejabat_penilai_nip),
            json={"approve": True, "note": "Sertifikat sesuai"},
        )
        if decision.status_code != 200 and _code(decision) != "entry_decided":
            raise LoadError(f"POST /external-learning/{{id}}/decision: {decision.status_code} {decision.text[:300]}")
        counts["reported"] += 1
        counts["jp"] += float(entry.get("jp") or 0)
        return True

    async def _entry_with(self, person: Person, evidence: str) -> dict[str, Any] | None:
        url = f"{self.urls.training}/api/v1/ledger/{person.nip}?year={self.city.year}"
        response = await self.request("GET", url, self.owner(person))
        if response.status_code != 200:
            raise LoadError(f"GET /ledger/{person.nip}: {response.status_code} {response.text[:300]}")
        return next((e for e in response.json()["entries"] if e.get("evidence") == evidence), None)


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    headers: dict[str, str],
    *,
    again: Callable[[httpx.Response], bool] = lambda response: False,
    attempts: int = ATTEMPTS,
    delay: float = 0.25,
    on_retry: Callable[[], None] = lambda: None,
    **options: Any,
) -> httpx.Response:
    """One request, sent again with backoff (``delay``, doubled up to 8 s) after a transport error (a
    connection reset or closed under it) and after an answer that ``again`` says is worth another try;
    ``on_retry`` is called before each. After the last attempt its error is raised or its answer returned.
    The demo's loader and the benchmark share it; ``options`` go to ``httpx.AsyncClient.request``."""
    for attempt in range(attempts):
        last = attempt == attempts - 1
        try:
            response = await client.request(method, url, headers=headers, **options)
        except httpx.TransportError:
            if last:
                raise
        else:
            if last or not again(response):
                return response
        on_retry()
        await asyncio.sleep(delay)
        delay = min(delay * 2, 8.0)
    raise AssertionError("unreachable")


def worth_again(response: httpx.Response) -> bool:
    """An answer the loader sends its request again for: 429 and 5xx (``RETRY_STATUSES``), and a 409
    ``busy`` (a document being changed at that moment). Any other answer is final."""
    return response.status_code in RETRY_STATUSES or (response.status_code == 409 and _code(response) == "busy")


def _code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


async def fetch_units(urls: Urls, private_key: Path) -> list[dict[str, Any]]:
    """The city's master list, as the appraisal service answers it (active units only)."""
    token = mint_token(private_key, ADMIN_NIP, ["admin_bkpsdm"])
    async with httpx.AsyncClient() as client:
        delay = 0.5
        for attempt in range(ATTEMPTS):
            try:
                response = await client.get(
                    f"{urls.appraisal}/api/v1/opd", headers={"Authorization": f"Bearer {token}"}, timeout=30
                )
            except httpx.TransportError:
                if attempt == ATTEMPTS - 1:
                    raise
            else:
                if response.status_code not in RETRY_STATUSES:
                    response.raise_for_status()
                    return [u for u in response.json()["items"] if u.get("active", True)]
            await asyncio.sleep(delay)
            delay *= 2
    raise LoadError("GET /opd did not answer")


__all__ = ["LoadError", "Loader", "Summary", "Urls", "fetch_units"]
