"""Spot checks: a share of the period's approved claims drawn at random for re-audit."""

import pytest

from tests.claims.conftest import file_claim, to_office
from xuefen.audit.models import AuditEvent
from xuefen.claims import actions
from xuefen.claims.errors import TransitionError
from xuefen.claims.models import Claim, SpotCheck, Status
from xuefen.ledger.models import Entry, Total


def _credited(cast, n):
    claims = []
    for i in range(n):
        claim = file_claim(cast.lena, cast.lena_person, title=f"论文{i}")
        to_office(cast, claim)
        actions.approve_claim(cast.carol, claim)
        claims.append(Claim.objects.get(pk=claim.pk))
    return claims


def test_draw_size_follows_the_configured_share(cast, rules, reporting):
    claims = _credited(cast, 10)  # share 0.2
    draw = actions.draw_spot_checks(cast.carol, reporting, claims, seed=7)
    assert (draw.population, draw.drawn) == (10, 2)
    assert SpotCheck.objects.count() == 2


def test_draw_rounds_up_so_a_small_period_is_still_checked(cast, rules, reporting):
    claims = _credited(cast, 3)
    draw = actions.draw_spot_checks(cast.carol, reporting, claims, seed=1)
    assert draw.drawn == 1


def test_the_seed_and_the_draw_are_in_the_audit_trail(cast, rules, reporting):
    claims = _credited(cast, 5)
    draw = actions.draw_spot_checks(cast.carol, reporting, claims, seed=42)
    event = AuditEvent.objects.get(object_type="claims.spotcheckdraw", object_id=str(draw.pk))
    assert event.changes["seed"] == 42
    assert event.changes["drawn"] == sorted(draw.checks.values_list("claim_id", flat=True))


def test_the_same_seed_draws_the_same_claims(cast, rules, reporting):
    claims = _credited(cast, 10)
    first = actions.draw_spot_checks(cast.carol, reporting, claims, seed=99)
    picked = set(first.checks.values_list("claim_id", flat=True))
    SpotCheck.objects.all().delete()
    again = actions.draw_spot_checks(cast.carol, reporting, claims, seed=99)
    assert set(again.checks.values_list("claim_id", flat=True)) == picked


def test_a_claim_is_drawn_at_most_once(cast, rules, reporting):
    claims = _credited(cast, 5)
    reporting.spot_check_share = 1
    reporting.save()
    actions.draw_spot_checks(cast.carol, reporting, claims)
    second = actions.draw_spot_checks(cast.carol, reporting, claims)
    assert second.drawn == 0


def test_reversing_a_spot_check_reverses_the_credit_and_revokes_the_claim(cast, rules, reporting):
    (claim,) = _credited(cast, 1)
    reporting.spot_check_share = 1
    reporting.save()
    draw = actions.draw_spot_checks(cast.carol, reporting, [claim])
    spot = draw.checks.get()
    actions.reverse_spot_check(cast.carol, spot, "刊物系非法出版物")
    claim.refresh_from_db()
    assert claim.status == Status.REVOKED
    assert Entry.objects.filter(reverses__isnull=False).count() == 1
    assert Total.objects.get(person=cast.lena_person, category="*").amount == 0
    spot.refresh_from_db()
    assert spot.outcome == SpotCheck.Outcome.REVERSED


def test_a_decided_spot_check_cannot_be_decided_again(cast, rules, reporting):
    (claim,) = _credited(cast, 1)
    reporting.spot_check_share = 1
    reporting.save()
    spot = actions.draw_spot_checks(cast.carol, reporting, [claim]).checks.get()
    actions.confirm_spot_check(cast.carol, spot, "材料属实")
    with pytest.raises(TransitionError):
        actions.reverse_spot_check(cast.carol, spot, "改主意")
    assert Entry.objects.filter(reverses__isnull=False).count() == 0


def test_only_the_office_draws(cast, rules, reporting):
    claims = _credited(cast, 2)
    with pytest.raises(TransitionError):
        actions.draw_spot_checks(cast.alice, reporting, claims)
    assert not SpotCheck.objects.exists()
