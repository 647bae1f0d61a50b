"""State changes of reports: issuing a certificate."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, user_of
from xuefen.core.errors import CodedError
from xuefen.ledger.judging import evaluate_person
from xuefen.ledger.models import Entry
from xuefen.orgs.models import Person
from xuefen.reports.certificates import build_payload, today
from xuefen.reports.errors import Code
from xuefen.reports.models import Certificate, content_hash, new_code


class ReportError(CodedError):
    pass


def _statement(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload without what differs between two issues of the same facts."""
    return {k: v for k, v in payload.items() if k not in ("code", "issued_on")}


@transaction.atomic
def issue_certificate(actor: Actor, person: Person, period: int) -> Certificate:
    """Issues a certificate of the person's credits for `period` as the ledger stands now, with a
    fresh random verification code and the hash of its content; append-only.

    Idempotent per day: when the latest certificate of the person's period was issued today and
    states the same facts, that one is returned and nothing is written. Refused (ReportError
    "no_ruleset") when no rule set judges the person's period.
    """
    evaluation = evaluate_person(person, period)
    if evaluation is None:
        raise ReportError(
            Code.NO_RULESET,
            _("No rule set applies to this person for %(period)s; no certificate can be issued.")
            % {"period": period},
        )
    entry_ids = [line.entry_id for line in evaluation.lines]
    descriptions = dict(
        Entry.objects.filter(person=person, pk__in=entry_ids).values_list("id", "description")
    )
    issued_on = today()
    code = new_code()
    while Certificate.objects.filter(code=code).exists():
        code = new_code()
    payload = build_payload(
        person, evaluation, code=code, issued_on=issued_on, descriptions=descriptions
    )
    latest = Certificate.objects.filter(person=person, period=period).order_by("-id").first()
    if (
        latest is not None
        and latest.is_intact
        and latest.payload.get("issued_on") == issued_on.isoformat()
        and _statement(latest.payload) == _statement(payload)
    ):
        return latest
    certificate = Certificate(
        person=person,
        period=period,
        code=code,
        content_hash=content_hash(payload),
        payload=payload,
        issued_by=user_of(actor),
        issued_at=timezone.now(),
    )
    certificate.save()
    record(
        actor,
        AuditEvent.Action.CREATE,
        certificate,
        person_id=person.pk,
        node_path=person.unit.path,
        object_repr=f"{person.name} {period} {certificate.display_code}",
        changes={"period": period, "content_hash": certificate.content_hash},
    )
    return certificate
