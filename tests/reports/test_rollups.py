"""Roll-ups for the cast, computed by hand (township cadre rules: 12 days or 90 学时 of 集中培训 a
year; online learning apart).

2026: 李明 (unit A) 90 of classes (and 10 online) → met; 林娜 (unit A) 30 → not met; 王芳 (unit B)
nothing → not met (judged on nothing once the page settles the standings).
Region R: 3 people, 2 took part (66.7%), 1 met (33.3%), average counted (100 + 30 + 0) / 3 = 43.33.
Children of R: department D (unit A) 2 people, 100%, 50%, average 65; unit B 1 person, 0, 0, 0.
"""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from tests import factories as f
from tests.reports.conftest import post
from xuefen.ledger.standings import settle
from xuefen.orgs.models import Person
from xuefen.policy.engine import grade_label
from xuefen.policy.schema import load_yaml
from xuefen.policy.shipped import shipped_texts
from xuefen.reports.rollups import rollup

CLASS = ["required", "offline", "centralised"]


@pytest.fixture
def year(cast, rules):
    post(cast, cast.person_a, 60, CLASS, "a1")
    post(cast, cast.person_a, 30, CLASS, "a2")
    post(cast, cast.person_a, 10, ["elective", "online"], "a3")
    post(cast, cast.lena_person, 30, CLASS, "l1")
    settle(Person.objects.all(), 2026)
    return cast


def test_region_figures(year):
    result = rollup(year.carol, year.region, 2026)
    f_ = result.figures
    assert (f_.people, f_.participants, f_.met) == (3, 2, 1)
    assert (f_.participation_rate, f_.met_rate, f_.average) == (
        Decimal("66.7"), Decimal("33.3"), Decimal("43.33"),
    )  # fmt: skip


def test_child_nodes_add_up_their_units(year):
    rows = {r.node.code: r.figures for r in rollup(year.carol, year.region, 2026).children}
    assert set(rows) == {"D", "B"}
    assert (rows["D"].people, rows["D"].participation_rate, rows["D"].met_rate) == (
        2, Decimal(100), Decimal(50),
    )  # fmt: skip
    assert rows["D"].average == Decimal("65.00")
    assert (rows["B"].people, rows["B"].participants, rows["B"].met) == (1, 0, 0)


def test_grade_distribution(year):
    grades = {code: n for code, _label, n in rollup(year.carol, year.region, 2026).grades}
    assert grades == {"pass": 1, "fail": 2}


def test_a_person_not_yet_judged_is_judged_before_the_page_counts_them(client, year):
    newcomer = f.person(year.unit_b, "新人")  # no standing yet: settled by the page
    response = page(client, year.carol, year.region.pk, period=2026, export="grades")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    assert dict(rows[1:]) == {"合格": 1, "不合格": 3}
    assert newcomer.standings.get(period=2026).status == "short"


def test_unit_admin_sees_only_their_unit(year):
    result = rollup(year.alice, year.region, 2026)
    assert result.figures.people == 2


def page(client, user, *args, **params):
    client.force_login(user)
    url = reverse("reports:rollup", args=args)
    return client.get(url, params)


def test_page_shows_figures_children_and_the_people_short(client, year):
    response = page(client, year.carol, year.region.pk, period=2026)
    text = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="participation">66.7%' in text and 'data-testid="met-rate">33.3%' in text
    assert reverse("reports:rollup", args=[year.dept.pk]) in text
    assert reverse("reports:person", args=[year.lena_person.pk]) in text
    assert reverse("reports:person", args=[year.person_b.pk]) in text
    assert reverse("reports:person", args=[year.person_a.pk]) not in text
    assert "还差 年度集中培训 8 天 或 60 学时" not in text  # 林娜 has no days recorded:
    assert "还差 年度集中培训 12 天 或 60 学时" in text  # the gap in both alternatives
    assert 'id="rollup-chart-data"' in text and "vendor/chart.umd.min.js" in text


def test_default_node_is_the_users_own_subtree(client, year):
    text = page(client, year.alice, period=2026).content.decode()
    assert year.unit_a.name in text and 'data-testid="people">2<' in text


def test_page_queries_do_not_grow_with_people(client, year, django_assert_max_num_queries):
    client.force_login(year.carol)
    url = reverse("reports:rollup", args=[year.region.pk])
    with django_assert_max_num_queries(20) as few:
        client.get(url, {"period": 2026})
    for n in range(12):
        person = f.person(year.unit_b if n % 2 else year.unit_a, f"人员{n}")
        post(year, person, 10 + n, CLASS, f"x{n}")
    with django_assert_max_num_queries(len(few)):
        client.get(url, {"period": 2026})


def test_everyone_toggle_lists_those_who_met_too(client, year):
    text = page(client, year.carol, year.region.pk, period=2026, show="all").content.decode()
    assert reverse("reports:person", args=[year.person_a.pk]) in text


@pytest.mark.parametrize(
    ("node", "user"), [("unit_a", "bob"), ("region", "bob"), ("dept", "bob"), ("region", "sam")]
)
def test_outsiders_get_404_for_a_node(client, year, node, user):
    response = page(client, getattr(year, user), getattr(year, node).pk)
    assert response.status_code == 404


def test_learner_has_no_rollup(client, year):
    assert page(client, year.lena).status_code == 404


def test_export_of_the_child_table(client, year):
    response = page(client, year.carol, year.region.pk, period=2026, export="summary")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("示范县", "R", 3, 2)
    assert {r[1]: r[2] for r in rows[2:]} == {"D": 2, "B": 1}


def test_export_of_the_people_short(client, year):
    response = page(client, year.alice, year.unit_a.pk, period=2026, export="people")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    assert [r[1] for r in rows[1:]] == ["林娜"]


def test_export_of_grades(client, year):
    response = page(client, year.carol, year.region.pk, period=2026, export="grades")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    assert dict(rows[1:]) == {"合格": 1, "不合格": 2}


def test_auditor_sees_the_region(client, year):
    response = page(client, year.dave, year.region.pk, period=2026)
    assert response.status_code == 200 and 'data-testid="people">3<' in response.content.decode()


def test_grade_codes_of_a_rule_set_are_named_by_its_labels(year):
    nanjing = shipped_texts()["cadre_nanjing"].replace(
        "code: good, label: {zh: 良好", "code: good, label: {zh: 较好"
    )
    assert grade_label(load_yaml(nanjing), "good") == "较好"
    assert grade_label(None, "") == "未评定"


def test_chart_data_is_embedded_for_the_charts(client, year):
    import json
    import re

    text = page(client, year.carol, year.region.pk, period=2026).content.decode()
    raw = re.search(r'<script id="rollup-chart-data" type="application/json">(.*?)</script>', text)
    data = json.loads(raw.group(1))
    assert dict(zip(data["grades"]["codes"], data["grades"]["values"], strict=True)) == {
        "pass": 1, "fail": 2,
    }  # fmt: skip
    assert dict(zip(data["children"]["labels"], data["children"]["values"], strict=True)) == {
        "县财政局": 50.0, "第一中学": 0.0,
    }  # fmt: skip
