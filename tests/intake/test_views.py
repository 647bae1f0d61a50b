"""Pages: scoping between providers, the office's view of all, uploads, error file, exports."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.intake import helpers as h
from xuefen.intake.actions import submit_batch
from xuefen.intake.models import Batch, Course, Provider
from xuefen.intake.processing import process_batch


def processed(intake, user, prov, rows):
    batch = submit_batch(user, prov, upload=h.csv_upload(rows), source="upload")
    return process_batch(batch.pk)


def test_provider_staff_land_on_their_provider(client, cast, intake):
    client.force_login(intake.pat)
    response = client.get(reverse("intake:home"))
    assert response.url == reverse("intake:provider_detail", args=[intake.pa.pk])


def test_provider_b_cannot_see_or_touch_provider_a(client, cast, intake):
    batch = processed(intake, intake.pat, intake.pa, [h.row(cast.person_a)])
    client.force_login(intake.quinn)
    for name, arg in [
        ("intake:provider_detail", intake.pa.pk),
        ("intake:course_create", intake.pa.pk),
        ("intake:course_edit", intake.course_a.pk),
        ("intake:batch_detail", batch.pk),
        ("intake:batch_errors", batch.pk),
        ("intake:batch_progress", batch.pk),
    ]:
        assert client.get(reverse(name, args=[arg])).status_code == 404, name
    assert client.post(reverse("intake:upload", args=[intake.pa.pk])).status_code == 404
    assert client.post(reverse("intake:batch_resume", args=[batch.pk])).status_code == 404
    listed = client.get(reverse("intake:batches")).content.decode()
    assert f"#{batch.pk}<" not in listed
    assert intake.pa.name not in client.get(reverse("intake:providers")).content.decode()


def test_office_sees_every_provider_and_batch_of_its_region(client, cast, intake):
    processed(intake, intake.pat, intake.pa, [h.row(cast.person_a)])
    processed(intake, intake.quinn, intake.pb, [h.row(cast.person_b)])
    client.force_login(cast.carol)
    body = client.get(reverse("intake:providers")).content.decode()
    assert intake.pa.name in body and intake.pb.name in body
    assert client.get(reverse("intake:batches")).content.decode().count("badge ok") == 2


def test_office_registers_a_provider(client, cast):
    client.force_login(cast.carol)
    response = client.post(
        reverse("intake:provider_create"),
        {
            "code": "wjw",
            "name": "县卫健委",
            "kind": "industry_department",
            "node": cast.dept.pk,
            "serves": cast.dept.pk,
            "is_active": "on",
        },
    )
    provider = Provider.objects.get(code="WJW")
    assert response.url == reverse("intake:provider_detail", args=[provider.pk])


def test_provider_staff_cannot_register_providers(client, cast, intake):
    client.force_login(intake.pat)
    assert client.get(reverse("intake:provider_create")).status_code == 404
    assert client.get(reverse("intake:provider_edit", args=[intake.pa.pk])).status_code == 404


def test_provider_registers_its_course(client, cast, intake):
    client.force_login(intake.pat)
    client.post(
        reverse("intake:course_create", args=[intake.pa.pk]),
        {
            "code": "C9",
            "name": "党史专题",
            "kind": "training_day",
            "categories": ["required", "online"],
            "amount": "3",
            "unit": "hours",
            "starts_on": "2026-01-01",
        },
    )
    course = Course.objects.get(provider=intake.pa, code="C9")
    assert course.categories == ["required", "online"]


def test_upload_page_sends_the_roster_and_shows_the_batch(client, cast, intake):
    client.force_login(intake.pat)
    response = client.post(
        reverse("intake:upload", args=[intake.pa.pk]),
        {"file": h.csv_upload([h.row(cast.person_a)])},
    )
    batch = Batch.objects.get()
    assert response.url == reverse("intake:batch_detail", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert "hx-get" in page  # polls while queued


def test_refused_file_shows_the_reason_on_the_page(client, cast, intake):
    client.force_login(intake.pat)
    response = client.post(
        reverse("intake:upload", args=[intake.pa.pk]),
        {"file": h.csv_upload([["1"]], header=["身份证号"])},
    )
    assert response.status_code == 400
    assert "完成日期" in response.content.decode() and not Batch.objects.exists()


def test_error_file_names_row_column_and_reason_and_neutralises_formulas(client, cast, intake):
    batch = processed(
        intake,
        intake.pat,
        intake.pa,
        [h.row(cast.person_a, course_code="+C1"), h.row(cast.person_a, course_code="@SUM(1)")],
    )
    client.force_login(intake.pat)
    response = client.get(reverse("intake:batch_errors", args=[batch.pk]))
    book = load_workbook(io.BytesIO(response.content))
    problems = list(book.worksheets[1].iter_rows(values_only=True))
    column, reason = problems[0].index("列"), problems[0].index("原因")
    assert problems[1][0] == 2 and problems[1][column] == "课程代码"
    assert "课程" in problems[1][reason]
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    code = rows[0].index("课程代码")
    assert [row[code] for row in rows[1:]] == ["'+C1", "'@SUM(1)"]  # text, never a formula
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)


def test_courses_export_neutralises_formula_text(client, cast, intake):
    h.course(intake.pa, "C2", name="=HYPERLINK(1)")
    client.force_login(cast.carol)
    response = client.get(reverse("intake:courses_export"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = [row[3].value for row in sheet.iter_rows(min_row=2)]
    assert "'=HYPERLINK(1)" in names


def test_template_has_the_roster_headers(client, cast, intake):
    client.force_login(intake.pat)
    response = client.get(reverse("intake:template"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]][:5] == [
        "身份证号",
        "姓名",
        "课程代码",
        "开始日期",
        "完成日期",
    ]


def test_batch_rows_filter_shows_only_errors(client, cast, intake):
    batch = processed(
        intake, intake.pat, intake.pa, [h.row(cast.person_a), h.row(cast.person_a, course_code="X")]
    )
    client.force_login(intake.pat)
    body = client.get(reverse("intake:batch_detail", args=[batch.pk]), {"status": "error"})
    assert body.content.decode().count("badge bad") == 1


@pytest.mark.parametrize("name", ["intake:providers", "intake:courses", "intake:batches"])
def test_list_pages_query_count_does_not_grow(
    client, cast, intake, name, django_assert_max_num_queries
):
    for i in range(15):
        p = h.provider(cast, f"X{i}")
        h.course(p, "C1")
        Batch.objects.create(
            provider=p,
            source="upload",
            payload_sha256="0" * 64,
            file_path="x",
            created_by=cast.carol,
        )
    client.force_login(cast.carol)
    with django_assert_max_num_queries(12):
        assert client.get(reverse(name)).status_code == 200


def test_batch_detail_query_count_does_not_grow(
    client, cast, intake, django_assert_max_num_queries
):
    batch = processed(
        intake,
        intake.pat,
        intake.pa,
        [h.row(cast.person_a), h.row(cast.lena_person), h.row(cast.person_a, "X")],
    )
    client.force_login(intake.pat)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("intake:batch_detail", args=[batch.pk])).status_code == 200
