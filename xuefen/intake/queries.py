"""Scoped reads of providers, courses, batches and their rows.

Who sees what: a provider's staff (granted on its node) see that provider; the credit office and
auditors see every provider whose node lies in their subtree. Fetch helpers raise the same Http404
for "does not exist" and "not yours".
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.intake.models import INTERRUPTED, Batch, BatchRow, Provider
from xuefen.training.models import Course


def providers_for(user: Any, capability: str = Cap.INTAKE_VIEW) -> QuerySet[Provider]:
    """Providers the user may see (or act for, with another capability), with their nodes."""
    return scope.providers(user, capability).select_related("node", "serves")


def access_provider(user: Any, provider_id: Any, capability: str = Cap.INTAKE_VIEW) -> Provider:
    return scope.access_provider(user, provider_id, capability)


def courses_of(provider: Provider) -> QuerySet[Course]:
    return provider.courses.all().order_by("code")


def courses_for(user: Any, capability: str = Cap.INTAKE_VIEW) -> QuerySet[Course]:
    """Courses of every provider the user may see."""
    ids = scope.providers(user, capability).values("pk")
    return Course.objects.filter(provider__in=ids).select_related("provider")


def access_course(user: Any, course_id: Any, capability: str = Cap.INTAKE_VIEW) -> Course:
    try:
        return courses_for(user, capability).get(pk=int(course_id))
    except (Course.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def batches_for_provider(provider: Provider) -> QuerySet[Batch]:
    return provider.batches.all().order_by("-created_at", "-id")


def batches_for(user: Any) -> QuerySet[Batch]:
    """Batches of every provider the user may see (intake.view)."""
    ids = scope.providers(user, Cap.INTAKE_VIEW).values("pk")
    return (
        Batch.objects.filter(provider__in=ids)
        .select_related("provider", "created_by")
        .order_by("-created_at", "-id")
    )


def access_batch(user: Any, batch_id: Any, capability: str = Cap.INTAKE_VIEW) -> Batch:
    ids = scope.providers(user, capability).values("pk")
    try:
        return Batch.objects.select_related("provider", "provider__node").get(
            pk=int(batch_id), provider__in=ids
        )
    except (Batch.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def batch_rows(batch: Batch, status: str | None = None) -> QuerySet[BatchRow]:
    rows = batch.rows.all().order_by("row_number")
    if status:
        rows = rows.filter(status=status)
    return rows


def same_payload(provider: Provider, sha256: str) -> Batch | None:
    """An earlier batch of the provider with the same payload that did not fail for its content."""
    return (
        provider.batches.filter(payload_sha256=sha256)
        .exclude(Q(status=Batch.Status.FAILED) & ~Q(failure_code=INTERRUPTED))
        .order_by("-created_at")
        .first()
    )
