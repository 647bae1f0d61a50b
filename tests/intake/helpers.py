"""Providers, courses and roster files for the intake tests."""

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from xuefen.intake.models import Course, Provider

HEADER = ["身份证号", "姓名", "课程代码", "完成日期", "学时"]
SPAN_HEADER = ["身份证号", "姓名", "课程代码", "开始日期", "完成日期", "天数"]


def provider(cast: Any, code: str = "PA", *, node: Any = None, serves: Any = None) -> Provider:
    """A provider acting at unit A, reporting for department D (which holds unit A)."""
    return Provider.objects.create(
        code=code,
        name=f"培训机构{code}",
        kind=Provider.Kind.PROVIDER,
        node=node or cast.unit_a,
        serves=serves or cast.dept,
    )


def course(prov: Provider, code: str = "C1", **extra: Any) -> Course:
    values: dict[str, Any] = {
        "name": f"课程{code}",
        "kind": "training_day",
        "categories": ["required", "offline"],
        "amount": Decimal("6"),
        "unit": "hours",
        "starts_on": dt.date(2026, 1, 1),
        "ends_on": dt.date(2026, 12, 31),
    }
    values.update(extra)
    return Course.objects.create(provider=prov, code=code, **values)


def csv_upload(
    rows: Sequence[Sequence[Any]],
    *,
    header: Sequence[str] = HEADER,
    encoding: str = "utf-8",
    name: str = "roster.csv",
) -> SimpleUploadedFile:
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(encoding))


def xlsx_upload(
    rows: Sequence[Sequence[Any]], *, header: Sequence[str] = HEADER, name: str = "roster.xlsx"
) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def row(person: Any, course_code: str = "C1", day: str = "2026-03-01", amount: str = "") -> list:
    return [person.id_number, person.name, course_code, day, amount]


def span_row(person: Any, first: str, last: str, days: str = "", course_code: str = "C1") -> list:
    """A row of SPAN_HEADER: a class from `first` to `last` that took `days`."""
    return [person.id_number, person.name, course_code, first, last, days]
