"""Roster rows with a span (开始日期 … 完成日期) and days (天数): posted with them, each refusal
named on its row and column with nothing posted for that row while the other rows post, and
courses counted per day taking the span's days when a row gives none."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.intake import helpers as h
from xuefen.intake.actions import submit_batch
from xuefen.intake.models import BatchRow
from xuefen.intake.processing import process_batch
from xuefen.ledger.models import Entry
from xuefen.policy.actions import import_ruleset

PER_DAY_RULES = """
code: per_day_test
name: {zh: 按天计测试规则, en: Per-day test rules}
version: 1
valid_from: 2020-01-01
unit: hours
categories:
  - {code: required, label: 必修}
  - {code: offline, label: 面授}
requirements:
  - {code: total, label: 总学时, min: 90}
conversions:
  training_day: {method: per_day, rate: 6, categories: [required]}
  session: {method: per_hour, rate: 1, categories: [required]}
"""


def send_csv(intake, rows, header=h.SPAN_HEADER):
    batch = submit_batch(
        intake.pat, intake.pa, upload=h.csv_upload(rows, header=header), source="upload"
    )
    return process_batch(batch.pk)


def send_json(intake, rows):
    batch = submit_batch(intake.pat, intake.pa, rows=rows, source="api")
    return process_batch(batch.pk)


def test_a_three_day_class_posts_its_span_and_days(cast, intake):
    batch = send_csv(intake, [h.span_row(cast.person_a, "2026-03-02", "2026-03-04", "3")])
    assert batch.posted_rows == 1
    entry = Entry.objects.get(person=cast.person_a)
    assert (entry.first_day, entry.last_day, entry.days, entry.period) == (
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 4),
        Decimal("3"),
        2026,
    )
    row = batch.rows.get()
    assert (row.first_day, row.completed_on, row.days) == (
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 4),
        Decimal("3"),
    )


def test_half_days_are_accepted(cast, intake):
    send_csv(intake, [h.span_row(cast.person_a, "2026-03-02", "2026-03-04", "2.5")])
    assert Entry.objects.get(person=cast.person_a).days == Decimal("2.5")


def test_a_row_without_a_first_day_is_a_one_day_activity(cast, intake):
    send_csv(intake, [h.span_row(cast.person_a, "", "2026-03-04", "")])
    entry = Entry.objects.get(person=cast.person_a)
    assert (entry.first_day, entry.last_day, entry.days) == (
        dt.date(2026, 3, 4),
        dt.date(2026, 3, 4),
        None,
    )


REFUSALS = [
    pytest.param("2026-03-05", "2026-03-04", "", "C1", "span_reversed", "开始日期", id="reversed"),
    pytest.param(
        "2026-03-02", "2026-03-04", "4", "C1", "days_exceed_span", "天数", id="days_over_span"
    ),
    pytest.param("2026-03-02", "2026-03-04", "1.3", "C1", "days_invalid", "天数", id="not_halves"),
    pytest.param("2026-03-02", "2026-03-04", "0", "C1", "days_invalid", "天数", id="zero_days"),
    pytest.param("2026-03-02", "2026-03-04", "两天", "C1", "days_invalid", "天数", id="words"),
    pytest.param(
        "2026-01-30",
        "2026-02-02",
        "",
        "LATE",
        "date_outside_course",
        "开始日期",
        id="before_course_starts",
    ),
    pytest.param(
        "2025-12-30",
        "2026-01-02",
        "4",
        "XMAS",
        "span_crosses_periods",
        "开始日期",
        id="across_new_year",
    ),
]


@pytest.mark.parametrize(("first", "last", "days", "course", "code", "column"), REFUSALS)
def test_a_bad_span_is_refused_on_its_row_and_the_other_rows_post(
    cast, intake, first, last, days, course, code, column
):
    h.course(intake.pa, "LATE", starts_on=dt.date(2026, 2, 1))
    h.course(intake.pa, "XMAS", starts_on=dt.date(2025, 12, 1))
    batch = send_csv(
        intake,
        [
            h.span_row(cast.lena_person, "2026-03-02", "2026-03-04", "3"),
            h.span_row(cast.person_a, first, last, days, course_code=course),
        ],
    )
    assert (batch.posted_rows, batch.error_rows) == (1, 1)
    bad = batch.rows.get(status=BatchRow.Status.ERROR)
    assert bad.row_number == 3
    assert [(e["code"], e["field"]) for e in bad.errors] == [(code, column)]
    assert not Entry.objects.filter(person=cast.person_a).exists()
    assert Entry.objects.filter(person=cast.lena_person).count() == 1


def test_the_refusal_names_the_column_by_the_senders_own_header(cast, intake):
    h.course(intake.pa, "XMAS", starts_on=dt.date(2025, 12, 1))
    header = ["身份证号", "姓名", "班次代码", "开班日期", "结业日期", "培训天数"]
    batch = send_csv(
        intake,
        [h.span_row(cast.person_a, "2025-12-30", "2026-01-02", "4", course_code="XMAS")],
        header=header,
    )
    [error] = batch.rows.get().errors
    assert (error["code"], error["field"]) == ("span_crosses_periods", "开班日期")
    assert "2025" in error["message"] and "2026" in error["message"]


def test_a_class_across_new_year_sent_as_one_row_per_year_posts_both(cast, intake):
    h.course(intake.pa, "XMAS", starts_on=dt.date(2025, 12, 1))
    batch = send_csv(
        intake,
        [
            h.span_row(cast.person_a, "2025-12-30", "2025-12-31", "2", course_code="XMAS"),
            h.span_row(cast.person_a, "2026-01-01", "2026-01-02", "2", course_code="XMAS"),
        ],
    )
    assert batch.posted_rows == 2
    periods = sorted(Entry.objects.filter(person=cast.person_a).values_list("period", flat=True))
    assert periods == [2025, 2026]


def test_json_rows_carry_first_day_and_days(cast, intake):
    rows = [
        {
            "id_number": cast.person_a.id_number,
            "course_code": "C1",
            "first_day": "2026-03-02",
            "completed_on": "2026-03-04",
            "days": 2.5,
        },
        {
            "id_number": cast.lena_person.id_number,
            "course_code": "C1",
            "first_day": "2026-03-05",
            "completed_on": "2026-03-04",
        },
    ]
    batch = send_json(intake, rows)
    assert (batch.posted_rows, batch.error_rows) == (1, 1)
    entry = Entry.objects.get(person=cast.person_a)
    assert (entry.first_day, entry.days) == (dt.date(2026, 3, 2), Decimal("2.5"))
    [error] = batch.rows.get(status="error").errors
    assert (error["code"], error["field"]) == ("span_reversed", "first_day")


def test_json_row_across_new_year_is_refused_on_first_day(cast, intake):
    h.course(intake.pa, "XMAS", starts_on=dt.date(2025, 12, 1))
    rows = [
        {
            "id_number": cast.person_a.id_number,
            "course_code": "XMAS",
            "first_day": "2025-12-30",
            "completed_on": "2026-01-02",
        }
    ]
    batch = send_json(intake, rows)
    [error] = batch.rows.get().errors
    assert (error["code"], error["field"]) == ("span_crosses_periods", "first_day")
    assert not Entry.objects.exists()


# --- courses counted per day ------------------------------------------------------------------


def test_a_course_counted_per_day_takes_the_spans_days_when_a_row_gives_none(cast, intake):
    import_ruleset(cast.carol, PER_DAY_RULES, cast.region)
    batch = send_csv(intake, [h.span_row(cast.person_a, "2026-03-02", "2026-03-04", "")])
    entry = Entry.objects.get(person=cast.person_a)
    assert entry.days == Decimal("3")
    assert batch.rows.get().days == Decimal("3")


def test_days_sent_for_a_course_counted_per_day_are_kept(cast, intake):
    import_ruleset(cast.carol, PER_DAY_RULES, cast.region)
    send_csv(intake, [h.span_row(cast.person_a, "2026-03-02", "2026-03-06", "2")])
    assert Entry.objects.get(person=cast.person_a).days == Decimal("2")


def test_a_course_not_counted_per_day_gets_no_days_from_its_span(cast, intake):
    import_ruleset(cast.carol, PER_DAY_RULES, cast.region)
    h.course(intake.pa, "S1", kind="session")
    send_csv(intake, [h.span_row(cast.person_a, "2026-03-02", "2026-03-04", "", course_code="S1")])
    assert Entry.objects.get(person=cast.person_a).days is None


def test_without_a_rule_set_no_course_is_counted_per_day(cast, intake):
    send_csv(intake, [h.span_row(cast.person_a, "2026-03-02", "2026-03-04", "")])
    assert Entry.objects.get(person=cast.person_a).days is None


# --- pages: template, rows, error file --------------------------------------------------------


def test_the_template_has_the_span_columns_and_an_example_of_them(client, cast, intake):
    client.force_login(intake.pat)
    response = client.get(reverse("intake:template"))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == [
        "身份证号",
        "姓名",
        "课程代码",
        "开始日期",
        "完成日期",
        "天数",
        "学时",
        "类别",
    ]
    example = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert example["开始日期"] and example["完成日期"] and example["天数"] == "3"
    notes = " ".join(str(c.value) for row in book.worksheets[1].iter_rows() for c in row)
    assert "开始日期" in notes and "天数" in notes


def test_the_batch_rows_page_shows_first_day_and_days(client, cast, intake):
    batch = send_csv(intake, [h.span_row(cast.person_a, "2026-03-02", "2026-03-04", "2.5")])
    client.force_login(intake.pat)
    body = client.get(reverse("intake:batch_detail", args=[batch.pk])).content.decode()
    assert "开始日期" in body and "天数" in body
    assert "2026-03-02" in body and "2.5" in body


def test_the_error_file_gives_each_bad_row_back_as_sent(client, cast, intake):
    batch = send_csv(
        intake,
        [
            h.span_row(cast.lena_person, "2026-03-02", "2026-03-04", "3"),
            h.span_row(cast.person_a, "2026-03-02", "2026-03-04", "1.3"),
            h.span_row(cast.person_a, "2026-13-01", "2026-03-04", "2"),
        ],
    )
    client.force_login(intake.pat)
    response = client.get(reverse("intake:batch_errors", args=[batch.pk]))
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    assert header == (
        "身份证号",
        "姓名",
        "课程代码",
        "开始日期",
        "完成日期",
        "天数",
        "学时",
        "类别",
        "原行号",
        "错误原因",
    )
    by_row = {r[-2]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(by_row) == {3, 4}
    assert by_row[3]["天数"] == "1.3" and by_row[3]["开始日期"] == "2026-03-02"
    assert by_row[3]["姓名"] == cast.person_a.name and by_row[3]["课程代码"] == "C1"
    # The ID number as sent: the provider corrects the row and uploads the file again.
    assert by_row[3]["身份证号"] == cast.person_a.id_number
    assert by_row[4]["开始日期"] == "2026-13-01"  # the unreadable date, as typed
    assert "天数" in by_row[3]["错误原因"]
    problems = list(book.worksheets[1].iter_rows(values_only=True))
    assert (3, "天数") in {(r[0], r[1]) for r in problems[1:]}
