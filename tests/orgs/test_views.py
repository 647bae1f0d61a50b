import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories as f
from tests.orgs.scoping import CASES, POST_ONLY, UPLOADER_ONLY
from xuefen.audit.models import AuditEvent
from xuefen.orgs.models import OrgNode, Person, Transfer


def get(client, user, name, **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs or None))


# ------------------------------------------------------------------ scoping


@pytest.mark.parametrize("name", [n for n, case in CASES.items() if n != "orgs:tree"])
def test_bob_gets_404_or_nothing_of_unit_a(cast, client, name):
    kwargs = CASES[name](cast)
    client.force_login(cast.bob)
    send = client.post if name in POST_ONLY else client.get
    response = send(reverse(name, kwargs=kwargs))
    if kwargs:
        assert response.status_code == 404
    else:
        assert response.status_code in (200, 404)
        assert cast.person_a.name.encode() not in response.content
        assert cast.person_a.id_number.encode() not in response.content


def test_unit_admin_cannot_edit_or_transfer_other_unit(cast, client):
    client.force_login(cast.bob)
    url = reverse("orgs:person_edit", kwargs={"person_id": cast.person_a.pk})
    assert client.post(url, {"name": "改名"}).status_code == 404
    url = reverse("orgs:person_transfer", kwargs={"person_id": cast.person_a.pk})
    response = client.post(url, {"to_unit": cast.unit_b.pk, "effective_on": "2026-01-01"})
    assert response.status_code == 404
    cast.person_a.refresh_from_db()
    assert (cast.person_a.name, cast.person_a.unit) == ("李明", cast.unit_a)


def test_export_is_scoped(cast, client):
    response = get(client, cast.bob, "orgs:people_export")
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    names = [r[1] for r in rows[1:]]
    assert names == ["王芳"]


def test_learner_has_no_people_list(cast, client):
    assert get(client, cast.lena, "orgs:people").status_code == 404


# ------------------------------------------------------------------ tree


def test_tree_shows_counts_including_descendants(cast, client, django_assert_max_num_queries):
    client.force_login(cast.carol)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("orgs:tree"))
    roots = response.context["roots"]
    assert roots[0]["node"] == cast.region
    assert roots[0]["count"] == 3
    dept = next(c for c in roots[0]["children"] if c["node"] == cast.dept)
    assert dept["count"] == 2


def test_unit_admin_sees_only_own_subtree(cast, client):
    response = get(client, cast.alice, "orgs:tree")
    assert [r["node"] for r in response.context["roots"]] == [cast.unit_a]


def test_sysadmin_creates_and_edits_node_with_audit(cast, client):
    client.force_login(cast.sam)
    response = client.post(
        reverse("orgs:node_create"),
        {
            "code": "C",
            "name": "新单位",
            "kind": "unit",
            "unit_type": "organ",
            "parent": cast.dept.pk,
            "is_active": "on",
        },
    )
    node = OrgNode.objects.get(code="C")
    assert response.status_code == 302
    assert node.path.startswith(cast.dept.path)
    client.post(
        reverse("orgs:node_edit", kwargs={"node_id": node.pk}),
        {
            "code": "C",
            "name": "改名单位",
            "kind": "unit",
            "unit_type": "organ",
            "parent": cast.region.pk,
            "is_active": "on",
        },
    )
    node.refresh_from_db()
    assert node.name == "改名单位"
    assert node.parent == cast.region
    event = AuditEvent.objects.filter(object_id=str(node.pk), action="update").get()
    assert event.changes["name"] == ["新单位", "改名单位"]


def test_unit_admin_cannot_create_nodes(cast, client):
    assert get(client, cast.alice, "orgs:node_create").status_code == 404


# ------------------------------------------------------------------ people


def test_people_list_query_count_is_flat(cast, client, django_assert_max_num_queries):
    for i in range(30):
        f.person(cast.unit_a, f"人{i}")
    client.force_login(cast.carol)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("orgs:people"))
    assert response.context["page_obj"].paginator.count == 33


def test_people_list_paginates_by_50(cast, client):
    for i in range(55):
        f.person(cast.unit_a, f"人{i}")
    response = get(client, cast.alice, "orgs:people")
    assert len(response.context["page_obj"].object_list) == 50


def test_id_numbers_masked_without_view_id(cast, client):
    response = get(client, cast.dave, "orgs:people")
    content = response.content.decode()
    assert cast.person_a.id_number not in content
    assert cast.person_a.masked_id_number in content
    response = get(client, cast.alice, "orgs:people")
    assert cast.person_a.id_number in response.content.decode()


def test_export_masks_id_numbers_without_view_id(cast, client):
    client.force_login(cast.dave)
    response = client.get(reverse("orgs:people_export") + "?format=csv")
    text = response.content.decode("utf-8-sig")
    assert cast.person_a.id_number not in text
    assert cast.person_a.masked_id_number in text


def test_export_csv_has_import_columns(cast, client):
    client.force_login(cast.alice)
    response = client.get(reverse("orgs:people_export") + "?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["身份证号", "姓名"]
    assert len(rows) == 3


def test_export_escapes_formula_names(cast, client):
    f.person(cast.unit_a, '=HYPERLINK("x")')
    client.force_login(cast.alice)
    response = client.get(reverse("orgs:people_export"))
    names = [
        r[1]
        for r in load_workbook(io.BytesIO(response.content))
        .worksheets[0]
        .iter_rows(values_only=True)
    ]
    assert '\'=HYPERLINK("x")' in names


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "李"}, ["李明"]),
        ({"sex": "F"}, ["林娜"]),
        ({"age_min": 30, "age_max": 200}, []),
    ],
)
def test_people_filters(cast, client, params, expected):
    client.force_login(cast.alice)
    response = client.get(reverse("orgs:people"), params)
    names = [p.name for p in response.context["page_obj"].object_list]
    if expected:
        assert names == expected
    else:
        assert response.status_code == 200


def test_search_by_full_id_and_last_digits(cast, client):
    client.force_login(cast.alice)
    for q in (cast.person_a.id_number, cast.person_a.id_number[-6:]):
        response = client.get(reverse("orgs:people"), {"q": q})
        assert [p.name for p in response.context["page_obj"].object_list] == ["李明"]


def test_age_filter(cast, client):
    old = f.person(cast.unit_a, "老人", birth=dt.date(1960, 1, 1))
    client.force_login(cast.alice)
    response = client.get(reverse("orgs:people"), {"age_min": 60})
    assert [p.pk for p in response.context["page_obj"].object_list] == [old.pk]


def test_create_person_fills_birth_and_sex_from_id(cast, client):
    number = f.valid_id(dt.date(1990, 3, 4), "F")
    client.force_login(cast.alice)
    response = client.post(
        reverse("orgs:person_create"),
        {
            "id_number": number,
            "name": "新人",
            "unit": cast.unit_a.pk,
            "category": "general",
            "status": "active",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(id_number=number)
    assert (person.birth_date, person.sex) == (dt.date(1990, 3, 4), "F")
    event = AuditEvent.objects.get(object_id=str(person.pk), action="create")
    assert event.changes["name"] == [None, "新人"]


def test_create_person_sex_mismatch_shown_on_field(cast, client):
    client.force_login(cast.alice)
    response = client.post(
        reverse("orgs:person_create"),
        {
            "id_number": f.valid_id(sex="F"),
            "name": "新人",
            "unit": cast.unit_a.pk,
            "sex": "M",
            "category": "general",
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["sex"]


def test_create_person_in_other_unit_is_refused(cast, client):
    client.force_login(cast.alice)
    number = f.valid_id()
    response = client.post(
        reverse("orgs:person_create"),
        {
            "id_number": number,
            "name": "新人",
            "unit": cast.unit_b.pk,
            "category": "general",
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert not Person.objects.filter(id_number=number).exists()


def test_edit_person_records_before_and_after(cast, client):
    client.force_login(cast.alice)
    p = cast.person_a
    response = client.post(
        reverse("orgs:person_edit", kwargs={"person_id": p.pk}),
        {
            "id_number": p.id_number,
            "name": "李明明",
            "category": p.category,
            "status": "active",
            "position": "科长",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(object_id=str(p.pk), action="update")
    assert event.changes["name"] == ["李明", "李明明"]
    assert event.changes["position"] == ["", "科长"]


def test_transfer_records_history_and_audit(cast, client):
    unit_a2 = f.node("财政局二所", parent=cast.dept, code="A2")
    client.force_login(cast.carol)
    p = cast.person_a
    response = client.post(
        reverse("orgs:person_transfer", kwargs={"person_id": p.pk}),
        {
            "to_unit": unit_a2.pk,
            "effective_on": "2026-01-05",
            "reason": "调动",
        },
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.unit == unit_a2
    assert Transfer.objects.get(person=p).effective_on == dt.date(2026, 1, 5)
    event = AuditEvent.objects.filter(object_id=str(p.pk), node_path=unit_a2.path).get()
    assert event.changes["unit"] == [str(cast.unit_a.pk), str(unit_a2.pk)]
    detail = get(client, cast.carol, "orgs:person_detail", person_id=p.pk)
    assert "调动" in detail.content.decode()


def test_nav_items_by_capability(cast):
    from xuefen.orgs.nav import items

    assert [i.url_name for i in items(cast.alice)] == ["orgs:tree", "orgs:people"]
    assert [i.url_name for i in items(cast.lena)] == []


@pytest.mark.parametrize("name", [n for n in CASES if n not in POST_ONLY])
def test_every_page_opens_for_the_credit_office(cast, client, name):
    kwargs = CASES[name](cast)
    if name in UPLOADER_ONLY:
        client.force_login(cast.alice)
    else:
        client.force_login(cast.carol)
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 200


def test_export_follows_the_list_filters(cast, client):
    client.force_login(cast.alice)
    response = client.get(reverse("orgs:people_export"), {"sex": "F", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["林娜"]
    assert AuditEvent.objects.filter(action="export", actor=cast.alice).exists()


def test_people_page_speaks_chinese(cast, client):
    response = get(client, cast.alice, "orgs:people")
    content = response.content.decode()
    assert "人员类别" in content
    assert "一般干部" in content


def test_node_page_names_ancestors_above_the_users_subtree_without_linking_them(cast, client):
    # alice administers unit A (under department D, under region R): R and D are named on her
    # unit's page, but not linked — their pages are outside her scope (404). Carol (the office
    # for R) gets both as links.
    response = get(client, cast.alice, "orgs:node_detail", node_id=cast.unit_a.pk)
    body = response.content.decode()
    for above in (cast.region, cast.dept):
        assert above.name in body
        assert reverse("orgs:node_detail", kwargs={"node_id": above.pk}) not in body
        assert get(client, cast.alice, "orgs:node_detail", node_id=above.pk).status_code == 404
    response = get(client, cast.carol, "orgs:node_detail", node_id=cast.unit_a.pk)
    for above in (cast.region, cast.dept):
        url = reverse("orgs:node_detail", kwargs={"node_id": above.pk})
        assert f'href="{url}"' in response.content.decode()
