"""A provider's round trip: a roster with bad rows, the error file, two cells corrected, the error
file sent again as it is — and every person credited exactly once."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories as f
from tests.intake import helpers as h
from xuefen.intake.models import Batch
from xuefen.intake.processing import process_batch
from xuefen.ledger.models import Entry


def _send(client, intake, upload) -> Batch:
    response = client.post(reverse("intake:upload", args=[intake.pa.pk]), {"file": upload})
    assert response.status_code == 302, response.content.decode()
    batch = Batch.objects.latest("pk")
    return process_batch(batch.pk)


def test_bad_rows_come_back_corrected_and_every_person_is_credited_once(client, cast, intake):
    third = f.person(cast.unit_a, "赵强")
    fourth = f.person(cast.unit_a, "钱芳", sex="F")
    client.force_login(intake.pat)
    first = _send(
        client,
        intake,
        h.xlsx_upload(
            [
                h.row(cast.person_a, day="2026-03-01"),
                h.row(cast.lena_person, course_code="C9", day="2026-03-01"),  # no such course
                h.row(third, day="2026-02-30"),  # no such day
                h.row(fourth, day="2026-03-01"),
            ]
        ),
    )
    assert (first.posted_rows, first.error_rows) == (2, 2)

    response = client.get(reverse("intake:batch_errors", args=[first.pk]))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["原行号", "错误原因"]
    rows = {sheet.cell(row=r, column=len(header) - 1).value: r for r in range(2, sheet.max_row + 1)}
    assert set(rows) == {3, 4}
    assert "课程代码" in sheet.cell(row=rows[3], column=len(header)).value
    # The provider corrects the two cells in place and sends the same file back.
    sheet.cell(row=rows[3], column=header.index("课程代码") + 1).value = "C1"
    sheet.cell(row=rows[4], column=header.index("完成日期") + 1).value = "2026-03-02"
    buffer = io.BytesIO()
    book.save(buffer)
    corrected = buffer.getvalue()

    second = _send(client, intake, SimpleUploadedFile("批次错误.xlsx", corrected))
    assert (second.posted_rows, second.error_rows) == (2, 0)
    for person in (cast.person_a, cast.lena_person, third, fourth):
        assert Entry.objects.filter(person=person).count() == 1, person.name

    # The same corrected file sent again changes nothing.
    response = client.post(
        reverse("intake:upload", args=[intake.pa.pk]),
        {"file": SimpleUploadedFile("批次错误.xlsx", corrected)},
    )
    assert response.url == reverse("intake:batch_detail", args=[second.pk])
    assert Batch.objects.count() == 2 and Entry.objects.count() == 4
