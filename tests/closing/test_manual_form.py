"""The ledger's manual form respects a closed year: a day in it is refused with the reason on the
field, unless the office's late-report approval covers the person."""

import datetime as dt

from django.urls import reverse

from tests.closing.conftest import YEAR
from xuefen.closing import actions
from xuefen.ledger.models import Entry


def _manual(day, token):
    return {
        "last_day": day.isoformat(),
        "categories": ["required", "offline"],
        "amount": "6",
        "unit": "hours",
        "description": "县外调训",
        "evidence": "结业证书 123",
        "token": token,
    }


def _post(client, cast, day, token):
    client.force_login(cast.carol)
    client.cookies["django_language"] = "en"
    return client.post(
        reverse("ledger:post_manual", args=[cast.lena_person.pk]), _manual(day, token)
    )


def test_the_manual_form_refuses_a_day_of_a_closed_year_with_the_reason(client, cast, year):
    before = Entry.objects.filter(person=cast.lena_person).count()
    response = _post(client, cast, dt.date(YEAR, 11, 3), "m-closed")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"The year {YEAR} is closed" in page
    assert "late-report approval" in page
    assert Entry.objects.filter(person=cast.lena_person).count() == before


def test_the_manual_form_takes_a_day_of_an_open_year(client, cast, year):
    response = _post(client, cast, dt.date(YEAR + 1, 2, 3), "m-open")
    assert response.status_code == 302
    assert Entry.objects.filter(person=cast.lena_person, source_id="m-open").exists()


def test_the_manual_form_takes_a_closed_day_with_the_offices_late_approval(client, cast, year):
    actions.approve_late_reports(
        cast.carol,
        year.close,
        reason="培训机构延迟报送",
        valid_until=dt.date.today(),
        person=cast.lena_person,
    )
    response = _post(client, cast, dt.date(YEAR, 11, 3), "m-late")
    assert response.status_code == 302
    entry = Entry.objects.get(person=cast.lena_person, source_id="m-late")
    assert entry.period == YEAR
