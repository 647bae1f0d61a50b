"""Importing rule-set versions (a refusal saves nothing), the version in force, exemptions."""

import datetime as dt

import pytest
from django.core.management import call_command

from tests import factories as f
from xuefen.audit.models import AuditEvent
from xuefen.orgs.models import OrgNode, Person
from xuefen.policy.actions import PolicyError, import_ruleset
from xuefen.policy.models import RuleSet
from xuefen.policy.schema import RuleSetError
from xuefen.policy.services import ruleset_for
from xuefen.policy.shipped import shipped_texts

PRO = shipped_texts()["professional_national"]
SUQIAN = shipped_texts()["professional_suqian"]


def version(text: str, number: int, valid_from: str) -> str:
    return text.replace("version: 1", f"version: {number}").replace(
        "valid_from: 2024-01-01", f"valid_from: {valid_from}"
    )


def test_import_saves_the_version_and_audits_it(cast):
    ruleset = import_ruleset(cast.carol, PRO, cast.region)
    assert (ruleset.code, ruleset.version, ruleset.personnel_categories) == (
        "professional_national", 1, ["professional"],
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="import", object_id=str(ruleset.pk)).exists()


def test_invalid_rule_set_is_refused_and_nothing_saved(cast):
    with pytest.raises(RuleSetError) as exc:
        import_ruleset(
            cast.carol, PRO.replace("category: professional", "category: profesional"), cast.region
        )
    assert "profesional" in str(exc.value)
    assert not RuleSet.objects.exists()


def test_overlapping_rule_set_for_same_region_and_category_is_refused_naming_it(cast):
    import_ruleset(cast.carol, PRO, cast.region)
    with pytest.raises(PolicyError) as exc:
        import_ruleset(cast.carol, SUQIAN, cast.region)
    assert exc.value.code == "overlapping_versions"
    assert "professional_national v1" in str(exc.value)
    assert RuleSet.objects.count() == 1


def test_same_rule_set_on_a_deeper_region_is_not_an_overlap(cast):
    import_ruleset(cast.carol, PRO, cast.region)
    import_ruleset(cast.carol, SUQIAN, cast.dept)
    assert RuleSet.objects.count() == 2


def test_new_version_must_start_after_the_previous_one(cast):
    import_ruleset(cast.carol, PRO, cast.region)
    with pytest.raises(PolicyError) as exc:
        import_ruleset(cast.carol, version(PRO, 2, "2023-06-01"), cast.region)
    assert exc.value.code == "overlapping_versions"
    with pytest.raises(PolicyError) as taken:
        import_ruleset(cast.carol, PRO, cast.region)
    assert taken.value.code == "version_exists"


def test_each_year_is_judged_by_the_version_in_force_on_its_first_day(cast):
    # v1 from 2024 (90 学时); v2 from 2026-01-01 asks 100. 2025 → v1, 2026 → v2; v1 is unchanged.
    import_ruleset(cast.carol, PRO, cast.region)
    v2 = version(PRO, 2, "2026-01-01").replace("    min: 90", "    min: 100")
    import_ruleset(cast.carol, v2, cast.region)
    person = f.person(cast.unit_a, "赵工", category=Person.Category.PROFESSIONAL)
    assert ruleset_for(person, 2025).version == 1
    assert ruleset_for(person, 2026).version == 2
    assert ruleset_for(person, 2023) is None
    assert RuleSet.objects.get(version=1).source == PRO


def test_deepest_region_wins(cast):
    import_ruleset(cast.carol, PRO, cast.region)
    import_ruleset(cast.carol, SUQIAN, cast.dept)
    in_a = f.person(cast.unit_a, "甲", category=Person.Category.PROFESSIONAL)
    in_b = f.person(cast.unit_b, "乙", category=Person.Category.PROFESSIONAL)
    assert ruleset_for(in_a, 2026).code == "professional_suqian"
    assert ruleset_for(in_b, 2026).code == "professional_national"


def test_rule_set_for_another_personnel_category_does_not_apply(cast):
    import_ruleset(cast.carol, PRO, cast.region)
    assert ruleset_for(cast.person_a, 2026) is None  # a general cadre


def test_load_rulesets_command_loads_every_shipped_file_it_can(cast, capsys):
    call_command("load_rulesets", "--region", "R")
    out = capsys.readouterr().out
    # The general rule sets load first; those that overlap them on the same region are reported.
    assert "professional_national: loaded" in out
    refused = next(line for line in out.splitlines() if line.startswith("accounting:"))
    assert "not loaded" in refused
    assert "professional_national v1" in refused
    assert set(RuleSet.objects.values_list("code", flat=True)) == {
        "professional_national", "cadre_township", "cadre_county",
    }  # fmt: skip


def test_demo_loads_onto_the_county_root(db):
    from xuefen.policy import demo

    root = f.node("清河县", OrgNode.Kind.REGION, code="QH")
    f.node("县财政局", OrgNode.Kind.DEPARTMENT, root, code="CZJ")
    demo.load(lambda line: None)
    assert set(RuleSet.objects.values_list("region__code", "code")) == {
        ("QH", "professional_national"), ("QH", "cadre_township"), ("QH", "cadre_county"),
        ("CZJ", "accounting"),
    }  # fmt: skip
    assert all(r.valid_from == dt.date(2024, 1, 1) for r in RuleSet.objects.all())


def test_unit_admin_cannot_import_a_rule_set(cast):
    from xuefen.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_ruleset(cast.alice, PRO, cast.unit_a)
    assert not RuleSet.objects.exists()
