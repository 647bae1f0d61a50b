"""The credit office's pages: registering a platform (its secret shown once, kept hashed), mapping
its courses and accounts, and the statements received with what became of each, in Chinese."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.xapi.conftest import COURSE_IRI, EXPERIENCED, LrsClient, statement
from xuefen.audit.models import AuditEvent
from xuefen.xapi.models import AccountPerson, ActivityCourse, Client, hash_secret

pytestmark = pytest.mark.django_db


def test_the_office_registers_a_platform_and_sees_its_secret_once(client, cast, lrs):
    client.force_login(cast.carol)
    response = client.post(
        "/xapi/platforms/new/",
        {"provider": lrs.provider.pk, "name": "市网络学院", "home_page": "https://city.example.cn"},
    )
    assert response.status_code == 200
    made = Client.objects.get(name="市网络学院")
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert made.secret_hash == hash_secret(secret)
    assert secret not in str(Client.objects.filter(pk=made.pk).values().get())
    assert AuditEvent.objects.filter(object_type="xapi.client", object_id=str(made.pk)).exists()
    page = client.get(f"/xapi/platforms/{made.pk}/").content.decode()
    assert secret not in page
    http = LrsClient(made.key, secret)
    assert http.send(statement()).status_code == 200


def test_a_unit_administrator_has_no_platform_pages(client, cast, lrs):
    client.force_login(cast.alice)
    assert client.get("/xapi/platforms/").status_code == 404
    assert client.get("/xapi/received/").status_code == 404
    assert client.get(f"/xapi/platforms/{lrs.platform.pk}/").status_code == 404


def test_the_office_maps_an_activity_and_an_account(client, cast, lrs):
    client.force_login(cast.carol)
    url = f"/xapi/platforms/{lrs.platform.pk}/"
    response = client.post(
        url, {"activity_id": "https://learn.example.cn/c/9", "course": lrs.course.pk}
    )
    assert response.status_code == 302
    assert ActivityCourse.objects.filter(activity_id="https://learn.example.cn/c/9").exists()
    bad = client.post(url, {"activity_id": "not an iri", "course": lrs.course.pk})
    assert bad.status_code == 200
    assert "IRI" in bad.content.decode()
    response = client.post(
        url, {"home_page": "https://sso.cn", "name": "u1", "id_number": cast.person_a.id_number}
    )
    assert response.status_code == 302
    assert AccountPerson.objects.get(name="u1").person == cast.person_a
    outside = client.post(
        url, {"home_page": "https://sso.cn", "name": "u2", "id_number": cast.person_b.id_number}
    )
    assert outside.status_code == 200
    assert not AccountPerson.objects.filter(name="u2").exists()


def test_the_statements_page_says_what_became_of_each_in_chinese(client, cast, lrs):
    lrs.http.send(
        [
            statement(cast.person_a.id_number),
            statement(cast.person_a.id_number),
            statement(cast.person_a.id_number, verb=EXPERIENCED),
        ]
    )
    client.force_login(cast.carol)
    body = client.get("/xapi/received/").content.decode()
    assert "李明" in body
    assert "网络课程一" in body
    assert "已记入学分" in body
    assert "已记过" in body
    assert "浏览" in body
    assert ">credited<" not in body
    assert cast.person_a.id_number not in body  # shown masked
    assert COURSE_IRI not in body


def test_the_statements_page_reads_a_fixed_number_of_queries(client, cast, lrs):
    client.force_login(cast.carol)
    lrs.http.send([statement(cast.person_a.id_number)])
    client.get("/xapi/received/")
    with CaptureQueriesContext(connection) as few:
        client.get("/xapi/received/")
    lrs.http.send([statement(cast.lena_person.id_number)] + [statement() for _n in range(10)])
    with CaptureQueriesContext(connection) as many:
        client.get("/xapi/received/")
    assert len(many) == len(few)


def test_revoking_stops_the_platform(client, cast, lrs):
    client.force_login(cast.carol)
    assert client.post(f"/xapi/platforms/{lrs.platform.pk}/revoke/").status_code == 302
    assert lrs.http.send(statement()).status_code == 401
