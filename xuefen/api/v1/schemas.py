"""Request and response bodies of API v1. Amounts travel as decimal strings ("1.50"), never as
floating-point numbers; dates as YYYY-MM-DD; times in ISO 8601 with their offset."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict

AMOUNT = r"^-?\d+(\.\d+)?$"


class ErrorProblem(Schema):
    field: str
    code: str
    message: str


class ErrorDetail(Schema):
    code: str = Field(description="Stable machine code, e.g. not_found, invalid_token.")
    message: str = Field(description="Translated text for people.")
    field: str | None = Field(None, description="The request field or header at fault.")
    row: int | None = Field(None, description="1-based row of the batch at fault.")
    details: list[ErrorProblem] | None = Field(
        None, description="Every problem of a request that did not validate."
    )


class ErrorOut(Schema):
    error: ErrorDetail


class PageBase(Schema):
    count: int = Field(description="How many items match, over all pages.")
    limit: int
    offset: int
    next: str | None = Field(description="URL of the next page; null on the last.")
    previous: str | None = Field(description="URL of the previous page; null on the first.")


# Courses


class CourseOut(Schema):
    code: str
    name: str
    kind: str = Field(description="The ledger activity kind its completions are posted as.")
    categories: list[str]
    amount: str = Field(pattern=AMOUNT, description="Credit value of one completion.")
    unit: str = Field(description="hours or credits")
    starts_on: dt.date
    ends_on: dt.date | None
    is_active: bool


class CoursePage(PageBase):
    items: list[CourseOut]


# Batches


class RowIn(Schema):
    """One completion. Every row is checked on its own: a bad row is reported in the batch's
    results and the others are still posted."""

    model_config = ConfigDict(extra="forbid")

    id_number: str = Field(max_length=40, description="18-character national ID number.")
    course_code: str = Field(max_length=40, description="Code of one of the provider's courses.")
    completed_on: str = Field(max_length=40, description="Completion date, YYYY-MM-DD.")
    name: str | None = Field(
        None, max_length=100, description="The person's name, checked against the register."
    )
    amounts: dict[str, Decimal | str] | None = Field(
        None,
        description='Optional partial credit per category, e.g. {"professional": "3"}; '
        "by default the course's value.",
    )


class BatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    rows: list[RowIn] = Field(min_length=1)


class BatchCounts(Schema):
    total: int | None = Field(description="Rows in the batch (null until counted).")
    processed: int
    posted: int
    duplicate: int = Field(description="Rows already in the ledger: nothing new was posted.")
    error: int


class BatchFailure(Schema):
    code: str
    message: str


class BatchLinks(Schema):
    self: str
    rows: str


class BatchOut(Schema):
    id: int
    status: str = Field(description="queued, running, done or failed")
    source: str = Field(description="api or upload")
    filename: str
    idempotency_key: str
    progress: int = Field(ge=0, le=100, description="Percent of the rows processed.")
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
    row: int = Field(description="1-based row number in the batch.")
    status: str = Field(description="posted, duplicate or error")
    id_number: str = Field(description="Masked ID number.")
    course_code: str
    completed_on: dt.date | None
    entry_id: int | None = Field(description="The ledger entry the row posted or matched.")
    errors: list[RowProblem]


class RowPage(PageBase):
    items: list[RowOut]


# Credits


class PersonOut(Schema):
    id_number: str = Field(description="Masked ID number.")
    name: str
    unit: str


class StandingOut(Schema):
    met: bool
    grade: str
    earned: str = Field(pattern=AMOUNT)
    ruleset: str


class TotalOut(Schema):
    category: str = Field(description='A category code, or "*" for all categories together.')
    unit: str
    amount: str = Field(pattern=AMOUNT)


class EntryOut(Schema):
    seq: int
    activity_date: dt.date
    categories: list[str]
    amount: str = Field(pattern=AMOUNT)
    unit: str
    kind: str
    description: str
    source_type: str
    reverses: int | None = Field(description="seq of the entry this one reverses.")


class CreditsOut(Schema):
    person: PersonOut
    period: int
    standing: StandingOut | None
    totals: list[TotalOut]
    entries: list[EntryOut]
