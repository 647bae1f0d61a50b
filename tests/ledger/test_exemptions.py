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
from xuefen.ledger.actions import ExemptionError, decide_exemption, post_entry, record_exemption
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


# --- more than the review share of a year: evidence, and the office's approval --------------------


def test_a_large_exemption_needs_its_evidence_and_saves_nothing_without(cast):
    with pytest.raises(ExemptionError) as refused:
        record_exemption(
            cast.alice, cast.person_a, period=2026, kind="other", ratio=1, reason="援外"
        )
    assert (refused.value.code, refused.value.field) == ("evidence_required", "evidence")
    assert not cast.person_a.exemptions.exists()


def test_a_units_full_exemption_waits_for_the_office_and_counts_only_then(cast):
    person = _engineer(cast)
    exemption = record_exemption(
        cast.alice, person, period=2026, kind="other", ratio=1, reason="援外",
        evidence="县委组织部援外派遣通知 2026-3",
    )  # fmt: skip
    assert exemption.status == Exemption.Status.PENDING
    assert Standing.objects.get(person=person, period=2026).status == Standing.Status.SHORT
    decide_exemption(cast.carol, exemption, approve=True, note="派遣文件属实")
    assert Standing.objects.get(person=person, period=2026).status == Standing.Status.EXEMPT
    assert AuditEvent.objects.filter(action="approve", object_id=str(exemption.pk)).exists()


def test_the_office_refuses_and_nothing_changes_for_the_person(cast):
    person = _engineer(cast)
    exemption = record_exemption(
        cast.alice, person, period=2026, kind="leave", months=9, reason="病假", evidence="无",
    )  # fmt: skip
    decide_exemption(cast.carol, exemption, approve=False, note="无病休证明")
    exemption.refresh_from_db()
    assert (exemption.status, exemption.decided_by) == (Exemption.Status.REFUSED, cast.carol)
    assert evaluate_person(person, 2026).factor == Decimal(1)


def test_nobody_decides_an_exemption_they_recorded_or_about_themselves(cast):
    other_office = f.user("olga", Role.OFFICE, cast.region, person=cast.person_a)
    exemption = record_exemption(
        cast.alice, cast.person_a, period=2026, kind="leave", months=12, reason="病假",
        evidence="病休批件",
    )  # fmt: skip
    with pytest.raises(PermissionDenied) as own:
        decide_exemption(other_office, exemption, approve=True, note="同意")
    assert own.value.code == "own_person"
    recorded = record_exemption(
        cast.carol, cast.lena_person, period=2026, kind="leave", months=2, reason="病假"
    )
    recorded.status = Exemption.Status.PENDING
    recorded.save(update_fields=["status"])
    with pytest.raises(PermissionDenied) as own_record:
        decide_exemption(cast.carol, recorded, approve=True, note="同意")
    assert own_record.value.code == "own_record"
    with pytest.raises(PermissionDenied):
        decide_exemption(cast.alice, exemption, approve=True, note="同意")  # not the office
    assert Exemption.objects.filter(status=Exemption.Status.PENDING).count() == 2


def test_the_office_approves_from_its_queue_and_a_second_decision_is_refused(client, cast):
    exemption = record_exemption(
        cast.alice, cast.person_a, period=2026, kind="leave", months=12, reason="病假",
        evidence="病休批件 2026-12",
    )  # fmt: skip
    logged_in(client, cast.carol)
    page = client.get(reverse("ledger:exemption_queue")).content.decode()
    assert "病休批件 2026-12" in page
    url = reverse("ledger:exemption_decide", args=[exemption.pk])
    assert client.post(url, {"decision": "approve", "note": "属实"}).status_code == 302
    exemption.refresh_from_db()
    assert exemption.status == Exemption.Status.APPROVED
    assert client.post(url, {"decision": "refuse", "note": "再议"}).status_code == 404


def test_a_unit_admin_has_no_queue_and_cannot_decide(client, cast):
    exemption = record_exemption(
        cast.alice, cast.person_a, period=2026, kind="leave", months=12, reason="病假",
        evidence="病休批件",
    )  # fmt: skip
    logged_in(client, cast.alice)
    url = reverse("ledger:exemption_decide", args=[exemption.pk])
    assert client.post(url, {"decision": "approve", "note": "同意"}).status_code == 404
    exemption.refresh_from_db()
    assert exemption.status == Exemption.Status.PENDING
