"""The SKP (performance plan) and its workflow: draft -> submitted -> approved, or returned and revised;
an approved SKP is closed at a mutation (``domain.mutation``) and revised through a new submission
(a *revision proposal*: submitted -> approved, or returned; the approved content stays in force
until the proposal is approved)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from shared.events import Aspect
from shared.i18n import Text


class SkpStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    CLOSED = "closed"
    """Approved, and ended before 31 December by a mutation (``valid_to``); its evaluations stay with it."""


class SkpAction(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    CLOSE = "close"
    REVISE = "revise"


MAX_REVISIONS = 10
"""Approved revisions one SKP may go through (a documented bound; a mutation starts a new SKP)."""


STATUS_WORDS = {
    SkpStatus.DRAFT: Text("draf", "a draft"),
    SkpStatus.SUBMITTED: Text("diajukan", "submitted"),
    SkpStatus.APPROVED: Text("disetujui", "approved"),
    SkpStatus.RETURNED: Text("dikembalikan", "returned"),
    SkpStatus.CLOSED: Text("ditutup", "closed"),
}
"""How a sentence names an SKP's status."""
ACTION_WORDS = {
    SkpAction.EDIT: Text("mengubah", "edit"),
    SkpAction.SUBMIT: Text("mengajukan", "submit"),
    SkpAction.APPROVE: Text("menyetujui", "approve"),
    SkpAction.RETURN: Text("mengembalikan", "return"),
    SkpAction.CLOSE: Text("menutup", "close"),
    SkpAction.REVISE: Text("merevisi", "revise"),
}
"""How a sentence names an action on an SKP (the verb)."""
DONE_WORDS = {
    SkpAction.EDIT: Text("diubah", "edited"),
    SkpAction.SUBMIT: Text("diajukan", "submitted"),
    SkpAction.APPROVE: Text("disetujui", "approved"),
    SkpAction.RETURN: Text("dikembalikan", "returned"),
    SkpAction.CLOSE: Text("ditutup", "closed"),
    SkpAction.REVISE: Text("direvisi", "revised"),
}
"""How a sentence names an action done to an SKP (the participle)."""


class WorkflowError(ValueError):
    """The action is not allowed in the current state."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


TRANSITIONS: dict[tuple[SkpStatus, SkpAction], SkpStatus] = {
    (SkpStatus.DRAFT, SkpAction.EDIT): SkpStatus.DRAFT,
    (SkpStatus.RETURNED, SkpAction.EDIT): SkpStatus.RETURNED,
    (SkpStatus.DRAFT, SkpAction.SUBMIT): SkpStatus.SUBMITTED,
    (SkpStatus.RETURNED, SkpAction.SUBMIT): SkpStatus.SUBMITTED,
    (SkpStatus.SUBMITTED, SkpAction.APPROVE): SkpStatus.APPROVED,
    (SkpStatus.SUBMITTED, SkpAction.RETURN): SkpStatus.RETURNED,
    (SkpStatus.APPROVED, SkpAction.CLOSE): SkpStatus.CLOSED,
}

REVISION_TRANSITIONS: dict[tuple[SkpStatus | None, SkpAction], SkpStatus] = {
    (None, SkpAction.REVISE): SkpStatus.SUBMITTED,
    (SkpStatus.RETURNED, SkpAction.REVISE): SkpStatus.SUBMITTED,
    (SkpStatus.SUBMITTED, SkpAction.APPROVE): SkpStatus.APPROVED,
    (SkpStatus.SUBMITTED, SkpAction.RETURN): SkpStatus.RETURNED,
}
"""The revision proposal of an approved SKP (None: there is none). An approved proposal replaces the
content in force and is cleared; one proposal at a time."""


def transition(status: SkpStatus, action: SkpAction) -> SkpStatus:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        verb, state = ACTION_WORDS[action], STATUS_WORDS[status]
        raise WorkflowError(
            Text(
                f"Tidak dapat {verb.ind} SKP yang berstatus {state.ind}",
                f"Cannot {verb.en} an SKP that is {state.en}",
            )
        ) from None


def on_proposal(status: SkpStatus, proposal: SkpStatus | None) -> bool:
    """Whether approving or returning acts on a revision proposal (pending on an SKP in force)
    rather than on the SKP itself."""
    return status is SkpStatus.APPROVED and proposal is SkpStatus.SUBMITTED


def revision_transition(
    status: SkpStatus, proposal: SkpStatus | None, action: SkpAction, *, revisions: int
) -> SkpStatus:
    """The new status of the revision proposal of an SKP; ``revisions``: how many were approved."""
    if status is not SkpStatus.APPROVED:
        raise WorkflowError(
            Text(
                f"hanya SKP yang disetujui dan berlaku yang dapat direvisi; SKP ini berstatus {status.value}",
                f"only an approved SKP in force is revised; this one is {status.value}",
            )
        )
    if action is SkpAction.REVISE and revisions >= MAX_REVISIONS:
        raise WorkflowError(
            Text(
                f"SKP paling banyak direvisi {MAX_REVISIONS} kali",
                f"an SKP is revised at most {MAX_REVISIONS} times",
            )
        )
    try:
        return REVISION_TRANSITIONS[(proposal, action)]
    except KeyError:
        state = proposal.value if proposal else "none"
        raise WorkflowError(
            Text(
                f"usulan revisi yang berstatus {state} tidak dapat {DONE_WORDS[action].ind}",
                f"cannot {action.value} a revision proposal that is {state}",
            )
        ) from None


@dataclass(frozen=True)
class Indicator:
    indicator_id: str
    aspect: Aspect
    text: str
    target: str
    unit: str


@dataclass(frozen=True)
class Rhk:
    rhk_id: str
    kind: str  # "utama" | "tambahan"
    text: str
    intervened_rhk_id: str | None
    indicators: tuple[Indicator, ...]


def submission_problems(rhk: Collection[Rhk], *, superior_rhk_ids: Collection[str] | None) -> list[Text]:
    """What keeps an SKP from being submitted or approved; empty when it is complete.

    ``superior_rhk_ids`` are the RHK of the pejabat penilai's approved SKP of the same year, or None
    at the top of an OPD (no pejabat penilai in the OPD), where nothing is intervened."""
    problems: list[Text] = []
    if not any(r.kind == "utama" for r in rhk):
        problems.append(Text("SKP memerlukan paling sedikit satu RHK utama", "An SKP needs at least one RHK utama"))
    rhk_ids = [r.rhk_id for r in rhk]
    if len(rhk_ids) != len(set(rhk_ids)):
        problems.append(Text("ID RHK harus unik", "RHK ids must be unique"))
    indicator_ids = [i.indicator_id for r in rhk for i in r.indicators]
    if len(indicator_ids) != len(set(indicator_ids)):
        problems.append(Text("ID indikator harus unik dalam SKP", "Indicator ids must be unique within the SKP"))
    for r in rhk:
        if not r.indicators:
            problems.append(
                Text(
                    f"RHK {r.rhk_id} memerlukan paling sedikit satu indikator",
                    f"RHK {r.rhk_id} needs at least one indicator",
                )
            )
        if superior_rhk_ids is None:
            continue
        if r.intervened_rhk_id is None:
            if r.kind == "utama":
                problems.append(
                    Text(
                        f"RHK utama {r.rhk_id} harus mengintervensi RHK pada SKP pejabat penilai",
                        f"RHK utama {r.rhk_id} must intervene an RHK of the pejabat penilai's SKP",
                    )
                )
        elif r.intervened_rhk_id not in superior_rhk_ids:
            problems.append(
                Text(
                    f"RHK {r.rhk_id} mengintervensi {r.intervened_rhk_id}, yang bukan RHK pada SKP pejabat penilai "
                    "yang telah disetujui untuk tahun yang sama",
                    f"RHK {r.rhk_id} intervenes {r.intervened_rhk_id}, which is not an RHK of the pejabat penilai's "
                    "approved SKP of the same year",
                )
            )
    return problems
