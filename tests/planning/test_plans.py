"""Plans: plan versus actual computed from the real records (classes, enrolments, ledger
entries, spending), budgets by source with over-budget flagged, scoped pages."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from tests.planning import helpers
from xuefen.ledger.actions import reverse_entry
from xuefen.ledger.models import Entry
from xuefen.planning import actions, queries
from xuefen.planning.errors import PlanningError
from xuefen.planning.models import PlanClass, Source, Spending
from xuefen.training.models import ClassStatus, Enrolment, Result, TrainingClass


@pytest.fixture
def planned(cast):
    plan = helpers.plan_of_a(cast)
    line = plan.lines.get()
    klass = helpers.completed_class(cast)
    link = actions.link_class(cast.alice, line, klass)
    actions.record_spending(cast.alice, link, "teacher_fees", "fiscal", Decimal("3000"))
    actions.record_spending(cast.alice, link, "venue", "unit", Decimal("1200.50"))
    actions.set_budget(cast.alice, plan, "fiscal", Decimal("8000"))
    actions.set_budget(cast.alice, plan, "unit", Decimal("1000"))
    return plan, line, klass


def test_plan_versus_actual_matches_the_records(cast, planned):
    plan, line, klass = planned
    # One learner's credit reversed: the hours must follow the ledger, not the class's roster.
    lena = Enrolment.objects.get(klass=klass, person=cast.lena_person)
    reverse_entry(cast.carol, lena.entry, "复核撤销")

    report = queries.plan_report(plan)
    _line, figures, classes = report.lines[0]

    class_ids = list(PlanClass.objects.filter(line=line).values_list("klass_id", flat=True))
    passed = Enrolment.objects.filter(klass_id__in=class_ids, result=Result.PASSED)
    entry_ids = list(passed.values_list("entry_id", flat=True))
    credited = Entry.objects.filter(pk__in=entry_ids).aggregate(s=Sum("amount"))["s"]
    reversed_ = Entry.objects.filter(reverses_id__in=entry_ids).aggregate(s=Sum("amount"))["s"]
    spent = Spending.objects.filter(klass_id__in=class_ids).aggregate(s=Sum("amount"))["s"]
    run = TrainingClass.objects.filter(pk__in=class_ids, status=ClassStatus.COMPLETED).count()

    assert figures.classes_run == run == 1
    assert figures.people_trained == passed.count() == 2
    assert figures.hours == credited + reversed_
    assert figures.hours > 0 and figures.hours < credited  # the reversal counted
    assert figures.spent == spent == Decimal("4200.50")
    assert figures.cost_per_hour == (spent / figures.hours).quantize(Decimal("0.01"))
    assert (figures.planned_classes, figures.planned_people) == (2, 40)
    assert report.total.hours == figures.hours and classes[0][0] == klass


def test_over_budget_is_flagged_per_source_and_for_the_plan(cast, planned):
    plan, _line, _klass = planned
    report = queries.plan_report(plan)
    # 1,200.50 spent of the unit's own 1,000; 3,000 of 8,000 fiscal.
    assert report.sources_over == [str(Source.UNIT.label)]
    assert not report.over_budget  # 4,200.50 spent of 9,000
    link = PlanClass.objects.get(line__plan=plan)
    actions.record_spending(cast.alice, link, "materials", "fiscal", Decimal("6000"))
    assert queries.plan_report(plan).over_budget
    lines_over = queries.plan_report(plan).lines[0][1].over_budget
    assert lines_over  # 10,200.50 spent of the line's 10,000


def test_a_class_carries_out_one_plan_line_only(cast, planned):
    _plan, line, klass = planned
    with pytest.raises(PlanningError) as refused:
        actions.link_class(cast.alice, line, klass)
    assert refused.value.code == "class_linked"


def test_one_plan_per_unit_and_year(cast, planned):
    with pytest.raises(PlanningError):
        actions.create_plan(cast.alice, cast.unit_a, 2026, "又一个")


def test_another_unit_may_not_change_the_plan(cast, planned):
    plan, _line, _klass = planned
    with pytest.raises(PlanningError):
        actions.set_budget(cast.bob, plan, "fiscal", Decimal(1))


def test_the_plan_page_shows_plan_and_actual(client, cast, planned):
    plan, _line, klass = planned
    client.force_login(cast.carol)
    page = client.get(reverse("planning:plan", kwargs={"plan_id": plan.pk})).content.decode()
    assert klass.code in page and "4200.5" in page


def test_the_plan_page_adds_a_line_and_says_what_is_wrong(client, cast, planned):
    plan, _line, _klass = planned
    client.force_login(cast.alice)
    url = reverse("planning:plan", kwargs={"plan_id": plan.pk})
    bad = client.post(url, {"what": "line", "title": "", "planned_people": "x"})
    assert bad.status_code == 200 and plan.lines.count() == 1
    client.post(
        url,
        {
            "what": "line",
            "title": "新入职人员培训",
            "target_group": "general",
            "planned_classes": "1",
            "planned_people": "20",
            "planned_hours": "240",
            "budget": "5000",
            "source": "unit",
        },
    )
    assert plan.lines.count() == 2


def test_the_plans_list_has_no_query_per_plan(client, cast, planned, django_assert_max_num_queries):
    for node in (cast.dept, cast.region):
        plan = actions.create_plan(cast.carol, node, 2026, f"{node.name}计划")
        actions.add_line(cast.carol, plan, title="专题班", planned_people=10)
    client.force_login(cast.carol)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("planning:plans")).status_code == 200


def test_the_new_plan_form_offers_this_year(client, cast, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2031, 11, 30))
    client.force_login(cast.carol)
    page = client.get(reverse("planning:plans")).content.decode()
    assert 'name="year" value="2031"' in page
