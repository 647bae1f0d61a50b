"""The assessment export (年度考核) in the REST API: per person of the provider's `serves` subtree
and period, the credits per category, the status and the grade (fixed at the close where the
period is closed). Scope `credits:read`, as a person's credits; the same rows as the XLSX."""

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Field, Query, Router, Schema

from xuefen.accounts.scope import people_served_by
from xuefen.api.codes import codes
from xuefen.api.models import TokenScope
from xuefen.api.v1.auth import TokenAuth, token_of
from xuefen.api.v1.pagination import PageParams, page
from xuefen.api.v1.responses import READ, with_errors
from xuefen.api.v1.schemas import AMOUNT, PageBase, PersonOut
from xuefen.closing import assessment
from xuefen.ledger.standings import settle
from xuefen.orgs import idnumber

router = Router(tags=["assessment"], auth=TokenAuth(TokenScope.CREDITS_READ))


class AssessmentParams(Schema):
    period: int = Field(ge=1990, le=2100, description=gettext_noop("The period (year) to export."))


class CategoryAmount(Schema):
    category: str = Field(
        description=gettext_noop("A category code."), json_schema_extra=codes("category")
    )
    amount: str = Field(pattern=AMOUNT)


class AssessmentOut(Schema):
    person: PersonOut
    period: int
    totals: list[CategoryAmount] = Field(
        description=gettext_noop("The credits of each category (an entry counts in each of its).")
    )
    earned: str = Field(
        pattern=AMOUNT, description=gettext_noop("What counted, in the rule set's unit.")
    )
    status: Literal["met", "short", "in_progress", "exempt", "no_rules"] = Field(
        description=gettext_noop("The verdict on the year."),
        json_schema_extra=codes("standing_status"),
    )
    grade: str = Field(
        description=gettext_noop("The grade of the year; empty while the year is not over."),
        json_schema_extra=codes("grade"),
    )
    fixed: bool = Field(
        description=gettext_noop(
            "The grade was fixed when the credit office closed the year (true), or is the "
            "current standing of a year not closed (false)."
        )
    )


class AssessmentPage(PageBase):
    items: list[AssessmentOut]


@router.get(
    "/assessment",
    response=with_errors({200: AssessmentPage}, READ),
    operation_id="listAssessment",
    url_name="v1-assessment",
    summary=gettext_noop("Export a year's results for annual assessment"),
    description=gettext_noop(
        "Per person the provider serves: the credits of each category, the status and the grade "
        "of the year, for annual assessment (年度考核), awards and promotion. Scope: "
        "`credits:read` (granted by the credit office)."
    ),
)
def list_assessment(
    request: HttpRequest, params: Query[AssessmentParams], paging: Query[PageParams]
) -> dict[str, Any]:
    people = people_served_by(token_of(request).provider)
    settle(people, params.period)
    found = page(request, people.select_related("unit").order_by("unit__path", "id"), paging)
    rows = assessment.rows_for(found["items"], params.period)
    found["items"] = [
        {
            "person": {
                "id_number": idnumber.mask(row.person.id_number),
                "name": row.person.name,
                "unit": row.person.unit.name,
            },
            "period": params.period,
            "totals": [
                {"category": code, "amount": f"{amount:.2f}"}
                for code, amount in sorted(row.totals.items())
            ],
            "earned": f"{row.earned:.2f}",
            "status": row.status,
            "grade": row.grade,
            "fixed": row.fixed,
        }
        for row in rows
    ]
    return found
