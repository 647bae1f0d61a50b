"""A person's credits, for tokens the credit office allowed to read them (scope `credits:read`),
and only for people inside the provider's `serves` subtree: anyone else is 404, the same answer
as for an ID number nobody has."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from xuefen.api.models import TokenScope
from xuefen.api.queries import credits_of, person_served
from xuefen.api.v1.auth import TokenAuth, token_of
from xuefen.api.v1.responses import READ_ONE, with_errors
from xuefen.api.v1.schemas import CreditsOut
from xuefen.orgs import idnumber

router = Router(tags=["people"], auth=TokenAuth(TokenScope.CREDITS_READ))


class PeriodParams(Schema):
    period: int | None = Field(
        None, ge=1990, le=2100, description="The year; by default the current one."
    )


def _amount(value: Any) -> str:
    return f"{value:.2f}"


@router.get(
    "/people/{id_number}/credits",
    response=with_errors({200: CreditsOut}, READ_ONE),
    operation_id="getPersonCredits",
    url_name="v1-person-credits",
    summary="Read a person's credits for a year",
)
def person_credits(request: HttpRequest, id_number: str, params: Query[PeriodParams]) -> Any:
    """Totals per category, the standing (target met, grade) and every ledger entry of the year.
    Scope: `credits:read` (granted by the credit office)."""
    person = person_served(token_of(request).provider, id_number)
    found = credits_of(person, params.period or timezone.localdate().year)
    standing = found.standing
    return {
        "person": {
            "id_number": idnumber.mask(person.id_number),
            "name": person.name,
            "unit": person.unit.name,
        },
        "period": found.period,
        "standing": (
            {
                "met": standing.met,
                "grade": standing.grade,
                "earned": _amount(standing.earned),
                "ruleset": standing.ruleset,
            }
            if standing
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
        "activity_date": entry.activity_date,
        "categories": list(entry.categories),
        "amount": _amount(entry.amount),
        "unit": entry.unit,
        "kind": entry.kind,
        "description": entry.description,
        "source_type": entry.source_type,
        "reverses": entry.reverses.seq if entry.reverses_id else None,
    }
