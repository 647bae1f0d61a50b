"""Request and response bodies of API v1. Amounts travel as decimal strings ("1.50"), never as
floating-point numbers; dates as YYYY-MM-DD; times in ISO 8601 with their offset."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext_noop
from ninja import Field, Schema
from pydantic import ConfigDict

from xuefen.api.codes import codes

AMOUNT = r"^-?\d+(\.\d+)?$"


class ErrorProblem(Schema):
    field: str
    code: str
    message: str


class ErrorDetail(Schema):
    code: str = Field(
        description=gettext_noop("Stable machine code, e.g. not_found, invalid_token.")
    )
    message: str = Field(description=gettext_noop("Translated text for people."))
    field: str | None = Field(
        None, description=gettext_noop("The request field or header at fault.")
    )
    row: int | None = Field(None, description=gettext_noop("1-based row of the batch at fault."))
    details: list[ErrorProblem] | None = Field(
        None, description=gettext_noop("Every problem of a request that did not validate.")
    )


class ErrorOut(Schema):
    error: ErrorDetail


class PageBase(Schema):
    count: int = Field(description=gettext_noop("How many items match, over all pages."))
    limit: int
    offset: int
    next: str | None = Field(description=gettext_noop("URL of the next page; null on the last."))
    previous: str | None = Field(
        description=gettext_noop("URL of the previous page; null on the first.")
    )


# Courses


class CourseOut(Schema):
    code: str
    name: str
    kind: str = Field(
        description=gettext_noop("The activity kind its completions are posted as."),
        json_schema_extra=codes("kind"),
    )
    categories: list[str] = Field(
        description=gettext_noop("The categories its completions count in."),
        json_schema_extra=codes("category"),
    )
    amount: str = Field(pattern=AMOUNT, description=gettext_noop("Credit value of one completion."))
    unit: str = Field(
        description=gettext_noop("The unit of its credit value."), json_schema_extra=codes("unit")
    )
    starts_on: dt.date
    ends_on: dt.date | None
    is_active: bool


class CoursePage(PageBase):
    items: list[CourseOut]


# Batches


class RowIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "description": gettext_noop(
                "One completion. Every row is checked on its own: a bad row is reported in the "
                "batch's results and the others are still posted."
            )
        },
    )

    id_number: str = Field(
        max_length=40, description=gettext_noop("18-character national ID number.")
    )
    course_code: str = Field(
        max_length=40, description=gettext_noop("Code of one of the provider's courses.")
    )
    completed_on: str = Field(
        max_length=40,
        description=gettext_noop(
            "Completion date, YYYY-MM-DD: the last day of the activity. Its period (year) "
            "is where this day falls by the calendar of the person's rule set."
        ),
    )
    first_day: str | None = Field(
        None,
        max_length=40,
        description=gettext_noop(
            "Optional first day of an activity over several days, YYYY-MM-DD; by default "
            "completed_on (a one-day activity). Not after completed_on nor before the course "
            "starts; both days must fall in one period (a class over New Year is sent as one row "
            "per year), else the row is refused (span_reversed, date_outside_course, "
            "span_crosses_periods)."
        ),
    )
    days: Decimal | str | None = Field(
        None,
        description=gettext_noop(
            "Optional number of days the training took (a number, or a decimal string "
            'such as "2.5"), for activities counted in days (脱产培训, 党校 classes): a positive '
            "multiple of 0.5, no more than the calendar days from first_day to completed_on; "
            "else the row is refused (days_invalid, days_exceed_span) and the others still post. "
            "Omitted for a course whose kind the person's rule set converts per day, every day "
            "from first_day to completed_on counts; omitted otherwise, the activity is not "
            "counted in days."
        ),
    )
    name: str | None = Field(
        None,
        max_length=100,
        description=gettext_noop("The person's name, checked against the register."),
    )
    amounts: dict[str, Decimal | str] | None = Field(
        None,
        description=gettext_noop(
            'Optional partial credit per category, e.g. {"professional": "3"}; '
            "by default the course's value."
        ),
        json_schema_extra=codes("category"),
    )


class BatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    rows: list[RowIn] = Field(min_length=1)


class BatchCounts(Schema):
    total: int | None = Field(description=gettext_noop("Rows in the batch (null until counted)."))
    processed: int
    posted: int
    duplicate: int = Field(
        description=gettext_noop("Rows already in the ledger: nothing new was posted.")
    )
    error: int


class BatchFailure(Schema):
    code: str
    message: str


class BatchLinks(Schema):
    self: str
    rows: str


class BatchOut(Schema):
    id: int
    status: str = Field(
        description=gettext_noop("Where the batch is in its processing."),
        json_schema_extra=codes("batch_status"),
    )
    source: str = Field(
        description=gettext_noop("How the batch was sent."), json_schema_extra=codes("batch_source")
    )
    filename: str
    idempotency_key: str
    progress: int = Field(ge=0, le=100, description=gettext_noop("Percent of the rows processed."))
    rows: BatchCounts
    failure: BatchFailure | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    links: BatchLinks


class BatchPage(PageBase):
    items: list[BatchOut]


class RowProblem(Schema):
    code: str
    field: str | None
    message: str


class RowOut(Schema):
    row: int = Field(description=gettext_noop("1-based row number in the batch."))
    status: str = Field(
        description=gettext_noop("What became of the row."), json_schema_extra=codes("row_status")
    )
    id_number: str = Field(description=gettext_noop("Masked ID number."))
    course_code: str
    first_day: dt.date | None = Field(
        description=gettext_noop(
            "First day of the activity: for a posted or duplicate row the first day of "
            "its credit (completed_on when none was sent); for a row in error, what was sent."
        )
    )
    completed_on: dt.date | None
    days: str | None = Field(
        pattern=AMOUNT,
        description=gettext_noop(
            'Days the activity took, as a decimal string ("2.5"): as sent, or for a '
            "course counted per day the days of the span; null when not counted in days."
        ),
    )
    entry_id: int | None = Field(
        description=gettext_noop("The ledger entry the row posted or matched.")
    )
    errors: list[RowProblem]


class RowPage(PageBase):
    items: list[RowOut]


# Credits


class PersonOut(Schema):
    id_number: str = Field(description=gettext_noop("Masked ID number."))
    name: str
    unit: str


class StandingOut(Schema):
    status: Literal["met", "short", "in_progress", "exempt", "no_rules"] = Field(
        description=gettext_noop(
            "The verdict on the year: in_progress while a multi-year requirement is before its "
            "last year or the year is not over; no_rules when no rule set applies to the person."
        ),
        json_schema_extra=codes("standing_status"),
    )
    met: bool = Field(description=gettext_noop("The year's target is met (true also when exempt)."))
    grade: str = Field(
        description=gettext_noop("The grade of the year; empty while the year is not over."),
        json_schema_extra=codes("grade"),
    )
    earned: str = Field(
        pattern=AMOUNT, description=gettext_noop("What counted, in the rule set's unit.")
    )
    ruleset: str
    shortfalls: list[str] = Field(
        description=gettext_noop(
            "Each binding requirement not (yet) met, in words, e.g. "
            "“集中培训：还差 2 天 或 5 学时”."
        )
    )
    advisory_shortfalls: list[str] = Field(
        description=gettext_noop(
            "Requirements not met that do not decide the verdict (advisory targets)."
        )
    )


class TotalOut(Schema):
    category: str = Field(
        description=gettext_noop('A category code, or "*" for all categories together.'),
        json_schema_extra=codes("category"),
    )
    unit: str = Field(json_schema_extra=codes("unit"))
    amount: str = Field(pattern=AMOUNT)


class EntryOut(Schema):
    seq: int
    first_day: dt.date = Field(description=gettext_noop("First day of the activity."))
    last_day: dt.date = Field(
        description=gettext_noop("Last day of the activity; the entry's period is where it falls.")
    )
    days: str | None = Field(
        pattern=AMOUNT,
        description=gettext_noop("Days the activity took, where it is counted in days; else null."),
    )
    activity_date: dt.date = Field(
        deprecated=True,
        description=gettext_noop(
            "Deprecated: the same as last_day, kept for existing callers; read last_day."
        ),
    )
    categories: list[str] = Field(json_schema_extra=codes("category"))
    amount: str = Field(pattern=AMOUNT)
    unit: str = Field(json_schema_extra=codes("unit"))
    kind: str = Field(json_schema_extra=codes("kind"))
    description: str
    source_type: str = Field(
        description=gettext_noop("Where the entry came from."),
        json_schema_extra=codes("entry_source"),
    )
    reverses: int | None = Field(description=gettext_noop("seq of the entry this one reverses."))


class CreditsOut(Schema):
    person: PersonOut
    period: int
    standing: StandingOut | None
    totals: list[TotalOut]
    entries: list[EntryOut]
