"""Evaluation and feedback: one response per trainee, anonymous to the teacher (who sees means
only, only past the minimum, and never who answered); peer reviews by colleagues, not of one's own
session; the follow-up only when due."""

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories as f
from tests.training import helpers as h
from xuefen.accounts.roles import Role
from xuefen.training import actions
from xuefen.training.errors import TrainingError
from xuefen.training.models import Response, ResponseReceipt, Score


@pytest.fixture
def taught(cast, ming, settings):
    """A completed class taught by 周老师 (whose account is tina), with lena and ming on it."""
    settings.TRAINING_RATING_MIN_RESPONSES = 2
    tina = f.user("tina", Role.TEACHER, cast.unit_a)
    teacher = h.teacher(cast, "周老师", user=tina)
    k = h.klass(cast, "RATE")
    sessions = h.day_sessions(cast, k, dt.date(h.YEAR, 2, 16), 1, teacher=teacher)
    actions.change_status(cast.carol, k, "publish")
    actions.assign(cast.carol, k, [cast.lena_person, cast.person_a])
    for person in (cast.lena_person, cast.person_a):
        for session in sessions:
            actions.correct(cast.carol, session, person.pk, "present", "点名")
    actions.complete_class(cast.carol, k)
    k.refresh_from_db()
    return k, teacher, tina


def _answers(teacher, score="5", text=""):
    return {
        "content": score,
        "organisation": score,
        f"teacher_content__t{teacher.pk}": score,
        f"teacher_delivery__t{teacher.pk}": score,
        "suggestions": text,
    }


def test_a_trainee_rates_the_class_and_its_teacher_once(client, cast, taught):
    k, teacher, _tina = taught
    client.force_login(cast.lena)
    page = client.get(reverse("training:evaluate", args=[k.pk]))
    assert "周老师" in page.content.decode()
    client.post(reverse("training:evaluate", args=[k.pk]), _answers(teacher, "4", "很好"))
    assert Score.objects.filter(teacher=teacher).count() == 2
    before = (Response.objects.count(), Score.objects.count(), ResponseReceipt.objects.count())
    with pytest.raises(TrainingError) as refused:
        actions.respond(cast.lena, k, "evaluation", _answers(teacher))
    assert refused.value.code == "already_answered"
    after = (Response.objects.count(), Score.objects.count(), ResponseReceipt.objects.count())
    assert after == before


def test_an_answer_keeps_no_trace_of_who_gave_it(cast, taught):
    k, teacher, _tina = taught
    actions.respond(cast.lena, k, "evaluation", _answers(teacher))
    fields = {field.name for field in Response._meta.get_fields()}
    assert not fields & {"person", "created_by", "user", "created_at"}
    assert {field.name for field in Score._meta.get_fields()} & {"person", "user"} == set()


def test_a_missing_score_is_refused_and_nothing_is_kept(cast, taught):
    k, teacher, _tina = taught
    answers = _answers(teacher)
    del answers[f"teacher_delivery__t{teacher.pk}"]
    with pytest.raises(TrainingError) as refused:
        actions.respond(cast.lena, k, "evaluation", answers)
    assert refused.value.code == "answer_missing"
    assert not ResponseReceipt.objects.exists() and not Response.objects.exists()


def test_the_teacher_sees_means_but_never_who_rated_them(client, cast, taught, ming):
    k, teacher, tina = taught
    actions.respond(cast.lena, k, "evaluation", _answers(teacher, "5", "林娜的意见"))
    client.force_login(tina)
    # One answer (below the minimum of two): no score shown, only how many answered.
    body = client.get(reverse("training:teaching")).content.decode()
    assert "作答人数太少" in body
    actions.respond(ming, k, "evaluation", _answers(teacher, "3"))
    body = client.get(reverse("training:teaching")).content.decode()
    assert "4.0" in body
    for secret in (cast.lena_person.name, cast.person_a.name, "林娜的意见"):
        assert secret not in body
    # Not the class report (with comments), and not who answered through any page.
    assert client.get(reverse("training:report", args=[k.pk])).status_code == 404
    profile = client.get(reverse("training:teacher_detail", args=[teacher.pk])).content.decode()
    assert cast.lena_person.name not in profile and "林娜的意见" not in profile


def test_the_class_report_shows_the_rate_and_comments_to_staff(client, cast, taught):
    k, teacher, _tina = taught
    actions.respond(cast.lena, k, "evaluation", _answers(teacher, "4", "案例很好"))
    client.force_login(cast.carol)
    body = client.get(reverse("training:report", args=[k.pk])).content.decode()
    assert "2 名学员中 1 人作答（50%）" in body and "案例很好" in body
    assert cast.lena_person.name not in body


def test_the_follow_up_opens_only_when_due(cast, taught):
    k, _teacher, _tina = taught
    k.follow_up_days = 10_000
    k.save(update_fields=["follow_up_days"])
    with pytest.raises(TrainingError) as refused:
        actions.respond(cast.lena, k, "follow_up", {"applied": "5", "improved": "5"})
    assert refused.value.code == "not_yet"
    k.follow_up_days = 1
    k.save(update_fields=["follow_up_days"])
    actions.respond(cast.lena, k, "follow_up", {"applied": "5", "improved": "4"})
    assert ResponseReceipt.objects.filter(kind="follow_up").count() == 1


def test_a_teacher_reviews_a_colleagues_session_not_their_own(cast, taught):
    k, teacher, tina = taught
    session = k.sessions.first()
    with pytest.raises(TrainingError) as own:
        actions.review_peer(tina, session, content=5, method=5, effect=5)
    assert own.value.code == "own_session"
    ursula = f.user("ursula", Role.TEACHER, cast.unit_a)
    colleague = h.teacher(cast, "吴老师", user=ursula)
    review = actions.review_peer(ursula, session, content=4, method=3, effect=5, comment="联系实际")
    assert (review.teacher, review.reviewer) == (teacher, colleague)
    with pytest.raises(TrainingError) as again:
        actions.review_peer(ursula, session, content=4, method=3, effect=5)
    assert again.value.code == "already_reviewed"
