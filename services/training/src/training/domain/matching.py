"""Recommendations: which programmes answer a development need, ranked, explained in Bahasa Indonesia.

A need comes from a low score (appraisal.low_score_flagged.v1), from a development plan the pejabat penilai
recorded (appraisal.development_plan_changed.v1, cause and actions), or from the development areas of a good
result (appraisal.completed.v1). Each need has a stable key, so a redelivered event gives the same
recommendation id; the caller passes the programmes already recommended or completed for the need's group,
and none of them is recommended again."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from shared.events import (
    AppraisalCompletedPayload,
    Aspect,
    BerAkhlakValue,
    DevelopmentPlanChangedPayload,
    EmployeeType,
    IndicatorResult,
    LowScoreFlaggedPayload,
    PositionType,
    RatingLevel,
)
from shared.events.training import RecommendedProgram
from shared.i18n import Text
from shared.regulation import JP_CAPS, JpCap
from training.domain.catalogue import Programme
from training.domain.errors import RuleError
from training.domain.jp import pppk_remaining
from training.domain.rules import (
    ACTION_FORMS,
    ACTION_LABELS,
    ASPECT_COMPETENCIES,
    ASPECT_LABELS,
    BEHAVIOUR_RULES,
    BERAKHLAK_LABELS,
    CAUSE_COMPETENCIES,
    CAUSE_LABELS,
    DIMENSION_COMPETENCIES,
    DIMENSION_LABELS,
    KEYWORD_RULES,
    MATCH_RULES,
    Dimension,
    MatchRules,
)

RECOMMENDATION_NAMESPACE = uuid.UUID("6f1d3c52-9a47-4d0e-8b8e-3b7f4c0a9e21")
"""Namespace of the deterministic recommendation ids (uuid5 of the need key). Never change it."""
MAX_KEY_PART = 100
MAX_WEAK_ITEMS = 50
"""Weak indicators (or behaviours) of one need that are read; the rest are ignored (bounded work)."""
MAX_TEXT = 500
MAX_EXPLANATION = 1000
"""Characters of one explanation (``karena: ...``); a longer one is cut with an ellipsis."""
"""Characters of an indicator or RHK text that are read."""


class NeedKind(StrEnum):
    LOW_SCORE = "low_score"
    DEVELOPMENT_PLAN = "development_plan"
    DEVELOPMENT_AREA = "development_area"
    """The weak parts of a Baik or Sangat Baik result: development, never a sanction."""


@dataclass(frozen=True)
class WeakIndicator:
    text: str
    aspect: Aspect | None = None
    rhk_text: str | None = None


def group_of(nip: str, appraisal_id: str) -> str:
    """The group of every need of one appraisal (``Need.group``): the key the recommendations are found by."""
    return f"{nip}:{appraisal_id}"


@dataclass(frozen=True)
class Need:
    kind: NeedKind
    nip: str
    appraisal_id: str
    key: str
    """Stable: the same event (or its redelivery) gives the same key."""
    employee_type: EmployeeType | None = None
    position_type: PositionType | None = None
    sector: str | None = None
    weak_indicators: tuple[WeakIndicator, ...] = ()
    weak_behaviours: tuple[BerAkhlakValue, ...] = ()
    low_dimensions: frozenset[Dimension] = frozenset()
    cause: str | None = None
    actions: tuple[str, ...] = ()

    @property
    def group(self) -> str:
        """All needs of one appraisal (any revision, plan or not): what is recommended or completed for one of
        them is not recommended again for another."""
        return group_of(self.nip, self.appraisal_id)

    @property
    def recommendation_id(self) -> str:
        return recommendation_id(self.key)


def _part(name: str, value: str) -> str:
    if not value or len(value) > MAX_KEY_PART or ":" in value or not value.isprintable():
        raise RuleError("need_key_invalid", Text(f"{name} tidak sah untuk kunci", f"{name} is invalid for a key"))
    return value


def need_key(kind: NeedKind, nip: str, appraisal_id: str, revision: int, *extra: str) -> str:
    """``kind:nip:appraisal_id:rREVISION[:extra...]``; refuses parts that are empty, too long or contain ':'."""
    if isinstance(revision, bool) or not 1 <= revision <= 1000:
        raise RuleError("need_key_invalid", Text("revisi tidak sah", "revision is invalid"))
    parts = [kind.value, _part("nip", nip), _part("appraisal_id", appraisal_id), f"r{revision}"]
    parts.extend(_part("extra", e) for e in extra)
    return ":".join(parts)


def recommendation_id(key: str) -> str:
    """The id of the recommendation for a need: the same key always gives the same id."""
    return str(uuid.uuid5(RECOMMENDATION_NAMESPACE, key))


def plain_text(text: str, limit: int = MAX_TEXT) -> str:
    """Event text as it may be shown: control and format characters (line breaks, bidi overrides,
    zero-width ones) become a space, runs of spaces one, at most ``limit`` characters."""
    cleaned = "".join(" " if unicodedata.category(c) in ("Cc", "Cf") else c for c in text[: limit * 2])
    return " ".join(cleaned.split())[:limit]


def _weak(indicators: Iterable[IndicatorResult]) -> tuple[WeakIndicator, ...]:
    return tuple(
        WeakIndicator(plain_text(i.indicator_text), i.aspect, plain_text(i.rhk_text or "") or None)
        for i in list(indicators)[:MAX_WEAK_ITEMS]
    )


def _dimensions(hasil: RatingLevel, perilaku: RatingLevel) -> frozenset[Dimension]:
    low = RatingLevel.DI_BAWAH_EKSPEKTASI
    return frozenset(d for d, r in ((Dimension.HASIL_KERJA, hasil), (Dimension.PERILAKU_KERJA, perilaku)) if r is low)


def need_from_low_score(p: LowScoreFlaggedPayload) -> Need:
    return Need(
        kind=NeedKind.LOW_SCORE,
        nip=p.nip,
        appraisal_id=p.appraisal_id,
        key=need_key(NeedKind.LOW_SCORE, p.nip, p.appraisal_id, p.revision),
        employee_type=p.employee_type,
        position_type=p.position_type,
        sector=p.sector,
        weak_indicators=_weak(p.weak_indicators),
        weak_behaviours=tuple(dict.fromkeys(b.value for b in p.weak_behaviours[:MAX_WEAK_ITEMS])),
        low_dimensions=_dimensions(p.hasil_kerja, p.perilaku_kerja),
    )


def need_from_completed(p: AppraisalCompletedPayload) -> Need | None:
    """The development areas of a result, or None when it has none."""
    if not p.weak_indicators and not p.weak_behaviours:
        return None
    return Need(
        kind=NeedKind.DEVELOPMENT_AREA,
        nip=p.nip,
        appraisal_id=p.appraisal_id,
        key=need_key(NeedKind.DEVELOPMENT_AREA, p.nip, p.appraisal_id, p.revision),
        employee_type=p.employee_type,
        position_type=p.position_type,
        sector=p.sector,
        weak_indicators=_weak(p.weak_indicators),
        weak_behaviours=tuple(dict.fromkeys(b.value for b in p.weak_behaviours[:MAX_WEAK_ITEMS])),
    )


def need_from_development_plan(p: DevelopmentPlanChangedPayload, low_score: Need | None = None) -> Need | None:
    """The need of an active plan (cause and actions), joined with the low-score need of the same appraisal
    when the caller has it (its weak areas, sector, position and employee type); None for a plan awaiting input
    or withdrawn. The key names the cause and actions, so a plan recorded again differently is a new need
    (of the same group)."""
    if p.status != "active":
        return None
    cause = p.cause if p.cause is not None and p.cause in CAUSE_COMPETENCIES else "lainnya"
    actions = tuple(sorted({a for a in p.actions[:10] if a in ACTION_FORMS}))
    base = low_score or Need(NeedKind.LOW_SCORE, p.nip, p.appraisal_id, "")
    if base.nip != p.nip or base.appraisal_id != p.appraisal_id:
        raise RuleError(
            "need_mismatch", Text("Kebutuhan dari penilaian lain", "The low-score need is of another appraisal")
        )
    return replace(
        base,
        kind=NeedKind.DEVELOPMENT_PLAN,
        key=need_key(NeedKind.DEVELOPMENT_PLAN, p.nip, p.appraisal_id, 1, cause, "+".join(actions) or "-"),
        cause=cause,
        actions=actions,
    )


# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    criterion: str
    """Stable code of the criterion (e.g. ``behaviour``, ``programme_keyword``)."""
    points: int
    text: str
    """Bahasa Indonesia."""
    bonus: bool = False
    """Sector and position only add to other reasons; they never make a match on their own."""


@dataclass(frozen=True)
class ProgrammeMatch:
    programme: Programme
    score: int
    """Points of the substantive reasons (what the need asks for)."""
    bonus: int
    """Points of the fit (sector, position): only ranks programmes with the same score."""
    reasons: tuple[Reason, ...]
    exceeds_pppk_cap: bool = False

    @property
    def explanation(self) -> str:
        """``karena: nilai Kolaboratif di bawah ekspektasi; ...`` (Bahasa Indonesia)."""
        text = "karena: " + "; ".join(r.text for r in self.reasons)
        return text if len(text) <= MAX_EXPLANATION else text[: MAX_EXPLANATION - 1] + "…"

    def as_event_program(self) -> RecommendedProgram:
        p = self.programme
        return RecommendedProgram(program_code=p.code, title=p.title, jp=p.jp, modality=p.modality.value)


@dataclass(frozen=True)
class Recommendation:
    recommendation_id: str
    need_key: str
    matches: tuple[ProgrammeMatch, ...] = field(default_factory=tuple)


_WORD_CACHE: dict[str, re.Pattern[str]] = {}


def _has_word(text: str, word: str) -> bool:
    pattern = _WORD_CACHE.get(word)
    if pattern is None:
        pattern = re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])")
        if len(_WORD_CACHE) < 2000:
            _WORD_CACHE[word] = pattern
    return pattern.search(text) is not None


def _indicator_reasons(need: Need, p: Programme, rules: MatchRules) -> list[Reason]:
    w = rules.weights
    reasons: list[Reason] = []
    for ind in need.weak_indicators:
        text = f"{ind.text} {ind.rhk_text or ''}".lower()
        quoted = f"indikator '{ind.text}'"
        hit = next((k for k in p.keywords if _has_word(text, k)), None)
        if hit is not None:
            reasons.append(Reason("programme_keyword", w.programme_keyword, f"{quoted} di bawah target ({hit})"))
            continue
        rule = next(
            (
                r
                for r in KEYWORD_RULES
                if r.competencies & p.competencies and any(_has_word(text, k) for k in r.keywords)
            ),
            None,
        )
        if rule is not None:
            reasons.append(Reason("indicator_keyword", w.indicator_keyword, f"{quoted} di bawah target ({rule.area})"))
            continue
        if ind.aspect is not None and ASPECT_COMPETENCIES[ind.aspect] & p.competencies:
            label = ASPECT_LABELS[ind.aspect]
            reasons.append(Reason("indicator_aspect", w.indicator_aspect, f"{quoted} (aspek {label}) di bawah target"))
    return reasons


def _reasons(need: Need, p: Programme, rules: MatchRules) -> list[Reason]:
    w = rules.weights
    reasons: list[Reason] = []
    for value in need.weak_behaviours:
        label = f"nilai {BERAKHLAK_LABELS[value]} di bawah ekspektasi"
        if value in p.berakhlak_values:
            reasons.append(Reason("behaviour", w.behaviour_direct, label))
        elif BEHAVIOUR_RULES[value].competencies & p.competencies:
            reasons.append(Reason("behaviour_related", w.behaviour_related, label))
    reasons.extend(_indicator_reasons(need, p, rules))
    for dim in sorted(need.low_dimensions):
        if DIMENSION_COMPETENCIES[dim] & p.competencies:
            reasons.append(Reason("low_dimension", w.low_dimension, f"{DIMENSION_LABELS[dim]} di bawah ekspektasi"))
    if need.cause is not None and CAUSE_COMPETENCIES.get(need.cause, frozenset()) & p.competencies:
        reasons.append(
            Reason("plan_cause", w.plan_cause, f"penyebab menurut pejabat penilai: {CAUSE_LABELS[need.cause]}")
        )
    for action in need.actions:
        if p.form in ACTION_FORMS[action]:
            reasons.append(
                Reason("plan_action", w.plan_action_form, f"rencana pengembangan memuat {ACTION_LABELS[action]}")
            )
    if not reasons:
        return []
    if need.sector is not None and need.sector in p.sectors:
        reasons.append(Reason("sector", w.sector, f"program untuk sektor {need.sector}", bonus=True))
    if need.position_type is not None and need.position_type in p.position_types:
        reasons.append(
            Reason("position", w.position, f"program untuk jabatan {need.position_type.value.lower()}", bonus=True)
        )
    return reasons


def eligible(need: Need, p: Programme) -> bool:
    """Whether the employee may take the programme at all: sector (a programme for some sectors only when the need's
    sector is one of them), employee type and position type (see ``Programme.open_to``)."""
    if p.sectors and need.sector not in p.sectors:
        return False
    return p.open_to(need.employee_type, need.position_type)


def recommend(
    need: Need,
    catalogue: Iterable[Programme],
    *,
    exclude: Collection[str] = (),
    pppk_jp_used: float | None = None,
    limit: int | None = None,
    rules: MatchRules = MATCH_RULES,
    cap: JpCap | None = None,
) -> Recommendation:
    """The best programmes for ``need``, at most ``limit`` (default ``rules.default_limit``, at most
    ``rules.max_limit``), ranked by score (the points of their substantive reasons), then by bonus (sector and
    position fit), then by code; with the ``mark`` policy, programmes over a PPPK's cap come last.

    ``exclude``: programme codes already recommended or completed for the need's group; never recommended again.
    ``pppk_jp_used``: for a PPPK, the JP of the current contract year; programmes worth more than what is left of
    the cap are left out (``rules.pppk_cap_policy == "exclude"``) or kept and marked ``exceeds_pppk_cap``. A PPPK
    with an unknown figure is treated as having used none. Deterministic: the same input gives the same output."""
    limit = rules.default_limit if limit is None else limit
    if isinstance(limit, bool) or not 1 <= limit <= rules.max_limit:
        raise RuleError(
            "limit_invalid",
            Text(f"Batas harus 1 sampai {rules.max_limit}", f"The limit must be 1 to {rules.max_limit}"),
        )
    remaining: float | None = None
    if need.employee_type is EmployeeType.PPPK:
        remaining = pppk_remaining(pppk_jp_used or 0.0, cap or JP_CAPS[EmployeeType.PPPK])
    excluded = set(exclude)
    matches: list[ProgrammeMatch] = []
    seen: set[str] = set()
    for p in catalogue:
        if p.code in excluded or p.code in seen or not eligible(need, p):
            continue
        seen.add(p.code)
        reasons = _reasons(need, p, rules)
        if not reasons:
            continue
        over = remaining is not None and p.jp > remaining
        if over and rules.pppk_cap_policy == "exclude":
            continue
        score = sum(r.points for r in reasons if not r.bonus)
        bonus = sum(r.points for r in reasons if r.bonus)
        matches.append(ProgrammeMatch(p, score, bonus, tuple(reasons), exceeds_pppk_cap=over))
    matches.sort(key=lambda m: (m.exceeds_pppk_cap, -m.score, -m.bonus, m.programme.code))
    return Recommendation(need.recommendation_id, need.key, tuple(matches[:limit]))
