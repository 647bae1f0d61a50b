"""A provider at unit A serving department D (unit A, not unit B), its course, a class with its
sessions, and a teacher: the training tests' fixtures, made through the actions."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tests import factories as f
from xuefen.accounts.roles import Role
from xuefen.intake.models import Provider
from xuefen.orgs.models import Person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts
from xuefen.training import actions
from xuefen.training.models import Course, Session, Teacher, TrainingClass

TODAY = dt.date.today()
# A year whose early weeks are over: a class held then is in the past, within one year.
YEAR = TODAY.year if dt.date(TODAY.year, 3, 1) <= TODAY else TODAY.year - 1


def provider(cast: Any, code: str = "TP") -> Provider:
    found = Provider.objects.filter(code=code).first()
    return found or Provider.objects.create(
        code=code, name=f"培训机构{code}", node=cast.unit_a, serves=cast.dept
    )


def course(cast: Any, code: str = "K1", **extra: Any) -> Course:
    values: dict[str, Any] = {
        "name": f"课程{code}",
        "kind": "",
        "categories": ["required", "offline", "centralised"],
        "amount": Decimal("6"),
        "unit": "hours",
        "starts_on": dt.date(YEAR - 1, 1, 1),
        "on_menu": True,
    }
    values.update(extra)
    return Course.objects.create(provider=provider(cast), code=code, **values)


def manager(cast: Any) -> Any:
    """pat: the provider's staff, running its classes."""
    from xuefen.accounts.models import User

    return User.objects.filter(username="pat").first() or f.user("pat", Role.PROVIDER, cast.unit_a)


def klass(
    cast: Any, code: str = "B1", course_obj: Course | None = None, **extra: Any
) -> TrainingClass:
    values: dict[str, Any] = {"name": f"班次{code}", "capacity": 30, "rule_code": "full_time"}
    values.update(extra)
    return actions.create_class(
        cast.carol, course_obj or course(cast, f"K{code}"), code=code, **values
    )


def day_sessions(
    cast: Any, k: TrainingClass, first: dt.date, days: int, hours: str = "3", teacher: Any = None
) -> list[Session]:
    """A morning and an afternoon session on each of `days` days from `first`."""
    made = []
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        for half, start, end in (("morning", (8, 30), (11, 30)), ("afternoon", (14, 0), (17, 0))):
            made.append(
                actions.add_session(
                    cast.carol,
                    k,
                    date=day,
                    half=half,
                    starts_at=dt.time(*start),
                    ends_at=dt.time(*end),
                    hours=Decimal(hours),
                    topic=f"专题{offset}{half}",
                    teacher=teacher,
                )
            )
    return made


def session_now(cast: Any, k: TrainingClass, teacher: Any = None) -> Session:
    """A session of today that is running now (an hour either side, within the day)."""
    now = timezone.localtime()
    start = max(
        dt.datetime.combine(now.date(), dt.time(0, 0)),
        now.replace(tzinfo=None) - dt.timedelta(hours=1),
    )
    end = min(
        dt.datetime.combine(now.date(), dt.time(23, 59, 59)),
        now.replace(tzinfo=None) + dt.timedelta(hours=1),
    )
    return actions.add_session(
        cast.carol,
        k,
        date=now.date(),
        half="evening",
        starts_at=start.time().replace(microsecond=0),
        ends_at=end.time().replace(microsecond=0),
        hours=Decimal("2"),
        topic="现场教学",
        teacher=teacher,
    )


def township_rules(cast: Any) -> None:
    import_ruleset(cast.carol, shipped_texts()["cadre_township"], cast.region)


def township(person: Person) -> Person:
    Person.objects.filter(pk=person.pk).update(category=Person.Category.TOWNSHIP)
    person.refresh_from_db()
    return person


def teacher(cast: Any, name: str = "周老师", **extra: Any) -> Teacher:
    values: dict[str, Any] = {"node": cast.unit_a, "kind": Teacher.Kind.FULL_TIME, "name": name}
    values.update(extra)
    return actions.create_teacher(cast.carol, **values)
