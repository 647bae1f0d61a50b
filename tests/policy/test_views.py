"""The credit office's rule-set pages and a person's exemptions: who may see them, what shows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.policy.scoping import CASES
from xuefen.policy.actions import import_ruleset
from xuefen.policy.models import RuleSet
from xuefen.policy.shipped import shipped_texts

NANJING = shipped_texts()["cadre_nanjing"]


@pytest.fixture
def nanjing(cast):
    return import_ruleset(cast.carol, NANJING, cast.region)


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", sorted(CASES))
def test_unit_admin_of_b_gets_404_everywhere(client, cast, name):
    kwargs = CASES[name](cast)
    response = logged_in(client, cast.bob).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 404


def test_office_lists_rule_sets_of_its_region(client, cast, nanjing, django_assert_max_num_queries):
    logged_in(client, cast.carol)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("policy:list"))
    assert response.status_code == 200
    assert "干部教育培训学分制" in response.content.decode()


def test_detail_reads_as_words_with_sources_and_no_codes(client, cast, nanjing):
    page = logged_in(client, cast.carol).get(reverse("policy:detail", args=[nanjing.pk]))
    text = page.content.decode()
    for shown in (
        "必修学分",
        "必修 56 学分",
        "集中培训 14 天",
        "外地培训每期上限",
        "宁人字〔2009〕108号（必修课每年不少于56分）",
        "发表论文",
        "市级 12 学分",
        "学历学位教育",
        "单位自主培训",
        "优秀",
        "55岁及以上：130%",
        "编辑（另存为新版本）",
    ):
        assert shown in text, shown
    body = text.split("<main", 1)[1]
    for code in ("55plus", "out_of_town_training", "in_unit_training", "per_day", "centralised"):
        assert code not in body, code


def test_detail_names_the_either_or_target_and_the_fixed_window(client, cast):
    county = import_ruleset(cast.carol, shipped_texts()["cadre_county"], cast.region)
    township = import_ruleset(cast.carol, shipped_texts()["cadre_township"], cast.region)
    logged_in(client, cast.carol)
    text = client.get(reverse("policy:detail", args=[township.pk])).content.decode()
    assert "集中培训 12 天 或 集中培训 90 学时" in text
    assert "每年" in text
    text = client.get(reverse("policy:detail", args=[county.pk])).content.decode()
    assert "集中培训 550 学时 或 集中培训 3 个月" in text
    assert "自2023年起每5年一个固定周期" in text


def test_format_guide_is_shown_to_the_office(client, cast):
    response = logged_in(client, cast.carol).get(reverse("policy:format"))
    assert "carry_over" in response.content.decode()


def test_export_returns_the_yaml_as_imported(client, cast, nanjing):
    response = logged_in(client, cast.carol).get(reverse("policy:export", args=[nanjing.pk]))
    assert response["Content-Disposition"].endswith('cadre_nanjing-v1.yaml"')
    assert response.content.decode() == NANJING


def test_paste_invalid_yaml_shows_the_problem_and_saves_nothing(client, cast):
    bad = NANJING.replace("category: required, min: 56", "category: requird, min: 56")
    response = logged_in(client, cast.carol).post(
        reverse("policy:import"), {"region": cast.region.pk, "text": bad}
    )
    assert response.status_code == 200
    assert "未知的学分类别“requird”" in response.content.decode()
    assert not RuleSet.objects.exists()


def test_new_version_starts_as_a_copy_numbered_one_higher(client, cast, nanjing):
    response = logged_in(client, cast.carol).get(reverse("policy:import") + f"?from={nanjing.pk}")
    text = response.context["form"].initial["text"]
    assert "version: 2" in text
    assert text.replace("version: 2", "version: 1") == NANJING


def test_new_version_of_a_rule_set_out_of_scope_is_404(client, cast, nanjing):
    response = logged_in(client, cast.bob).get(reverse("policy:import") + f"?from={nanjing.pk}")
    assert response.status_code == 404


def test_upload_valid_yaml_saves_a_version(client, cast):
    upload = SimpleUploadedFile("n.yaml", NANJING.encode(), content_type="application/yaml")
    response = logged_in(client, cast.carol).post(
        reverse("policy:import"), {"region": cast.region.pk, "file": upload}
    )
    ruleset = RuleSet.objects.get()
    assert response.url == reverse("policy:detail", args=[ruleset.pk])


def test_office_cannot_import_onto_a_region_outside_its_scope(client, cast, db):
    from tests import factories as f
    from xuefen.orgs.models import OrgNode

    elsewhere = f.node("外县", OrgNode.Kind.REGION, code="X")
    response = logged_in(client, cast.carol).post(
        reverse("policy:import"), {"region": elsewhere.pk, "text": NANJING}
    )
    assert response.status_code == 200
    assert not RuleSet.objects.exists()


def test_auditor_cannot_change_policy(client, cast, nanjing):
    logged_in(client, cast.dave)
    assert client.get(reverse("policy:list")).status_code == 404
    assert client.get(reverse("policy:detail", args=[nanjing.pk])).status_code == 404
