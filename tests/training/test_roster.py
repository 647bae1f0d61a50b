"""The roster: sign-up from the menu within seats and quotas (a full class refused, changing
nothing), the wait list moving up, the office's assignment (调训) all or nobody, a unit nominating
only its own people, leave asked and decided."""

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories as f
from tests.training import helpers as h
from xuefen.accounts.roles import Role
from xuefen.audit.models import AuditEvent
from xuefen.orgs.models import Person
from xuefen.training import actions
from xuefen.training.errors import TrainingError
from xuefen.training.models import Enrolment, EnrolmentStatus, Route


@pytest.fixture
def open_class(cast):
    k = h.klass(cast, "OPEN", capacity=1)
    h.day_sessions(cast, k, dt.date(h.YEAR + 1, 3, 2), 2)
    actions.change_status(cast.carol, k, "publish")
    k.refresh_from_db()
    return k


def _roster(k):
    return sorted(k.enrolments.values_list("person_id", "status", "route", "position"))


def test_a_learner_signs_up_from_the_menu(client, cast, open_class):
    client.force_login(cast.lena)
    menu = client.get(reverse("training:menu"))
    assert "班次OPEN" in menu.content.decode()
    client.post(reverse("training:sign_up", args=[open_class.pk]))
    enrolment = Enrolment.objects.get(klass=open_class, person=cast.lena_person)
    assert (enrolment.status, enrolment.route) == (EnrolmentStatus.ENROLLED, Route.SIGNUP)


def test_signing_up_again_changes_nothing(cast, open_class):
    first = actions.sign_up(cast.lena, open_class)
    events = AuditEvent.objects.count()
    assert actions.sign_up(cast.lena, open_class).pk == first.pk
    assert AuditEvent.objects.count() == events


def test_a_full_class_refuses_a_sign_up_and_changes_nothing(client, cast, open_class, ming):
    actions.sign_up(ming, open_class)
    before, events = _roster(open_class), AuditEvent.objects.count()
    client.force_login(cast.lena)
    response = client.post(reverse("training:sign_up", args=[open_class.pk]), follow=True)
    assert "班次已满（1 个名额）" in response.content.decode()
    with pytest.raises(TrainingError) as refused:
        actions.sign_up(cast.lena, open_class)
    assert refused.value.code == "class_full"
    assert _roster(open_class) == before and AuditEvent.objects.count() == events


def test_the_wait_list_moves_up_when_a_seat_frees(cast, open_class, ming):
    taken = actions.sign_up(ming, open_class)
    waiting = actions.join_wait_list(cast.lena, open_class)
    assert (waiting.status, waiting.position) == (EnrolmentStatus.WAITLISTED, 1)
    actions.withdraw(ming, taken)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.position) == (EnrolmentStatus.ENROLLED, None)


def test_the_wait_list_is_for_a_full_class_only(cast, open_class):
    with pytest.raises(TrainingError) as refused:
        actions.join_wait_list(cast.lena, open_class)
    assert refused.value.code == "not_full"
    assert _roster(open_class) == []


def test_a_unit_quota_keeps_seats_for_its_people(cast, ming):
    k = h.klass(cast, "QUOTA", capacity=10)
    h.day_sessions(cast, k, dt.date(h.YEAR + 1, 4, 6), 1)
    other = f.node("另一单位", parent=cast.dept, code="A2")
    actions.set_quotas(cast.carol, k, {cast.unit_a: 1, other: 5})
    actions.change_status(cast.carol, k, "publish")
    actions.sign_up(ming, k)
    with pytest.raises(TrainingError) as refused:
        actions.sign_up(cast.lena, k)
    assert refused.value.code == "quota_full"
    assert "财政局机关的名额（1 个）已满" in str(refused.value.message)


def test_a_course_meant_for_others_is_not_offered(client, cast):
    course = h.course(cast, "CTY", audience_categories=["county"])
    k = h.klass(cast, "CTY1", course_obj=course)
    h.day_sessions(cast, k, dt.date(h.YEAR + 1, 5, 4), 1)
    actions.change_status(cast.carol, k, "publish")
    client.force_login(cast.lena)
    assert "班次CTY1" not in client.get(reverse("training:menu")).content.decode()
    with pytest.raises(TrainingError) as refused:
        actions.sign_up(cast.lena, k)
    assert refused.value.code == "not_for_you"


def test_the_office_assigns_all_or_nobody(cast, open_class):
    before = _roster(open_class)
    with pytest.raises(TrainingError) as refused:
        actions.assign(cast.carol, open_class, [cast.lena_person, cast.person_a])
    assert refused.value.code == "no_seats_for_all"
    assert _roster(open_class) == before
    actions.assign(cast.carol, open_class, [cast.lena_person])
    assert _roster(open_class) == [
        (cast.lena_person.pk, EnrolmentStatus.ENROLLED, Route.ASSIGNED, None)
    ]


def test_the_office_assigns_through_the_page(client, cast, open_class):
    client.force_login(cast.carol)
    page = client.get(reverse("training:assign", args=[open_class.pk]), {"unit": cast.unit_a.pk})
    assert cast.lena_person.name in page.content.decode()
    client.post(reverse("training:assign", args=[open_class.pk]), {"people": [cast.lena_person.pk]})
    assert open_class.enrolments.get().person_id == cast.lena_person.pk


def test_a_person_outside_the_providers_service_area_cannot_be_assigned(cast, open_class):
    with pytest.raises(TrainingError) as refused:
        actions.assign(cast.carol, open_class, [cast.person_b])
    assert refused.value.code == "person_out_of_scope"
    assert _roster(open_class) == []


def test_a_unit_nominates_only_its_own_people(cast):
    k = h.klass(cast, "NOM", capacity=5)
    h.day_sessions(cast, k, dt.date(h.YEAR + 1, 6, 1), 1)
    actions.change_status(cast.carol, k, "publish")
    other = f.person(f.node("另一单位", parent=cast.dept, code="A3"), "赵六")
    with pytest.raises(TrainingError) as refused:
        actions.nominate(cast.alice, k, [cast.lena_person, other])
    assert refused.value.code == "person_out_of_scope"
    assert _roster(k) == []
    actions.nominate(cast.alice, k, [cast.lena_person])
    assert _roster(k) == [(cast.lena_person.pk, EnrolmentStatus.ENROLLED, Route.NOMINATED, None)]


def test_bob_cannot_nominate_for_a_class_not_offered_to_his_unit(cast, open_class):
    with pytest.raises(TrainingError):
        actions.nominate(cast.bob, open_class, [cast.person_b])
    assert _roster(open_class) == []


def test_leave_is_asked_and_decided_once(cast, open_class):
    enrolment = actions.sign_up(cast.lena, open_class)
    sessions = list(open_class.sessions.all()[:2])
    leave = actions.request_leave(cast.lena, enrolment, sessions, "出差")
    assert leave.hours == sessions[0].hours + sessions[1].hours
    with pytest.raises(TrainingError) as overlap:
        actions.request_leave(cast.lena, enrolment, sessions[:1], "又请")
    assert overlap.value.code == "leave_overlap"
    actions.decide_leave(cast.carol, leave, approve=True)
    with pytest.raises(TrainingError) as again:
        actions.decide_leave(cast.carol, leave, approve=False)
    assert again.value.code == "already_decided"


def test_provider_staff_run_only_their_providers_classes(cast, open_class):
    stranger = f.user("sol", Role.PROVIDER, cast.unit_b)
    with pytest.raises(TrainingError):
        actions.change_status(stranger, open_class, "close")
    with pytest.raises(TrainingError):
        actions.assign(stranger, open_class, [cast.lena_person])
    open_class.refresh_from_db()
    assert open_class.status == "open" and _roster(open_class) == []


def test_nobody_on_a_class_may_be_taken_off_without_a_reason(cast, open_class):
    enrolment = actions.sign_up(cast.lena, open_class)
    with pytest.raises(TrainingError) as refused:
        actions.withdraw(cast.carol, enrolment, "")
    assert refused.value.code == "reason_required"
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert Person.objects.count() == 3
