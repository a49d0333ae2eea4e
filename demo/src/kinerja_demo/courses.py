"""What a demo person does with the training service's recommendations (pure, no I/O): about 60 % accept
one (enrolling in a session of a recommended programme that has not ended: a seat, or its waiting list),
about 15 % decline with a reason, the rest leave it open.

No completion is loaded: the training service refuses an enrolment in a session that has ended
(``session_ended``), and a completion only once it has; a demo loaded today can only enrol in what is still
to come (the seeded e-learning runs to mid-December), so its completions lie in the future.

The shares are assumptions of the demo, not figures of the city. Every choice is drawn from the seed and the
recommendation's own keys (the person, the appraisal, the reason), so the same city makes the same choices
whatever order the loader meets them in.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

ACCEPT_SHARE = 0.6
DECLINE_SHARE = 0.15
DECLINE_REASONS = (
    "Sudah mengikuti pelatihan serupa tahun lalu",
    "Bertepatan dengan beban kerja akhir tahun; akan diajukan tahun depan",
    "Memilih belajar mandiri melalui e-learning",
)

Action = Literal["accept", "decline", "leave"]


@dataclass(frozen=True)
class Choice:
    action: Action
    decline_reason: str | None = None


def choice_for(seed: int, nip: str, appraisal_id: str, reason: str) -> Choice:
    """What the person does with their recommendation for ``appraisal_id`` given for ``reason``."""
    rng = random.Random(f"courses:{seed}:{nip}:{appraisal_id}:{reason}")
    draw = rng.random()
    if draw < ACCEPT_SHARE:
        return Choice("accept")
    if draw < ACCEPT_SHARE + DECLINE_SHARE:
        return Choice("decline", rng.choice(DECLINE_REASONS))
    return Choice("leave")


def sessions_for(
    recommended: Sequence[str], sessions: Mapping[str, Sequence[Mapping[str, Any]]], today: dt.date
) -> list[tuple[str, str]]:
    """(programme, session) pairs to try, in order: of the recommended programmes in their rank order, the
    sessions that have not ended with a seat free, then those without (a place on the waiting list). Empty
    when every session of every recommended programme has ended (or there is none). The loader tries them in
    turn: the training service refuses one whose dates clash with a session the person already holds."""
    open_ = [
        (code, s)
        for code in recommended
        for s in sessions.get(code, ())
        if dt.date.fromisoformat(str(s["ends_on"])) >= today
    ]
    ranked = [pair for pair in open_ if pair[1]["seats_free"] > 0] + [
        pair for pair in open_ if pair[1]["seats_free"] <= 0
    ]
    return [(code, str(s["code"])) for code, s in ranked]
