import pytest

from appraisal.domain.skp import (
    ACTION_WORDS,
    MAX_REVISIONS,
    REVISION_TRANSITIONS,
    TRANSITIONS,
    Indicator,
    Rhk,
    SkpAction,
    SkpStatus,
    WorkflowError,
    on_proposal,
    revision_transition,
    submission_problems,
    transition,
)
from shared.events import Aspect
from shared.i18n import Text

ALLOWED = {
    (SkpStatus.DRAFT, SkpAction.EDIT): SkpStatus.DRAFT,
    (SkpStatus.DRAFT, SkpAction.SUBMIT): SkpStatus.SUBMITTED,
    (SkpStatus.RETURNED, SkpAction.EDIT): SkpStatus.RETURNED,
    (SkpStatus.RETURNED, SkpAction.SUBMIT): SkpStatus.SUBMITTED,
    (SkpStatus.SUBMITTED, SkpAction.APPROVE): SkpStatus.APPROVED,
    (SkpStatus.SUBMITTED, SkpAction.RETURN): SkpStatus.RETURNED,
    (SkpStatus.APPROVED, SkpAction.CLOSE): SkpStatus.CLOSED,
}
ALL_PAIRS = [(s, a) for s in SkpStatus for a in SkpAction]


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS)
def test_every_workflow_transition_is_allowed_or_refused(status: SkpStatus, action: SkpAction) -> None:
    if (status, action) in ALLOWED:
        assert transition(status, action) is ALLOWED[(status, action)]
    else:
        with pytest.raises(WorkflowError, match=f"Cannot {action.value} an SKP that is") as refused:
            transition(status, action)
        assert refused.value.text.ind.startswith(f"Tidak dapat {ACTION_WORDS[action].ind} SKP yang berstatus")


def test_the_transition_table_is_exactly_the_allowed_set() -> None:
    assert TRANSITIONS == ALLOWED


def test_an_approved_skp_is_only_closed_and_a_closed_one_is_final() -> None:
    """Its content changes only through a revision proposal; a mutation closes it."""
    assert [a for a in SkpAction if (SkpStatus.APPROVED, a) in TRANSITIONS] == [SkpAction.CLOSE]
    assert all((SkpStatus.CLOSED, a) not in TRANSITIONS for a in SkpAction)


PROPOSAL_STATES: list[SkpStatus | None] = [None, *SkpStatus]
REVISION_ALLOWED = {
    (None, SkpAction.REVISE): SkpStatus.SUBMITTED,
    (SkpStatus.RETURNED, SkpAction.REVISE): SkpStatus.SUBMITTED,
    (SkpStatus.SUBMITTED, SkpAction.APPROVE): SkpStatus.APPROVED,
    (SkpStatus.SUBMITTED, SkpAction.RETURN): SkpStatus.RETURNED,
}


@pytest.mark.parametrize("proposal", PROPOSAL_STATES)
@pytest.mark.parametrize("action", list(SkpAction))
def test_every_revision_step_of_an_approved_skp_is_allowed_or_refused(
    proposal: SkpStatus | None, action: SkpAction
) -> None:
    if (proposal, action) in REVISION_ALLOWED:
        assert (
            revision_transition(SkpStatus.APPROVED, proposal, action, revisions=0)
            is REVISION_ALLOWED[(proposal, action)]
        )
    else:
        with pytest.raises(WorkflowError, match="revision proposal"):
            revision_transition(SkpStatus.APPROVED, proposal, action, revisions=0)
    assert REVISION_TRANSITIONS == REVISION_ALLOWED


@pytest.mark.parametrize("status", [s for s in SkpStatus if s is not SkpStatus.APPROVED])
def test_only_an_approved_skp_in_force_is_revised(status: SkpStatus) -> None:
    with pytest.raises(WorkflowError, match="only an approved SKP in force is revised"):
        revision_transition(status, None, SkpAction.REVISE, revisions=0)


def test_revisions_are_bounded_but_a_pending_one_is_still_decided() -> None:
    with pytest.raises(WorkflowError, match=f"at most {MAX_REVISIONS} times"):
        revision_transition(SkpStatus.APPROVED, None, SkpAction.REVISE, revisions=MAX_REVISIONS)
    assert revision_transition(SkpStatus.APPROVED, None, SkpAction.REVISE, revisions=MAX_REVISIONS - 1) is (
        SkpStatus.SUBMITTED
    )
    decided = revision_transition(SkpStatus.APPROVED, SkpStatus.SUBMITTED, SkpAction.APPROVE, revisions=MAX_REVISIONS)
    assert decided is SkpStatus.APPROVED


@pytest.mark.parametrize("status", list(SkpStatus))
@pytest.mark.parametrize("proposal", PROPOSAL_STATES)
def test_approve_and_return_act_on_a_proposal_only_when_one_waits_on_an_skp_in_force(
    status: SkpStatus, proposal: SkpStatus | None
) -> None:
    expected = status is SkpStatus.APPROVED and proposal is SkpStatus.SUBMITTED
    assert on_proposal(status, proposal) is expected


def rhk(rhk_id: str, kind: str = "utama", intervened: str | None = "top-1", indicators: int = 1) -> Rhk:
    return Rhk(
        rhk_id,
        kind,
        f"RHK {rhk_id}",
        intervened,
        tuple(Indicator(f"{rhk_id}-i{n}", Aspect.KUANTITAS, "Cakupan", "95", "%") for n in range(indicators)),
    )


def test_complete_skp_has_no_problems() -> None:
    assert submission_problems([rhk("r1"), rhk("r2", "tambahan", None)], superior_rhk_ids={"top-1"}) == []


def test_needs_an_rhk_utama() -> None:
    assert Text("SKP memerlukan paling sedikit satu RHK utama", "An SKP needs at least one RHK utama") in (
        submission_problems([rhk("r1", "tambahan")], superior_rhk_ids={"top-1"})
    )


def test_each_rhk_needs_an_indicator_and_unique_ids() -> None:
    problems = [p.en for p in submission_problems([rhk("r1", indicators=0), rhk("r1")], superior_rhk_ids={"top-1"})]
    assert "RHK r1 needs at least one indicator" in problems
    assert "RHK ids must be unique" in problems


def test_rhk_utama_must_intervene_an_rhk_of_the_superiors_approved_skp() -> None:
    found = submission_problems([rhk("r1", intervened=None), rhk("r2", intervened="ghost")], superior_rhk_ids={"x"})
    problems = [p.en for p in found]
    assert "RHK utama r1 must intervene an RHK of the pejabat penilai's SKP" in problems
    assert any(p.startswith("RHK r2 intervenes ghost") for p in problems)


def test_top_of_an_opd_intervenes_nothing() -> None:
    assert submission_problems([rhk("r1", intervened=None)], superior_rhk_ids=None) == []
