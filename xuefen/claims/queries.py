"""Scoped reads of claims. Every page reads through here; what a user may not see is a 404."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import filter_by_person
from xuefen.claims.models import Claim, Evidence, Flag, SpotCheck, Status


def _with_related(qs: QuerySet[Claim]) -> QuerySet[Claim]:
    return qs.select_related("person__unit", "claim_type", "submitted_by").prefetch_related(
        Prefetch("flags", queryset=Flag.objects.order_by("id"))
    )


def claims_for(user: Any, capability: str = Cap.CREDITS_VIEW) -> QuerySet[Claim]:
    """Claims of the people the user may see (a learner: their own) — or act on, by capability."""
    return filter_by_person(user, Claim.objects.all(), capability)


def access_claim(user: Any, claim_id: Any, capability: str = Cap.CREDITS_VIEW) -> Claim:
    """The claim if the user may see it (or act on it, by capability); Http404 otherwise."""
    try:
        return _with_related(claims_for(user, capability)).get(pk=int(claim_id))
    except (Claim.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_evidence(user: Any, evidence_id: Any) -> Evidence:
    """An evidence file of a claim the user may see; Http404 otherwise."""
    try:
        return Evidence.objects.select_related("claim__person__unit").get(
            pk=int(evidence_id), claim__in=claims_for(user)
        )
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def own_claims(user: Any) -> QuerySet[Claim]:
    """The learner's own claims, and those a unit administrator submitted for others."""
    person_id = getattr(user, "person_id", None)
    mine = claims_for(user, Cap.CLAIMS_SUBMIT)
    if person_id is not None:
        mine = mine.filter(person_id=person_id) | mine.filter(submitted_by=user)
    else:
        mine = mine.filter(submitted_by=user)
    return _with_related(mine).order_by("-created_at", "-id")


def unit_queue(user: Any) -> QuerySet[Claim]:
    """Submitted claims of the user's people, waiting for the unit check, oldest first."""
    return _with_related(
        claims_for(user, Cap.CREDITS_CHECK).filter(status=Status.SUBMITTED)
    ).order_by("submitted_at", "id")


def office_queue(
    user: Any,
    *,
    status: str = Status.UNIT_CHECKED,
    flag: str = "",
    claim_type: Any = None,
    late: bool | None = None,
) -> QuerySet[Claim]:
    qs = claims_for(user, Cap.CREDITS_APPROVE)
    qs = qs.filter(status=status) if status else qs.exclude(status=Status.DRAFT)
    if flag:
        qs = qs.filter(pk__in=Flag.objects.filter(code=flag).values("claim_id"))
    if claim_type is not None:
        qs = qs.filter(claim_type=claim_type)
    if late is not None:
        qs = qs.filter(is_late=late)
    return _with_related(qs).order_by("submitted_at", "id")


def spot_checks(user: Any) -> QuerySet[SpotCheck]:
    claims = claims_for(user, Cap.CREDITS_APPROVE)
    return (
        SpotCheck.objects.filter(claim__in=claims)
        .select_related("claim__person__unit", "claim__claim_type", "draw", "decided_by")
        .order_by("outcome", "-id")
    )


def access_spot_check(user: Any, spot_id: Any) -> SpotCheck:
    try:
        return spot_checks(user).get(pk=int(spot_id))
    except (SpotCheck.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
