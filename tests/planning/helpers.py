"""Planning fixtures on the fixed cast: a completed class with credited learners, a plan of unit
A with that class on a line, a survey sent to unit A, a reporting period with its deadline."""

import datetime as dt
from decimal import Decimal
from typing import Any

from tests.training import helpers as h
from xuefen.claims.models import ReportingPeriod
from xuefen.ledger.models import Standing
from xuefen.planning import actions
from xuefen.planning.models import Plan, Survey
from xuefen.training import actions as training
from xuefen.training.models import TrainingClass


def completed_class(cast: Any, code: str = "P1") -> TrainingClass:
    """A two-day class of 12 hours that lena and person A attended and completed."""
    h.township_rules(cast)
    k = h.klass(cast, code)
    sessions = h.day_sessions(cast, k, dt.date(h.YEAR, 1, 12), 2)
    training.change_status(cast.carol, k, "publish")
    training.assign(cast.carol, k, [cast.lena_person, cast.person_a])
    for session in sessions:
        for person in (cast.lena_person, cast.person_a):
            training.correct(cast.carol, session, person.pk, "present", "现场点名")
    training.complete_class(cast.carol, k)
    k.refresh_from_db()
    return k


def plan_of_a(cast: Any, year: int = 2026) -> Plan:
    plan = actions.create_plan(cast.alice, cast.unit_a, year, "财政局机关2026年培训计划")
    actions.add_line(
        cast.alice,
        plan,
        title="业务能力提升班",
        target_group="",
        planned_classes=2,
        planned_people=40,
        planned_hours=Decimal(480),
        budget=Decimal(10000),
        source="fiscal",
    )
    return plan


def survey_of_a(cast: Any, status: str = Survey.Status.OPEN) -> Survey:
    survey = actions.save_survey(
        cast.carol,
        None,
        node=cast.unit_a,
        year=2026,
        title="2026年培训需求调查",
        items_text="score: 培训需要程度\nchoice: 希望的方式 = 脱产集中; 网络学习\ntext: 建议",
        plan=None,
    )
    if status != Survey.Status.DRAFT:
        actions.set_survey_status(cast.carol, survey, Survey.Status.OPEN)
    return survey


def reporting(year: int, deadline: dt.date) -> ReportingPeriod:
    return ReportingPeriod.objects.create(
        period=year, name=f"{year}年度", opens_on=dt.date(year, 1, 1), deadline=deadline
    )


def standing(person: Any, period: int, status: str = Standing.Status.SHORT, earned: str = "12"):
    from django.utils import timezone

    return Standing.objects.update_or_create(
        person=person,
        period=period,
        defaults={"status": status, "earned": Decimal(earned), "evaluated_at": timezone.now()},
    )[0]
