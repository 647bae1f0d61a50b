"""The personal page: progress per requirement, the gap in plain words, the entries behind it."""

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories as f
from tests.reports.conftest import post


@pytest.fixture
def pro_user(pro):
    return f.user("zhanggong", person=pro.person)


def page(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_learner_sees_own_gap_in_plain_words(client, pro_user, django_assert_max_num_queries):
    client.force_login(pro_user)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("reports:me"), {"period": 2026})
    text = response.content.decode()
    assert response.status_code == 200
    assert "还差 公需科目 6 学时" in text
    assert "还差 专业科目 10 学时" in text
    assert "还差 总学时 16 学时" in text
    assert "24 / 30" in text and "50 / 60" in text and "74 / 90" in text


def test_page_names_grade_bracket_and_rule_set(client, pro_user):
    text = page(client, pro_user, reverse("reports:me"), period=2026).content.decode()
    assert "不合格" in text
    assert "45–54岁" in text  # born 1975-03-01: 51 at the end of 2026
    assert "专业技术人员继续教育（湖南：公需30、专业60）（第1版）" in text
    assert "professional_hunan" not in text  # people read the name, not the code


def test_entries_show_duplicate_and_reversal_with_their_reason(client, pro, pro_user):
    text = page(client, pro_user, reverse("reports:me"), period=2026).content.decode()
    assert "论文（重复）" in text
    assert f"与记录 {pro.entries.paper.pk} 为同一成果（paper:1），同一成果只计一次" in text
    assert f"已被记录 {pro.entries.reversal.pk} 冲销，不计" in text
    assert f"冲销记录 {pro.entries.wrong.pk}，两条均不计" in text
    assert text.count(">重复</span>") == 1 and text.count(">已冲销</span>") == 2


def test_default_period_is_this_year_and_earlier_years_are_listed(client, cast, pro, pro_user):
    post(cast, pro.person, 5, ["public"], "old", day=dt.date(2024, 4, 1))
    text = page(client, pro_user, reverse("reports:me")).content.decode()
    assert "?period=2024" in text and "?period=2026" in text


def test_staff_open_a_person_of_their_unit(client, cast, pro):
    response = page(
        client, cast.alice, reverse("reports:person", args=[pro.person.pk]), period=2026
    )
    assert "还差 公需科目 6 学时" in response.content.decode()


def test_other_unit_admin_gets_404_for_the_person(client, cast, pro):
    response = page(client, cast.bob, reverse("reports:person", args=[pro.person.pk]))
    assert response.status_code == 404


def test_staff_without_a_person_get_404_for_my_credits(client, cast):
    assert page(client, cast.alice, reverse("reports:me")).status_code == 404


def test_learner_cannot_open_a_colleague(client, cast, pro):
    response = page(client, cast.lena, reverse("reports:person", args=[pro.person.pk]))
    assert response.status_code == 404


def test_page_says_so_when_no_rule_set_applies(client, cast):
    text = page(client, cast.lena, reverse("reports:me")).content.decode()
    assert "没有适用的规则，因此没有可对照的目标" in text


def test_the_auditor_reads_the_page_without_an_issue_button(client, cast, pro):
    text = page(
        client, cast.dave, reverse("reports:person", args=[pro.person.pk]), period=2026
    ).content.decode()
    assert "还差 公需科目 6 学时" in text
    assert 'action="' + reverse("reports:certificate", args=[pro.person.pk, 2026]) not in text


def test_a_new_person_has_the_same_grade_on_the_roll_up_and_their_page(client, cast, rules):
    import re

    from xuefen.orgs.models import Person

    newcomer = f.person(cast.unit_a, "新来的", category=Person.Category.PROFESSIONAL)
    client.force_login(cast.carol)
    rollup = client.get(
        reverse("reports:rollup", args=[cast.region.pk]) + "?period=2026&show=all"
    ).content.decode()
    row = rollup[rollup.index(reverse("reports:person", args=[newcomer.pk])) :]
    on_rollup = re.search(r'data-testid="grade">([^<]*)<', row).group(1)
    page = client.get(reverse("reports:person", args=[newcomer.pk]) + "?period=2026")
    on_page = re.search(r'data-testid="grade">([^<]*)<', page.content.decode()).group(1)
    assert on_rollup == on_page and on_page.strip()
