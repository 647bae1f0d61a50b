"""The check-in's plain SQL: the one request a whole class sends within the seconds a code lives.
Everything the check-in decides by is read in one statement (the session and its class, whether
the person is on the roster, their row and whether the phone already checked someone else in),
and the check-in is one INSERT … ON CONFLICT DO NOTHING that the unique constraints let through
once (the check-out one conditional UPDATE). Table and column names come from the models; values
are converted as the ORM converts them. The same SQL runs on SQLite and PostgreSQL."""

# Only names from the models are formatted in; every value is a parameter.
# ruff: noqa: S608

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone

from xuefen.training.models import (
    Attendance,
    Enrolment,
    EnrolmentStatus,
    Session,
    Source,
    TrainingClass,
)

SESSION_FIELDS = ("id", "date", "half", "starts_at", "ends_at", "hours", "topic")
CLASS_FIELDS = ("id", "name", "status", "checkout_required")
ROW_FIELDS = ("id", "checked_in_at", "checked_out_at", "device", "mark")
# Every column of an attendance row but its id, from the model.
INSERT_FIELDS = tuple(
    cast(models.Field, f) for f in Attendance._meta.concrete_fields if not f.primary_key
)


@dataclass(frozen=True)
class Facts:
    session: Session  # with its class (in memory: the fields above)
    on_roster: bool
    row: Attendance | None  # the person's row of the session
    device_taken: bool  # the phone checked someone else in for the session


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: type[models.Model], name: str, alias: str) -> tuple[str, Any, list[Any]]:
    field = cast(models.Field, model._meta.get_field(name))
    col = field.get_col(alias)
    converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
    return f"{alias}.{connection.ops.quote_name(str(field.column))}", col, converters


def _convert(value: Any, col: Any, converters: list[Any]) -> Any:
    for converter in converters:
        value = converter(value, col, connection)
    return value


@cache
def _columns(vendor: str) -> list[tuple[str, str, Any, list[Any]]]:
    """(name, SQL, column, converters) of what `facts` selects, once per database vendor."""
    out = []
    for alias, model, names in (
        ("s", Session, SESSION_FIELDS),
        ("c", TrainingClass, CLASS_FIELDS),
        ("a", Attendance, ROW_FIELDS),
    ):
        for name in names:
            sql, col, converters = _column(model, name, alias)
            out.append((f"{alias}.{name}", sql, col, converters))
    return out


def facts(session_id: int, person_id: int, device: str) -> Facts | None:
    """What a check-in of `person_id` from `device` into the session is decided by; None when
    there is no such session."""
    columns = _columns(connection.vendor)
    q = connection.ops.quote_name
    enrolment = _table(Enrolment)
    attendance = _table(Attendance)
    sql = (
        f"SELECT {', '.join(c[1] for c in columns)},"
        f" EXISTS (SELECT 1 FROM {enrolment} e WHERE e.{q('klass_id')} = c.{q('id')}"
        f"  AND e.{q('person_id')} = %s AND e.{q('status')} = %s),"
        f" EXISTS (SELECT 1 FROM {attendance} d WHERE d.{q('session_id')} = s.{q('id')}"
        f"  AND d.{q('device')} = %s AND d.{q('person_id')} <> %s)"
        f" FROM {_table(Session)} s"
        f" JOIN {_table(TrainingClass)} c ON c.{q('id')} = s.{q('klass_id')}"
        f" LEFT JOIN {attendance} a ON a.{q('session_id')} = s.{q('id')}"
        f"  AND a.{q('person_id')} = %s"
        f" WHERE s.{q('id')} = %s"
    )
    params: list[Any] = [
        person_id, EnrolmentStatus.ENROLLED.value, device, person_id, person_id, session_id,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        return None
    values = {c[0]: _convert(v, c[2], c[3]) for c, v in zip(columns, found, strict=False)}
    klass = TrainingClass(**{name: values[f"c.{name}"] for name in CLASS_FIELDS})
    session = Session(klass=klass, **{name: values[f"s.{name}"] for name in SESSION_FIELDS})
    row = None
    if values["a.id"] is not None:
        row = Attendance(
            session=session, person_id=person_id, **{n: values[f"a.{n}"] for n in ROW_FIELDS}
        )
    return Facts(session, bool(found[-2]), row, bool(found[-1]))


def insert_checkin(
    session: Session, person_id: int, device: str, at: dt.datetime, by: Any
) -> Attendance | None:
    """The person's check-in row, or None when a row of theirs, or of the phone's, is already
    there (the unique constraints decide: nothing is written then)."""
    row = Attendance(
        session=session,
        person_id=person_id,
        checked_in_at=at,
        device=device,
        source=Source.CODE,
        updated_by=by,
        updated_at=timezone.now(),
    )
    values = [f.get_db_prep_save(getattr(row, f.attname), connection) for f in INSERT_FIELDS]
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in INSERT_FIELDS)
    marks = ", ".join(["%s"] * len(INSERT_FIELDS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(Attendance)} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING",
            values,
        )
        return row if cursor.rowcount == 1 else None


def claim_row(row: Attendance, device: str, at: dt.datetime, by: Any) -> bool:
    """Checks in on the person's row that is there without a check-in or a mark (the
    administrator gave the decision back to the code); False when another request got there
    first. A phone that checked someone else in meanwhile is refused by the constraint."""
    q = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(Attendance)} SET {q('checked_in_at')} = %s, {q('device')} = %s,"
            f" {q('source')} = %s, {q('updated_by_id')} = %s, {q('updated_at')} = %s"
            f" WHERE {q('id')} = %s AND {q('checked_in_at')} IS NULL AND {q('mark')} = ''",
            [adapt(at), device, Source.CODE.value, getattr(by, "pk", None),
             adapt(timezone.now()), row.pk],
        )  # fmt: skip
        return cursor.rowcount == 1


def set_checkout(row: Attendance, device: str, at: dt.datetime, by: Any) -> bool:
    """Sets the check-out of a row still without one, checked in from this phone and not marked
    by the administrator; False when another request got there first."""
    q = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(Attendance)} SET {q('checked_out_at')} = %s,"
            f" {q('updated_by_id')} = %s, {q('updated_at')} = %s"
            f" WHERE {q('id')} = %s AND {q('checked_out_at')} IS NULL AND {q('device')} = %s"
            f" AND {q('mark')} = ''",
            [adapt(at), getattr(by, "pk", None), adapt(timezone.now()), row.pk, device],
        )
        return cursor.rowcount == 1
