"""The claim pages: forms, scoping, filters, batch approval and query counts on lists."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories as f
from tests.claims.conftest import DAY, PDF, YEAR, ctype, file_claim, pdf, to_office
from xuefen.claims import actions
from xuefen.claims.models import Claim, ClaimType, ReportingPeriod, Status
from xuefen.ledger.models import Entry


def test_learner_submits_a_claim_with_evidence_through_the_form(client, cast, rules):
    client.force_login(cast.lena)
    paper = ctype("paper")
    url = reverse("claims:new") + f"?type={paper.pk}"
    page = client.get(url)
    assert "刊物级别" in page.content.decode()
    assert 'name="person"' not in page.content.decode()  # a learner claims for herself only
    response = client.post(
        url,
        {
            "title": "县级财政绩效评价",
            "start_date": DAY.isoformat(),
            "end_date": DAY.isoformat(),
            "f_journal": "财政研究",
            "f_level": "city",
            "f_author_rank": "1",
            "ev_article": pdf(),
            "submit": "1",
        },
    )
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("claims:detail", args=[claim.pk])
    assert claim.person == cast.lena_person
    assert claim.status == Status.SUBMITTED
    assert claim.data["level"] == "city"
    assert claim.evidence_files.count() == 1


def test_missing_required_field_is_shown_on_the_form(client, cast, rules):
    client.force_login(cast.lena)
    url = reverse("claims:new") + f"?type={ctype('paper').pk}"
    response = client.post(
        url, {"title": "x", "start_date": DAY.isoformat(), "end_date": DAY.isoformat()}
    )
    assert response.status_code == 200
    assert not Claim.objects.exists()


def test_unit_admin_claims_for_a_person_by_id_number(client, cast, rules):
    client.force_login(cast.alice)
    url = reverse("claims:new") + f"?type={ctype('other').pk}"
    data = {
        "person": cast.person_a.id_number,
        "title": "读书会",
        "start_date": DAY.isoformat(),
        "end_date": DAY.isoformat(),
        "f_details": "读书",
    }
    client.post(url, data)
    assert Claim.objects.get().person == cast.person_a


def test_unit_admin_cannot_claim_for_a_person_of_another_unit_by_id_number(client, cast, rules):
    client.force_login(cast.alice)
    url = reverse("claims:new") + f"?type={ctype('other').pk}"
    data = {
        "person": cast.person_b.id_number,
        "title": "读书会",
        "start_date": DAY.isoformat(),
        "end_date": DAY.isoformat(),
        "f_details": "读书",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert not Claim.objects.exists()


def test_a_learner_gets_not_found_for_another_persons_claim(client, cast, rules):
    claim = file_claim(cast.alice, cast.person_a)
    client.force_login(cast.lena)
    assert client.get(reverse("claims:detail", args=[claim.pk])).status_code == 404
    assert client.post(reverse("claims:submit", args=[claim.pk])).status_code == 404


def test_bob_gets_not_found_for_a_claim_of_unit_a(client, cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    client.force_login(cast.bob)
    assert client.get(reverse("claims:detail", args=[claim.pk])).status_code == 404
    response = client.post(reverse("claims:decide", args=[claim.pk]), {"step": "check"})
    assert response.status_code == 404
    assert Claim.objects.get(pk=claim.pk).status == Status.SUBMITTED


def test_flags_are_shown_to_reviewers_not_to_the_learner(client, cast, rules):
    claim = file_claim(cast.lena, cast.lena_person, evidence=False)
    client.force_login(cast.alice)
    assert "缺少证明材料" in client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    client.force_login(cast.lena)
    assert (
        "缺少证明材料" not in client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    )


def test_unit_admin_checks_a_claim_on_its_page(client, cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    client.force_login(cast.alice)
    client.post(reverse("claims:decide", args=[claim.pk]), {"step": "check"})
    assert Claim.objects.get(pk=claim.pk).status == Status.UNIT_CHECKED


def test_learner_cannot_check_her_own_claim_on_its_page(client, cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    client.force_login(cast.lena)
    client.post(reverse("claims:decide", args=[claim.pk]), {"step": "check"})
    assert Claim.objects.get(pk=claim.pk).status == Status.SUBMITTED


def test_office_batch_approval_page_credits_the_chosen_and_lists_failures(client, cast, rules):
    good = [file_claim(cast.lena, cast.lena_person, title=f"论文{i}") for i in range(2)]
    bad = file_claim(cast.lena, cast.lena_person, "other", title="读书会")
    for claim in [*good, bad]:
        to_office(cast, claim)
    client.force_login(cast.carol)
    response = client.post(
        reverse("claims:batch_approve"), {"claim": [c.pk for c in [*good, bad]]}, follow=True
    )
    body = response.content.decode()
    assert f"第 {bad.pk} 号申报" in body
    assert Entry.objects.filter(source_type="claim").count() == 2


def test_office_queue_filters_by_flag_type_and_late(client, cast, rules, reporting):
    flagged = file_claim(cast.lena, cast.lena_person, evidence=False, title="甲论文题")
    clean = file_claim(cast.lena, cast.lena_person, "teaching", title="乙授课题")
    for claim in (flagged, clean):
        to_office(cast, claim)
    client.force_login(cast.carol)
    url = reverse("claims:office_queue")
    body = client.get(url, {"status": "unit_checked", "flag": "evidence_missing"}).content
    assert "甲论文题" in body.decode() and "乙授课题" not in body.decode()
    body = client.get(url, {"status": "", "claim_type": ctype("teaching").pk}).content
    assert "乙授课题" in body.decode() and "甲论文题" not in body.decode()
    body = client.get(url, {"status": "", "late": "1"}).content
    assert "乙授课题" not in body.decode()


def _many_claims(cast, n=6):
    for i in range(n):
        claim = file_claim(cast.lena, cast.lena_person, title=f"论文{i}", evidence=False)
        to_office(cast, claim)


def test_office_queue_queries_do_not_grow_with_claims(
    client, cast, rules, django_assert_max_num_queries
):
    _many_claims(cast)
    client.force_login(cast.carol)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("claims:office_queue"))
    assert response.content.decode().count('name="claim"') == 6


def test_unit_queue_queries_do_not_grow_with_claims(
    client, cast, rules, django_assert_max_num_queries
):
    for i in range(6):
        file_claim(cast.lena, cast.lena_person, title=f"论文{i}", evidence=False)
    client.force_login(cast.alice)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("claims:unit_queue"))
    assert response.content.decode().count("论文") >= 6


def test_my_claims_queries_do_not_grow_with_claims(
    client, cast, rules, django_assert_max_num_queries
):
    _many_claims(cast)
    client.force_login(cast.lena)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("claims:mine"))
    assert response.content.decode().count("论文") >= 6


def test_spot_check_page_draws_and_lists(client, cast, rules, reporting):
    for i in range(5):
        claim = file_claim(cast.lena, cast.lena_person, title=f"论文{i}")
        to_office(cast, claim)
        actions.approve_claim(cast.carol, claim)
    client.force_login(cast.carol)
    client.post(reverse("claims:spot_checks"), {"period": reporting.pk})
    response = client.get(reverse("claims:spot_checks"))
    assert response.content.decode().count('value="reverse"') == 1


def test_office_edits_a_claim_type(client, cast):
    paper = ctype("paper")
    client.force_login(cast.carol)
    page = client.get(reverse("claims:type_edit", args=[paper.pk]))
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, bool)}
    data.update(
        {
            "fields_yaml": form.fields["fields_yaml"].initial,
            "evidence_yaml": form.fields["evidence_yaml"].initial,
            "attr_fields": ["level", "author_rank"],
            "default_categories": ["elective"],
            "name_zh": "发表学术论文",
            "single_author": "on",
            "is_active": "on",
        }
    )
    response = client.post(reverse("claims:type_edit", args=[paper.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    paper.refresh_from_db()
    assert paper.name_zh == "发表学术论文"
    assert paper.attr_fields == ["level", "author_rank"]


def test_a_claim_type_naming_a_missing_field_is_refused(client, cast):
    client.force_login(cast.carol)
    data = {
        "code": "newtype",
        "name_zh": "新类型",
        "order": 5,
        "is_active": "on",
        "fields_yaml": "- {name: title2, label: 题目, kind: text}",
        "evidence_yaml": "",
        "quantity_field": "hours",
    }
    response = client.post(reverse("claims:type_new"), data)
    assert response.status_code == 200
    assert not ClaimType.objects.filter(code="newtype").exists()


def test_learner_and_unit_admin_cannot_open_the_type_admin(client, cast):
    for user in (cast.lena, cast.alice):
        client.force_login(user)
        assert client.get(reverse("claims:types")).status_code == 404


def test_office_adds_a_reporting_period(client, cast):
    client.force_login(cast.carol)
    response = client.post(
        reverse("claims:period_new"),
        {
            "period": 2027,
            "name": "2027年度",
            "opens_on": "2027-01-01",
            "deadline": "2027-12-15",
            "spot_check_share": "10",
        },
    )
    assert response.status_code == 302
    created = ReportingPeriod.objects.get(period=2027)
    assert created.name == "2027年度" and created.spot_check_share == Decimal("0.1")
    page = client.get(reverse("claims:periods")).content.decode()
    assert "<td>10%</td>" in page and "0.100" not in page
    form = client.get(reverse("claims:period_edit", args=[created.pk])).content.decode()
    assert 'value="10"' in form and "抽查比例（%）" in form


def test_office_cannot_set_a_share_above_a_hundred_per_cent(client, cast):
    client.force_login(cast.carol)
    response = client.post(
        reverse("claims:period_new"),
        {
            "period": 2027,
            "name": "2027年度",
            "opens_on": "2027-01-01",
            "deadline": "2027-12-15",
            "spot_check_share": "150",
        },
    )
    assert "100" in response.content.decode()
    assert not ReportingPeriod.objects.exists()


@pytest.mark.parametrize("name", ["mine", "new", "unit_queue"])
def test_unit_admin_pages_render(client, cast, name):
    client.force_login(cast.alice)
    assert client.get(reverse(f"claims:{name}")).status_code == 200


def test_the_detail_page_links_the_evidence(client, cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    evidence = claim.evidence_files.get()
    client.force_login(cast.lena)
    body = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert reverse("claims:evidence_file", args=[evidence.pk]) in body
    assert PDF not in body.encode()


def test_a_user_without_role_or_person_gets_not_found_for_claims(client, cast):
    other = f.user("ulla", None)
    client.force_login(other)
    assert client.get(reverse("claims:mine")).status_code == 404


def test_the_detail_page_names_the_categories_of_the_rule_set(client, cast, rules):
    claim = file_claim(cast.lena, cast.lena_person, "degree")
    client.force_login(cast.lena)
    body = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "专业" in body
    assert "professional" not in body


def test_the_claim_form_asks_a_part_time_class_for_its_days_and_shows_a_bad_value(
    client, cast, rules
):
    from tests.claims.test_spans import evening_class_type

    ctype = evening_class_type()
    client.force_login(cast.lena)
    url = reverse("claims:new") + f"?type={ctype.pk}"
    page = client.get(url)
    form = page.context["form"]
    assert form.fields["f_days_attended"].label == "天数"
    assert "天数" in page.content.decode()
    start = DAY - dt.timedelta(days=2)
    data = {
        "title": "周末财务班",
        "start_date": start.isoformat(),
        "end_date": DAY.isoformat(),
        "f_school": "县委党校",
        "f_days_attended": "5",
        "submit": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors["f_days_attended"]
    assert "3" in errors[0] and start.isoformat() in errors[0]  # the span's 3 days, named
    assert not Claim.objects.exists()
    response = client.post(url, {**data, "f_days_attended": "1.5", "ev_proof": pdf()})
    assert response.status_code == 302
    assert Claim.objects.get().days_taken == Decimal("1.5")


def test_the_claim_form_shows_the_cross_year_refusal_on_the_start_date(client, cast, rules):
    client.force_login(cast.lena)
    url = reverse("claims:new") + f"?type={ctype('conference').pk}"
    response = client.post(
        url,
        {
            "title": "跨年会议",
            "start_date": f"{YEAR - 2}-12-30",
            "end_date": f"{YEAR - 1}-01-02",
            "f_organiser": "省财政厅",
            "f_role": "attendee",
            "submit": "1",
        },
    )
    assert response.status_code == 200
    assert "按年度分别登记" in response.context["form"].errors["start_date"][0]
    assert not Claim.objects.exists()


def test_detail_page_and_office_queue_show_the_span_and_days(client, cast, rules):
    start = DAY - dt.timedelta(days=2)
    claim = file_claim(
        cast.lena, cast.lena_person, "conference", title="年会", start=start, end=DAY
    )
    to_office(cast, claim)
    client.force_login(cast.carol)
    span = f"{start.isoformat()} – {DAY.isoformat()}"
    detail = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert span in detail and "3 天" in detail
    queue = client.get(reverse("claims:office_queue")).content.decode()
    assert span in queue and "3 天" in queue


def test_office_picks_where_a_types_days_come_from_and_cannot_type_a_code(client, cast):
    from tests.claims.test_spans import evening_class_type

    ctype_ = evening_class_type(days_field="")
    client.force_login(cast.carol)
    url = reverse("claims:type_edit", args=[ctype_.pk])
    page = client.get(url)
    form = page.context["form"]
    choices = dict(form.fields["days_field"].choices)
    assert choices["@days"] == "每天都算（开始至结束）"
    assert "实际参训天数" in str(choices["days_attended"])
    assert "school" not in choices  # a text field gives no days
    body = page.content.decode()
    assert '<select name="days_field"' in body
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, bool)}
    data.update(
        {
            "fields_yaml": form.fields["fields_yaml"].initial,
            "evidence_yaml": form.fields["evidence_yaml"].initial,
            "default_categories": ["required"],
            "full_day": "on",
            "is_active": "on",
        }
    )
    refused = client.post(url, {**data, "days_field": "school"})
    assert refused.status_code == 200 and "days_field" in refused.context["form"].errors
    ctype_.refresh_from_db()
    assert ctype_.days_field == ""
    response = client.post(url, {**data, "days_field": "days_attended"})
    assert response.status_code == 302
    ctype_.refresh_from_db()
    assert ctype_.days_field == "days_attended"


def test_a_field_added_with_the_type_can_be_picked_for_its_days(client, cast):
    client.force_login(cast.carol)
    data = {
        "code": "workshop",
        "name_zh": "研修班",
        "order": 5,
        "is_active": "on",
        "fields_yaml": "- {name: days_in, label: {zh: 研修天数}, kind: decimal}",
        "evidence_yaml": "",
        "days_field": "days_in",
    }
    response = client.post(reverse("claims:type_new"), data)
    assert response.status_code == 302, response.context["form"].errors
    assert ClaimType.objects.get(code="workshop").days_field == "days_in"
