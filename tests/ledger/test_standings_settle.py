"""Standings go stale when something below the ledger changes (a person's details, their unit
moving to another region, a new rule-set version): every reader settles them before reading."""

import datetime as dt

from tests import factories as f
from xuefen.core.actors import SYSTEM
from xuefen.ledger.actions import post_entry
from xuefen.ledger.models import Standing
from xuefen.ledger.standings import settle
from xuefen.orgs.actions import update_node, update_person
from xuefen.orgs.models import OrgNode, Person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts


def _class(cast, person, hours, n="1"):
    post_entry(
        cast.carol, person, last_day=dt.date(2026, 5, 10), categories=["centralised"],
        amount=hours, unit="hours", source_type="class", source_id=n,
    )  # fmt: skip


def status(person, period=2026):
    return Standing.objects.get(person=person, period=period).status


def test_a_new_person_is_judged_when_first_read(cast):
    import_ruleset(SYSTEM, shipped_texts()["cadre_township"], cast.region)
    newcomer = f.person(cast.unit_a, "新人", category=Person.Category.TOWNSHIP)
    assert not Standing.objects.filter(person=newcomer).exists()
    assert settle(Person.objects.filter(pk=newcomer.pk), 2026).judged == 1
    assert status(newcomer) == Standing.Status.SHORT


def test_a_change_of_category_is_judged_again(cast):
    import_ruleset(SYSTEM, shipped_texts()["cadre_township"], cast.region)
    import_ruleset(SYSTEM, shipped_texts()["professional_national"], cast.region)
    person = f.person(cast.unit_a, "改类", category=Person.Category.TOWNSHIP)
    _class(cast, person, 90)
    assert status(person) == Standing.Status.MET
    update_person(cast.carol, person, category=Person.Category.PROFESSIONAL)
    settle(Person.objects.filter(pk=person.pk), 2026)
    standing = Standing.objects.get(person=person, period=2026)
    assert (standing.status, standing.ruleset) == ("short", "professional_national v1")


def test_a_unit_moved_to_another_region_is_judged_by_that_regions_rules(cast):
    import_ruleset(SYSTEM, shipped_texts()["cadre_township"], cast.region)
    other = f.node("邻县", OrgNode.Kind.REGION, code="R2")
    import_ruleset(SYSTEM, shipped_texts()["cadre_county"], other)  # no rule for township cadres
    person = f.person(cast.unit_a, "调整", category=Person.Category.TOWNSHIP)
    _class(cast, person, 90)
    assert status(person) == Standing.Status.MET
    update_node(SYSTEM, cast.unit_a, parent=other)  # carol does not govern R2
    assert settle(Person.objects.filter(pk=person.pk), 2026).judged == 1
    assert status(person) == Standing.Status.NO_RULES


def test_a_new_rule_set_version_is_judged_again(cast):
    text = shipped_texts()["cadre_township"]
    import_ruleset(SYSTEM, text, cast.region)
    person = f.person(cast.unit_a, "新规", category=Person.Category.TOWNSHIP)
    _class(cast, person, 90)
    stricter = (
        text.replace("version: 1", "version: 2")
        .replace("valid_from: 2024-01-01", "valid_from: 2026-01-01")
        .replace("{min: 90, unit: hours", "{min: 100, unit: hours")
    )
    import_ruleset(SYSTEM, stricter, cast.region)
    assert status(person) == Standing.Status.MET  # stored before the new version
    settle(Person.objects.filter(pk=person.pk), 2026)
    assert status(person) == Standing.Status.SHORT


def test_settling_what_is_current_judges_nobody(cast, django_assert_max_num_queries):
    import_ruleset(SYSTEM, shipped_texts()["cadre_township"], cast.region)
    person = f.person(cast.unit_a, "不变", category=Person.Category.TOWNSHIP)
    _class(cast, person, 90)
    with django_assert_max_num_queries(2):
        assert settle(Person.objects.filter(pk=person.pk), 2026).judged == 0
