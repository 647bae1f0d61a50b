"""A claim dated in a closed year: the office's approval is refused with the closed year's message
until the office lets late reports in for the person; then it is credited."""

import datetime as dt

import pytest

from tests.claims.conftest import RULES, file_claim, to_office
from xuefen.claims import actions as claims
from xuefen.claims.actions import load_default_types
from xuefen.claims.models import Status
from xuefen.closing import actions
from xuefen.closing.errors import PeriodClosed
from xuefen.closing.models import PeriodClose
from xuefen.ledger.models import Entry
from xuefen.policy.actions import import_ruleset

YEAR = dt.date.today().year - 1


@pytest.fixture
def claim(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_default_types()
    import_ruleset(cast.carol, RULES, cast.region)
    filed = file_claim(cast.lena, cast.lena_person, "teaching", start=dt.date(YEAR, 11, 5))
    to_office(cast, filed)
    actions.close_period(cast.carol, cast.region, YEAR)
    return filed


def test_a_closed_year_refuses_the_approval_of_a_late_claim(cast, claim):
    with pytest.raises(PeriodClosed) as refused:
        claims.approve_claim(cast.carol, claim)
    assert str(YEAR) in str(refused.value.message)
    claim.refresh_from_db()
    assert claim.status == Status.UNIT_CHECKED
    assert not Entry.objects.filter(person=cast.lena_person).exists()


def test_the_offices_late_report_approval_lets_the_claim_be_credited(cast, claim):
    actions.approve_late_reports(
        cast.carol,
        PeriodClose.objects.get(),
        reason="申报人出差，逾期提交",
        valid_until=dt.date.today(),
        person=cast.lena_person,
    )
    entries = claims.approve_claim(cast.carol, claim)
    assert entries and entries[0].period == YEAR
