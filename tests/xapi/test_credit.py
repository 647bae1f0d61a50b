"""What a statement earns: a completion of a registered course by a learner the platform's
provider serves becomes one ledger entry, however often it is sent; everything else is stored and
credits nothing, with the reason."""

import pytest

from tests.xapi.conftest import (
    EXPERIENCED,
    PASSED,
    VOIDED,
    LrsClient,
    new_id,
    statement,
)
from xuefen.intake.models import Provider
from xuefen.ledger.models import Entry
from xuefen.xapi import actions
from xuefen.xapi.models import Outcome, Statement

pytestmark = pytest.mark.django_db


def entries(person):
    return Entry.objects.filter(person=person, source_type="xapi")


def test_a_completion_sent_three_times_lands_in_the_ledger_once(cast, lrs):
    sid = new_id()
    body = statement(cast.person_a.id_number, sid=sid)
    for _n in range(3):
        response = lrs.http.send(body)
        assert response.status_code == 200
        assert response.json() == [sid]
    assert entries(cast.person_a).count() == 1
    entry = entries(cast.person_a).get()
    assert entry.amount == 2
    assert Statement.objects.get(statement_id=sid).entry == entry


def test_the_same_completion_under_new_ids_is_credited_once(cast, lrs):
    for _n in range(3):  # a platform that sends without ids: each gets a new one
        assert lrs.http.send(statement(cast.person_a.id_number)).status_code == 200
    assert entries(cast.person_a).count() == 1
    outcomes = sorted(Statement.objects.values_list("outcome", flat=True))
    assert outcomes == ["already_credited", "already_credited", "credited"]


def test_completed_then_passed_credits_the_course_once(cast, lrs):
    lrs.http.send(statement(cast.person_a.id_number))
    lrs.http.send(
        statement(cast.person_a.id_number, verb=PASSED, timestamp="2026-06-03T09:00:00+08:00")
    )
    assert entries(cast.person_a).count() == 1


def test_a_batch_credits_each_learner(cast, lrs):
    response = lrs.http.send(
        [statement(cast.person_a.id_number), statement(cast.lena_person.id_number)]
    )
    assert response.status_code == 200
    assert entries(cast.person_a).count() == 1
    assert entries(cast.lena_person).count() == 1


def test_a_learner_outside_the_providers_scope_earns_nothing(cast, lrs):
    lrs.http.send(statement(cast.person_b.id_number))  # unit B is not in department D
    assert not entries(cast.person_b).exists()
    stored = Statement.objects.get()
    assert stored.outcome == Outcome.PERSON_UNKNOWN
    assert stored.person is None


def test_other_statements_are_stored_but_credit_nothing(cast, lrs):
    lrs.http.send(
        [
            statement(cast.person_a.id_number, verb=EXPERIENCED),
            statement(cast.person_a.id_number, activity="https://learn.example.cn/courses/other"),
            statement(cast.person_a.id_number, verb=PASSED, result={"success": False}),
            statement("not-a-person"),
        ]
    )
    assert not Entry.objects.exists()
    outcomes = list(Statement.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == [
        Outcome.NOT_COMPLETION,
        Outcome.COURSE_UNKNOWN,
        Outcome.NOT_SUCCESSFUL,
        Outcome.PERSON_UNKNOWN,
    ]


def test_a_mapped_account_identifies_the_learner(cast, lrs):
    actions.map_account(
        cast.carol,
        lrs.platform,
        home_page="https://sso.example.cn",
        name="lina2026",
        id_number=cast.lena_person.id_number,
    )
    body = statement()
    body["actor"] = {"account": {"homePage": "https://sso.example.cn", "name": "lina2026"}}
    lrs.http.send(body)
    assert entries(cast.lena_person).count() == 1


def test_a_completion_before_the_course_runs_is_refused_with_the_reason(cast, lrs):
    lrs.http.send(statement(cast.person_a.id_number, timestamp="2025-12-01T10:00:00+08:00"))
    stored = Statement.objects.get()
    assert stored.outcome == Outcome.REFUSED
    assert "课程" in stored.note
    assert not Entry.objects.exists()


def test_voiding_a_credited_completion_reverses_its_credit(cast, lrs):
    sid = new_id()
    lrs.http.send(statement(cast.person_a.id_number, sid=sid))
    void = statement(cast.person_a.id_number, verb=VOIDED)
    void["object"] = {"objectType": "StatementRef", "id": sid}
    assert lrs.http.send(void).status_code == 200
    target = Statement.objects.get(statement_id=sid)
    assert target.voided
    assert target.reversal is not None
    assert sum(e.amount for e in Entry.objects.filter(person=cast.person_a)) == 0
    reversal = Entry.objects.get(person=cast.person_a, reverses=target.entry)
    assert "作废" in reversal.description
    assert lrs.http.send(void).status_code == 200  # sent again: reversed once
    assert Entry.objects.filter(reverses=target.entry).count() == 1


def test_a_completion_voided_in_the_same_batch_earns_nothing(cast, lrs):
    sid = new_id()
    void = statement(cast.person_a.id_number, verb=VOIDED)
    void["object"] = {"objectType": "StatementRef", "id": sid}
    lrs.http.send([statement(cast.person_a.id_number, sid=sid), void])
    assert not Entry.objects.exists()
    assert Statement.objects.get(statement_id=sid).voided


def test_another_platform_credits_only_its_own_providers_people(cast, lrs):
    other = Provider.objects.create(code="PY", name="乙学院", node=cast.unit_b, serves=cast.unit_b)
    platform, secret = actions.create_client(
        cast.carol, other, name="乙平台", home_page="https://learn.example.cn"
    )
    actions.map_activity(
        cast.carol,
        platform,
        activity_id="https://learn.example.cn/courses/x1",
        course=other.courses.create(
            code="Y1",
            name="乙课程",
            categories=["elective"],
            amount=1,
            unit="hours",
            starts_on="2026-01-01",
        ),
    )
    http = LrsClient(platform.key, secret)
    http.send(statement(cast.person_a.id_number))  # person A is not in unit B
    assert not Entry.objects.exists()
    http.send(statement(cast.person_b.id_number))
    assert Entry.objects.filter(person=cast.person_b).count() == 1
