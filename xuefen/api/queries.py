"""Scoped reads for the API and its token pages.

Pages: a user sees the tokens of the providers they manage (courses.manage on the provider's node:
the provider's staff, and the credit office above it); anything else is the same 404 as "no such
token". API: a token reads only what its provider may, and people only inside its `serves` subtree.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.api.models import ApiToken, hash_secret
from xuefen.intake.models import Provider
from xuefen.intake.queries import providers_for
from xuefen.ledger.models import Entry, Standing, Total
from xuefen.ledger.standings import settle
from xuefen.orgs import idnumber
from xuefen.orgs.models import Person
from xuefen.policy.services import period_of
from xuefen.reports.verdicts import VerdictView, of_standings

# last_used_at is written at most this often per token, not on every request.
TOUCH_SECONDS = 60


def managed_providers(user: Any) -> QuerySet[Provider]:
    return providers_for(user, Cap.COURSES_MANAGE).order_by("code")


def tokens_for(user: Any) -> QuerySet[ApiToken]:
    return scope.filter_by_node(
        user, ApiToken.objects.all(), Cap.COURSES_MANAGE, prefix="provider__node__"
    ).select_related("provider", "created_by", "revoked_by")


def access_token(user: Any, token_id: Any) -> ApiToken:
    try:
        return tokens_for(user).get(pk=int(token_id))
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def token_for_secret(secret: str) -> ApiToken | None:
    """The token whose secret this is (revoked and expired ones included: the caller tells them
    apart), with its provider. Holding the secret is the credential, so there is no user scope."""
    if not secret or len(secret) > 200:
        return None
    return (
        ApiToken.objects.select_related("provider__node", "provider__serves")
        .filter(secret_hash=hash_secret(secret))
        .first()
    )


def note_use(token: ApiToken, now: dt.datetime | None = None) -> None:
    """Records that the token was used, at most once a minute (a write per request would
    serialise a busy integration on SQLite)."""
    now = now or timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= TOUCH_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def person_served(provider: Provider, id_number: str) -> Person:
    """The person with this ID number inside the provider's `serves` subtree; Http404 for anyone
    else, the same as for a number nobody has."""
    number = idnumber.normalize(id_number)
    try:
        return scope.people_served_by(provider).select_related("unit").get(id_number=number)
    except Person.DoesNotExist:
        raise Http404 from None


@dataclass
class Credits:
    person: Person
    period: int
    standing: Standing | None
    verdict: VerdictView | None
    totals: list[Total] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)


def credits_of(provider: Provider, person: Person, period: int | None = None) -> Credits:
    """The person's ledger for one period (by default the one today falls in, by the person's
    calendar): totals per category, the standing — settled first, so it is the judge's verdict on
    the credits as they are now — in words, and the entries. `person` comes from `person_served`;
    the standing is settled through the same scope."""
    if period is None:
        period = period_of(person, timezone.localdate())
    settle(scope.people_served_by(provider).filter(pk=person.pk), period)
    standing = Standing.objects.filter(person=person, period=period).first()
    return Credits(
        person=person,
        period=period,
        standing=standing,
        verdict=of_standings([standing])[person.pk] if standing is not None else None,
        totals=list(
            Total.objects.filter(person=person, period=period).order_by("category", "unit")
        ),
        entries=list(
            Entry.objects.filter(person=person, period=period)
            .select_related("reverses")
            .order_by("seq")
        ),
    )
