"""The roster: learners sign up from the menu (or join the wait list of a full class), the office
assigns people (调训), units nominate theirs; people withdraw and the wait list moves up; leave is
asked and decided; test scores are entered.

Seats are counted with the class row locked, so two sign-ups for the last seat cannot both win.
A refused step changes nothing; a step already taken (signing up twice) changes nothing either."""

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, user_of
from xuefen.orgs.models import Person
from xuefen.training import queries
from xuefen.training.actions.common import audit_person, forbidden, lock, require_manage
from xuefen.training.errors import Code, TrainingError
from xuefen.training.models import (
    ClassStatus,
    Enrolment,
    EnrolmentStatus,
    LeaveRequest,
    LeaveStatus,
    Quota,
    Route,
    Session,
    TrainingClass,
)
from xuefen.training.workflow import RUNNING

if TYPE_CHECKING:
    pass

ENROLLED, WAITLISTED, WITHDRAWN = (
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.WITHDRAWN,
)
QUOTA_ROUTES = (Route.SIGNUP, Route.NOMINATED)


def _enrolled(klass: TrainingClass) -> int:
    return klass.enrolments.filter(status=ENROLLED).count()


def _quota_of(klass: TrainingClass, person: Person) -> Quota | None:
    """The deepest quota whose subtree holds the person's unit."""
    found = [
        q for q in klass.quotas.select_related("node") if person.unit.path.startswith(q.node.path)
    ]
    return max(found, key=lambda q: q.node.depth) if found else None


def _quota_used(klass: TrainingClass, quota: Quota) -> int:
    return klass.enrolments.filter(
        status=ENROLLED, route__in=QUOTA_ROUTES, person__unit__path__startswith=quota.node.path
    ).count()


def seat_refusal(klass: TrainingClass, person: Person, route: str) -> TrainingError | None:
    """Why the person cannot take a seat now (the class or their unit's quota full), or None.
    Sign-ups and nominations count against the quotas; the office's assignments do not."""
    if _enrolled(klass) >= klass.capacity:
        return TrainingError(
            Code.CLASS_FULL,
            _("The class is full (%(n)s seats). You may join its wait list.")
            % {"n": klass.capacity},
        )
    if route in QUOTA_ROUTES and klass.quotas.exists():
        quota = _quota_of(klass, person)
        if quota is None:
            return TrainingError(
                Code.NOT_IN_QUOTA,
                _("This class takes people only from the units given seats; %(unit)s has none.")
                % {"unit": person.unit.name},
            )
        if _quota_used(klass, quota) >= quota.seats:
            return TrainingError(
                Code.QUOTA_FULL,
                _("The seats for %(unit)s (%(n)s) are taken. You may join the wait list.")
                % {"unit": quota.node.name, "n": quota.seats},
            )
    return None


def _check_open_to(klass: TrainingClass, person: Person) -> None:
    if klass.status != ClassStatus.OPEN or not klass.course.on_menu:
        raise TrainingError(Code.NOT_OPEN, _("This class is not open for sign-up."))
    today = timezone.localdate()
    if klass.signup_closes_on is not None and klass.signup_closes_on < today:
        raise TrainingError(
            Code.SIGNUP_CLOSED,
            _("Sign-up closed on %(day)s.") % {"day": klass.signup_closes_on.isoformat()},
        )
    if not person.unit.path.startswith(klass.course.provider.serves.path):
        raise TrainingError(Code.NOT_SERVED, _("This class is not offered to your unit."))
    if not klass.course.is_meant_for(person.category, person.birth_date, today):
        raise TrainingError(
            Code.NOT_FOR_YOU, _("This course is meant for other personnel categories or ages.")
        )


def _learner(actor: Actor) -> Person:
    person = queries.learner(actor)
    if person is None:
        raise TrainingError(Code.FORBIDDEN, _("Only a learner signs up for themself."))
    return person


def _enrol(
    actor: Actor, klass: TrainingClass, person: Person, route: str, status: str
) -> Enrolment:
    """Puts the person on the roster (or wait list), reusing a withdrawn enrolment."""
    position = None
    if status == WAITLISTED:
        top = klass.enrolments.filter(status=WAITLISTED).aggregate(m=Max("position"))["m"] or 0
        position = top + 1
    enrolment, created = Enrolment.objects.get_or_create(
        klass=klass,
        person=person,
        defaults={
            "status": status,
            "route": route,
            "position": position,
            "created_by": user_of(actor),
        },
    )
    before = None if created else enrolment.status
    if not created:
        enrolment.status, enrolment.route, enrolment.position = status, route, position
        enrolment.save(update_fields=["status", "route", "position"])
    audit_person(
        actor,
        AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        enrolment,
        klass,
        person,
        {"status": [before, status], "route": route},
    )
    return enrolment


@transaction.atomic
def sign_up(actor: Actor, klass: TrainingClass) -> Enrolment:
    """The learner signs up for a class on the menu that is open to them, within its seats and
    their unit's quota. Signing up again changes nothing; a full class is refused (the wait list
    is `join_wait_list`)."""
    person = _learner(actor)
    klass = lock(klass)
    existing = klass.enrolments.filter(person=person).first()
    if existing is not None and existing.status == ENROLLED:
        return existing
    _check_open_to(klass, person)
    refusal = seat_refusal(klass, person, Route.SIGNUP)
    if refusal is not None:
        raise refusal
    return _enrol(actor, klass, person, Route.SIGNUP, ENROLLED)


@transaction.atomic
def join_wait_list(actor: Actor, klass: TrainingClass) -> Enrolment:
    """The learner joins the wait list of a class that is full for them; they move up when a seat
    frees. Joining again changes nothing."""
    person = _learner(actor)
    klass = lock(klass)
    existing = klass.enrolments.filter(person=person).first()
    if existing is not None and existing.status in (ENROLLED, WAITLISTED):
        return existing
    _check_open_to(klass, person)
    if seat_refusal(klass, person, Route.SIGNUP) is None:
        raise TrainingError(Code.NOT_FULL, _("The class has a seat for you: sign up instead."))
    return _enrol(actor, klass, person, Route.SIGNUP, WAITLISTED)


def _promote(actor: Actor, klass: TrainingClass) -> None:
    """Gives free seats to the wait list, first come first served, each within their quota."""
    for waiting in klass.enrolments.filter(status=WAITLISTED).select_related("person__unit"):
        if _enrolled(klass) >= klass.capacity:
            return
        if seat_refusal(klass, waiting.person, waiting.route) is not None:
            continue
        waiting.status, waiting.position = ENROLLED, None
        waiting.save(update_fields=["status", "position"])
        audit_person(
            actor,
            AuditEvent.Action.UPDATE,
            waiting,
            klass,
            waiting.person,
            {"status": [WAITLISTED, ENROLLED], "moved_up": True},
        )


@transaction.atomic
def withdraw(actor: Actor, enrolment: Enrolment, reason: str = "") -> Enrolment:
    """The learner leaves a class (or its wait list) before it is completed, or the class's
    administrator takes them off with a reason. The first on the wait list takes the seat.
    Withdrawing again changes nothing."""
    klass = lock(enrolment.klass)
    enrolment = Enrolment.objects.select_related("person__unit").get(pk=enrolment.pk)
    own = getattr(actor, "person_id", None) == enrolment.person_id
    if not own:
        require_manage(actor, klass)
        if not reason.strip():
            raise TrainingError(
                Code.REASON_REQUIRED, _("Say why the person is taken off."), field="reason"
            )
    if enrolment.status == WITHDRAWN:
        return enrolment
    if klass.status not in RUNNING:
        raise TrainingError(
            Code.STEP_NOT_ALLOWED, _("The class is completed or cancelled: its roster stays.")
        )
    before = enrolment.status
    enrolment.status, enrolment.position = WITHDRAWN, None
    enrolment.save(update_fields=["status", "position"])
    audit_person(
        actor,
        AuditEvent.Action.UPDATE,
        enrolment,
        klass,
        enrolment.person,
        {"status": [before, WITHDRAWN], "reason": reason.strip()[:200]},
    )
    _promote(actor, klass)
    return enrolment


def _place_people(
    actor: Actor, klass: TrainingClass, people: Sequence[Person], route: str, capability: str
) -> list[Enrolment]:
    if klass.status not in RUNNING:
        raise TrainingError(
            Code.STEP_NOT_ALLOWED, _("The class is completed or cancelled: its roster stays.")
        )
    allowed = set(
        queries.assignable_people(actor, klass, capability)
        .filter(pk__in=[p.pk for p in people])
        .values_list("pk", flat=True)
    )
    outside = [p for p in people if p.pk not in allowed]
    if outside:
        raise TrainingError(
            Code.PERSON_OUT_OF_SCOPE,
            _("%(names)s cannot be put on this class by you (not your people, or not served by "
              "its provider).") % {"names": "、".join(p.name for p in outside[:5])},
        )  # fmt: skip
    on_roster = set(
        klass.enrolments.filter(status=ENROLLED, person__in=people).values_list(
            "person_id", flat=True
        )
    )
    new = [p for p in people if p.pk not in on_roster]
    free = klass.capacity - _enrolled(klass)
    if len(new) > free:
        raise TrainingError(
            Code.NO_SEATS_FOR_ALL,
            _("The class has %(free)s free seats; %(n)s people cannot all be placed. Nobody was "
              "placed.") % {"free": max(free, 0), "n": len(new)},
        )  # fmt: skip
    placed: list[Enrolment] = []
    for person in new:
        if route in QUOTA_ROUTES:
            refusal = seat_refusal(klass, person, route)
            if refusal is not None:
                raise refusal
        placed.append(_enrol(actor, klass, person, route, ENROLLED))
    return placed


@transaction.atomic
def assign(actor: Actor, klass: TrainingClass, people: Sequence[Person]) -> list[Enrolment]:
    """The credit office assigns people of its scope (调训) whom the provider serves. All or
    nobody: more people than free seats, or anyone not the office's, refuses the whole list.
    People already on the roster are left as they are."""
    if not scope.may(actor, Cap.TRAINING_ASSIGN):
        raise forbidden()
    return _place_people(actor, lock(klass), people, Route.ASSIGNED, Cap.TRAINING_ASSIGN)


@transaction.atomic
def nominate(actor: Actor, klass: TrainingClass, people: Sequence[Person]) -> list[Enrolment]:
    """A unit nominates its own people for an open class, within the class's seats and the unit's
    quota; all or nobody."""
    klass = lock(klass)
    if not queries.may_nominate_for(actor, klass):
        raise forbidden()
    if klass.status != ClassStatus.OPEN:
        raise TrainingError(Code.NOT_OPEN, _("This class is not open for sign-up."))
    return _place_people(actor, klass, people, Route.NOMINATED, Cap.TRAINING_NOMINATE)


# --------------------------------------------------------------------------------------- leave


@transaction.atomic
def request_leave(
    actor: Actor, enrolment: Enrolment, sessions: Iterable[Session], reason: str
) -> LeaveRequest:
    """The learner asks leave from sessions of their class (not yet completed), with a reason;
    a session already covered by a pending or approved request is refused."""
    if getattr(actor, "person_id", None) != enrolment.person_id:
        raise forbidden()
    klass = lock(enrolment.klass)
    if enrolment.status != ENROLLED or klass.status not in RUNNING:
        raise TrainingError(Code.NOT_ENROLLED, _("You are not on the roster of a running class."))
    chosen = list({s.pk: s for s in sessions}.values())
    if not chosen or any(s.klass_id != klass.pk for s in chosen):
        raise TrainingError(
            Code.LEAVE_SESSIONS, _("Choose the sessions of this class you ask leave from."),
            field="sessions",
        )  # fmt: skip
    if not reason.strip():
        raise TrainingError(Code.REASON_REQUIRED, _("Give the reason."), field="reason")
    taken = LeaveRequest.objects.filter(
        enrolment=enrolment,
        status__in=[LeaveStatus.PENDING, LeaveStatus.APPROVED],
        sessions__in=chosen,
    )
    if taken.exists():
        raise TrainingError(
            Code.LEAVE_OVERLAP, _("Leave is already asked for one of these sessions."),
            field="sessions",
        )  # fmt: skip
    leave = LeaveRequest.objects.create(
        enrolment=enrolment, hours=sum((s.hours for s in chosen), Decimal(0)), reason=reason.strip()
    )
    leave.sessions.set(chosen)
    person = Person.objects.select_related("unit").get(pk=enrolment.person_id)
    audit_person(
        actor,
        AuditEvent.Action.SUBMIT,
        leave,
        klass,
        person,
        {"hours": str(leave.hours), "sessions": [s.pk for s in chosen], "reason": leave.reason},
    )
    return leave


def approved_leave_hours(enrolment: Enrolment) -> Decimal:
    got = enrolment.leaves.filter(status=LeaveStatus.APPROVED).aggregate(h=Sum("hours"))["h"]
    return got or Decimal(0)


@transaction.atomic
def decide_leave(
    actor: Actor, leave: LeaveRequest, *, approve: bool, note: str = ""
) -> LeaveRequest:
    """The class's administrator approves or refuses a pending request (once). Approved leave
    counts against a full-time class's leave share when it is completed."""
    leave = (
        LeaveRequest.objects.select_for_update(of=("self",))
        .select_related("enrolment__person__unit", "enrolment__klass__course__provider__node")
        .get(pk=leave.pk)
    )
    klass = leave.enrolment.klass
    require_manage(actor, klass)
    if leave.status != LeaveStatus.PENDING:
        raise TrainingError(Code.ALREADY_DECIDED, _("This request has already been decided."))
    if klass.status not in RUNNING:
        raise TrainingError(
            Code.STEP_NOT_ALLOWED, _("The class is completed or cancelled: its roster stays.")
        )
    leave.status = LeaveStatus.APPROVED if approve else LeaveStatus.REFUSED
    leave.decided_by, leave.decided_at = user_of(actor), timezone.now()
    leave.note = note.strip()[:200]
    leave.save(update_fields=["status", "decided_by", "decided_at", "note"])
    audit_person(
        actor,
        AuditEvent.Action.APPROVE if approve else AuditEvent.Action.REJECT,
        leave,
        klass,
        leave.enrolment.person,
        {"status": [LeaveStatus.PENDING, leave.status], "hours": str(leave.hours)},
    )
    return leave


# --------------------------------------------------------------------------------- test scores


@transaction.atomic
def set_test_scores(
    actor: Actor, klass: TrainingClass, scores: Mapping[int, str | Decimal | None]
) -> int:
    """Records the final test's scores ({enrolment id: score, None to clear}) before the class is
    completed; returns how many changed."""
    klass = lock(klass)
    require_manage(actor, klass)
    if klass.status not in RUNNING or not klass.has_test:
        raise TrainingError(Code.STEP_NOT_ALLOWED, _("This class takes no test scores now."))
    changed = 0
    rows = {
        e.pk: e for e in klass.enrolments.filter(status=ENROLLED).select_related("person__unit")
    }
    for enrolment_id, raw in scores.items():
        enrolment = rows.get(enrolment_id)
        if enrolment is None:
            continue
        value = _score(raw)
        if value == enrolment.test_score:
            continue
        before = enrolment.test_score
        enrolment.test_score = value
        enrolment.save(update_fields=["test_score"])
        changed += 1
        audit_person(
            actor,
            AuditEvent.Action.UPDATE,
            enrolment,
            klass,
            enrolment.person,
            {"test_score": [_text(before), _text(value)]},
        )
    return changed


def _score(raw: str | Decimal | None) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or not 0 <= value <= 1000 or value != value.quantize(Decimal("0.1")):
        raise TrainingError(
            Code.BAD_INPUT, _("A score is a number from 0, with at most one decimal."),
            field="scores",
        )  # fmt: skip
    return value


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
