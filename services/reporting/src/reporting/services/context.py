"""What the reporting use cases work with, built once in wiring."""

from __future__ import annotations

from dataclasses import dataclass, field

from reporting.repository.store import Generations
from shared.clock import Clock
from shared.lag import LagProbe
from shared.roster import Roster


@dataclass
class Reporting:
    generations: Generations
    roster: Roster
    clock: Clock = field(default_factory=Clock)
    lag: LagProbe | None = None
    """Consumer lag per topic (None where no broker is probed, e.g. a replay)."""
