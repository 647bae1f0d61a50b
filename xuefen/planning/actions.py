"""State changes of planning: plans and their lines, links to real classes, budgets and
spending, surveys and answers, the reminder policy. Each checks the actor's right itself, runs in
one transaction and writes its audit event."""

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, person_acting, user_of
from xuefen.orgs.models import OrgNode, Person
from xuefen.planning import surveys as survey_items
from xuefen.planning.errors import Code, PlanningError
from xuefen.planning.models import (
    Budget,
    Plan,
    PlanClass,
    PlanLine,
    ReminderPolicy,
    Spending,
    Survey,
    SurveyAnswer,
)
from xuefen.policy.services import ruleset_for
from xuefen.training.models import TrainingClass


def _require(actor: Actor, capability: str, node: OrgNode) -> None:
    if not scope.may(actor, capability, node):
        raise PlanningError(Code.FORBIDDEN, _("You may not change this."))


@transaction.atomic
def create_plan(actor: Actor, node: OrgNode, year: int, name: str, note: str = "") -> Plan:
    """A unit's or region's plan for a year (one per node and year)."""
    _require(actor, Cap.PLANNING_MANAGE, node)
    if Plan.objects.filter(node=node, year=year).exists():
        raise PlanningError(
            Code.PLAN_EXISTS,
            _("%(node)s already has a plan for %(year)s.") % {"node": node.name, "year": year},
            field="year",
        )
    plan = Plan.objects.create(
        node=node, year=year, name=name, note=note, created_by=user_of(actor)
    )
    record(actor, AuditEvent.Action.CREATE, plan, node_path=node.path)
    return plan


@transaction.atomic
def add_line(actor: Actor, plan: Plan, **fields: Any) -> PlanLine:
    _require(actor, Cap.PLANNING_MANAGE, plan.node)
    line = PlanLine.objects.create(plan=plan, **fields)
    record(actor, AuditEvent.Action.CREATE, line, node_path=plan.node.path)
    return line


@transaction.atomic
def remove_line(actor: Actor, line: PlanLine) -> None:
    _require(actor, Cap.PLANNING_MANAGE, line.plan.node)
    record(actor, AuditEvent.Action.DELETE, line, node_path=line.plan.node.path)
    line.delete()


@transaction.atomic
def link_class(actor: Actor, line: PlanLine, klass: TrainingClass) -> PlanClass:
    """The class carries out the line (a class counts for one line only)."""
    _require(actor, Cap.PLANNING_MANAGE, line.plan.node)
    try:
        with transaction.atomic():
            link = PlanClass.objects.create(line=line, klass=klass)
    except IntegrityError:
        raise PlanningError(
            Code.CLASS_LINKED, _("This class already carries out a plan line."), field="klass"
        ) from None
    record(
        actor, AuditEvent.Action.CREATE, link, node_path=line.plan.node.path, object_repr=str(klass)
    )
    return link


@transaction.atomic
def unlink_class(actor: Actor, link: PlanClass) -> None:
    _require(actor, Cap.PLANNING_MANAGE, link.line.plan.node)
    record(
        actor,
        AuditEvent.Action.DELETE,
        link,
        node_path=link.line.plan.node.path,
        object_repr=str(link.klass),
    )
    link.delete()


@transaction.atomic
def set_budget(actor: Actor, plan: Plan, source: str, amount: Decimal) -> Budget:
    """The plan's budget from one source (replaces the amount set before)."""
    _require(actor, Cap.PLANNING_MANAGE, plan.node)
    budget, made = Budget.objects.update_or_create(
        plan=plan, source=source, defaults={"amount": amount}
    )
    record(
        actor,
        AuditEvent.Action.CREATE if made else AuditEvent.Action.UPDATE,
        budget,
        node_path=plan.node.path,
        changes={"amount": [None, str(amount)]},
    )
    return budget


@transaction.atomic
def record_spending(
    actor: Actor, link: PlanClass, kind: str, source: str, amount: Decimal, note: str = ""
) -> Spending:
    """Money spent on a class of the plan."""
    plan = link.line.plan
    _require(actor, Cap.PLANNING_MANAGE, plan.node)
    spending = Spending.objects.create(
        klass=link.klass,
        kind=kind,
        source=source,
        amount=amount,
        note=note,
        recorded_by=user_of(actor),
    )
    record(actor, AuditEvent.Action.CREATE, spending, node_path=plan.node.path)
    return spending


@transaction.atomic
def save_survey(
    actor: Actor,
    survey: Survey | None,
    *,
    node: OrgNode,
    year: int,
    title: str,
    items_text: str,
    plan: Plan | None,
) -> Survey:
    """A new survey, or a draft changed (its questions are fixed once it is open)."""
    _require(actor, Cap.SURVEYS_MANAGE, node)
    if plan is not None and not scope.has_capability(actor, Cap.REPORTS_VIEW, plan.node):
        raise PlanningError(Code.FORBIDDEN, _("You may not change this."), field="plan")
    if survey is None:
        survey = Survey(created_by=user_of(actor))
        action = AuditEvent.Action.CREATE
    else:
        _require(actor, Cap.SURVEYS_MANAGE, survey.node)
        action = AuditEvent.Action.UPDATE
    if survey.status == Survey.Status.DRAFT:
        survey.items = survey_items.parse_items(items_text)
        survey.node = node
    survey.year, survey.title, survey.plan = year, title, plan
    survey.save()
    record(actor, action, survey, node_path=survey.node.path)
    return survey


@transaction.atomic
def set_survey_status(actor: Actor, survey: Survey, status: str) -> Survey:
    """Opens a draft to its scope, or closes an open survey."""
    _require(actor, Cap.SURVEYS_MANAGE, survey.node)
    allowed = {
        Survey.Status.DRAFT: Survey.Status.OPEN,
        Survey.Status.OPEN: Survey.Status.CLOSED,
    }
    if allowed.get(Survey.Status(survey.status)) != status:
        raise PlanningError(Code.SURVEY_NOT_OPEN, _("This survey cannot take that step."))
    before = survey.status
    survey.status = status
    survey.save(update_fields=["status"])
    record(
        actor,
        AuditEvent.Action.UPDATE,
        survey,
        node_path=survey.node.path,
        changes={"status": [before, status]},
    )
    return survey


@transaction.atomic
def answer_survey(actor: Actor, person: Person, survey: Survey, data: Any) -> SurveyAnswer:
    """The person's answers, once: a second answer is refused (and changes nothing)."""
    if person_acting(actor).person_id != person.pk:
        raise PlanningError(Code.FORBIDDEN, _("You may not change this."))
    if survey.status != Survey.Status.OPEN:
        raise PlanningError(Code.SURVEY_NOT_OPEN, _("This survey is not open for answers."))
    if not person.unit.path.startswith(survey.node.path):
        raise PlanningError(Code.NOT_IN_SURVEY, _("This survey was not sent to you."))
    answers = survey_items.check_answers(survey.items, data)
    rules = ruleset_for(person, survey.year)
    bracket = ""
    if rules is not None:
        age = person.age_on(rules.calendar.last_day(survey.year))
        bracket = next((str(b.label) for b in rules.age_brackets if b.contains(age)), "")
    try:
        with transaction.atomic():
            answer = SurveyAnswer.objects.create(
                survey=survey,
                person=person,
                unit=person.unit,
                category=person.category,
                age_bracket=bracket[:60],
                answers=answers,
            )
    except IntegrityError:
        raise PlanningError(
            Code.ALREADY_ANSWERED, _("You have answered this survey already.")
        ) from None
    record(actor, AuditEvent.Action.SUBMIT, answer, node_path=person.unit.path, person_id=person.pk)
    return answer


def parse_points(text: str) -> list[int]:
    """ "60, 30, 7" → [60, 30, 7]; PlanningError naming the field otherwise."""
    parts = [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
    if not parts or not all(p.isdigit() and int(p) <= 366 for p in parts):
        raise PlanningError(
            Code.POINTS_INVALID,
            _("Give whole numbers of days from 0 to 366, separated by commas."),
            field="days_before",
        )
    return sorted({int(p) for p in parts}, reverse=True)


@transaction.atomic
def change_reminder_policy(
    actor: Actor, policy: ReminderPolicy, days_before: list[int], email: bool, is_active: bool
) -> ReminderPolicy:
    roots = scope.paths_with(person_acting(actor), Cap.POLICY_CHANGE)
    if not roots:
        raise PlanningError(Code.FORBIDDEN, _("You may not change this."))
    before = {
        "days_before": policy.days_before,
        "email": policy.email,
        "is_active": policy.is_active,
    }
    policy.days_before, policy.email, policy.is_active = days_before, email, is_active
    policy.save()
    after = {"days_before": days_before, "email": email, "is_active": is_active}
    record(
        actor,
        AuditEvent.Action.UPDATE,
        policy,
        node_path=roots[0],
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return policy


def mark_read(actor: Actor, round_ids: list[int]) -> int:
    """Marks the actor's own reminders of these rounds read (a reminder is its account's and
    round's; others' are untouched)."""
    from django.utils import timezone

    from xuefen.planning.models import Reminder

    return Reminder.objects.filter(
        user=person_acting(actor), round_id__in=round_ids, read_at__isnull=True
    ).update(read_at=timezone.now())
