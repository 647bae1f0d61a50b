"""The claim workflow as an explicit state machine: the transition table is the only place that
says which step may follow which, and who may take it. A step the table does not allow raises
TransitionError and changes nothing."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.claims.errors import Code, TransitionError
from xuefen.claims.models import Status


class Step:
    SUBMIT = "submit"
    CHECK = "check"  # unit check (for study notes: the sign-off 签阅)
    APPROVE = "approve"  # office approval: posts the credit
    RETURN = "return"
    REJECT = "reject"
    REVOKE = "revoke"  # after a spot-check re-audit found the credit unfounded


@dataclass(frozen=True)
class Transition:
    source: str
    step: str
    target: str
    capability: str  # on the claim's person's unit; CLAIMS_SUBMIT also covers the person themself
    needs_reason: bool = False
    reviewer: bool = True  # a reviewer step: never by the claim's person or its submitter
    # Another capability that may take the step: the office stands in for the unit check when
    # the unit administrator submitted the claim themself (then someone else must approve it).
    also: str = ""


_OFFICE = Cap.CREDITS_APPROVE

TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.DRAFT, Step.SUBMIT, Status.SUBMITTED, Cap.CLAIMS_SUBMIT, reviewer=False),
    Transition(Status.RETURNED, Step.SUBMIT, Status.SUBMITTED, Cap.CLAIMS_SUBMIT, reviewer=False),
    Transition(Status.SUBMITTED, Step.CHECK, Status.UNIT_CHECKED, Cap.CREDITS_CHECK, also=_OFFICE),
    Transition(
        Status.SUBMITTED, Step.RETURN, Status.RETURNED, Cap.CREDITS_CHECK, True, also=_OFFICE
    ),
    Transition(
        Status.SUBMITTED, Step.REJECT, Status.REJECTED, Cap.CREDITS_CHECK, True, also=_OFFICE
    ),
    Transition(Status.UNIT_CHECKED, Step.APPROVE, Status.CREDITED, Cap.CREDITS_APPROVE),
    Transition(Status.UNIT_CHECKED, Step.RETURN, Status.RETURNED, Cap.CREDITS_APPROVE, True),
    Transition(Status.UNIT_CHECKED, Step.REJECT, Status.REJECTED, Cap.CREDITS_APPROVE, True),
    Transition(Status.CREDITED, Step.REVOKE, Status.REVOKED, Cap.CREDITS_APPROVE, True),
)

STEP_LABELS = {
    Step.SUBMIT: _("Submit"),
    Step.CHECK: _("Check"),
    Step.APPROVE: _("Approve and credit"),
    Step.RETURN: _("Return for revision"),
    Step.REJECT: _("Reject"),
    Step.REVOKE: _("Revoke"),
}

EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


def transition(source: str, step: str) -> Transition:
    """The transition `step` from `source`, or TransitionError naming both."""
    for t in TRANSITIONS:
        if t.source == source and t.step == step:
            return t
    raise TransitionError(
        Code.STEP_NOT_ALLOWED,
        _("A claim that is “%(status)s” cannot take the step “%(step)s”.")
        % {"status": Status(source).label, "step": STEP_LABELS.get(step, step)},
        field="step",
    )


def steps_from(source: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == source]
