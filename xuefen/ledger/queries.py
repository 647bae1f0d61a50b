"""Reading the ledger for people: `entries_for` is the scoped read of a person's entries."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import access_person, filter_by_person
from xuefen.archive.horizon import visible_from
from xuefen.ledger.models import Entry
from xuefen.orgs.models import Person


def entries_for(
    user: Any, person: Person | int | str, period: int | None = None
) -> QuerySet[Entry]:
    """The person's entries the user may read (Http404 if the person is not theirs), newest first,
    optionally of one period; each with the entry it reverses and the user who approved it.

    The archive's rule (`archive.horizon.visible_from`, as on the person's credits page): a unit
    the person transferred into reads the years from the transfer on until it pulls the archive;
    an earlier year asked for by name is Http404, and left out of the whole ledger."""
    person_id = person.pk if isinstance(person, Person) else person
    target = access_person(user, person_id, Cap.CREDITS_VIEW)
    horizon = visible_from(user, target)
    entries = filter_by_person(user, Entry.objects.filter(person=target))
    if period is not None:
        if not horizon.shows(period):
            raise Http404
        entries = entries.filter(period=period)
    elif horizon.first_year is not None:
        entries = entries.filter(period__gte=horizon.first_year)
    return entries.select_related("reverses", "approved_by").order_by("-period", "-seq")
