import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from tests import factories as f
from xuefen.accounts import scope
from xuefen.accounts.roles import Role
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import SYSTEM

A = AuditEvent.Action


@pytest.fixture
def trail(cast):
    """Events in unit A, unit B, and one tied to no node."""
    return {
        "a": record(
            cast.carol,
            A.UPDATE,
            cast.person_a,
            node_path=cast.unit_a.path,
            person_id=cast.person_a.pk,
            changes={"name": ["李明", "李明明"]},
        ),
        "b": record(
            cast.carol,
            A.UPDATE,
            cast.person_b,
            node_path=cast.unit_b.path,
            person_id=cast.person_b.pk,
        ),
        "none": record(SYSTEM, A.LOGIN_FAILED, object_type="accounts.user", object_repr="ghost"),
    }


@pytest.fixture
def auditor_of_b(cast):
    return f.user("bea", Role.AUDITOR, cast.unit_b)


def test_filter_audit_keeps_events_of_the_users_subtrees(cast, trail, auditor_of_b):
    seen = set(scope.filter_audit(auditor_of_b, AuditEvent.objects.all()))
    assert trail["b"] in seen
    assert trail["a"] not in seen and trail["none"] not in seen


def test_auditor_of_the_root_also_sees_events_tied_to_no_node(cast, trail):
    seen = set(scope.filter_audit(cast.dave, AuditEvent.objects.all()))
    assert {trail["a"], trail["b"], trail["none"]} <= seen


def test_filter_audit_is_empty_without_audit_view(cast, trail):
    assert not scope.filter_audit(cast.alice, AuditEvent.objects.all()).exists()


def test_list_is_404_without_audit_view(client, cast):
    client.force_login(cast.alice)
    assert client.get(reverse("audit:events")).status_code == 404


def test_list_shows_scoped_events_only(client, cast, trail, auditor_of_b):
    client.force_login(auditor_of_b)
    body = client.get(reverse("audit:events")).content.decode()
    assert cast.person_b.name in body
    assert cast.person_a.name not in body


def test_list_query_count_does_not_grow_with_events(client, cast, django_assert_max_num_queries):
    for i in range(120):
        record(
            cast.carol,
            A.UPDATE,
            object_type="orgs.person",
            object_repr=f"p{i}",
            node_path=cast.unit_a.path,
        )
    client.force_login(cast.dave)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("audit:events"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "login_failed"}, {"none"}),
        ({"actor": "carol"}, {"a", "b"}),
        ({"object_type": "orgs.person"}, {"a", "b"}),
        ({"q": "ghost"}, {"none"}),
    ],
)
def test_list_filters(client, cast, trail, params, expected):
    client.force_login(cast.dave)
    page = client.get(reverse("audit:events"), params).context["page_obj"]
    assert {k for k, e in trail.items() if e in page.object_list} == expected


def test_filter_by_person_id_number_and_name(client, cast, trail):
    client.force_login(cast.carol)
    for value in (cast.person_a.id_number, cast.person_a.name):
        page = client.get(reverse("audit:events"), {"person": value}).context["page_obj"]
        assert [e.pk for e in page.object_list] == [trail["a"].pk]


def test_who_may_not_see_id_numbers_cannot_search_by_them(client, cast, trail):
    client.force_login(cast.dave)  # the auditor reads people by name, ID numbers masked
    page = client.get(reverse("audit:events"), {"person": cast.person_a.name}).context["page_obj"]
    assert [e.pk for e in page.object_list] == [trail["a"].pk]
    for query in ({"person": cast.person_a.id_number}, {"q": cast.person_a.id_number[-8:]}):
        page = client.get(reverse("audit:events"), query).context["page_obj"]
        assert list(page.object_list) == []


def test_filter_by_date_range(client, cast, trail):
    client.force_login(cast.dave)
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    page = client.get(reverse("audit:events"), {"date_from": tomorrow}).context["page_obj"]
    assert list(page.object_list) == []
    yesterday = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    page = client.get(reverse("audit:events"), {"date_from": yesterday}).context["page_obj"]
    assert trail["a"] in page.object_list


def test_list_paginates(client, cast):
    for i in range(60):
        record(
            cast.carol,
            A.UPDATE,
            object_type="orgs.person",
            object_repr=f"p{i}",
            node_path=cast.unit_a.path,
        )
    client.force_login(cast.dave)
    first = client.get(reverse("audit:events")).context["page_obj"]
    second = client.get(reverse("audit:events"), {"page": 2}).context["page_obj"]
    assert len(first.object_list) == 50 and len(second.object_list) == 10


def test_detail_shows_before_and_after(client, cast, trail):
    client.force_login(cast.dave)
    body = client.get(reverse("audit:event_detail", args=[trail["a"].pk])).content.decode()
    assert "李明明" in body and "<td>姓名</td>" in body  # the field by its name, not its code


def test_detail_of_another_subtree_is_404(client, cast, trail, auditor_of_b):
    client.force_login(auditor_of_b)
    assert client.get(reverse("audit:event_detail", args=[trail["a"].pk])).status_code == 404


def test_export_holds_the_filtered_events_and_is_audited(client, cast, trail):
    client.force_login(cast.dave)
    response = client.get(reverse("audit:export"), {"actor": "carol"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3  # header + the two events by carol
    assert any("李明明" in str(cell) for row in rows for cell in row)
    assert AuditEvent.objects.filter(action="export", actor=cast.dave).exists()


def test_export_of_auditor_of_b_omits_unit_a(client, cast, trail, auditor_of_b):
    client.force_login(auditor_of_b)
    response = client.get(reverse("audit:export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row)
    assert cast.person_a.name not in text


def test_detail_links_to_all_events_of_the_object(client, cast, trail):
    client.force_login(cast.dave)
    body = client.get(reverse("audit:event_detail", args=[trail["a"].pk])).content.decode()
    link = f"?object_type=orgs.person&amp;q={cast.person_a.pk}"
    assert link in body
    page = client.get(
        reverse("audit:events"), {"object_type": "orgs.person", "q": str(cast.person_a.pk)}
    ).context["page_obj"]
    assert list(page.object_list) == [trail["a"]]
