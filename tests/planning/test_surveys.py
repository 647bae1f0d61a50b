"""Needs surveys: questions as data with errors naming the line, sent to a subtree, answered once,
results by personnel category, age bracket and unit."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.planning import helpers
from xuefen.orgs.models import Person
from xuefen.planning import actions, queries
from xuefen.planning.errors import PlanningError
from xuefen.planning.models import Survey, SurveyAnswer
from xuefen.planning.surveys import parse_items

ANSWERS = {"q1": "4", "q2": "网络学习", "q3": "多安排案例教学"}


def test_a_bad_question_line_is_named():
    with pytest.raises(PlanningError) as refused:
        parse_items("score: 需要程度\nchoice: 方式\n")
    assert "2" in str(refused.value.message)


def test_a_person_answers_once(cast):
    survey = helpers.survey_of_a(cast)
    actions.answer_survey(cast.lena, cast.lena_person, survey, ANSWERS)
    with pytest.raises(PlanningError) as refused:
        actions.answer_survey(cast.lena, cast.lena_person, survey, ANSWERS)
    assert refused.value.code == "already_answered"
    assert SurveyAnswer.objects.filter(survey=survey).count() == 1


def test_a_draft_or_another_units_survey_takes_no_answer(cast):
    draft = helpers.survey_of_a(cast, status=Survey.Status.DRAFT)
    with pytest.raises(PlanningError):
        actions.answer_survey(cast.lena, cast.lena_person, draft, ANSWERS)
    other = f.user("wang", person=cast.person_b)
    open_ = helpers.survey_of_a(cast)
    with pytest.raises(PlanningError):
        actions.answer_survey(other, cast.person_b, open_, ANSWERS)


def test_an_answer_outside_the_choices_is_refused(cast):
    survey = helpers.survey_of_a(cast)
    with pytest.raises(PlanningError) as refused:
        actions.answer_survey(cast.lena, cast.lena_person, survey, {**ANSWERS, "q1": "9"})
    assert refused.value.field == "q1"


def test_results_by_category_and_unit(cast):
    survey = helpers.survey_of_a(cast)
    actions.answer_survey(cast.lena, cast.lena_person, survey, ANSWERS)
    Person.objects.filter(pk=cast.person_a.pk).update(category=Person.Category.TOWNSHIP)
    cast.person_a.refresh_from_db()
    ming = f.user("ming", person=cast.person_a)
    actions.answer_survey(ming, cast.person_a, survey, {**ANSWERS, "q1": "2", "q2": "脱产集中"})

    by_category = queries.survey_results(survey, "category")
    scores = by_category["questions"][0]["rows"]
    assert sorted((label, n, mean) for label, n, mean in scores) == sorted(
        [
            (str(Person.Category.GENERAL.label), 1, 4.0),
            (str(Person.Category.TOWNSHIP.label), 1, 2.0),
        ]
    )
    assert by_category["questions"][1]["totals"] == [1, 1]
    by_unit = queries.survey_results(survey, "unit")
    assert by_unit["questions"][0]["rows"] == [(cast.unit_a.name, 2, 3.0)]
    assert queries.survey_results(survey, "age_bracket")["count"] == 2


def test_the_learner_answers_on_the_page_and_sees_it_answered(client, cast):
    survey = helpers.survey_of_a(cast)
    client.force_login(cast.lena)
    assert survey.title in client.get(reverse("planning:my_surveys")).content.decode()
    url = reverse("planning:survey_answer", kwargs={"survey_id": survey.pk})
    client.post(url, ANSWERS)
    assert SurveyAnswer.objects.filter(survey=survey, person=cast.lena_person).exists()
    again = client.get(url)
    assert again.status_code == 302


def test_the_office_builds_sends_and_reads_a_survey(client, cast):
    client.force_login(cast.carol)
    plan = helpers.plan_of_a(cast)
    made = client.post(
        reverse("planning:survey_new"),
        {
            "node": cast.unit_a.pk,
            "year": "2026",
            "title": "需求调查",
            "items": "评分：需要程度\n单选：方式 = 集中；网络",
            "plan": plan.pk,
        },
    )
    survey = Survey.objects.get(title="需求调查")
    assert made.status_code == 302 and survey.plan == plan and len(survey.items) == 2
    client.post(reverse("planning:survey", kwargs={"survey_id": survey.pk}), {"status": "open"})
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN
    page = client.get(reverse("planning:survey", kwargs={"survey_id": survey.pk}) + "?by=unit")
    assert "survey-chart-data" in page.content.decode()


def test_the_new_survey_form_offers_this_year(client, cast, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2031, 11, 30))
    client.force_login(cast.carol)
    page = client.get(reverse("planning:survey_new")).content.decode()
    assert 'name="year" value="2031"' in page
