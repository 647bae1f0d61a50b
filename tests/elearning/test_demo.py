"""The demo county's online learning: among its courses one that needs a passed test, which the
demo learner watched and passed (at the second attempt), credited once in the ledger."""

import pytest

from tests import factories as f
from tests.elearning import helpers as h
from xuefen.accounts.models import User
from xuefen.accounts.roles import Role
from xuefen.elearning import demo
from xuefen.elearning.models import OnlineCourse, Progress, QuizAttempt, RefusedEvent
from xuefen.ledger.models import Entry
from xuefen.orgs.models import Person

pytestmark = pytest.mark.django_db


def test_the_demo_learner_passed_the_test_of_an_online_course(cast):
    Person.objects.filter(pk=cast.lena_person.pk).update(category=Person.Category.TOWNSHIP)
    h.rules(cast)
    f.user("office", Role.OFFICE, cast.region)
    User.objects.filter(pk=cast.lena.pk).update(username="learner")
    said: list[str] = []
    demo.load(said.append)
    assert said and "3 online courses" in said[-1]
    tested = OnlineCourse.objects.get(code=demo.TESTED[0])
    assert tested.needs_test and tested.test_questions.count() == len(demo.QUESTIONS)
    attempts = QuizAttempt.objects.filter(person=cast.lena_person, course=tested).order_by("at")
    assert [a.passed for a in attempts] == [False, True]
    progress = Progress.objects.get(person=cast.lena_person, course=tested)
    assert progress.completed_at is not None and progress.test_score == 100
    entry = Entry.objects.get(
        person=cast.lena_person,
        source_type="online_course",
        source_id=f"{tested.pk}:{cast.lena_person.pk}",
    )
    assert progress.entry_id == entry.pk
    # the county's term also has refused events, each with its reason
    assert RefusedEvent.objects.exclude(reason="").exists()
