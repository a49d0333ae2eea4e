"""JP arithmetic: the conversion of an activity to JP, the yearly ledger, the PNS shortfall, the PPPK cap and
who is behind."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from shared.events import EmployeeType
from shared.i18n import Text
from shared.regulation import JP_CAPS, JP_OBLIGATIONS, JpCap, JpObligation
from training.domain.errors import RuleError
from training.domain.rules import (
    JP_RULES,
    PROGRESS_RULES,
    Conversion,
    JpRules,
    LearningForm,
    ProgressRules,
)


def _decimal(name: str, value: float | int | Decimal) -> Decimal:
    if isinstance(value, bool):
        raise RuleError("jp_input_invalid", Text(f"{name} harus berupa angka", f"{name} must be a number"))
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise RuleError("jp_input_invalid", Text(f"{name} harus berupa angka", f"{name} must be a number")) from exc
    if not number.is_finite():
        raise RuleError("jp_input_invalid", Text(f"{name} harus berupa angka", f"{name} must be a finite number"))
    return number


def _bounded(name: str, value: float | int | Decimal, maximum: Decimal) -> Decimal:
    number = _decimal(name, value)
    if number <= 0:
        raise RuleError("jp_input_not_positive", Text(f"{name} harus lebih dari 0", f"{name} must be greater than 0"))
    if number > maximum:
        raise RuleError(
            "jp_input_too_large",
            Text(f"{name} paling banyak {maximum}", f"{name} must be at most {maximum}"),
        )
    return number


def _round(value: Decimal, rules: JpRules) -> float:
    return float(value.quantize(Decimal(1).scaleb(-rules.decimals), rounding=ROUND_HALF_UP))


def jp_for(
    form: LearningForm,
    *,
    days: float | None = None,
    jp_stated: float | None = None,
    minutes: int | None = None,
    international: bool = False,
    rules: JpRules = JP_RULES,
) -> float:
    """The JP an activity of ``form`` is worth under the conversion table (rules.FORM_RULES).

    Give exactly the input the form's conversion uses: ``days`` for seminar and workshop (whole or half days),
    ``jp_stated`` for training stated in JP, ``minutes`` (or, where accepted, ``jp_stated``) for non-classical
    forms. Anything else, a value of 0 or less, or a value over the bounds in ``rules``, is refused."""
    rule = rules.forms.get(form)
    if rule is None:
        raise RuleError("jp_form_unknown", Text(f"Bentuk {form} tidak dikenal", f"Unknown form {form}"))
    given = {name for name, v in (("days", days), ("jp_stated", jp_stated), ("minutes", minutes)) if v is not None}
    if rule.conversion is Conversion.PER_DAY:
        expected = {"days"}
    elif rule.conversion is Conversion.AS_STATED or (rule.stated_jp_accepted and given == {"jp_stated"}):
        expected = {"jp_stated"}
    else:
        expected = {"minutes"}
    if given != expected:
        wanted = " atau ".join(sorted(expected | ({"jp_stated"} if rule.stated_jp_accepted else set())))
        raise RuleError(
            "jp_input_mismatch",
            Text(
                f"{rule.label} dihitung dari {wanted}; diberikan: {', '.join(sorted(given)) or '-'}",
                f"{rule.label} is converted from {wanted}; given: {', '.join(sorted(given)) or '-'}",
            ),
        )
    if days is not None:
        amount = _bounded("days", days, rules.max_days)
        if amount * 2 != (amount * 2).to_integral_value():
            raise RuleError(
                "jp_input_invalid", Text("days harus kelipatan setengah hari", "days must be a multiple of half a day")
            )
        per_day = rule.jp_per_day_international if international else rule.jp_per_day_national
        if per_day is None:  # pragma: no cover - a PER_DAY rule always has both rates
            raise RuleError("jp_form_unknown", Text("Tabel konversi tidak lengkap", "Incomplete conversion table"))
        return _round(amount * per_day, rules)
    if jp_stated is not None:
        stated = _bounded("jp_stated", jp_stated, rules.max_jp_stated)
        factor = rule.international_factor if international else Decimal(1)
        return _round(stated * factor, rules)
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise RuleError("jp_input_invalid", Text("minutes harus bilangan bulat", "minutes must be a whole number"))
    return _round(_bounded("minutes", minutes, Decimal(rules.max_minutes)) / rules.minutes_per_jp, rules)


# ---------------------------------------------------------------------------------------------------
# The ledger


class LedgerSource(StrEnum):
    COMPLETION = "completion"
    """A programme of the catalogue completed (training.completed.v1)."""
    EXTERNAL = "external"
    """Learning outside the catalogue the employee reported (certificate); counts only once approved."""


@dataclass(frozen=True)
class LedgerEntry:
    ref: str
    """The enrolment id or the external-learning id: one entry per ref (a redelivered event counts once)."""
    source: LedgerSource
    jp: float
    on: dt.date
    """Day the learning was completed."""
    year: int
    """Year the JP count toward (training.completed.v1 ``year``)."""
    approved: bool = True
    """External learning counts once approved; completions are always approved."""


def validate_entry(entry: LedgerEntry, rules: JpRules = JP_RULES) -> LedgerEntry:
    """The entry, or RuleError when its JP are 0 or less, over the bound, or its year is not its date's year
    (or the year before, for learning completed in the first days of a year and credited to the old one)."""
    _bounded("jp", entry.jp, rules.max_jp_per_entry)
    if not entry.ref or len(entry.ref) > 200:
        raise RuleError("ledger_ref_invalid", Text("Referensi entri tidak sah", "Invalid ledger entry reference"))
    if entry.year not in (entry.on.year, entry.on.year - 1):
        raise RuleError(
            "ledger_year_mismatch",
            Text(
                f"Tahun {entry.year} tidak sesuai tanggal {entry.on.isoformat()}",
                f"Year {entry.year} does not fit the date {entry.on.isoformat()}",
            ),
        )
    return entry


def _counted(entries: Iterable[LedgerEntry], rules: JpRules) -> list[LedgerEntry]:
    seen: dict[str, LedgerEntry] = {}
    for entry in entries:
        validate_entry(entry, rules)
        previous = seen.get(entry.ref)
        if previous is not None and previous != entry:
            raise RuleError(
                "ledger_ref_conflict",
                Text(
                    f"Entri {entry.ref} tercatat dua kali berbeda", f"Entry {entry.ref} is recorded twice, differently"
                ),
            )
        seen[entry.ref] = entry
    return [e for e in seen.values() if e.approved]


def jp_in_year(entries: Iterable[LedgerEntry], year: int, rules: JpRules = JP_RULES) -> float:
    """JP credited to ``year``: approved entries counted once per ref."""
    total = sum((Decimal(str(e.jp)) for e in _counted(entries, rules) if e.year == year), Decimal(0))
    return _round(total, rules)


def jp_between(entries: Iterable[LedgerEntry], first: dt.date, last: dt.date, rules: JpRules = JP_RULES) -> float:
    """JP of approved entries completed from ``first`` to ``last`` (both included), counted once per ref."""
    total = sum((Decimal(str(e.jp)) for e in _counted(entries, rules) if first <= e.on <= last), Decimal(0))
    return _round(total, rules)


def jp_shortfall(earned_jp: float, obligation: JpObligation) -> float:
    """How many JP are still missing this year (0 when the obligation is met)."""
    if earned_jp < 0 or not math.isfinite(earned_jp):
        raise ValueError("earned JP cannot be negative")
    return max(0.0, obligation.minimum_jp_per_year - earned_jp)


def pppk_remaining(used_jp: float, cap: JpCap | None = None) -> float:
    """JP a PPPK may still take in the contract year (0 when at or over the cap)."""
    cap = cap or JP_CAPS[EmployeeType.PPPK]
    if used_jp < 0 or not math.isfinite(used_jp):
        raise ValueError("used JP cannot be negative")
    return max(0.0, cap.maximum_jp - used_jp)


def pppk_over_cap(used_jp: float, cap: JpCap | None = None) -> float:
    """JP a PPPK took beyond the cap in the contract year (0 when within)."""
    cap = cap or JP_CAPS[EmployeeType.PPPK]
    if used_jp < 0 or not math.isfinite(used_jp):
        raise ValueError("used JP cannot be negative")
    return max(0.0, used_jp - cap.maximum_jp)


# ---------------------------------------------------------------------------------------------------
# Who is behind


class JpProgress(StrEnum):
    MET = "met"
    """PNS: the yearly minimum is reached."""
    ON_TRACK = "on_track"
    """PNS: at least the pro-rata share of the minimum so far."""
    BEHIND = "behind"
    """PNS: fewer JP than the pro-rata share so far."""
    NOT_STARTED = "not_started"
    """PNS: no JP at all once a quarter of the year (ProgressRules) has passed."""
    WITHIN_CAP = "within_cap"
    """PPPK: below the cap."""
    AT_CAP = "at_cap"
    """PPPK: exactly at the cap: recommend nothing more this contract year."""
    OVER_CAP = "over_cap"
    """PPPK: beyond the cap."""


@dataclass(frozen=True)
class JpStanding:
    employee_type: EmployeeType
    earned_jp: float
    progress: JpProgress
    minimum_jp: int | None = None
    expected_by_now: float | None = None
    shortfall: float = 0.0
    """PNS: JP still missing for the year."""
    remaining_under_cap: float | None = None
    over_cap: float = 0.0


def classify(
    employee_type: EmployeeType,
    earned_jp: float,
    *,
    as_of: dt.date,
    year: int | None = None,
    progress_rules: ProgressRules = PROGRESS_RULES,
    obligation: JpObligation | None = None,
    cap: JpCap | None = None,
) -> JpStanding:
    """Where an employee stands: for a PNS against the yearly minimum of ``year`` (default: ``as_of``'s year) and
    its pro-rata share at ``as_of``; for a PPPK against the cap (``earned_jp`` = JP of the current contract year)."""
    if earned_jp < 0 or not math.isfinite(earned_jp):
        raise RuleError("jp_input_invalid", Text("JP tidak boleh negatif", "JP cannot be negative"))
    if employee_type is EmployeeType.PPPK:
        cap = cap or JP_CAPS[EmployeeType.PPPK]
        if earned_jp > cap.maximum_jp:
            progress = JpProgress.OVER_CAP
        elif earned_jp == cap.maximum_jp:
            progress = JpProgress.AT_CAP
        else:
            progress = JpProgress.WITHIN_CAP
        return JpStanding(
            employee_type,
            earned_jp,
            progress,
            remaining_under_cap=pppk_remaining(earned_jp, cap),
            over_cap=pppk_over_cap(earned_jp, cap),
        )
    obligation = obligation or JP_OBLIGATIONS[EmployeeType.PNS]
    year = as_of.year if year is None else year
    minimum = obligation.minimum_jp_per_year
    share = _elapsed_share(year, as_of)
    expected = round(minimum * share, 2)
    shortfall = jp_shortfall(earned_jp, obligation)
    if shortfall == 0:
        progress = JpProgress.MET
    elif earned_jp == 0 and Decimal(str(share)) >= progress_rules.not_started_after:
        progress = JpProgress.NOT_STARTED
    elif earned_jp >= expected:
        progress = JpProgress.ON_TRACK
    else:
        progress = JpProgress.BEHIND
    return JpStanding(employee_type, earned_jp, progress, minimum, expected, shortfall)


def _elapsed_share(year: int, as_of: dt.date) -> float:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if as_of < first:
        return 0.0
    if as_of >= last:
        return 1.0
    return ((as_of - first).days + 1) / ((last - first).days + 1)


BEHIND_ORDER = (JpProgress.NOT_STARTED, JpProgress.BEHIND, JpProgress.OVER_CAP)


def who_is_behind(standings: Mapping[str, JpStanding]) -> list[tuple[str, JpStanding]]:
    """The employees (by NIP) who need attention: PNS not started or behind (largest shortfall first) and PPPK
    over the cap (largest excess first); ties by NIP."""

    def key(item: tuple[str, JpStanding]) -> tuple[int, float, str]:
        nip, s = item
        return BEHIND_ORDER.index(s.progress), -(s.shortfall or s.over_cap), nip

    return sorted(((nip, s) for nip, s in standings.items() if s.progress in BEHIND_ORDER), key=key)
