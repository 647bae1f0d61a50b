"""Demo: the county party school's online academy (县委党校网络学院) as a registered xAPI platform
(key `xc_demo_dx01`, secret = the demo password), its online course mapped to an activity id, and a
few statements: a completion credited, the same completion sent again (not counted twice), a
browse, an unknown activity, a failed test, and a completion voided by the platform (its credit
reversed)."""

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings

from xuefen.accounts.models import User
from xuefen.intake import actions as intake_actions
from xuefen.intake.models import Provider
from xuefen.orgs.models import Person
from xuefen.xapi import actions
from xuefen.xapi.models import Client

HOME = "https://learn.qinghe.example.cn"
COURSE_IRI = f"{HOME}/courses/digital-government"
ADL = "http://adlnet.gov/expapi/verbs/"
DISPLAY = {"completed": "完成", "passed": "通过", "experienced": "浏览", "voided": "作废"}


def _statement(person: Person | None, verb: str, activity: str, when: str, **extra: Any) -> Any:
    name = person.id_number if person is not None else "guest-0042"
    body = {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"xuefen-demo/{name}/{verb}/{activity}/{when}")),
        "actor": {"objectType": "Agent", "name": person.name if person else "访客",
                  "account": {"homePage": HOME, "name": name}},
        "verb": {"id": ADL + verb, "display": {"zh-CN": DISPLAY[verb]}},
        "object": {"objectType": "Activity", "id": activity,
                   "definition": {"name": {"zh-CN": "数字政府建设专题（网络课程）"}}},
        "timestamp": when,
    }  # fmt: skip
    body.update(extra)
    return body


def load(write: Callable[[str], Any]) -> None:
    school = Provider.objects.filter(code="DX01").first()
    office = User.objects.filter(username="office").first()
    people = list(Person.objects.filter(unit__code="CZJ01").order_by("id")[:4])
    if school is None or office is None or len(people) < 4:
        write("xapi: demo provider or people not found; skipped.")
        return
    course = intake_actions.register_course(
        office, school, code="DX-2026-W1", name="数字政府建设专题（网络课程）",
        kind="", categories=["elective", "online"], amount=Decimal("1"), unit="hours",
        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31),
    )  # fmt: skip
    client, _secret = actions.create_client(
        office, school, name="县委党校网络学院", home_page=HOME, secret=settings.DEMO_PASSWORD
    )
    Client.objects.filter(pk=client.pk).update(key="xc_demo_dx01")
    client.refresh_from_db()
    actions.map_activity(office, client, activity_id=COURSE_IRI, course=course)
    first, second, third, fourth = people
    completed = _statement(first, "completed", COURSE_IRI, "2026-11-03T20:15:00+08:00")
    again = dict(completed, id=str(uuid.uuid5(uuid.NAMESPACE_URL, "xuefen-demo/again")))
    voided_target = _statement(fourth, "completed", COURSE_IRI, "2026-11-05T09:30:00+08:00")
    actions.store_statements(
        client,
        [
            completed,
            again,
            _statement(second, "experienced", COURSE_IRI, "2026-11-04T10:00:00+08:00"),
            _statement(
                second, "completed", f"{HOME}/courses/unregistered", "2026-11-04T11:00:00+08:00"
            ),
            _statement(
                third,
                "passed",
                COURSE_IRI,
                "2026-11-04T15:00:00+08:00",
                result={"success": False, "score": {"scaled": 0.4}},
            ),
            _statement(None, "completed", COURSE_IRI, "2026-11-04T16:00:00+08:00"),
            voided_target,
        ],
    )
    void = _statement(fourth, "voided", COURSE_IRI, "2026-11-06T08:00:00+08:00")
    void["object"] = {"objectType": "StatementRef", "id": voided_target["id"]}
    actions.store_statements(client, [void])
    write(
        f"xapi: platform {client.name} (key {client.key}, secret = the demo password), "
        f"{client.statements.count()} statements."
    )
