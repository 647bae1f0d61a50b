"""A person's credits, for tokens the credit office allowed to read them (scope `credits:read`),
and only for people inside the provider's `serves` subtree: anyone else is 404, the same answer
as for an ID number nobody has."""

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Field, Path, Query, Router, Schema

from xuefen.api.models import TokenScope
from xuefen.api.queries import credits_of, person_served
from xuefen.api.v1.auth import TokenAuth, token_of
from xuefen.api.v1.batches import days_text
from xuefen.api.v1.responses import READ_ONE, with_errors
from xuefen.api.v1.schemas import CreditsOut
from xuefen.orgs import idnumber

router = Router(tags=["people"], auth=TokenAuth(TokenScope.CREDITS_READ))


class PeriodParams(Schema):
    period: int | None = Field(
        None,
        ge=1990,
        le=2100,
        description=gettext_noop(
            "The period (year), named by the calendar year it ends in; by default the one today "
            "falls in by the calendar of the person's rule set."
        ),
    )


def _amount(value: Any) -> str:
    return f"{value:.2f}"


@router.get(
    "/people/{id_number}/credits",
    response=with_errors({200: CreditsOut}, READ_ONE),
    operation_id="getPersonCredits",
    url_name="v1-person-credits",
    summary=gettext_noop("Read a person's credits for a year"),
    description=gettext_noop(
        "Totals per category, the standing (status, target met, grade, what is still missing) "
        "and every ledger entry of the period with its span and days. Scope: `credits:read` "
        "(granted by the credit office)."
    ),
)
def person_credits(
    request: HttpRequest,
    id_number: Annotated[str, Path(description=gettext_noop("The person's national ID number."))],
    params: Query[PeriodParams],
) -> Any:
    person = person_served(token_of(request).provider, id_number)
    found = credits_of(token_of(request).provider, person, params.period)
    verdict = found.verdict
    return {
        "person": {
            "id_number": idnumber.mask(person.id_number),
            "name": person.name,
            "unit": person.unit.name,
        },
        "period": found.period,
        "standing": (
            {
                "status": verdict.status,
                "met": verdict.met,
                "grade": verdict.grade,
                "earned": _amount(verdict.earned),
                "ruleset": found.standing.ruleset if found.standing else "",
                "shortfalls": verdict.gaps,
                "advisory_shortfalls": verdict.advisory_gaps,
            }
            if verdict
            else None
        ),
        "totals": [
            {"category": t.category, "unit": t.unit, "amount": _amount(t.amount)}
            for t in found.totals
        ],
        "entries": [_entry(e) for e in found.entries],
    }


def _entry(entry: Any) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "first_day": entry.first_day,
        "last_day": entry.last_day,
        "days": days_text(entry.days),
        "activity_date": entry.last_day,
        "categories": list(entry.categories),
        "amount": _amount(entry.amount),
        "unit": entry.unit,
        "kind": entry.kind,
        "description": entry.description,
        "source_type": entry.source_type,
        "reverses": entry.reverses.seq if entry.reverses_id else None,
    }
