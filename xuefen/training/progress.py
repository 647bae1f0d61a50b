"""Where each learner of a class stands: hours present, hours on approved leave and what the
class's completion rule says of them (read set-based: a fixed handful of queries per class,
whatever its size). The roster page shows it as the class runs; completion decides by it."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from xuefen.training import rules
from xuefen.training.models import (
    Attendance,
    Enrolment,
    EnrolmentStatus,
    LeaveRequest,
    LeaveStatus,
    Session,
    TrainingClass,
)

ZERO = Decimal(0)


@dataclass
class Standing:
    enrolment: Enrolment
    present_hours: Decimal = ZERO
    leave_hours: Decimal = ZERO
    present_sessions: set[int] = field(default_factory=set)
    reasons: list[rules.Reason] = field(default_factory=list)

    @property
    def passes(self) -> bool:
        return not self.reasons


def standings(klass: TrainingClass, sessions: list[Session] | None = None) -> list[Standing]:
    """Every enrolled learner's standing in the class, judged by its rule as if it ended now."""
    sessions = sessions if sessions is not None else list(klass.sessions.all())
    hours = {s.pk: s.hours for s in sessions}
    enrolments = list(
        klass.enrolments.filter(status=EnrolmentStatus.ENROLLED)
        .select_related("person__unit")
        .order_by("person__unit__path", "person__name", "id")
    )
    by_person = {e.person_id: Standing(e) for e in enrolments}
    for row in Attendance.objects.filter(session__klass=klass, person_id__in=list(by_person)):
        standing = by_person[row.person_id]
        if row.session_id in hours and row.is_present(klass.checkout_required):
            standing.present_sessions.add(row.session_id)
            standing.present_hours += hours[row.session_id]
    on_leave: dict[int, set[int]] = defaultdict(set)
    leaves = LeaveRequest.sessions.through.objects.filter(
        leaverequest__enrolment__klass=klass, leaverequest__status=LeaveStatus.APPROVED
    ).values_list("leaverequest__enrolment__person_id", "session_id")
    for person_id, session_id in leaves:
        on_leave[person_id].add(session_id)
    for person_id, standing in by_person.items():
        away = on_leave.get(person_id, set()) - standing.present_sessions
        standing.leave_hours = sum((hours[s] for s in away if s in hours), ZERO)
        standing.reasons = rules.judge(
            total_hours=klass.hours,
            present_hours=standing.present_hours,
            leave_hours=standing.leave_hours,
            test_score=standing.enrolment.test_score,
            attendance_min=klass.attendance_min,
            leave_max=klass.leave_max if klass.full_time else "",
            test_pass_mark=klass.test_pass_mark,
        )
    return list(by_person.values())
