"""Enrolment in a session: the states of an enrolment and their allowed transitions, seats and the waiting list,
and no one in two overlapping sessions. Pure: the roster of one session is a value the service loads and saves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

from shared.i18n import Text
from training.domain.catalogue import Session
from training.domain.errors import RuleError


class EnrolmentStatus(StrEnum):
    ENROLLED = "enrolled"
    """Holds a seat."""
    WAITLISTED = "waitlisted"
    """Waits for a seat; promoted in waiting-list order when one frees up."""
    CANCELLED = "cancelled"
    """The participant (or an admin for them) withdrew before the session ended; the seat is freed."""
    DECLINED = "declined"
    """The organiser (BKPSDM / admin OPD) refused the enrolment, e.g. not eligible or over the PPPK cap."""
    ATTENDED = "attended"
    """Attendance recorded; not yet completed."""
    COMPLETED = "completed"
    """Completed: the JP are credited (training.completed.v1)."""


S = EnrolmentStatus
TRANSITIONS: MappingProxyType[EnrolmentStatus, frozenset[EnrolmentStatus]] = MappingProxyType(
    {
        S.ENROLLED: frozenset({S.CANCELLED, S.DECLINED, S.ATTENDED}),
        S.WAITLISTED: frozenset({S.ENROLLED, S.CANCELLED, S.DECLINED}),
        S.ATTENDED: frozenset({S.COMPLETED}),
        S.CANCELLED: frozenset(),
        S.DECLINED: frozenset(),
        S.COMPLETED: frozenset(),
    }
)
"""Every allowed transition; any other is refused. Cancelled, declined and completed are final. [R] project rule:
a completion needs recorded attendance first (an e-learning records both at once)."""

HOLDS_SEAT = frozenset({S.ENROLLED, S.ATTENDED, S.COMPLETED})
ACTIVE = frozenset({S.ENROLLED, S.WAITLISTED, S.ATTENDED, S.COMPLETED})
"""Statuses that count for 'no one in two overlapping sessions' and 'enrolled once per session'. [R] A waiting
place counts too: a promotion must never put someone in two sessions at the same time."""


def check_transition(current: EnrolmentStatus, target: EnrolmentStatus) -> EnrolmentStatus:
    """``target``, or RuleError ``enrolment_transition_refused``."""
    if target not in TRANSITIONS[current]:
        raise RuleError(
            "enrolment_transition_refused",
            Text(
                f"Status pendaftaran tidak dapat berubah dari {current} ke {target}",
                f"An enrolment cannot go from {current} to {target}",
            ),
        )
    return target


def check_timing(target: EnrolmentStatus, session: Session, today: dt.date) -> None:
    """Date rules of a transition: attendance from the first day on, completion from the last day on,
    cancellation and enrolment (incl. promotion) only before the session has ended."""
    if target is S.ATTENDED and today < session.starts_on:
        raise RuleError("session_not_started", Text("Sesi belum dimulai", "The session has not started"))
    if target is S.COMPLETED and today < session.ends_on:
        raise RuleError("session_not_ended", Text("Sesi belum selesai", "The session has not ended"))
    if target in (S.CANCELLED, S.ENROLLED, S.WAITLISTED) and today > session.ends_on:
        raise RuleError("session_ended", Text("Sesi sudah selesai", "The session has ended"))


def overlaps(a: Session, b: Session) -> bool:
    """Whether two sessions share at least one day (both date ranges include their ends)."""
    return a.starts_on <= b.ends_on and b.starts_on <= a.ends_on


def overlapping(candidate: Session, held: Iterable[Session]) -> list[Session]:
    """The sessions in ``held`` (those where the person is active) that overlap ``candidate``, other than itself."""
    return [s for s in held if s.code != candidate.code and overlaps(candidate, s)]


@dataclass(frozen=True)
class Seat:
    """One person's enrolment in a session."""

    enrolment_id: str
    nip: str
    status: EnrolmentStatus
    requested_at: dt.datetime
    priority: int = 1
    """Waiting-list priority, lower first. [R] 0 for an enrolment that answers a recommendation of a low score
    (the improvement window is short), 1 otherwise."""


@dataclass
class SessionRoster:
    """The enrolments of one session with its capacity. Methods apply the rules and return what changed."""

    session: Session
    seats: list[Seat] = field(default_factory=list)

    def _find(self, enrolment_id: str) -> Seat:
        for seat in self.seats:
            if seat.enrolment_id == enrolment_id:
                return seat
        raise RuleError("enrolment_unknown", Text("Pendaftaran tidak ditemukan", "No such enrolment"))

    def _set(self, seat: Seat, status: EnrolmentStatus) -> Seat:
        updated = replace(seat, status=status)
        self.seats[self.seats.index(seat)] = updated
        return updated

    @property
    def taken(self) -> int:
        return sum(1 for s in self.seats if s.status in HOLDS_SEAT)

    @property
    def free(self) -> int:
        return max(0, self.session.capacity - self.taken)

    def waiting_list(self) -> list[Seat]:
        """Waitlisted enrolments in the order they get a seat: priority, then request time, then id."""
        waiting = [s for s in self.seats if s.status is S.WAITLISTED]
        return sorted(waiting, key=lambda s: (s.priority, s.requested_at, s.enrolment_id))

    def position(self, enrolment_id: str) -> int | None:
        """1-based place on the waiting list, or None when not waiting."""
        for i, s in enumerate(self.waiting_list(), start=1):
            if s.enrolment_id == enrolment_id:
                return i
        return None

    def enrol(
        self,
        enrolment_id: str,
        nip: str,
        *,
        requested_at: dt.datetime,
        today: dt.date,
        other_sessions: Iterable[Session] = (),
        priority: int = 1,
    ) -> Seat:
        """Enrol ``nip``: a seat when one is free and nobody waits before them, otherwise a waiting place.
        ``other_sessions``: the sessions where ``nip`` is active elsewhere; an overlap is refused. An enrolment id
        seen before returns the same seat (a retried request). A second active enrolment of ``nip`` is refused."""
        for seat in self.seats:
            if seat.enrolment_id == enrolment_id:
                if seat.nip != nip:
                    raise RuleError(
                        "enrolment_id_conflict", Text("Id pendaftaran sudah dipakai", "Enrolment id already in use")
                    )
                return seat
        if any(s.nip == nip and s.status in ACTIVE for s in self.seats):
            raise RuleError(
                "already_enrolled", Text("Pegawai sudah terdaftar di sesi ini", "Already enrolled in this session")
            )
        if clash := overlapping(self.session, other_sessions):
            names = ", ".join(sorted(s.code for s in clash))
            raise RuleError(
                "session_overlap",
                Text(f"Jadwal bertabrakan dengan sesi {names}", f"The dates overlap session(s) {names}"),
            )
        if not 0 <= priority <= 9:
            raise RuleError("priority_invalid", Text("Prioritas 0 sampai 9", "Priority must be 0 to 9"))
        check_timing(S.ENROLLED, self.session, today)
        status = S.ENROLLED if self.free > 0 and not self.waiting_list() else S.WAITLISTED
        seat = Seat(enrolment_id, nip, status, requested_at, priority)
        self.seats.append(seat)
        return seat

    def move(self, enrolment_id: str, target: EnrolmentStatus, *, today: dt.date) -> list[Seat]:
        """Move an enrolment to ``target`` (any allowed transition but promotion, which ``promote`` does). Returns
        the changed seats: the moved one first, then those promoted into a freed seat."""
        seat = self._find(enrolment_id)
        if target is S.ENROLLED:
            raise RuleError(
                "enrolment_transition_refused",
                Text("Kursi diberikan menurut daftar tunggu", "Seats are given in waiting-list order"),
            )
        check_transition(seat.status, target)
        check_timing(target, self.session, today)
        changed = [self._set(seat, target)]
        if seat.status in HOLDS_SEAT and target not in HOLDS_SEAT:
            changed.extend(self.promote(today=today))
        return changed

    def promote(self, *, today: dt.date) -> list[Seat]:
        """Give each free seat to the next on the waiting list (after a cancellation or a larger capacity);
        none once the session has ended."""
        if today > self.session.ends_on:
            return []
        promoted: list[Seat] = []
        for seat in self.waiting_list()[: self.free]:
            promoted.append(self._set(seat, check_transition(seat.status, S.ENROLLED)))
        return promoted

    def resize(self, capacity: int, *, today: dt.date) -> list[Seat]:
        """Change the capacity; more seats promote from the waiting list. Fewer seats than are taken is refused
        (nobody loses a seat they hold)."""
        if isinstance(capacity, bool) or not 0 < capacity <= 1000:
            raise RuleError("capacity_invalid", Text("Kapasitas 1 sampai 1000", "Capacity must be 1 to 1000"))
        if capacity < self.taken:
            raise RuleError(
                "capacity_below_taken",
                Text(
                    f"Kapasitas tidak boleh kurang dari {self.taken} kursi terisi",
                    f"Capacity cannot be below the {self.taken} seats taken",
                ),
            )
        self.session = replace(self.session, capacity=capacity)
        return self.promote(today=today)
