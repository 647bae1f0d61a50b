"""Plan versus actual and survey results downloaded as XLSX: the workbook carries the figures of
the underlying records, as the pages do."""

import io
from decimal import Decimal

import openpyxl
from django.urls import reverse

from tests import factories as f
from tests.planning import helpers
from tests.planning.test_plans import planned  # noqa: F401  (the fixture)
from xuefen.audit.models import AuditEvent
from xuefen.planning import actions
from xuefen.training.models import Enrolment, Result


def _book(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_the_plan_downloads_as_xlsx_with_the_records_figures(client, cast, planned):  # noqa: F811
    plan, line, klass = planned
    client.force_login(cast.carol)
    client.cookies["django_language"] = "en"
    url = reverse("planning:plan", kwargs={"plan_id": plan.pk})
    book = _book(client.get(url, {"format": "xlsx"}))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Plan line"
    line_row = next(r for r in rows[1:] if r[0] == line.title and not r[1])
    passed = Enrolment.objects.filter(klass=klass, result=Result.PASSED).count()
    # planned classes / run, trainees planned / trained, hours planned / credited, budget / spent
    assert line_row[3:8] == (2, 1, 40, passed, 480)
    assert Decimal(str(line_row[10])) == Decimal("4200.50")
    class_row = next(r for r in rows[1:] if r[1] and klass.code in r[1])
    assert class_row[6] == passed
    assert rows[-1][0] == "Total"
    budget = {r[0]: r[1:3] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert [Decimal(str(v)) for v in budget["Total"]] == [Decimal(9000), Decimal("4200.50")]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, object_type="planning.plan"
    ).exists()


def test_another_units_plan_is_not_downloaded(client, cast, planned):  # noqa: F811
    plan, _line, _klass = planned
    client.force_login(cast.bob)
    url = reverse("planning:plan", kwargs={"plan_id": plan.pk})
    assert client.get(url, {"format": "xlsx"}).status_code == 404


def test_survey_results_download_as_xlsx_by_the_chosen_group(client, cast):
    survey = helpers.survey_of_a(cast)
    actions.answer_survey(cast.lena, cast.lena_person, survey, {"q1": "4", "q2": "网络学习"})
    ming = f.user("ming", person=cast.person_a)
    actions.answer_survey(ming, cast.person_a, survey, {"q1": "2", "q2": "网络学习", "q3": "案例"})
    client.force_login(cast.carol)
    url = reverse("planning:survey", kwargs={"survey_id": survey.pk})
    book = _book(client.get(url, {"format": "xlsx", "by": "unit"}))
    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert ("培训需要程度", cast.unit_a.name, 2, 3, None, None) in rows
    assert ("希望的方式", cast.unit_a.name, None, None, "网络学习", 2) in rows
    assert ("希望的方式", cast.unit_a.name, None, None, "脱产集中", 0) in rows
    texts = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert texts == [("建议", "案例")]
