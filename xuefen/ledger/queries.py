"""Reading the ledger: `credits_for` feeds the rule engine; `entries_for` is the scoped read."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import access_person, filter_by_person
from xuefen.ledger.models import Entry
from xuefen.orgs.models import Person
from xuefen.policy.engine import Credit

CREDIT_FIELDS = (
    "id",
    "period",
    "activity_date",
    "categories",
    "amount",
    "unit",
    "kind",
    "artefact_key",
    "source_type",
    "reverses_id",
)


def credit_from_row(row: tuple[Any, ...]) -> Credit:
    (entry_id, period, day, categories, amount, unit, kind, artefact, source, reverses) = row
    return Credit(
        entry_id=entry_id,
        period=period,
        activity_date=day,
        categories=tuple(categories),
        amount=amount,
        unit=unit,
        kind=kind,
        artefact_key=artefact,
        source_type=source,
        reverses_id=reverses,
    )


def credits_for(person: Person | int, periods: Iterable[int]) -> list[Credit]:
    """The person's entries of `periods` as the rule engine sees them, in ledger order; one query.

    Unscoped: the caller has already decided the person may be judged (an action, a scoped page)."""
    person_id = person if isinstance(person, int) else person.pk
    rows = (
        Entry.objects.filter(person_id=person_id, period__in=list(periods))
        .order_by("seq")
        .values_list(*CREDIT_FIELDS)
    )
    return [credit_from_row(row) for row in rows]


def entries_for(
    user: Any, person: Person | int | str, period: int | None = None
) -> QuerySet[Entry]:
    """The person's entries the user may read (Http404 if the person is not theirs), newest first,
    optionally of one period; each with the entry it reverses and the user who approved it."""
    person_id = person.pk if isinstance(person, Person) else person
    target = access_person(user, person_id, Cap.CREDITS_VIEW)
    entries = filter_by_person(user, Entry.objects.filter(person=target))
    if period is not None:
        entries = entries.filter(period=period)
    return entries.select_related("reverses", "approved_by").order_by("-period", "-seq")
