"""Nobody changes their own person, through any role: a unit administrator who is also a person
of their unit may not raise their own category or title, by the form, a transfer or an import."""

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories as f
from tests.orgs.conftest import person_row, upload_and_check, xlsx_bytes
from xuefen.accounts.roles import Role
from xuefen.audit.models import AuditEvent
from xuefen.core.errors import PermissionDenied
from xuefen.orgs.actions import transfer_person, update_person
from xuefen.orgs.models import Person


@pytest.fixture
def ursula(cast):
    """Unit administrator of A and herself a professional of unit A, junior title."""
    me = f.person(cast.unit_a, "吴秀", category=Person.Category.PROFESSIONAL, title_level="junior")
    return f.user("ursula", Role.UNIT_ADMIN, cast.unit_a, person=me)


def _edit(person, **changes):
    data = {
        "id_number": person.id_number,
        "name": person.name,
        "category": person.category,
        "title_level": person.title_level,
        "status": person.status,
    }
    data.update(changes)
    return data


def test_unit_admin_cannot_raise_her_own_title_through_the_form(cast, client, ursula):
    client.force_login(ursula)
    events = AuditEvent.objects.count()
    me = ursula.person
    response = client.post(
        reverse("orgs:person_edit", args=[me.pk]), _edit(me, title_level="senior")
    )
    assert response.status_code == 200
    assert "another administrator" in str(response.context["form"].non_field_errors()) or (
        "其他管理员" in response.content.decode() or "另一位管理员" in response.content.decode()
    )
    me.refresh_from_db()
    assert me.title_level == "junior"
    assert AuditEvent.objects.count() == events


def test_unit_admin_still_edits_colleagues(cast, client, ursula):
    client.force_login(ursula)
    lena = cast.lena_person
    client.post(reverse("orgs:person_edit", args=[lena.pk]), _edit(lena, position="科员"))
    lena.refresh_from_db()
    assert lena.position == "科员"


def test_own_category_cannot_be_changed_by_the_action_either(cast, ursula):
    with pytest.raises(PermissionDenied) as exc:
        update_person(ursula, ursula.person, category=Person.Category.COUNTY)
    assert exc.value.code == "own_person"
    with pytest.raises(PermissionDenied):
        transfer_person(ursula, ursula.person, cast.unit_b, effective_on=dt.date.today())
    ursula.person.refresh_from_db()
    assert (ursula.person.category, ursula.person.unit) == ("professional", cast.unit_a)


def test_an_import_row_changing_the_importers_own_record_is_an_error(cast, client, ursula):
    me = ursula.person
    row = person_row(me.id_number, me.name, category="县处级干部", title="高级")
    client.force_login(ursula)
    response = upload_and_check(client, xlsx_bytes([row]))
    assert [(e.row, e.code) for e in response.context["errors"]] == [(2, "own_person")]
    client.post(reverse("orgs:people_import_confirm", args=[response.context["imp"].pk]))
    me.refresh_from_db()
    assert (me.category, me.title_level) == ("professional", "junior")


def test_another_admin_may_change_her_record(cast, ursula):
    update_person(cast.carol, ursula.person, title_level="senior")
    ursula.person.refresh_from_db()
    assert ursula.person.title_level == "senior"
