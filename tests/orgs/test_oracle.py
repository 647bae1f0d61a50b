"""The existence oracle, as a unit administrator probing ID numbers would use it: neither the
people-import preview nor the new-person form may tell an ID number held in a unit outside one's
scope from an ID number nobody holds. The probe ends as a transfer request the office sees."""

import datetime as dt

from django.contrib.messages import get_messages
from django.urls import reverse

from tests import factories as f
from tests.orgs.conftest import person_row, upload_and_check, xlsx_bytes
from xuefen.audit.models import AuditEvent
from xuefen.orgs.models import Person, TransferRequest


def _form(number, name="新人", unit=None):
    return {
        "id_number": number,
        "name": name,
        "unit": unit,
        "category": "general",
        "status": "active",
    }


def test_import_preview_does_not_tell_an_outside_id_from_a_new_one(cast, client):
    fresh = f.valid_id()
    data = xlsx_bytes([person_row(cast.person_b.id_number, "甲"), person_row(fresh, "乙")])
    client.force_login(cast.alice)
    response = upload_and_check(client, data)
    imp = response.context["imp"]
    assert (imp.status, imp.error_count) == ("ready", 0)
    assert imp.counts == {"new": 2, "changed": 0, "unchanged": 0}
    (first, second) = response.context["preview"]
    assert (first[1], first[3]) == (second[1], second[3]) == ("new", [])
    page = response.content.decode()
    for secret in (cast.person_b.name, cast.unit_b.name, cast.unit_b.code + "<"):
        assert secret not in page


def test_import_file_of_only_outside_ids_is_previewed_like_new_people(cast, client):
    data = xlsx_bytes([person_row(cast.person_b.id_number, "甲")])
    client.force_login(cast.alice)
    imp = upload_and_check(client, data).context["imp"]
    assert (imp.status, imp.counts["new"], imp.error_count) == ("ready", 1, 0)
    client.post(reverse("orgs:people_import_confirm", args=[imp.pk]))
    cast.person_b.refresh_from_db()
    assert cast.person_b.unit == cast.unit_b and cast.person_b.name == "王芳"
    request = TransferRequest.objects.get()
    assert (request.person, request.to_unit, request.given_name) == (
        cast.person_b,
        cast.unit_a,
        "甲",
    )


def test_new_person_form_answers_alike_for_an_outside_id_and_a_new_one(cast, client):
    client.force_login(cast.alice)
    answers = []
    for number in (cast.person_b.id_number, f.valid_id()):
        response = client.post(reverse("orgs:person_create"), _form(number, "新人", cast.unit_a.pk))
        text = [str(m) for m in get_messages(response.wsgi_request)]
        answers.append((response.status_code, response["Location"], text))
        client.get(response["Location"])  # shows (and so consumes) the message
    assert answers[0] == answers[1]
    assert answers[0][0] == 302
    cast.person_b.refresh_from_db()
    assert cast.person_b.unit == cast.unit_b and cast.person_b.name == "王芳"
    assert Person.objects.filter(id_number=cast.person_b.id_number).count() == 1
    assert TransferRequest.objects.get().person == cast.person_b
    # The probe is on the record, where the office reads it.
    event = AuditEvent.objects.get(object_type="orgs.transferrequest", node_path=cast.unit_b.path)
    assert event.actor_name == "alice"


def test_an_id_number_the_user_can_see_is_refused_as_taken(cast, client):
    client.force_login(cast.alice)
    response = client.post(
        reverse("orgs:person_create"), _form(cast.lena_person.id_number, "林娜", cast.unit_a.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"]
    assert not TransferRequest.objects.exists()


def test_the_office_transfers_on_request(cast, client):
    client.force_login(cast.alice)
    client.post(
        reverse("orgs:person_create"), _form(cast.person_b.id_number, "王芳", cast.unit_a.pk)
    )
    request = TransferRequest.objects.get()
    client.force_login(cast.carol)
    page = client.get(reverse("orgs:transfer_requests")).content.decode()
    assert cast.person_b.name in page
    client.post(reverse("orgs:transfer_request_decide", args=[request.pk]), {"accept": "1"})
    cast.person_b.refresh_from_db()
    request.refresh_from_db()
    assert cast.person_b.unit == cast.unit_a
    assert (request.status, request.decided_by) == ("done", cast.carol)


def test_the_office_declines_and_nothing_moves(cast, client):
    client.force_login(cast.alice)
    client.post(
        reverse("orgs:person_create"), _form(cast.person_b.id_number, "某人", cast.unit_a.pk)
    )
    request = TransferRequest.objects.get()
    client.force_login(cast.carol)
    client.post(reverse("orgs:transfer_request_decide", args=[request.pk]), {"accept": "0"})
    cast.person_b.refresh_from_db()
    request.refresh_from_db()
    assert cast.person_b.unit == cast.unit_b and request.status == "declined"


def test_unit_administrators_cannot_decide_requests(cast, client):
    client.force_login(cast.alice)
    client.post(
        reverse("orgs:person_create"), _form(cast.person_b.id_number, "某人", cast.unit_a.pk)
    )
    request = TransferRequest.objects.get()
    for user in (cast.alice, cast.bob):
        client.force_login(user)
        url = reverse("orgs:transfer_request_decide", args=[request.pk])
        assert client.post(url, {"accept": "1"}).status_code == 404
    cast.person_b.refresh_from_db()
    assert cast.person_b.unit == cast.unit_b


def test_a_request_is_made_once_while_pending(cast):
    from xuefen.orgs.actions import request_transfer

    for _ in range(3):
        request_transfer(cast.alice, cast.person_b, cast.unit_a, given_name="王芳")
    assert TransferRequest.objects.count() == 1


def test_transfer_request_names_the_date(cast, client):
    from xuefen.orgs.actions import decide_transfer_request, request_transfer

    request_transfer(cast.alice, cast.person_b, cast.unit_a, given_name="王芳")
    decide_transfer_request(cast.carol, TransferRequest.objects.get(), accept=True)
    transfer = cast.person_b.transfers.get()
    assert transfer.effective_on <= dt.date.today() and transfer.to_unit == cast.unit_a
