from decimal import Decimal
from io import StringIO

from django.core.management import call_command

from xuefen.ledger.actions import reverse_entry
from xuefen.ledger.models import OVERALL, Standing, Total
from xuefen.ledger.recompute import recompute, recompute_totals


def live(person):
    return {(t.period, t.category, t.unit): t.amount for t in Total.objects.filter(person=person)}


def test_recompute_after_normal_posting_changes_nothing(cast, post):
    entry = post(cast.person_a, "8", "1")
    post(cast.person_a, "1.33", "2", categories=["elective", "online"])
    post(cast.person_a, "0.1", "3", categories=["elective", "online"])
    post(cast.person_a, "0.2", "4", categories=["elective", "online"])
    post(cast.person_b, "6", "1", last_day=entry.last_day.replace(year=2025))
    reverse_entry(cast.carol, entry, "错误")
    before = live(cast.person_a)
    assert recompute() == (0, 0)
    assert live(cast.person_a) == before


def test_recompute_repairs_total_edited_in_database(cast, post):
    post(cast.person_a, "8", "1")
    Total.objects.filter(person=cast.person_a, category=OVERALL).update(amount=Decimal("999"))
    assert recompute_totals() == 1
    assert Total.objects.get(person=cast.person_a, category=OVERALL).amount == Decimal("8")


def test_recompute_restores_deleted_total_and_removes_stray_one(cast, post):
    post(cast.person_a, "8", "1")
    Total.objects.filter(person=cast.person_a, category="required").delete()
    Total.objects.create(person=cast.person_b, period=2026, category="bogus", amount=5)
    assert recompute_totals() == 2
    assert live(cast.person_a)[(2026, "required", "hours")] == Decimal("8")
    assert not Total.objects.filter(person=cast.person_b).exists()


def test_recompute_of_one_period_leaves_other_periods(cast, post):
    post(cast.person_a, "8", "1")
    Total.objects.create(person=cast.person_a, period=2024, category="bogus", amount=5)
    assert recompute_totals(2026) == 0
    assert Total.objects.filter(period=2024).exists()


def test_recompute_repairs_standing_edited_in_database(cast, post):
    post(cast.person_a, "8", "1")
    Standing.objects.filter(person=cast.person_a).update(grade="forged", status="met")
    totals, standings = recompute()
    assert (totals, standings) == (0, 1)
    standing = Standing.objects.get(person=cast.person_a)
    assert standing.grade != "forged"


def test_recompute_command_prints_rows_changed(cast, post):
    post(cast.person_a, "8", "1")
    Total.objects.filter(person=cast.person_a, category=OVERALL).update(amount=1)
    out = StringIO()
    call_command("recompute", "--period", "2026", stdout=out)
    assert "Totals changed: 1; standings changed: 0." in out.getvalue()
