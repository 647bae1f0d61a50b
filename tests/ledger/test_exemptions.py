"""Exemptions (long leave, hired mid-year): recorded by the unit or the office with a reason, and
the person's standing re-judged in the same transaction; nobody exempts themselves."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories as f
from xuefen.accounts.roles import Role
from xuefen.audit.models import AuditEvent
from xuefen.core.errors import PermissionDenied
from xuefen.ledger.actions import ExemptionError, post_entry, record_exemption
from xuefen.ledger.judging import evaluate_person
from xuefen.ledger.models import Standing
from xuefen.orgs.models import Person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.models import Exemption
from xuefen.policy.shipped import shipped_texts

PRO = shipped_texts()["professional_national"]


def logged_in(client, user):
    client.force_login(user)
    return client


def _engineer(cast):
    import_ruleset(cast.carol, PRO, cast.region)
    person = f.person(cast.unit_a, "钱工", category=Person.Category.PROFESSIONAL)
    for n, (amount, category) in enumerate([(30, "professional"), (15, "public")], start=1):
        post_entry(
            cast.carol, person, last_day=dt.date(2026, 4, n), categories=[category],
            amount=amount, unit="hours", source_type="class", source_id=str(n),
        )  # fmt: skip
    return person


def test_exemption_scales_the_requirements_and_the_standing_follows_at_once(cast):
    # 人社部令第25号 第八条: 90 a year, 专业 60. Six months of leave: 45 and 30. 30 专业 + 15 公需.
    person = _engineer(cast)
    assert Standing.objects.get(person=person, period=2026).status == Standing.Status.SHORT
    record_exemption(cast.alice, person, period=2026, kind="leave", months=6, reason="病假")
    assert evaluate_person(person, 2026).met
    assert Standing.objects.get(person=person, period=2026).status == Standing.Status.MET
    assert AuditEvent.objects.filter(person_id=person.pk, action="create").exists()


def test_exemption_needs_a_reason_and_saves_nothing_without(cast):
    with pytest.raises(ExemptionError):
        record_exemption(cast.alice, cast.person_a, period=2026, kind="leave", months=6, reason=" ")
    with pytest.raises(ExemptionError):
        record_exemption(
            cast.alice, cast.person_a, period=2026, kind="other", months=3, ratio=Decimal("0.5"),
            reason="x",
        )  # fmt: skip
    assert not cast.person_a.exemptions.exists()


def test_unit_admin_cannot_record_an_exemption_for_another_unit(cast):
    with pytest.raises(PermissionDenied):
        record_exemption(cast.bob, cast.person_a, period=2026, kind="leave", months=2, reason="x")
    assert not cast.person_a.exemptions.exists()


def test_a_unit_admin_who_is_a_person_of_the_unit_cannot_exempt_themselves(cast):
    insider = f.user("ivan", Role.UNIT_ADMIN, cast.unit_a, person=cast.person_a)
    with pytest.raises(PermissionDenied) as refused:
        record_exemption(insider, cast.person_a, period=2026, kind="other", ratio=1, reason="忙")
    assert refused.value.code == "own_person"
    assert not cast.person_a.exemptions.exists()


def test_exemptions_page_lists_the_persons_exemptions(client, cast, django_assert_max_num_queries):
    for year in (2024, 2025, 2026):
        record_exemption(
            cast.carol, cast.person_a, period=year, kind="leave", months=2, reason="病假"
        )
    logged_in(client, cast.alice)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("ledger:exemptions", args=[cast.person_a.pk]))
    assert response.content.decode().count("病假") == 3


def test_unit_admin_records_an_exemption_for_own_person(client, cast):
    url = reverse("ledger:exemptions", args=[cast.person_a.pk])
    response = logged_in(client, cast.alice).post(
        url, {"period": 2026, "kind": "leave", "months": 4, "reason": "产假"}
    )
    assert response.status_code == 302
    exemption = Exemption.objects.get()
    assert (exemption.person, exemption.months, exemption.reason) == (cast.person_a, 4, "产假")


def test_exemption_without_months_or_share_is_refused(client, cast):
    url = reverse("ledger:exemptions", args=[cast.person_a.pk])
    response = logged_in(client, cast.alice).post(
        url, {"period": 2026, "kind": "other", "reason": "借调"}
    )
    assert response.status_code == 200
    assert "月数" in response.content.decode()
    assert not Exemption.objects.exists()


def test_learner_cannot_record_own_exemption(client, cast):
    url = reverse("ledger:exemptions", args=[cast.lena_person.pk])
    response = logged_in(client, cast.lena).post(
        url, {"period": 2026, "kind": "leave", "months": 12, "reason": "x"}
    )
    assert response.status_code == 404
    assert not Exemption.objects.exists()
