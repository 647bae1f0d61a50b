"""The training pages for each role: what they show, and a fixed number of queries on the list
pages whatever their length."""

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories as f
from tests.training import helpers as h
from xuefen.accounts.roles import Role
from xuefen.training import actions
from xuefen.training.models import Attendance, Teacher


@pytest.fixture
def many(cast):
    """Five classes of a course on the menu, each with two sessions and lena on the roster."""
    made = []
    for n in range(5):
        k = h.klass(cast, f"M{n}", course_obj=h.course(cast, f"MC{n}"))
        sessions = h.day_sessions(cast, k, dt.date(h.YEAR + 1, 3, 2 + n), 1)
        actions.change_status(cast.carol, k, "publish")
        actions.assign(cast.carol, k, [cast.lena_person, cast.person_a])
        actions.correct(cast.carol, sessions[0], cast.lena_person.pk, "present", "点名")
        made.append(k)
    for n in range(5):
        h.teacher(cast, f"老师{n}", kind=Teacher.Kind.PART_TIME)
    return made


def test_the_teacher_account_has_pages_of_its_own(client, cast):
    tina = f.user("tina", Role.TEACHER, cast.unit_a)
    client.force_login(tina)
    home = client.get(reverse("core:home")).content.decode()
    assert "我的教学" in home and "还没有角色" not in home
    assert client.get(reverse("training:teaching")).status_code == 200


# The menu judges the learner's year (the one judge's loader: a handful of reads) to put the
# classes that close a gap first.
@pytest.mark.parametrize(
    ("who", "name", "most"),
    [("carol", "training:classes", 10), ("carol", "training:teachers", 10),
     ("carol", "training:archive", 10), ("carol", "training:courses", 10),
     ("lena", "training:mine", 10), ("lena", "training:menu", 14),
     ("alice", "training:classes", 10)],
)  # fmt: skip
def test_list_pages_take_a_fixed_number_of_queries(
    client, cast, many, who, name, most, django_assert_max_num_queries
):
    client.force_login(getattr(cast, who))
    with django_assert_max_num_queries(most):
        response = client.get(reverse(name))
    assert response.status_code == 200


def test_the_roster_takes_a_fixed_number_of_queries(
    client, cast, many, django_assert_max_num_queries
):
    client.force_login(cast.carol)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("training:roster", args=[many[0].pk]))
    assert cast.lena_person.name in response.content.decode()


def test_a_teacher_sees_the_roster_and_attendance_of_their_sessions(client, cast):
    tina = f.user("tina", Role.TEACHER, cast.unit_a)
    teacher = h.teacher(cast, "周老师", user=tina)
    k = h.klass(cast, "TS")
    session = h.day_sessions(cast, k, dt.date(h.YEAR + 1, 4, 1), 1, teacher=teacher)[0]
    actions.change_status(cast.carol, k, "publish")
    actions.assign(cast.carol, k, [cast.lena_person])
    client.force_login(tina)
    page = client.get(reverse("training:session_detail", args=[session.pk]))
    assert page.status_code == 200 and cast.lena_person.name in page.content.decode()
    # ... but runs nothing: the classroom screen and corrections are the administrator's.
    assert client.get(reverse("training:screen", args=[session.pk])).status_code == 404
    client.post(
        reverse("training:correct", args=[session.pk]),
        {"person": cast.lena_person.pk, "mark": "present", "reason": "代点"},
    )
    assert not Attendance.objects.exists()


def test_a_unit_administrator_sees_only_their_people_on_a_class(client, cast, many):
    client.force_login(cast.alice)
    body = client.get(reverse("training:class_detail", args=[many[0].pk])).content.decode()
    assert cast.lena_person.name in body
    assert client.get(reverse("training:roster", args=[many[0].pk])).status_code == 404


def test_the_classroom_screen_gets_a_fresh_code(client, cast, running):
    _k, session = running
    client.force_login(cast.carol)
    page = client.get(reverse("training:screen", args=[session.pk]))
    assert page.status_code == 200 and "training/screen.js" in page.content.decode()
    code = client.get(reverse("training:screen_code", args=[session.pk]) + "?d=in").json()
    assert code["qr"].startswith("data:image/svg+xml") and "/training/c/" in code["url"]
    assert 0 < code["refresh_ms"] <= 10_050 + 100 and code["checked_in"] == 0


def test_the_sign_in_sheet_prints_and_its_scan_marks_attendance(
    client, cast, running, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    _k, session = running
    client.force_login(cast.carol)
    pdf = client.get(reverse("training:sheet_pdf", args=[session.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    scan = SimpleUploadedFile("签到表.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    client.post(
        reverse("training:sheet_upload", args=[session.pk]),
        {"file": scan, "present": [cast.lena_person.pk], "reason": "投影仪故障"},
    )
    row = Attendance.objects.get(session=session, person=cast.lena_person)
    assert (row.mark, row.source, row.note) == ("present", "sheet", "投影仪故障")
    sheet = session.sheets.get()
    assert client.get(reverse("training:sheet_file", args=[sheet.pk])).status_code == 200


def test_a_sheet_that_is_no_scan_is_refused_and_marks_nobody(
    client, cast, running, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    _k, session = running
    client.force_login(cast.carol)
    page = client.post(
        reverse("training:sheet_upload", args=[session.pk]),
        {"file": SimpleUploadedFile("a.exe", b"MZ" + b"\0" * 64), "present": [cast.lena_person.pk]},
    )
    assert "PDF、JPEG 或 PNG" in page.content.decode()
    assert not Attendance.objects.exists() and not session.sheets.exists()
    assert not any((tmp_path / "training").iterdir())


def test_a_correction_needs_a_reason_and_is_audited(client, cast, running):
    from xuefen.audit.models import AuditEvent

    _k, session = running
    client.force_login(cast.carol)
    url = reverse("training:correct", args=[session.pk])
    client.post(url, {"person": cast.lena_person.pk, "mark": "present", "reason": ""})
    assert not Attendance.objects.exists()
    client.post(url, {"person": cast.lena_person.pk, "mark": "present", "reason": "手机没电"})
    event = AuditEvent.objects.filter(object_type="training.attendance").get()
    assert event.changes["reason"] == "手机没电" and event.person_id == cast.lena_person.pk


def test_classes_page_links_the_teachers_only_for_who_may_see_them(cast, client):
    # A unit administrator sees the classes (to nominate people) but not the teacher registry:
    # no link to a page that would answer 404. The office sees both.
    teachers = reverse("training:teachers")
    client.force_login(cast.alice)
    assert f'href="{teachers}"' not in client.get(reverse("training:classes")).content.decode()
    assert client.get(teachers).status_code == 404
    client.force_login(cast.carol)
    assert f'href="{teachers}"' in client.get(reverse("training:classes")).content.decode()
    assert client.get(teachers).status_code == 200
