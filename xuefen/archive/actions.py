"""State changes of the archive: a unit pulls the archive of a person who transferred in; a unit's
certificates or archives are printed in bulk by the background worker (started, resumed)."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.archive.errors import ArchiveError, Code
from xuefen.archive.horizon import entered_from_outside
from xuefen.archive.models import ArchivePull, PrintJob
from xuefen.archive.printing import is_stale
from xuefen.archive.queries import may_print
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, user_of
from xuefen.orgs.models import OrgNode, Person

# Who may pull an archive: its own capability (the unit administrators and the credit office, on
# the unit the person is in now), not any right to change people.
PULL_CAPABILITY = Cap.ARCHIVE_PULL


def _forbidden() -> ArchiveError:
    return ArchiveError(Code.FORBIDDEN, _("You may not do this for this unit."))


@transaction.atomic
def pull_archive(actor: Actor, person: Person) -> ArchivePull:
    """The actor's unit takes up the person's archive from before they transferred in: from now on
    the unit's administrators see the earlier years. Needs archive.pull on the person's unit;
    refused when nothing lies outside the actor's view (not_transferred_in) and when the transfer
    was pulled already (already_pulled). Writes the pull and its audit event."""
    if not scope.may(actor, PULL_CAPABILITY, person.unit):
        raise _forbidden()
    entered = entered_from_outside(actor, person)
    if entered is None:
        raise ArchiveError(
            Code.NOT_TRANSFERRED_IN,
            _("This person did not transfer in from outside your scope: there is nothing to pull."),
        )
    if ArchivePull.objects.filter(transfer=entered).exists():
        raise ArchiveError(Code.ALREADY_PULLED, _("This archive was pulled already."))
    pull = ArchivePull.objects.create(
        person=person,
        transfer=entered,
        unit=person.unit,
        pulled_by=user_of(actor),
        pulled_at=timezone.now(),
    )
    record(
        actor,
        AuditEvent.Action.UPDATE,
        pull,
        person_id=person.pk,
        node_path=person.unit.path,
        object_repr=f"{person.name} {entered.from_unit.name} → {person.unit.name}",
        changes={
            "archive_pulled": [None, str(entered.from_unit.pk)],
            "years_before": entered.effective_on.year,
        },
    )
    return pull


@transaction.atomic
def start_print(actor: Actor, unit: OrgNode, kind: str, period: int | None = None) -> PrintJob:
    """Queues one PDF of every certificate (of `period`) or every archive of the people in the
    unit now, for the background worker. The people are fixed at the start; the job is audited."""
    if kind not in PrintJob.Kind.values:
        raise ArchiveError(Code.KIND_INVALID, _("Choose what to print."), field="kind")
    if unit.kind != OrgNode.Kind.UNIT:
        raise ArchiveError(Code.NOT_A_UNIT, _("Choose a unit."), field="unit")
    user = user_of(actor)  # a person starts a print (the job prints what they may see)
    if user is None or not may_print(actor, unit, kind):
        raise _forbidden()
    if kind == PrintJob.Kind.CERTIFICATES and not _valid_period(period):
        raise ArchiveError(Code.PERIOD_INVALID, _("Enter the year to print."), field="period")
    ids = list(
        Person.objects.filter(unit=unit, status=Person.Status.ACTIVE)
        .order_by("name", "pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        raise ArchiveError(Code.NOBODY_TO_PRINT, _("Nobody works in this unit now."))
    job = PrintJob.objects.create(
        unit=unit,
        kind=kind,
        period=period if kind == PrintJob.Kind.CERTIFICATES else None,
        people=ids,
        created_by=user,
        heartbeat_at=timezone.now(),
    )
    record(
        actor,
        AuditEvent.Action.EXPORT,
        job,
        node_path=unit.path,
        object_repr=f"{job.get_kind_display()} {unit.name}",
        changes={"kind": kind, "period": job.period, "people": len(ids)},
    )
    transaction.on_commit(lambda: enqueue(job))
    return job


def _valid_period(period: Any) -> bool:
    return isinstance(period, int) and 2000 <= period <= 2100


def enqueue(job: PrintJob) -> None:
    """Queues the job's work (after commit: the worker must see the job)."""
    from xuefen.archive.tasks import print_task

    print_task.enqueue(job.pk)


@transaction.atomic
def resume_print(actor: Actor, job: PrintJob) -> PrintJob:
    """Queues again a job whose worker died (or that stopped on a crash); the worker goes on after
    the last person it wrote, so nobody is printed twice."""
    if not may_print(actor, job.unit, job.kind):
        raise _forbidden()
    locked = PrintJob.objects.select_for_update().get(pk=job.pk)
    if not is_stale(locked):
        raise ArchiveError(Code.NOT_RESUMABLE, _("This job is not stalled; it needs no resuming."))
    PrintJob.objects.filter(pk=locked.pk).update(
        status=PrintJob.Status.QUEUED,
        failure_code="",
        failure="",
        attempts=0,
        heartbeat_at=timezone.now(),
    )
    record(
        actor,
        AuditEvent.Action.SUBMIT,
        locked,
        node_path=job.unit.path,
        object_repr=str(locked),
        changes={"resumed_at": locked.done},
    )
    transaction.on_commit(lambda: enqueue(locked))
    locked.refresh_from_db()
    return locked
