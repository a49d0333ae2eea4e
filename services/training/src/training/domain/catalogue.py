"""The programme model of the catalogue and its checks against the rules."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from shared.events import BerAkhlakValue, EmployeeType, PositionType
from shared.i18n import Text
from training.domain.errors import RuleError
from training.domain.jp import jp_for
from training.domain.rules import FORM_RULES, JP_RULES, SECTORS, Competency, JpRules, LearningForm, Modality

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")
MAX_CAPACITY = 1000
"""[R] Most participants one session takes (a large e-learning cohort)."""
MAX_SESSION_DAYS = 366
"""[R] Longest a session (for self-paced forms: its enrolment window) may run."""


@dataclass(frozen=True)
class Session:
    """One run of a programme: its dates (both included), where it takes place and how many it takes."""

    code: str
    starts_on: dt.date
    ends_on: dt.date
    capacity: int
    place: str | None = None
    online_link: str | None = None

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


@dataclass(frozen=True)
class Programme:
    """A competency-development programme offered to the employees of the city."""

    code: str
    title: str
    """Bahasa Indonesia."""
    form: LearningForm
    jp: float
    """The JP a completion is worth (checked against the conversion of ``days``/``jp_stated``/``minutes``)."""
    competencies: frozenset[Competency]
    berakhlak_values: frozenset[BerAkhlakValue] = frozenset()
    keywords: tuple[str, ...] = ()
    """Work-result areas: words that, found in a weak indicator or RHK, make the programme fit."""
    sectors: frozenset[str] = frozenset()
    """Sectors it is meant for; empty: every sector."""
    position_types: frozenset[PositionType] = frozenset()
    """Position types it is meant for; empty: every position."""
    employee_types: frozenset[EmployeeType] = frozenset()
    """Employee types it is open to; empty: PNS and PPPK."""
    international: bool = False
    days: float | None = None
    jp_stated: float | None = None
    minutes: int | None = None
    sessions: tuple[Session, ...] = ()
    description: str = ""

    @property
    def modality(self) -> Modality:
        return FORM_RULES[self.form].modality

    def session(self, code: str) -> Session:
        for s in self.sessions:
            if s.code == code:
                return s
        raise RuleError("session_unknown", Text(f"Sesi {code} tidak ada", f"No session {code}"))

    def open_to(self, employee_type: EmployeeType | None, position_type: PositionType | None) -> bool:
        """Whether an employee may take it (an unknown type or position is refused where the programme
        names some)."""
        if self.employee_types and employee_type not in self.employee_types:
            return False
        return not self.position_types or position_type in self.position_types


def programme_problems(programme: Programme, rules: JpRules = JP_RULES, sectors: frozenset[str] = SECTORS) -> list[str]:
    """Every way the programme breaks the rules, as stable codes (empty when it is valid)."""
    problems: list[str] = []
    if not CODE_PATTERN.match(programme.code):
        problems.append("code_invalid")
    if not programme.title.strip() or len(programme.title) > 200:
        problems.append("title_invalid")
    if not programme.competencies:
        problems.append("competencies_missing")
    if unknown := programme.sectors - sectors:
        problems.append("sector_unknown:" + ",".join(sorted(unknown)))
    if any(not k.strip() or k != k.lower() or len(k) > 60 for k in programme.keywords):
        problems.append("keyword_invalid")
    try:
        jp = jp_for(
            programme.form,
            days=programme.days,
            jp_stated=programme.jp_stated,
            minutes=programme.minutes,
            international=programme.international,
            rules=rules,
        )
    except RuleError as exc:
        problems.append(f"jp_basis_invalid:{exc.code}")
    else:
        if jp != programme.jp:
            problems.append(f"jp_mismatch:{jp}")
    codes = [s.code for s in programme.sessions]
    if len(codes) != len(set(codes)):
        problems.append("session_code_duplicate")
    for s in programme.sessions:
        problems.extend(f"session {s.code}: {p}" for p in session_problems(s, programme))
    return problems


def session_problems(session: Session, programme: Programme) -> list[str]:
    problems: list[str] = []
    if not CODE_PATTERN.match(session.code):
        problems.append("code_invalid")
    if session.ends_on < session.starts_on:
        problems.append("dates_reversed")
    elif session.days > MAX_SESSION_DAYS:
        problems.append("too_long")
    elif programme.days is not None and session.days < programme.days:
        problems.append("shorter_than_programme")
    if isinstance(session.capacity, bool) or not 0 < session.capacity <= MAX_CAPACITY:
        problems.append("capacity_invalid")
    if not session.place and not session.online_link:
        problems.append("place_missing")
    if session.online_link is not None and not session.online_link.startswith("https://"):
        problems.append("online_link_invalid")
    return problems


def check_programme(programme: Programme, rules: JpRules = JP_RULES, sectors: frozenset[str] = SECTORS) -> Programme:
    """The programme, or RuleError naming every problem."""
    problems = programme_problems(programme, rules, sectors)
    if problems:
        listed = "; ".join(problems)
        raise RuleError(
            "programme_invalid",
            Text(f"Program {programme.code} tidak sah: {listed}", f"Programme {programme.code} is invalid: {listed}"),
        )
    return programme


def catalogue_problems(programmes: tuple[Programme, ...]) -> list[str]:
    """Problems of a whole catalogue: each programme's, and codes used twice."""
    problems = [f"{p.code}: {problem}" for p in programmes for problem in programme_problems(p)]
    seen: set[str] = set()
    for p in programmes:
        if p.code in seen:
            problems.append(f"{p.code}: code_duplicate")
        seen.add(p.code)
    return problems
