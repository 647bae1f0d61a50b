"""Planning a class: creating and changing it, its sessions and quotas, and its steps (open,
close, reopen, cancel). Completion, which credits it, is `completion.complete_class`."""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.audit.actions import diff, snapshot
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, is_system, user_of
from xuefen.ledger import spans
from xuefen.orgs.models import OrgNode
from xuefen.training import queries, rules
from xuefen.training.actions.common import audit_class, forbidden, lock, require_manage
from xuefen.training.errors import Code, TrainingError
from xuefen.training.models import (
    Attendance,
    ClassStatus,
    Course,
    Half,
    Quota,
    Session,
    StatusChange,
    Teacher,
    TrainingClass,
)
from xuefen.training.questionnaires import default_questionnaire
from xuefen.training.workflow import RUNNING, Step, transition

if TYPE_CHECKING:
    pass

CLASS_FIELDS = [
    "code", "name", "full_time", "capacity", "place", "signup_closes_on", "days", "rule_code",
    "attendance_min", "leave_max", "test_pass_mark", "rule_source", "checkout_required",
    "follow_up_days",
]  # fmt: skip
SESSION_FIELDS = ["date", "half", "starts_at", "ends_at", "hours", "place", "topic", "teacher"]
MAX_SESSION_HOURS = Decimal(12)


def _clean_rule(values: dict[str, Any]) -> dict[str, Any]:
    """The class's completion rule: a shipped rule's values where none are given, each share
    checked (an exact fraction or decimal)."""
    code = values.get("rule_code") or ""
    shipped = rules.shipped().get(code)
    if code and shipped is None:
        raise TrainingError(Code.RULE_INVALID, _("Unknown completion rule."), field="rule_code")
    if shipped is not None:
        for name in ("attendance_min", "leave_max", "test_pass_mark"):
            if values.get(name) in (None, "") and name != "test_pass_mark":
                values[name] = getattr(shipped, name)
        if "test_pass_mark" not in values:
            values["test_pass_mark"] = shipped.test_pass_mark
        if not values.get("rule_source"):
            values["rule_source"] = shipped.source
    if not values.get("attendance_min"):
        raise TrainingError(
            Code.RULE_INVALID, _("Give the attendance share."), field="attendance_min"
        )
    rules.parse_share(values["attendance_min"], "attendance_min")
    rules.parse_share(values.get("leave_max") or "", "leave_max")
    mark = values.get("test_pass_mark")
    if mark is not None and not Decimal(0) < Decimal(str(mark)) <= Decimal(1000):
        raise TrainingError(
            Code.RULE_INVALID, _("The pass mark must be above 0."), field="test_pass_mark"
        )
    return values


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    values["code"] = str(values.get("code", "")).strip()
    values["name"] = str(values.get("name", "")).strip()
    if not values["code"] or not values["name"]:
        raise TrainingError(Code.BAD_INPUT, _("Give the class a code and a name."), field="code")
    try:
        capacity = int(values.get("capacity") or 0)
    except (TypeError, ValueError):
        capacity = 0
    if not 0 < capacity <= 100_000:
        raise TrainingError(
            Code.BAD_INPUT, _("The class needs at least one seat."), field="capacity"
        )
    values["capacity"] = capacity
    days = values.get("days")
    if days not in (None, ""):
        try:
            value = Decimal(str(days))
        except InvalidOperation:
            value = Decimal(-1)
        if not value.is_finite() or value <= 0 or value % spans.HALF_DAY != 0:
            raise TrainingError(
                Code.DAYS_INVALID,
                _("The days must be a positive number in steps of half a day."),
                field="days",
            )
        values["days"] = value
    else:
        values["days"] = None
    return _clean_rule(values)


def _check_days_fit(klass: TrainingClass) -> None:
    if klass.days is None or klass.first_day is None or klass.last_day is None:
        return
    try:
        spans.check_days(klass.days, klass.first_day, klass.last_day)
    except spans.SpanError as error:
        raise TrainingError(Code.DAYS_INVALID, error.message, field="days") from None


@transaction.atomic
def create_class(actor: Actor, course: Course, **values: Any) -> TrainingClass:
    """A new class of the course, being planned (not yet on the menu), with the completion rule
    named by `rule_code` (rules.yaml) unless its values are given, and the default questionnaires.
    The class code is unique."""
    values = _clean(values)
    klass = TrainingClass(course=course, **values)
    require_manage(actor, klass)
    if TrainingClass.objects.filter(code=klass.code).exists():
        raise TrainingError(
            Code.CODE_TAKEN, _("The code %(code)s is already used.") % {"code": klass.code},
            field="code",
        )  # fmt: skip
    klass.evaluation = default_questionnaire("evaluation")
    klass.follow_up = default_questionnaire("follow_up")
    klass.created_by = user_of(actor)
    klass.save()
    StatusChange.objects.create(
        klass=klass, to_status=klass.status, step="create", actor=user_of(actor)
    )
    audit_class(actor, AuditEvent.Action.CREATE, klass, snapshot(klass, CLASS_FIELDS))
    return klass


@transaction.atomic
def update_class(actor: Actor, klass: TrainingClass, **values: Any) -> TrainingClass:
    """Changes a class that is not completed or cancelled (not its code)."""
    klass = lock(klass)
    require_manage(actor, klass)
    if klass.status not in RUNNING:
        raise TrainingError(
            Code.STEP_NOT_ALLOWED, _("A completed or cancelled class cannot be changed.")
        )
    before = snapshot(klass, CLASS_FIELDS)
    current = {name: getattr(klass, name) for name in CLASS_FIELDS}
    cleaned = _clean({**current, **values, "code": klass.code})
    capacity = cleaned["capacity"]
    enrolled = klass.enrolments.filter(status="enrolled").count()
    if capacity < enrolled:
        raise TrainingError(
            Code.BAD_INPUT,
            _("%(n)s people are already enrolled: the class needs at least as many seats.")
            % {"n": enrolled},
            field="capacity",
        )
    for name, value in cleaned.items():
        setattr(klass, name, value)
    _check_days_fit(klass)
    klass.save()
    changes = diff(before, snapshot(klass, CLASS_FIELDS))
    if changes:
        audit_class(actor, AuditEvent.Action.UPDATE, klass, changes)
    return klass


# ----------------------------------------------------------------------------------- sessions


def refresh_span(klass: TrainingClass) -> None:
    """The class's first and last day, hours and number of session dates, from its sessions."""
    got = klass.sessions.aggregate(
        first=Min("date"), last=Max("date"), hours=Sum("hours"), dates=Count("date", distinct=True)
    )
    klass.first_day = got["first"]
    klass.last_day = got["last"]
    klass.hours = got["hours"] or Decimal(0)
    klass.session_dates = got["dates"] or 0
    _check_days_fit(klass)
    first, last = klass.first_day, klass.last_day
    if first is not None and last is not None and first.year != last.year:
        raise TrainingError(
            Code.SPAN_CROSSES_PERIODS,
            _(
                "The class would run from %(first)s to %(last)s, across two years: its credit is "
                "one entry in one year. Make a class for each year."
            )
            % {"first": first, "last": last},
            field="date",
        )
    klass.save(update_fields=["first_day", "last_day", "hours", "session_dates"])


def _clean_session(actor: Actor, values: Mapping[str, Any]) -> dict[str, Any]:
    data = {name: values.get(name) for name in SESSION_FIELDS}
    if not isinstance(data["date"], dt.date) or data["half"] not in Half.values:
        raise TrainingError(Code.BAD_INPUT, _("Give the date and the half day."), field="date")
    starts, ends = data["starts_at"], data["ends_at"]
    if not isinstance(starts, dt.time) or not isinstance(ends, dt.time) or ends <= starts:
        raise TrainingError(
            Code.SESSION_TIMES, _("The session must end after it starts."), field="ends_at"
        )
    try:
        hours = Decimal(str(data["hours"]))
    except InvalidOperation:
        hours = Decimal(0)
    if (
        not hours.is_finite()
        or not 0 < hours <= MAX_SESSION_HOURS
        or hours != hours.quantize(Decimal("0.01"))
    ):
        raise TrainingError(
            Code.BAD_INPUT,
            _("The hours (学时) of a session must be above 0 and at most 12."),
            field="hours",
        )
    data["hours"] = hours
    data["topic"] = str(data.get("topic") or "").strip()
    if not data["topic"]:
        raise TrainingError(Code.BAD_INPUT, _("Give the session's topic."), field="topic")
    data["place"] = str(data.get("place") or "").strip()
    teacher = data.get("teacher")
    if teacher is not None:
        allowed = queries.teachers(actor, Cap.TRAINING_MANAGE).filter(pk=teacher.pk).exists()
        if not is_system(actor) and not allowed:
            raise TrainingError(
                Code.BAD_INPUT, _("Choose a teacher of your registry."), field="teacher"
            )
    return data


def _not_after_start(klass: TrainingClass) -> None:
    if klass.status not in RUNNING:
        raise TrainingError(
            Code.STEP_NOT_ALLOWED, _("A completed or cancelled class cannot be changed.")
        )


@transaction.atomic
def add_session(actor: Actor, klass: TrainingClass, **values: Any) -> Session:
    """A session (half day) of the class; the class's span and hours follow."""
    klass = lock(klass)
    require_manage(actor, klass)
    _not_after_start(klass)
    data = _clean_session(actor, values)
    if not data["place"]:
        data["place"] = klass.place
    try:
        with transaction.atomic():
            session = Session.objects.create(klass=klass, **data)
    except IntegrityError:
        raise TrainingError(
            Code.SESSION_CLASH,
            _("The class already has a session on that half day."),
            field="half",
        ) from None
    refresh_span(klass)
    audit_class(
        actor,
        AuditEvent.Action.UPDATE,
        klass,
        {"session_added": [None, str(session)], "hours": [None, str(session.hours)]},
    )
    return session


@transaction.atomic
def update_session(actor: Actor, session: Session, **values: Any) -> Session:
    """Changes a session. Its date, times and hours stay once attendance has been taken."""
    klass = lock(session.klass)
    require_manage(actor, klass)
    _not_after_start(klass)
    before = snapshot(session, SESSION_FIELDS)
    data = _clean_session(actor, {**before_values(session), **values})
    if Attendance.objects.filter(session=session).exists():
        for name in ("date", "half", "starts_at", "ends_at", "hours"):
            if data[name] != getattr(session, name):
                raise TrainingError(
                    Code.STEP_NOT_ALLOWED,
                    _("Attendance has been taken: the session's date, times and hours stay."),
                    field=name,
                )
    for name, value in data.items():
        setattr(session, name, value)
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:
        raise TrainingError(
            Code.SESSION_CLASH, _("The class already has a session on that half day."),
            field="half",
        ) from None  # fmt: skip
    refresh_span(klass)
    changes = diff(before, snapshot(session, SESSION_FIELDS))
    if changes:
        audit_class(actor, AuditEvent.Action.UPDATE, klass, {"session": session.pk, **changes})
    return session


def before_values(session: Session) -> dict[str, Any]:
    return {name: getattr(session, name) for name in SESSION_FIELDS}


@transaction.atomic
def remove_session(actor: Actor, session: Session) -> None:
    """Removes a session that has no attendance and no leave asked for it."""
    klass = lock(session.klass)
    require_manage(actor, klass)
    _not_after_start(klass)
    if (
        Attendance.objects.filter(session=session).exists()
        or session.klass.enrolments.filter(leaves__sessions=session).exists()
    ):
        raise TrainingError(
            Code.STEP_NOT_ALLOWED,
            _("Attendance or leave is recorded for this session: it stays."),
        )
    text = str(session)
    session.delete()
    refresh_span(klass)
    audit_class(actor, AuditEvent.Action.UPDATE, klass, {"session_removed": [text, None]})


# ------------------------------------------------------------------------------------- quotas


@transaction.atomic
def set_quotas(actor: Actor, klass: TrainingClass, seats: Mapping[OrgNode, int]) -> None:
    """Replaces the class's per-unit quotas: each node inside the provider's service area, with a
    positive number of seats (0 removes it)."""
    klass = lock(klass)
    require_manage(actor, klass)
    _not_after_start(klass)
    serves = klass.course.provider.serves
    wanted = {node: int(n) for node, n in seats.items() if int(n) > 0}
    for node in wanted:
        if not node.path.startswith(serves.path):
            raise TrainingError(
                Code.BAD_INPUT,
                _("%(unit)s is outside the area the provider serves.") % {"unit": node.name},
                field="node",
            )
    before = {str(q.node_id): q.seats for q in klass.quotas.all()}
    klass.quotas.all().delete()
    Quota.objects.bulk_create(
        [Quota(klass=klass, node=node, seats=n) for node, n in sorted(wanted.items(), key=_path)]
    )
    after = {str(node.pk): n for node, n in wanted.items()}
    if before != after:
        audit_class(actor, AuditEvent.Action.UPDATE, klass, {"quotas": [before, after]})


def _path(item: tuple[OrgNode, int]) -> str:
    return item[0].path


# -------------------------------------------------------------------------------------- steps


@transaction.atomic
def change_status(actor: Actor, klass: TrainingClass, step: str) -> TrainingClass:
    """Opens the class for sign-up (it needs a session), closes or reopens sign-up, or cancels it.
    Completing is `completion.complete_class`."""
    klass = lock(klass)
    require_manage(actor, klass)
    if step == Step.COMPLETE:
        raise forbidden()
    move = transition(klass.status, step)
    if step == Step.PUBLISH and not klass.sessions.exists():
        raise TrainingError(
            Code.NO_SESSIONS, _("Add the class's sessions before opening it for sign-up.")
        )
    record_step(actor, klass, move.step, move.target)
    return klass


def record_step(actor: Actor, klass: TrainingClass, step: str, target: str) -> None:
    before = klass.status
    klass.status = target
    fields = ["status"]
    if target == ClassStatus.COMPLETED:
        klass.completed_at = timezone.now()
        fields.append("completed_at")
    klass.save(update_fields=fields)
    StatusChange.objects.create(
        klass=klass, from_status=before, to_status=target, step=step, actor=user_of(actor)
    )
    audit_class(actor, AuditEvent.Action.UPDATE, klass, {"status": [before, target]})


def teacher_choices(actor: Actor) -> list[Teacher]:
    return list(queries.teachers(actor, Cap.TRAINING_MANAGE).filter(is_active=True))
