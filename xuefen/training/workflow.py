"""A class's life as a state machine: the transition table says which step may follow which; a
step it does not allow raises TrainingError and changes nothing. Every step takes the capability
training.manage on the class's provider."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuefen.training.errors import Code, TrainingError
from xuefen.training.models import ClassStatus


class Step:
    PUBLISH = "publish"
    CLOSE = "close"
    REOPEN = "reopen"
    COMPLETE = "complete"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Transition:
    source: str
    step: str
    target: str


S = ClassStatus
TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.DRAFT, Step.PUBLISH, S.OPEN),
    Transition(S.OPEN, Step.CLOSE, S.CLOSED),
    Transition(S.CLOSED, Step.REOPEN, S.OPEN),
    Transition(S.OPEN, Step.COMPLETE, S.COMPLETED),
    Transition(S.CLOSED, Step.COMPLETE, S.COMPLETED),
    Transition(S.DRAFT, Step.CANCEL, S.CANCELLED),
    Transition(S.OPEN, Step.CANCEL, S.CANCELLED),
    Transition(S.CLOSED, Step.CANCEL, S.CANCELLED),
)

STEP_LABELS = {
    Step.PUBLISH: gettext_lazy("Open sign-up"),
    Step.CLOSE: gettext_lazy("Close sign-up"),
    Step.REOPEN: gettext_lazy("Reopen sign-up"),
    Step.COMPLETE: gettext_lazy("Complete the class and credit it"),
    Step.CANCEL: gettext_lazy("Cancel the class"),
}

# The roster can change (assign, nominate, withdraw, leave) while the class runs, not after.
RUNNING = frozenset({S.DRAFT, S.OPEN, S.CLOSED})
# Attendance is taken in classes that are open or closed for sign-up.
TAKING_ATTENDANCE = frozenset({S.OPEN, S.CLOSED})


def transition(source: str, step: str) -> Transition:
    for t in TRANSITIONS:
        if t.source == source and t.step == step:
            return t
    raise TrainingError(
        Code.STEP_NOT_ALLOWED,
        _("A class that is “%(status)s” cannot take the step “%(step)s”.")
        % {"status": ClassStatus(source).label, "step": STEP_LABELS.get(step, step)},
        field="step",
    )


def steps_from(source: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == source]
